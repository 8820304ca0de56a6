"""Production settings (wsgi, asgi, Celery and the Docker image): DEBUG off, whatever the environment says,
HTTPS-only cookies and HSTS, and no start without a real SECRET_KEY."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env

DEBUG = False

# No fallback of any kind (DEBUG, TESTING or anything else in the environment): a missing key stops the start.
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set: production refuses to start without it.")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
