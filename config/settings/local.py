"""Development settings (manage.py's default): DEBUG on unless DEBUG=0, and a development key when
SECRET_KEY is unset. Never used by the web server in production (wsgi and asgi default to production)."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, STORAGES, env

DEBUG = env.bool("DEBUG", default=True)

if not SECRET_KEY:
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

# Serve the source files as they are: no `collectstatic` needed.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
