"""Extensions, created once here and bound to the app in create_app."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from limits.storage import storage_from_string
from limits.strategies import STRATEGIES
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class FailureLimiter:
    """The storage (RATELIMIT_STORAGE_URI: memory, or Redis shared by hosts) and the window (RATELIMIT_STRATEGY)
    the login counts its failures in (webapp/auth/throttle.py), from the `limits` library. No route has a limit,
    so nothing runs per request: Flask-Limiter, on `limits` too, checked every request and added an after-request
    hook for limits no route has (about 5 % of a bare page)."""

    storage = None
    limiter = None

    def init_app(self, app) -> None:
        """A fresh storage per app: each test app starts with no failures counted (memory://)."""
        self.storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        self.limiter = STRATEGIES[app.config["RATELIMIT_STRATEGY"]](self.storage)

    def reset(self) -> None:
        """Forget every count (a shared Redis storage outlives each test app)."""
        self.storage.reset()


limiter = FailureLimiter()
