"""Himpun settings. Everything that differs between machines comes from HIMPUN_* variables."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

SRC_DIR = Path(__file__).resolve().parent
PROJECT_DIR = SRC_DIR.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("HIMPUN_DATA_DIR", PROJECT_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Read the key from the environment or the data directory; create it on first run."""
    if key := os.environ.get("HIMPUN_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("HIMPUN_DEBUG")
ALLOWED_HOSTS = os.environ.get("HIMPUN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
#: How many reverse proxies (nginx) stand in front of Himpun: the client address for rate
#: limits is then read from X-Forwarded-For. 0 (the default) trusts only REMOTE_ADDR.
HIMPUN_TRUSTED_PROXIES = int(os.environ.get("HIMPUN_TRUSTED_PROXIES", "0") or 0)
if HIMPUN_TRUSTED_PROXIES:
    # The proxy says whether the visitor came over https (nginx: X-Forwarded-Proto).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("HIMPUN_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "himpun.core",
    "himpun.accounts",
    "himpun.structure",
    "himpun.members",
    "himpun.imports",
    "himpun.dues",
    "himpun.organizing",
    "himpun.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "django_tasks_db",
]

# Long work (imports) runs as tasks: the database backend, served by `himpun db_worker`
# (started by `make run`). HIMPUN_TASKS=immediate runs them in the request (tests, debugging).
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if os.environ.get("HIMPUN_TASKS") == "immediate"
        else "django_tasks_db.DatabaseBackend",
    }
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "himpun.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "himpun.urls"
WSGI_APPLICATION = "himpun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "himpun.core.context_processors.himpun",
            ],
        },
    }
]

# Database: embedded SQLite (WAL) by default, PostgreSQL through HIMPUN_DATABASE_URL.
if database_url := os.environ.get("HIMPUN_DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(database_url, conn_max_age=60)}
    # No JIT: Himpun's queries are short, and compiling one costs ~25 ms — more than a
    # typeahead search takes to run (B3). PostgreSQL's own advice for OLTP work.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "himpun.sqlite3",
            # Tests use a file too: a shared in-memory database locks whole tables, so a task
            # worker and the live server could not run side by side as they do in production.
            "TEST": {"NAME": DATA_DIR / "test.sqlite3"},
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout: this many failed logins for one username within the window locks it for the window.
HIMPUN_LOGIN_MAX_FAILURES = int(os.environ.get("HIMPUN_LOGIN_MAX_FAILURES", "5"))
HIMPUN_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("HIMPUN_LOGIN_LOCKOUT_MINUTES", "15"))
# Uploaded import files hold members' personal data: the file and the cells of its rows are
# deleted this many days after the job was last worked on (the job's record stays).
HIMPUN_IMPORT_RETENTION_DAYS = int(os.environ.get("HIMPUN_IMPORT_RETENTION_DAYS", "30"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("HIMPUN_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Bahasa Indonesia first; English available.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
# The language of the command line (`himpun import …`): id or en.
HIMPUN_CLI_LANGUAGE = os.environ.get("HIMPUN_LANGUAGE", LANGUAGE_CODE)
LOCALE_PATHS = [SRC_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "himpun_language"
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["himpun.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "staticfiles"
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("HIMPUN_STATIC_MANIFEST")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without a collected manifest (development, tests) whitenoise serves straight from the finders.
WHITENOISE_USE_FINDERS = not env_bool("HIMPUN_STATIC_MANIFEST")
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

DJANGO_TABLES2_TEMPLATE = "core/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-hover align-middle mb-0"}

# Member data never goes into logs: log levels and messages only, no request bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HIMPUN_LOG_LEVEL", "WARNING")},
}
