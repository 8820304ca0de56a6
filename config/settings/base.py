"""Settings shared by every environment of the commissioning management system.

Everything configurable comes from the environment (see README, "Configuration"). Pick one of the modules
that build on this one with DJANGO_SETTINGS_MODULE: config.settings.local (development, manage.py's
default), config.settings.production (wsgi, asgi, Celery, the Docker image) or config.settings.test
(pytest). This module alone is production-shaped but has no secret key: it is not meant to be used directly.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless an environment module turns it on (local reads DEBUG; production never allows it).
DEBUG = False

# Each environment module decides what an empty key means: production refuses to start,
# local falls back to a development key, the test run sets its own.
SECRET_KEY = env.str("SECRET_KEY", default="")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    # Optional TOTP second factor for administrators (commissioning.otp).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "commissioning.otp",
    # Project apps: commissioning is the shared core the others build on.
    "commissioning",
    "providers",
    "contracts",
    "oversight",
    "performance",
    "strategies",
    "scrutiny",
    "dashboards",
    "opendata",
    "records",
    "search",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after authentication, so that it sees every response of a signed-in person last.
    "commissioning.middleware.NoStoreMiddleware",
    "commissioning.middleware.SessionActivityMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "commissioning.middleware.LoginRequiredMiddleware",
    "commissioning.middleware.SecondFactorMiddleware",
    "commissioning.middleware.ContentSecurityPolicyMiddleware",
    # Axes last, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commissioning.context_processors.service",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite in the project is the embedded default; PostgreSQL in production.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait up to 20 s for each other, and a transaction takes the write lock when it begins: a deferred one
    # that reads first and then writes cannot wait and fails at once with "database is locked" when another
    # writer (the Celery worker, a second request) holds the lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "commissioning.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after an hour without activity.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60)
# Activity pushes the expiry on (commissioning.middleware.SessionActivityMiddleware) at most once a minute,
# rather than writing the session on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ACTIVITY_RESOLUTION = env.int("SESSION_ACTIVITY_RESOLUTION", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Log-in throttling: five failures lock the username and address for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# The locked-out page says what happened and when to try again, with the status 429 Too Many Requests.
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# A successful sign-in clears earlier failures, so a slip a week ago does not count towards a lockout.
AXES_RESET_ON_SUCCESS = True

# TOTP second factor: the name authenticator apps show, and a slowing delay after each wrong code.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Council commissioning")
OTP_TOTP_THROTTLE_FACTOR = 1

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"]
# GOV.UK Frontend is installed from npm into node_modules by `make install`.
GOVUK_FRONTEND_DIR = BASE_DIR / "node_modules" / "govuk-frontend" / "dist"
if GOVUK_FRONTEND_DIR.exists():
    STATICFILES_DIRS.append(("govuk", GOVUK_FRONTEND_DIR / "govuk"))
STORAGES = {
    "default": {"BACKEND": env.str("DEFAULT_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    # Hashed, compressed files from `collectstatic` (the Docker image runs it); local and test serve the
    # source files instead.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Media is never served directly: commissioning.views.protected_media checks log-in and rights.
MEDIA_URL = "/media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "5.0.0"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="commissioning@council.example")

# Celery: with REDIS_URL, Redis is the broker and result backend; without, a folder and a SQLite file (below).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
from celery.schedules import crontab  # noqa: E402  (kept next to the one setting that needs it)

CELERY_BEAT_SCHEDULE = {
    # Monday 07:00: each commissioning lead's list of contracts needing a re-procurement or extension decision.
    "contracts-needs-decision-digest": {
        "task": "contracts.tasks.send_needs_decision_digest",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    # Daily 06:30: scrutiny recommendations whose Executive response is overdue (LGA 2000 s.9FE), told once each.
    "scrutiny-overdue-recommendations": {
        "task": "scrutiny.tasks.notify_overdue_recommendations",
        "schedule": crontab(minute=30, hour=6),
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions read from Redis, written through to the database: one query fewer on every page.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# The council whose documents these are: printed at the head of every scrutiny cover report.
COUNCIL_NAME = env("COUNCIL_NAME", default="Lincolnshire County Council")
# Its logo, as a static path (blank: none). The demo's is a plain mark drawn for this project.
COUNCIL_LOGO = env("COUNCIL_LOGO", default="img/council-logo.png")
# The contracting authority's contact details, printed in its contract performance notices (UK9, regulation 39).
COUNCIL_ADDRESS = env("COUNCIL_ADDRESS", default="County Offices, Newland, Lincoln, LN1 1YL")
COUNCIL_EMAIL = env("COUNCIL_EMAIL", default="procurement@council.example")
COUNCIL_TELEPHONE = env("COUNCIL_TELEPHONE", default="")
# Its Public Procurement Organisation Number on the Central Digital Platform (blank: not yet registered).
COUNCIL_PPON_ID = env("COUNCIL_PPON_ID", default="")

# The header's unread-notifications figure is cached per user; notify and mark_read forget it on change.
NOTIFICATION_COUNT_SECONDS = env.int("NOTIFICATION_COUNT_SECONDS", default=300)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes an anonymous request a 401 rather than a 403.
        "commissioning.drf.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["commissioning.drf.RoleModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "commissioning.drf.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "commissioning.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["commissioning.drf.ApiRateThrottle"],
    # The rates are set with the API tokens' settings below.
    "DEFAULT_THROTTLE_RATES": {},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Commissioning management API",
    "DESCRIPTION": (
        "Strategies, highlight reports, contracts, providers, performance and scrutiny for council commissioning."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice lists shared by several fields get one schema name each.
    "ENUM_NAME_OVERRIDES": {
        "CqcRatingValueEnum": "providers.models.CqcRatingValue",
        "RiskLevelEnum": "providers.models.RiskLevel",
        # Draft / published: packs and their supplements share the choice set.
        "PublicationStatusEnum": "scrutiny.models.ScrutinyPack.Status",
        "SavingStatusEnum": "strategies.models.Saving.Status",
        "KpiFrequencyEnum": "oversight.models.ContractKpi.Frequency",
        "AssessmentKindEnum": "oversight.models.PerformanceAssessment.Kind",
        "KpiRatingEnum": "oversight.models.KpiRating",
        # A measure's frequency, named apart from a KPI's (both fields are "frequency").
        "MeasureFrequencyEnum": "performance.models.Measure.Frequency",
        # Provider failure cases and market indicators.
        "FailureCaseKindEnum": "oversight.models.ProviderFailureCase.Kind",
        "FailureCaseStatusEnum": "oversight.models.ProviderFailureCase.Status",
        "MarketIndicatorKindEnum": "oversight.models.MarketIndicator.Kind",
        "GovernanceMeetingKindEnum": "oversight.models.GovernanceMeeting.Kind",
    },
}

# How long the council dashboard's figures are reused before being counted again (0: never reused).
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=60)

# How many weeks after a quarter ends a measure result counts as late.
RESULTS_LATE_AFTER_WEEKS = env.int("RESULTS_LATE_AFTER_WEEKS", default=6)

# Hardening that holds everywhere; production adds HTTPS-only cookies, the redirect and HSTS
# (checked by `manage.py check --deploy`).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Open data: where the official OCDS schemas are read from (the project's bundled copy in opendata/schemas/
# when this folder is absent), whether the open-data files are published without a log-in, and for how long
# a published file is reused before being built again.
OCDS_STANDARDS_DIR = env.path("OCDS_STANDARDS_DIR", default=BASE_DIR.parent / "shared" / "standards")
OPEN_DATA_PUBLIC = env.bool("OPEN_DATA_PUBLIC", default=False)
OPEN_DATA_CACHE_SECONDS = env.int("OPEN_DATA_CACHE_SECONDS", default=300)

# CQC's public API: the council's subscription key (blank: the daily refresh does nothing and logs why), the
# API's address, and how far back each daily run asks CQC's changes feed (overlapping runs are harmless: the
# same rating is recorded once and alerts once).
CQC_API_KEY = env.str("CQC_API_KEY", default="")
CQC_API_BASE_URL = env.str("CQC_API_BASE_URL", default="https://api.service.cqc.org.uk/public/v1")
CQC_API_TIMEOUT_SECONDS = env.float("CQC_API_TIMEOUT_SECONDS", default=15.0)
CQC_REFRESH_HOURS = env.int("CQC_REFRESH_HOURS", default=48)
# Daily 05:45: ratings of the council's locations that CQC changed (falls raise alerts).
CELERY_BEAT_SCHEDULE["providers-cqc-refresh"] = {
    "task": "providers.tasks.refresh_cqc_ratings",
    "schedule": crontab(minute=45, hour=5),
}

# The import pipeline's limits (commissioning.imports.DEFAULT_LIMITS holds the defaults; a key set here wins):
# a file is refused, naming the limit and the file's figure, as soon as one is passed. Files larger than
# background_bytes are imported by a Celery task with a progress page.
IMPORT_LIMITS = {
    limit: env.int(variable)
    for limit, variable in (
        ("max_bytes", "IMPORT_MAX_BYTES"),
        ("max_rows", "IMPORT_MAX_ROWS"),
        ("background_bytes", "IMPORT_BACKGROUND_BYTES"),
    )
    if variable in os.environ
}
# Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count uploaded files, and files over FILE_UPLOAD_MAX_MEMORY_SIZE
# are spooled to disk, so a 50 MB upload reaches the import's own size check and its clear refusal.

# Contract alerts (oversight.alerts): the statutory and end-date alerts to a contract's manager and backup cannot
# be switched off, only their lead times changed, in days before each date as comma-separated lists (defaults in
# oversight.alerts.DEFAULT_LEAD_DAYS: end date 180,90,30; notice date 30,0; review date 30; latest possible end
# 365,180). An alert not acknowledged within ALERT_ESCALATION_DAYS goes to the team lead too.
CONTRACT_ALERT_LEAD_DAYS = {
    kind: env.list(variable, cast=int)
    for kind, variable in (
        ("end_date", "CONTRACT_ALERT_END_DATE_DAYS"),
        ("notice_date", "CONTRACT_ALERT_NOTICE_DATE_DAYS"),
        ("review_date", "CONTRACT_ALERT_REVIEW_DATE_DAYS"),
        ("maximum_end_date", "CONTRACT_ALERT_MAXIMUM_END_DATE_DAYS"),
    )
    if variable in os.environ
}
ALERT_ESCALATION_DAYS = env.int("ALERT_ESCALATION_DAYS", default=5)
# Daily 06:15: contract date alerts, assessment and notice due alerts, users' own alerts, and escalation.
CELERY_BEAT_SCHEDULE["oversight-contract-alerts"] = {
    "task": "oversight.tasks.sweep_contract_alerts",
    "schedule": crontab(minute=15, hour=6),
}

# Contract returns (oversight.returns): due by the end of the month after the month or quarter they cover (or
# CONTRACT_RETURN_DUE_DAYS days after it, when set); quarterly instead of monthly for a Low-risk provider's
# contract worth less than CONTRACT_RETURN_QUARTERLY_BELOW a year; overdue returns are chased by e-mail once
# overdue CHASE_AFTER days, then every CHASE_EVERY days until submitted.
CONTRACT_RETURN_DUE_DAYS = env.int("CONTRACT_RETURN_DUE_DAYS", default=0)
CONTRACT_RETURN_QUARTERLY_BELOW = env.str("CONTRACT_RETURN_QUARTERLY_BELOW", default="100000")
CONTRACT_RETURN_CHASE_AFTER_DAYS = env.int("CONTRACT_RETURN_CHASE_AFTER_DAYS", default=5)
CONTRACT_RETURN_CHASE_EVERY_DAYS = env.int("CONTRACT_RETURN_CHASE_EVERY_DAYS", default=CONTRACT_RETURN_CHASE_AFTER_DAYS)
# Daily 06:45: make the returns due whose period has ended, then chase the overdue ones.
CELERY_BEAT_SCHEDULE["oversight-contract-returns"] = {
    "task": "oversight.tasks.contract_returns_daily",
    "schedule": crontab(minute=45, hour=6),
}
# One schema name for the red / amber / green choice set (contract returns' risk rating, reports' RAG, ...).
_ENUM_NAMES: dict[str, str] = SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]  # type: ignore[assignment]
_ENUM_NAMES["RagEnum"] = "oversight.models.Rag"
# Escalation triggers (oversight.escalation): the daily sweep opens an escalation for each situation that arose within
# this many days (a rise to High risk, a suspension, a serious incident, an action plan falling overdue).
ESCALATION_SWEEP_LOOKBACK_DAYS = env.int("ESCALATION_SWEEP_LOOKBACK_DAYS", default=31)
CELERY_BEAT_SCHEDULE["oversight-escalation-triggers"] = {
    "task": "oversight.tasks.sweep_escalation_triggers",
    "schedule": crontab(minute=30, hour=6),
}
# Disposal is signed off by the council's information governance lead: until this is set, the nightly task only
# counts what is due (the due page and `manage.py apply_retention` show it) and disposes of nothing.
RETENTION_APPLY_AUTOMATICALLY = env.bool("RETENTION_APPLY_AUTOMATICALLY", default=False)
# Daily 02:30, out of office hours: the retention schedule's deletions and anonymisations (records.tasks).
CELERY_BEAT_SCHEDULE["records-apply-retention"] = {
    "task": "records.tasks.apply_retention_daily",
    "schedule": crontab(minute=30, hour=2),
}
# A high-severity safeguarding concern or serious incident brought in by a batch (another system, the demo) is
# alerted only if it is open and was raised within this many days; one recorded on its own is always alerted.
SAFEGUARDING_ALERT_WINDOW_DAYS = env.int("SAFEGUARDING_ALERT_WINDOW_DAYS", default=14)

# --- Single sign-on -------------------------------------------------------------------------------
# Single sign-on with OpenID Connect (commissioning.sso), e.g. Microsoft Entra ID: off until an issuer (or a
# discovery URL) and a client ID are set. The provider's endpoints and keys come from its discovery document.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_DISCOVERY_URL = env.str("OIDC_DISCOVERY_URL", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
# The claims read from the ID token: directory groups (Entra ID: group object IDs), app roles (Entra ID's
# fallback when a user is in too many groups), the directorate (blank: from the mapped groups), the MFA
# evidence (a list holding one of OIDC_MFA_VALUES, or true) and the new user's username.
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_ROLES_CLAIM = env.str("OIDC_ROLES_CLAIM", default="roles")
OIDC_DIRECTORATE_CLAIM = env.str("OIDC_DIRECTORATE_CLAIM", default="")
OIDC_MFA_CLAIM = env.str("OIDC_MFA_CLAIM", default="amr")
OIDC_MFA_VALUES = env.list("OIDC_MFA_VALUES", default=["mfa"])
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
# On: an existing account with the same e-mail (not a superuser's or a break-glass one) is linked at its first
# single sign-on. Off (the default, as e-mail claims are not always verified): a new account is made.
OIDC_LINK_BY_EMAIL = env.bool("OIDC_LINK_BY_EMAIL", default=False)
OIDC_SIGN_ALGORITHMS = env.list("OIDC_SIGN_ALGORITHMS", default=["RS256"])
OIDC_CLOCK_SKEW_SECONDS = env.int("OIDC_CLOCK_SKEW_SECONDS", default=60)
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT_SECONDS", default=10.0)
# mozilla-django-oidc's flow: PKCE (S256), nonce and state, and the callback's URL name.
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
# Local passwords: when off, only the break-glass administrators listed may sign in with a password.
LOCAL_PASSWORDS_ENABLED = env.bool("LOCAL_PASSWORDS_ENABLED", default=True)
BREAK_GLASS_USERNAMES = env.list("BREAK_GLASS_USERNAMES", default=[])
AUTHENTICATION_BACKENDS = [
    "commissioning.sso.LocalPasswordBackend" if backend == "django.contrib.auth.backends.ModelBackend" else backend
    for backend in AUTHENTICATION_BACKENDS
] + ["commissioning.sso.CouncilOIDCBackend"]
TEMPLATES[0]["OPTIONS"]["context_processors"].append("commissioning.sso.context")  # type: ignore[index]
# --- Second factor, API tokens, passwords, no-store -----------------------------------------------
# API tokens (commissioning.tokens): a new token lasts API_TOKEN_DEFAULT_DAYS unless its owner picks fewer or more
# days, never more than API_TOKEN_MAX_DAYS.
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
# API rate limits (commissioning.drf.ApiRateThrottle): per token for programs, per person for browser sessions.
# Counted atomically in Redis (one Lua script per request) when API_THROTTLE_REDIS_URL is set (REDIS_URL by
# default); without Redis, in the Django cache (the embedded default's local-memory cache counts per process).
API_THROTTLE_REDIS_URL = env.str("API_THROTTLE_REDIS_URL", default=REDIS_URL)
API_THROTTLE_KEY_PREFIX = env.str("API_THROTTLE_KEY_PREFIX", default="api-throttle")
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "token": env.str("API_TOKEN_RATE", default="600/minute"),
    "session": env.str("API_SESSION_RATE", default="1200/minute"),
}
# Second factor: administrators who sign in with a password must set up an authenticator app (commissioning.otp).
# Off only for the browser journeys, which sign the demo administrator in many times a minute (tests/auth covers
# the forced set-up), or for a trial of the demo on one's own machine.
SECOND_FACTOR_REQUIRED_FOR_ADMINISTRATORS = env.bool("SECOND_FACTOR_REQUIRED_FOR_ADMINISTRATORS", default=True)
# Second factor: how many single-use backup codes an administrator is given at a time.
BACKUP_CODE_COUNT = env.int("BACKUP_CODE_COUNT", default=10)
# Passwords: Django's four validators above, and one more that refuses a password of one repeated pattern
# ("aaaaaaaaaaaa", "abababababab"), which the length and common-password checks let through.
AUTH_PASSWORD_VALIDATORS = [
    *AUTH_PASSWORD_VALIDATORS,
    {"NAME": "commissioning.otp.passwords.VariedCharactersValidator", "OPTIONS": {"min_distinct": 5}},
]
# --- Health, shared storage, production guards ----------------------------------------------------
# Shared storage: documents, imports and generated PDFs stay on the file system (MEDIA_ROOT) by default; with
# STORAGE_BACKEND=s3 they go to an S3-compatible bucket (AWS S3, MinIO, Ceph, ...) so every web and worker host
# sees the same files. Files are still served through the app (commissioning.views.protected_media and the
# documents' download page check rights), so the bucket stays private and no signed URL is handed out.
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="filesystem")
if STORAGE_BACKEND == "s3":
    _S3_OPTIONS: dict[str, object] = {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        # A folder inside the bucket, when the bucket is shared with something else.
        "location": env.str("AWS_LOCATION", default=""),
        # Files are private and read through the app: no public ACL, no query-string signed links.
        "default_acl": None,
        "querystring_auth": False,
        # Like the file system: a name already taken gets a new one rather than overwriting the file.
        "file_overwrite": False,
        "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
    }
    # Without keys boto3 finds its own credentials (instance role, AWS_PROFILE, web identity).
    for _option, _variable in (("access_key", "AWS_ACCESS_KEY_ID"), ("secret_key", "AWS_SECRET_ACCESS_KEY")):
        if env.str(_variable, default=""):
            _S3_OPTIONS[_option] = env.str(_variable)
    STORAGES["default"] = {"BACKEND": "commissioning.storage.CouncilS3Storage", "OPTIONS": _S3_OPTIONS}
elif STORAGE_BACKEND != "filesystem":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"STORAGE_BACKEND must be filesystem or s3, not {STORAGE_BACKEND!r}.")

# Celery queues: PDF rendering apart from e-mail, so a long pack render never delays a safeguarding alert and the
# two kinds of worker scale separately (docker-compose.yml runs one worker per queue). Both default to Celery's
# own queue, so a single `celery worker` (make worker, CI) still runs everything.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_PDF_QUEUE = env.str("CELERY_PDF_QUEUE", default="celery")
CELERY_EMAIL_QUEUE = env.str("CELERY_EMAIL_QUEUE", default="celery")
CELERY_TASK_ROUTES = {
    "scrutiny.tasks.render_*": {"queue": CELERY_PDF_QUEUE},
    "scrutiny.tasks.preview_pack": {"queue": CELERY_PDF_QUEUE},
    "scrutiny.tasks.layout_pack_part": {"queue": CELERY_PDF_QUEUE},
    "scrutiny.tasks.merge_pack_parts": {"queue": CELERY_PDF_QUEUE},
    "commissioning.tasks.send_notification": {"queue": CELERY_EMAIL_QUEUE},
    "commissioning.tasks.send_notification_emails": {"queue": CELERY_EMAIL_QUEUE},
    "contracts.tasks.send_needs_decision_digest": {"queue": CELERY_EMAIL_QUEUE},
    "scrutiny.tasks.notify_overdue_recommendations": {"queue": CELERY_EMAIL_QUEUE},
}

# Health probes (commissioning.health) are answered first, before the host check and the HTTPS redirect.
MIDDLEWARE.insert(0, "commissioning.health.HealthCheckMiddleware")
# --- Background work in the embedded default ------------------------------------------------------
# Without REDIS_URL (the embedded default of `make run`), tasks still go to a real worker, so no request waits
# for a layout: the broker is kombu's filesystem transport (one file a message) and results, groups and chords
# are kept by Celery's SQLAlchemy backend in a SQLite file of their own beside it, not in the app's database, so
# a worker storing results never holds the lock a page needs to write. Only config.settings.test runs tasks
# eagerly. config/celery.py creates the folders.
CELERY_LOCAL_FOLDER = Path(env.str("CELERY_LOCAL_FOLDER", default=str(BASE_DIR / "var" / "celery")))
if not REDIS_URL:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # One folder both ways: the web process and the worker read and write the same queue.
        "data_folder_in": str(CELERY_LOCAL_FOLDER / "queue"),
        "data_folder_out": str(CELERY_LOCAL_FOLDER / "queue"),
        "processed_folder": str(CELERY_LOCAL_FOLDER / "processed"),
        "store_processed": False,
        # Exchange tables for the worker's broadcasts (remote control, `celery inspect`).
        "control_folder": str(CELERY_LOCAL_FOLDER / "control"),
        # Seconds between looks at an empty queue: a task starts within this of being sent.
        "polling_interval": 0.2,
    }
    CELERY_RESULT_BACKEND = f"db+sqlite:///{CELERY_LOCAL_FOLDER / 'results.sqlite3'}"
    # SQLite lets one process write at a time: the worker's processes wait for each other rather than fail.
    CELERY_DATABASE_ENGINE_OPTIONS = {"connect_args": {"timeout": 20}}
    CELERY_TASK_ALWAYS_EAGER = False
