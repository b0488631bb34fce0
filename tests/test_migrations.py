"""Migrations build the same schema as the models; `flask seed` seeds once."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, select

from config import TestConfig
from webapp import create_app
from webapp.extensions import db
from webapp.models import Account, Department


def make_app(tmp_path):
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}"})
    return create_app(config)


def test_migrations_match_the_models(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                    db.metadata)
        assert diff == []
        downgrade(revision="base")
        assert create_engine(app.config["SQLALCHEMY_DATABASE_URI"]).connect().exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name = 'accounts'").scalar() == 0


def test_flask_seed_runs_once(tmp_path, monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    app = make_app(tmp_path)
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0 and "Log in as: admin / " in first.output
    password = first.output.split("admin / ")[1].split()[0]
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0 and "nothing to seed" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Department)) == 2
        admin = db.session.scalar(select(Account).where(Account.login == "admin"))
        assert admin.full_access and admin.builtin and admin.check_password(password)


def test_admin_password_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "from-the-environment")
    app = make_app(tmp_path)
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0 and "from-the-environment" not in result.output
    assert "Seeded the defaults" in result.output and "ADMIN_PASSWORD" in result.output
    with app.app_context():
        admin = db.session.scalar(select(Account).where(Account.login == "admin"))
        assert admin.check_password("from-the-environment")
