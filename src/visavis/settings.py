"""Django settings for visavis. Values come from :mod:`visavis.config`; edit that, not this."""

import warnings
from pathlib import Path

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from visavis import config as _config

CONFIG = _config.load()
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = CONFIG.data_dir
_config.prepare_data_dir(CONFIG)  # 0700, the SQLite database 0600

SECRET_KEY = _config.secret_key(CONFIG)
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "visavis.accounts",
    "visavis.appointments",
    "visavis.rooms",
    "visavis.web",
    "visavis.ops",
    "visavis.consent",
    "visavis.setupcheck",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Near the top, so that answers given before the view (static files, redirects,
    # refused CSRF, bad hosts) are not framed either.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Above WhiteNoise, so that static files get the Permissions-Policy too.
    "visavis.web.middleware.PrivacyHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "visavis.web.csrf.NoReferrerCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # With require_second_factor: a counselor without one sets it up before anything else.
    "visavis.accounts.middleware.SecondFactorSetupMiddleware",
    "visavis.web.middleware.CounselorTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "visavis.urls"
ASGI_APPLICATION = "visavis.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / _config.SQLITE_NAME,
        "OPTIONS": {
            # WAL lets the signalling consumer write while pages read; the busy
            # timeout absorbs short write contention instead of failing a request.
            # secure_delete: deleted rows are overwritten with zeros, not left in free pages
            # (appointments/services.py purge() also empties the -wal file afterwards).
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # Keep each thread's connection: the WebSocket consumers' database calls run on
        # one thread, and opening SQLite afresh for each (with its PRAGMAs) cost more
        # than the queries themselves (bench/signalling.py).
        "CONN_MAX_AGE": None,
        "CONN_HEALTH_CHECKS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CHANNEL_LAYERS = {"default": {"BACKEND": "visavis.transport.layers.ProcessChannelLayer"}}

PASSWORD_HASHERS = [
    # Argon2, at most two hashes at once per process (accounts/hashers.py).
    "visavis.accounts.hashers.BoundedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = CONFIG.language_code
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = CONFIG.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# `visavis serve` collects the static files here at every start, compressed (gzip), and
# serves them from here; every other command serves them from the app folders.
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Privacy and browser hardening. Room links live in URLs, so no Referer may ever leave.
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Strict"
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "media-src": [CSP.SELF, "blob:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# WhiteNoise hands Django file iterators that are synchronous; under ASGI Django wraps them
# and warns on every static file. Harmless, and noise in the operator's log.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous")
# Before the first `visavis serve` the static folder does not exist yet; that is fine.
warnings.filterwarnings("ignore", message="No directory at")

VISAVIS = {
    "MAX_PARTICIPANTS": CONFIG.max_participants,
    "MAX_GROUP_SIZE": CONFIG.max_group_size,
    "WS_MAX_MESSAGE_BYTES": CONFIG.ws_max_message_bytes,
    "TURN_URLS": CONFIG.turn_urls,
    "TURN_SECRET": CONFIG.turn_secret,
    "TURN_CREDENTIAL_TTL": CONFIG.turn_credential_ttl,
    "TURN_REALM": CONFIG.turn_realm,
    "ICE_TRANSPORT_POLICY": CONFIG.ice_transport_policy,
    "RESUME_GRACE_SECONDS": CONFIG.resume_grace_seconds,
    "TEST_TAMPER_FINGERPRINTS": CONFIG.test_tamper_fingerprints,
    "SESSION_END_WARNING_MINUTES": CONFIG.session_end_warning_minutes,
}

# Appointments (issue 3): link validity window, PIN attempts, retention, e-mail.
VISAVIS.update(
    {
        "ROOM_OPENS_MINUTES_BEFORE": CONFIG.room_opens_minutes_before,
        "ROOM_CLOSES_MINUTES_AFTER": CONFIG.room_closes_minutes_after,
        "PIN_MAX_ATTEMPTS": CONFIG.pin_max_attempts,
        "PIN_LOCKOUT_MINUTES": CONFIG.pin_lockout_minutes,
        "RETENTION_DAYS": CONFIG.retention_days,
        # Invitations can be e-mailed only when the operator configured an SMTP server.
        "EMAIL_ENABLED": bool(CONFIG.email_host),
    }
)
# Django 6.1's MAILERS (the EMAIL_* settings are deprecated). Tests swap in locmem.
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": CONFIG.email_host,
                "port": CONFIG.email_port,
                "username": CONFIG.email_host_user,
                "password": CONFIG.email_host_password,
                "use_tls": CONFIG.email_use_tls and not CONFIG.email_use_ssl,
                "use_ssl": CONFIG.email_use_ssl,
                "timeout": 20,
            },
        }
        if CONFIG.email_host
        else {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = CONFIG.email_from

# Several processes (issue 9): PostgreSQL and Redis when configured, so that any process
# can serve any participant. Room state is in the database either way; Redis carries the
# messages between processes, and the cache, so that anything kept there is shared too.
if CONFIG.database_url:
    DATABASES = {"default": _config.database_settings(CONFIG.database_url)}
    # A pool per process: a signalling message costs a few queries, and a new PostgreSQL
    # connection per query would cost more than the rest of the relay together.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2, "max_size": 20, "timeout": 5,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not
if CONFIG.redis_url:
    CHANNEL_LAYERS = {"default": _config.channel_layer_settings(CONFIG.redis_url)}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CONFIG.redis_url,
            "KEY_PREFIX": "visavis",
        }
    }
VISAVIS["METRICS"] = CONFIG.metrics
# The abuse limits (rooms/limits.py) count in Redis when several processes share it.
VISAVIS["REDIS_URL"] = CONFIG.redis_url

# Privacy and abuse limits (issue 8). The CSRF token travels in the form field, so no
# script needs to read its cookie. Behind a TLS proxy (nginx sends X-Forwarded-Proto),
# cookies are sent over TLS only and browsers are told to use nothing else (HSTS).
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
if CONFIG.behind_tls_proxy:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 2 * 365 * 24 * 3600
# Django's checks that do not fit visavis (`visavis check --deploy`, ops/checks.py):
# the CSRF middleware is web.csrf's subclass of Django's; without email_host the dummy
# mail backend is on purpose (no e-mail is ever sent); behind the TLS proxy, the proxy
# redirects plain HTTP (docs/deploy.md), so Django need not; HSTS covers this host only,
# as whether other subdomains (or the browsers' preload list) may be HTTPS-only is the
# operator's decision about their whole domain.
SILENCED_SYSTEM_CHECKS = ["security.W003"]
if not CONFIG.email_host:
    SILENCED_SYSTEM_CHECKS.append("mail.E001")
if CONFIG.behind_tls_proxy:
    SILENCED_SYSTEM_CHECKS += ["security.W008", "security.W005", "security.W021"]
VISAVIS.update(
    {
        "WS_MESSAGES_PER_SECOND": CONFIG.ws_messages_per_second,
        "WS_MESSAGE_BURST": CONFIG.ws_message_burst,
        "MAX_CONNECTIONS_PER_ROOM": CONFIG.max_connections_per_room,
        "MAX_CONNECTIONS_PER_ADDRESS": CONFIG.max_connections_per_address,
        "KNOCKS_PER_MINUTE": CONFIG.knocks_per_minute,
        "BEHIND_TLS_PROXY": CONFIG.behind_tls_proxy,
    }
)

# Counselor accounts (issues 5 and 8). A session ends after session_idle_minutes without a
# request (every request renews it). The login counts failures in the database
# (accounts.throttle), so django-otp's own per-device throttling is off: one limit, one
# message.
SESSION_COOKIE_AGE = CONFIG.session_idle_minutes * 60
SESSION_SAVE_EVERY_REQUEST = True
OTP_TOTP_ISSUER = "visavis"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
VISAVIS.update(
    {
        "REQUIRE_SECOND_FACTOR": CONFIG.require_second_factor,
        "LOGIN_MAX_ATTEMPTS": CONFIG.login_max_attempts,
        "LOGIN_MAX_ATTEMPTS_PER_ADDRESS": CONFIG.login_max_attempts_per_address,
        "LOGIN_WINDOW_MINUTES": CONFIG.login_window_minutes,
    }
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"redact": {"()": "visavis.ops.redact.RedactSecrets"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": CONFIG.log_level},
    "loggers": {
        # The request logger would print full paths, and guest paths carry room tokens.
        "django.request": {"level": "ERROR"},
        "visavis": {"level": CONFIG.log_level},
    },
}
