"""Opora settings.

Every value a deployment may change comes from the environment and is parsed
strictly: a malformed value stops the start with a message naming the variable.
With nothing set, the demo runs on an SQLite file under ``var/``.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from opora.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(env_str("OPORA_VAR_DIR", str(PROJECT_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Debug mode is the demo and development (`make demo` and `make test` switch it on):
# a public demo key, plain HTTP. Anything else is production and needs its own key.
DEBUG = env_bool("OPORA_DEBUG", False)
SECRET_KEY = env_str("OPORA_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "OPORA_SECRET_KEY is not set. Outside debug mode Opora needs a secret key of its own: "
            "set OPORA_SECRET_KEY, or OPORA_SECRET_KEY_FILE with the path of a file holding it, to a long "
            "random string (python3 -c 'import secrets; print(secrets.token_urlsafe(50))'). "
            "For the demo or development set OPORA_DEBUG=true instead.")
    SECRET_KEY = "opora-insecure-demo-key-change-me"
ALLOWED_HOSTS = env_list("OPORA_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("OPORA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "ninja",
    "axes",
    "csp",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "opora.core",
    "opora.audit",
    "opora.accounts",
    "opora.registry",
    "opora.navigator",
    "opora.enrollment",
    "opora.financing",
    "opora.events",
    "opora.quality",
    "opora.practices",
    "opora.surveys",
    "opora.plans",
    "opora.hotline",
    "opora.mailing",
    "opora.monitoring",
    "opora.training",
    "opora.portal",
    # the portal's CMS (docs/decisions.md «The portal on Wagtail»)
    "django.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "opora.api",
    "opora.demo",
    "opora.office",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "opora.core.middleware.ContentSecurityPolicyMiddleware",
    "opora.core.middleware.DatabaseTimeoutsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "opora.core.middleware.MessageMiddleware",
    "opora.accounts.middleware.BackOfficeIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "opora.portal.middleware.CmsMiddleware",
]

ROOT_URLCONF = "opora.urls"
WSGI_APPLICATION = "opora.wsgi.application"

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
                "django.template.context_processors.i18n",
                "opora.core.context_processors.site",
                "opora.office.context_processors.office",
                "opora.enrollment.context_processors.favourites",
            ],
        },
    },
]

# Connections are persistent: each worker keeps its connection for OPORA_DB_CONN_MAX_AGE
# seconds (opening one costs a new PostgreSQL backend, ~15 ms of a request), checked
# with a SELECT 1 before each request's first query (docs/decisions.md).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'opora.sqlite3'}"),
        conn_max_age=env_int("OPORA_DB_CONN_MAX_AGE", 600),
        conn_health_checks=env_bool("OPORA_DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo serve pages while a command writes.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    # The hand-written statements every request of a hot path runs (the API token's
    # check, the outbox's INSERT: opora.rows.prepared_cursor) are prepared once per
    # connection; Django's own cursors bind on the client and never prepare. Set
    # OPORA_DB_PREPARED=false behind a pooler that cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        5 if env_bool("OPORA_DB_PREPARED", True) else None)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL: how long one web request may wait for a row lock and run one statement,
# in seconds (0: no limit). A request over either limit is refused as busy (503 with
# Retry-After). Management commands and the task worker are not web requests: they
# run without these limits.
# How often each server process writes the moments its API tokens were last used (after
# a response, never inside the request that used one); 0: after every response.
OPORA_TOKEN_USE_FLUSH_SECONDS = env_int("OPORA_TOKEN_USE_FLUSH_SECONDS", 60)
OPORA_DB_LOCK_TIMEOUT = env_int("OPORA_DB_LOCK_TIMEOUT", 3)
OPORA_DB_STATEMENT_TIMEOUT = env_int("OPORA_DB_STATEMENT_TIMEOUT", 30)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "opora.accounts.backends.UserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "office:dashboard"
LOGOUT_REDIRECT_URL = "navigator:home"

# Login throttling: five failures per account and address lock for an hour.
AXES_FAILURE_LIMIT = env_int("OPORA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
# The login form posts the e-mail as "username"; lower-case it so that changing the
# case of an address does not buy an attacker five more tries.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "opora.accounts.models.axes_username"
AXES_ENABLED = env_bool("OPORA_LOGIN_THROTTLING", True)
# Behind a reverse proxy every request comes from the proxy's address; the client's is
# in a header the proxy sets. It is trusted only when named here, and only the entries
# the OPORA_TRUSTED_PROXIES nearest proxies appended (a client can send the header too).
OPORA_CLIENT_IP_HEADER = env_str("OPORA_CLIENT_IP_HEADER", "")
OPORA_TRUSTED_PROXIES = env_int("OPORA_TRUSTED_PROXIES", 1)
if OPORA_TRUSTED_PROXIES < 1:
    raise ImproperlyConfigured("OPORA_TRUSTED_PROXIES must be 1 or more.")
AXES_CLIENT_IP_CALLABLE = "opora.accounts.middleware.client_ip"

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("OPORA_TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("OPORA_MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded files (program photos and their sizes, evidence is served by its own scoped
# view) are served by Opora itself unless the web server in front serves /media/
# (docs/operations.md): set OPORA_SERVE_MEDIA=false then.
OPORA_SERVE_MEDIA = env_bool("OPORA_SERVE_MEDIA", True)
# The folders of MEDIA_ROOT anyone may read; everything else there is private.
OPORA_PUBLIC_MEDIA = ["programs", "images", "original_images"]  # program photos; the portal's images
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("OPORA_MANIFEST_STATIC", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

TASKS = {
    "default": {
        "BACKEND": env_str(
            "OPORA_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

EMAIL_BACKEND = env_str("OPORA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("OPORA_FROM_EMAIL", "opora@localhost")

# HTTPS, on by default outside debug mode. The TLS-terminating proxy tells the scheme
# in OPORA_PROXY_SSL_HEADER (empty: no proxy, do not trust the header).
_PROXY_SSL_HEADER = env_str("OPORA_PROXY_SSL_HEADER", "" if DEBUG else "X-Forwarded-Proto").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https") if _PROXY_SSL_HEADER else None
)
SECURE_SSL_REDIRECT = env_bool("OPORA_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("OPORA_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("OPORA_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("OPORA_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("OPORA_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Joining the browsers' HSTS preload list is the domain owner's decision (it binds every
# subdomain of the registrable domain), so its reminder is silenced; OPORA_HSTS_PRELOAD
# sends the directive once the owner has decided.
# The covering indexes of the applications (INCLUDE) are PostgreSQL's; SQLite (tests, the
# demo) keeps their key columns, which is all it needs, and its warning says only that.
SILENCED_SYSTEM_CHECKS = ["security.W021", "models.W040"]

# Back-office users are signed out after this many idle minutes; parents keep the usual
# two-week session.
OPORA_BACKOFFICE_IDLE_MINUTES = env_int("OPORA_BACKOFFICE_IDLE_MINUTES", 30)

# Scripts only from our own static files (no inline scripts); inline styles are allowed:
# the templates use style attributes and htmx adds its indicator style.
# The map of the catalog: the tile server (any with the OpenStreetMap URL scheme; the
# public OpenStreetMap tiles by default, fine for a municipality's traffic — a region
# runs or rents its own), the attribution it requires, where the map opens when no
# organization has coordinates.
OPORA_MAP_TILES = env_str("OPORA_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
OPORA_MAP_ATTRIBUTION = env_str("OPORA_MAP_ATTRIBUTION", "© участники OpenStreetMap")
OPORA_MAP_CENTRE = tuple(float(v) for v in env_list("OPORA_MAP_CENTRE", ["56.60", "84.88"]))
# The catalog page of visitors who are not signed in is kept this many seconds at most
# per catalog version, language and address, and so is the API's catalog answer
# (navigator.pagecache); 0: rendered each time.
OPORA_CATALOG_PAGE_SECONDS = env_int("OPORA_CATALOG_PAGE_SECONDS", 60)
# A process reads the catalog's version (which those kept pages are checked by) at most
# once per this many seconds; its own changes it sees at once. 0: read for every request.
OPORA_CATALOG_VERSION_SECONDS = env_int("OPORA_CATALOG_VERSION_SECONDS", 1)
# Where the region's organizations may plausibly be: south, west, north, east (degrees).
# Coordinates typed, picked or imported outside this box are refused; by default the
# centre ± 6° of latitude and ± 12° of longitude.
OPORA_REGION_BOUNDS = tuple(float(v) for v in env_list("OPORA_REGION_BOUNDS", [
    str(OPORA_MAP_CENTRE[0] - 6), str(OPORA_MAP_CENTRE[1] - 12),
    str(OPORA_MAP_CENTRE[0] + 6), str(OPORA_MAP_CENTRE[1] + 12)]))
_TILES_ORIGIN = "/".join(OPORA_MAP_TILES.split("/")[:3])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", _TILES_ORIGIN],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# The region this deployment serves; shown in the header and on documents.
OPORA_REGION_NAME = env_str("OPORA_REGION_NAME", "")
OPORA_PAGE_SIZE = env_int("OPORA_PAGE_SIZE", 25)
# A parent's day: attempts to link a child another family registered, and new children.
OPORA_CHILD_CLAIMS_PER_DAY = env_int("OPORA_CHILD_CLAIMS_PER_DAY", 3)
OPORA_CHILDREN_PER_DAY = env_int("OPORA_CHILDREN_PER_DAY", 10)
# Questions to the hotline from one client address (accounts.middleware.client_ip) an hour.
OPORA_HOTLINE_QUESTIONS_PER_HOUR = env_int("OPORA_HOTLINE_QUESTIONS_PER_HOUR", 10)
# The date a child's age is taken on when applying: the group's first day or 1 September.
OPORA_AGE_REFERENCE = env_str("OPORA_AGE_REFERENCE", "group_start")
if OPORA_AGE_REFERENCE not in ("group_start", "school_year_start"):
    raise ImproperlyConfigured("OPORA_AGE_REFERENCE must be group_start or school_year_start.")
# The leading digits of a certificate's 10-digit number: a format string over the
# municipality's ОКТМО (``{oktmo:.2}`` — its first two digits, the region); the rest is
# a serial number per prefix.
OPORA_CERTIFICATE_PREFIX = env_str("OPORA_CERTIFICATE_PREFIX", "{oktmo:.2}")

# Logs go to the console: JSON lines in production, readable text in the demo
# (``opora.logs``); the apps' loggers (``opora.*``) write one INFO line per state change
# of money and seats.
OPORA_LOG_FORMAT = env_str("OPORA_LOG_FORMAT", "text" if DEBUG else "json")
if OPORA_LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("OPORA_LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "opora.logs.JsonFormatter"},
                   "text": {"()": "opora.logs.TextFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": OPORA_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("OPORA_LOG_LEVEL", "WARNING")},
    "loggers": {"opora": {"level": env_str("OPORA_APP_LOG_LEVEL", "INFO")}},
}

# The portal's CMS (Wagtail): its admin at /cms/ behind Opora's login, in Russian; the
# editors' rights come from their Opora roles (opora.portal.access), never by hand.
WAGTAIL_SITE_NAME = "Опора"
WAGTAILADMIN_BASE_URL = env_str("OPORA_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "accounts:login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("ru", "Русский"), ("en", "English")]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no editor's address leaves for an avatar service
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "modelsearch.backends.database.fallback"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "opora.portal.forms.DocumentForm"
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_IMAGE_FORM_BASE = "opora.portal.forms.ImageForm"
# Upload limits, in megabytes: a photo, an attached document.
OPORA_PORTAL_IMAGE_MAX_MB = env_int("OPORA_PORTAL_IMAGE_MAX_MB", 10)
OPORA_PORTAL_DOCUMENT_MAX_MB = env_int("OPORA_PORTAL_DOCUMENT_MAX_MB", 20)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = OPORA_PORTAL_IMAGE_MAX_MB * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# A cover is stored at most this wide (resized on upload, opora.portal.images).
OPORA_PORTAL_IMAGE_MAX_WIDTH = env_int("OPORA_PORTAL_IMAGE_MAX_WIDTH", 1920)
