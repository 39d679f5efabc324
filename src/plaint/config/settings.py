"""Django settings. Values an operator can change come from `appsettings.APP`."""

from __future__ import annotations

import secrets
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from plaint.config.appsettings import APP
from plaint.config.secret_key import secret_key_kept
from plaint.cspreport import policy as csp_reporting

PACKAGE_DIR = Path(__file__).resolve().parent.parent

DEBUG = APP.debug
# `plaint letter ...` (the consumer's letter writer) uses no database, session, signed
# value or static file: it creates nothing in the data folder, which by default is ./var of
# the folder it is run from.
STATELESS_COMMAND = sys.argv[1:2] == ["letter"]
# Without PLAINT_SECRET_KEY a random key is kept in the data folder, so sessions survive
# restarts of a local desk; production sets the variable.
if APP.secret_key:
    SECRET_KEY = APP.secret_key
elif STATELESS_COMMAND:
    SECRET_KEY = secrets.token_urlsafe(50)  # signs nothing; never written anywhere
else:
    SECRET_KEY = secret_key_kept(APP.data_dir)  # created atomically by the first process
ALLOWED_HOSTS = list(APP.allowed_hosts)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "plaint.accounts",
    "plaint.cases",
    "plaint.deadlines",
    "plaint.triage",
    "plaint.letters",
    "plaint.disputes",
    "plaint.reports",
    "plaint.terminations",
    "plaint.reputation",
    "plaint.desk",
    "plaint.bulk",
    "plaint.portal",
    "plaint.intake",
    "plaint.demo",
    "plaint.records",
    "plaint.consumer",
    "plaint.outbox",
    "plaint.messaging",
    "ninja",
    "plaint.api",
    "plaint.worker",
    "plaint.operations",
    "plaint.limits",
    "plaint.accesslog",
    "plaint.cspreport",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pins a member of staff's reads to the primary for a while after each write of theirs.
    "plaint.config.replicas.ReadYourWritesMiddleware",
    "plaint.cspreport.middleware.ReportingEndpointsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "plaint.api.middleware.ApiMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "plaint.desk.middleware.StaffIdleTimeoutMiddleware",
    "plaint.desk.twofactor_gate.TwoFactorGateMiddleware",
    "plaint.desk.middleware.OrganisationTimeZoneMiddleware",
    "plaint.desk.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a refused (locked-out) sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "plaint.config.urls"
WSGI_APPLICATION = "plaint.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
            "string_if_invalid": "",
        },
    }
]


def _database(url: str, pooled: bool = False) -> dict[str, object]:
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if pooled and config["ENGINE"] != "django.db.backends.sqlite3":
        # Behind PgBouncer in transaction mode a connection is the pooler's, not ours:
        # a server-side cursor (a named cursor for .iterator()) would outlive the
        # transaction it was opened in, and a persistent connection only holds a client
        # slot that PgBouncer already pools. See docs/deployment.md.
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
        config["CONN_MAX_AGE"] = 0
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if not STATELESS_COMMAND:
            Path(str(config["NAME"])).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # synchronous=FULL: in WAL mode NORMAL may lose the last commits on power loss.
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of
            # failing with "database is locked" half-way through a transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
            ),
        }
    return config


DATABASES = {"default": _database(APP.database_url, pooled=APP.database_pooled)}
if APP.database_replica_url:
    # A streaming replica of the primary: read only by the selectors that say they may
    # read slightly stale data (plaint.config.replicas). Under the test runner it mirrors
    # the primary, so tests that do not start a replica of their own still run.
    DATABASES["replica"] = {
        **_database(APP.database_replica_url, pooled=APP.database_pooled),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["plaint.config.replicas.ReplicaRouter"]
PLAINT_READ_PIN_SECONDS = APP.read_pin_seconds
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes' backend comes first: it refuses a locked-out sign-in before any password is
# checked, and counts the failures (plaint.accounts.signins). It signs nobody in itself.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on (OpenID Connect): answers only the callback of a sign-in that Plaint
    # started, and only while PLAINT_OIDC is set (plaint.accounts.oidc).
    "plaint.accounts.oidc.SingleSignOnBackend",
]
# Single sign-on with one OpenID Connect provider (mozilla-django-oidc underneath): None
# (off) or an OidcConfig from the PLAINT_OIDC_* variables. docs/configuration.md.
PLAINT_OIDC = APP.oidc()
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk:case_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = APP.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = APP.data_dir / "static"
if not STATELESS_COMMAND:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Static files are served straight from the package; no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True

MEDIA_ROOT = APP.data_dir / "media"
EVIDENCE_ROOT = APP.data_dir / "evidence"

# records: checkpoint files and the organisations' signing keys (plaint.records.anchoring)
RECORDS_ROOT = APP.data_dir / "records"
# An RFC 3161 time-stamp authority for checkpoints (URL) and its certificate (PEM or DER file)
RECORDS_TSA_URL = APP.tsa_url
RECORDS_TSA_CERT = APP.tsa_cert
# Bytes of evidence the desk's case page hashes on each view (a random sample beyond it;
# `plaint verify --files` hashes every file). 0 turns the page's file check off.
PLAINT_VERIFY_BYTES_PER_VIEW = APP.verify_bytes_per_view
# A desk bulk action over more cases than this runs on the worker, in chunks (plaint.bulk).
PLAINT_BULK_BACKGROUND_OVER = APP.bulk_background_over
# end records

# ---- api: the HTTP API (plaint.api) ----
# Requests each API token may make per window (seconds); over it, 429 + Retry-After.
PLAINT_API_RATE_LIMIT = 600
PLAINT_API_RATE_WINDOW = 60
# Webhooks: seconds to wait for a receiver; private/loopback receivers only if True.
PLAINT_WEBHOOK_TIMEOUT = 10
PLAINT_WEBHOOK_ALLOW_PRIVATE = False
# ---- end api ----

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

DEFAULT_FROM_EMAIL = APP.email_from
if APP.smtp_url:
    _smtp = urlsplit(APP.smtp_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _smtp.hostname or "localhost"
    EMAIL_PORT = _smtp.port or 25
    EMAIL_HOST_USER = unquote(_smtp.username or "")
    EMAIL_HOST_PASSWORD = unquote(_smtp.password or "")
    EMAIL_USE_TLS = _smtp.scheme == "smtp+starttls"
    EMAIL_USE_SSL = _smtp.scheme == "smtps"
else:
    # Printed mail has its links and tokens redacted (log_redaction.py).
    EMAIL_BACKEND = "plaint.config.log_redaction.RedactingConsoleEmailBackend"

# Inbound mail from hosted mail services (plaint.messaging.webhook, django-anymail): the
# basic-auth secret every service's webhook must send, and Mailgun's signing key.
ANYMAIL: dict[str, object] = {}
if APP.mail_webhook_secret:
    ANYMAIL["WEBHOOK_SECRET"] = list(APP.mail_webhook_secret)
if APP.mailgun_webhook_signing_key:
    ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"] = APP.mailgun_webhook_signing_key
MAIL_WEBHOOK_MAX_BYTES = APP.mail_webhook_max_bytes

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# ---- headers: Content-Security-Policy (django-csp) and Permissions-Policy ----
# Every script and stylesheet is a file of our own; nothing inline runs. The one inline
# style Plaint writes, the <style> of a server-drawn chart, carries the response's nonce
# (NONCE appears in the header only on a response whose page used it). The kept HTML of a
# letter is shown in a sandboxed frame under a policy of its own (desk/letter_views.py).
# What each directive allows and why: docs/deployment.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        # Violations are reported to Plaint's own /csp-report/ (plaint.cspreport), unless
        # PLAINT_CSP_REPORTS=false: report-uri for the browsers that know only it, report-to
        # with the Reporting-Endpoints header (plaint.cspreport.middleware) for the others.
        **csp_reporting.csp_report_directives(APP.csp_reports),
    }
}
#: Where violation reports go ("" when PLAINT_CSP_REPORTS=false: no endpoint, no header).
PLAINT_CSP_REPORT_URI = csp_reporting.CSP_REPORT_URI if APP.csp_reports else ""
# No page uses a camera, a microphone, the position, payments or any device: each is
# denied to every page and to anything it frames.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# ---- end headers ----

# ---- sessions: staff sessions end after this many minutes without a request (sliding),
# and admin actions ask for the password again when it was last given longer ago than
# PLAINT_REAUTH_MINUTES (plaint.desk.middleware, plaint.accounts.reauth).
PLAINT_SESSION_IDLE_MINUTES = APP.session_idle_minutes
PLAINT_COLLISION_POLL_SECONDS = APP.collision_poll_seconds
PLAINT_REAUTH_MINUTES = APP.reauth_minutes
# ---- end sessions ----

if APP.https:
    # Served over HTTPS (behind a proxy that terminates TLS and says so): cookies only
    # travel encrypted, browsers are told to insist on HTTPS, plain HTTP is redirected.
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000

# Every handler redacts private links, tokens and query strings (log_redaction.py).
# Django's own loggers are re-pointed at these handlers: "django" propagates to the root
# handler (Django's default gave it an unfiltered console handler of its own), and the
# development server's request lines go through a filtered handler too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "plaint.config.log_redaction.RedactSecrets"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": [], "level": "INFO" if DEBUG else "WARNING", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # One JSON line per sign-in, failed sign-in and lockout (plaint.accounts.signins).
        "plaint.security": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# ---------------------------------------------------------------- sign-in throttling
# django-axes counts failed sign-ins at /login/ in the database (AccessAttempt, one row per
# username, address and browser; AccessFailureLog, one row per failure; AccessLog, one row
# per sign-in). PLAINT_LOGIN_LOCKOUT_BY says what a lockout counts by: by default the
# account (from any address) and the address (for any account), each on its own.
AXES_FAILURE_LIMIT = APP.login_failure_limit
AXES_COOLOFF_TIME = (
    timedelta(minutes=APP.login_cooloff_minutes) if APP.login_cooloff_minutes else None
)
AXES_LOCKOUT_PARAMETERS = [
    group[0] if len(group) == 1 else list(group) for group in APP.login_lockout_by
]
# A try during a lockout is refused and logged but does not start the cool-off again: the
# account opens again a cool-off after the failure that locked it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ENABLE_ADMIN = False  # Django's admin is not used; the desk's admin shows sign-ins
AXES_LOCKOUT_TEMPLATE = "desk/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
# The client's address: REMOTE_ADDR, or X-Forwarded-For behind PLAINT_TRUSTED_PROXIES proxies.
PLAINT_TRUSTED_PROXIES = APP.trusted_proxies
AXES_CLIENT_IP_CALLABLE = "plaint.config.client_address.client_address"
# ---------------------------------------------------------------- two-factor (django-otp)
# The name authenticator apps show beside the account (plaint.accounts.twofactor).
OTP_TOTP_ISSUER = "Plaint"
# Each wrong code doubles the wait before the device accepts another (1 s, 2 s, 4 s...),
# across sessions; a sign-in also ends after 5 wrong codes (plaint.accounts.twofactor).
OTP_TOTP_THROTTLE_FACTOR = 1
# ---------------------------------------------------------------- disputes
# Days a received cease-and-desist gets to its reply when the letter sets no deadline
# (policy, not law; PD-PAC para 6(b) gives 14 days in a straightforward case).
PLAINT_DISPUTES_DEFAULT_REPLY_DAYS = 14
# ---------------------------------------------------------------- consumer workspace
# True only in the local single-user workspace (`plaint consumer`, consumer_settings.py):
# its pages then need no account. Hosted, each case file belongs to a signed-in consumer.
CONSUMER_LOCAL = False
