"""WSGI entry point for gunicorn: app = create_app()."""
from webapp import create_app

app = create_app()
