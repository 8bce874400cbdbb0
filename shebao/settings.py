"""The one settings module. Production differs from development only by environment.

Environment variables (all optional for the embedded SQLite setup):
  SHEBAO_DATABASE_URL   sqlite:///path/to/db.sqlite3 or postgresql://user:pass@host:port/db
  SHEBAO_SECRET_KEY     required when SHEBAO_DEBUG is off and no var/secret_key exists
  SHEBAO_DEBUG          1/0, default 0
  SHEBAO_ALLOWED_HOSTS  comma-separated, default 127.0.0.1,localhost
  SHEBAO_VAR_DIR        where the SQLite file, CA and generated files live, default ./var
  SHEBAO_TLS            1 when served over TLS (secure cookies, HSTS)
  SHEBAO_DECLARATION_CUTOFF_DAY  monthly cut-off day for 增减员, default 25
  SHEBAO_AUDIT_ANCHOR_FILE  where `shebao audit anchor` appends, default var/audit-anchors.log
  SHEBAO_AUDIT_ANCHOR_KEY   the anchors' HMAC key; default derived from the secret key
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def database_from_url(url: str) -> dict[str, object]:
    """A Django DATABASES entry from a URL (sqlite:///… or postgresql://…)."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:///relative/x.db and sqlite:////abs/x.db as in the usual convention
        name = path[1:]
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name or str(VAR_DIR / "shebao.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-200000; "
                    "PRAGMA temp_store=MEMORY;"
                ),
            },
            "TEST": {"NAME": None},
        }
    if parts.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
        }
    raise ValueError(f"SHEBAO_DATABASE_URL: unsupported scheme {parts.scheme!r}")


VAR_DIR = Path(env_str("SHEBAO_VAR_DIR", str(Path.cwd() / "var"))).resolve()
DEBUG = env_bool("SHEBAO_DEBUG", False)


def _secret_key() -> str:
    """From the environment; in the embedded setup, a random key kept in var/ (0600)."""
    key = env_str("SHEBAO_SECRET_KEY")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


SECRET_KEY = _secret_key()

# Anchors of the audit chain, outside the database (shebao/audit/anchors.py). The key
# must not be stored in the database; in production give it its own variable.
AUDIT_ANCHOR_FILE = Path(env_str("SHEBAO_AUDIT_ANCHOR_FILE",
                                 str(VAR_DIR / "audit-anchors.log"))).resolve()
AUDIT_ANCHOR_KEY = env_str("SHEBAO_AUDIT_ANCHOR_KEY") or hmac.new(
    SECRET_KEY.encode(), b"shebao-audit-anchor", "sha256").hexdigest()
ALLOWED_HOSTS = [
    h.strip() for h in env_str("SHEBAO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "shebao.accounts",
    "shebao.audit",
    "shebao.policy",
    "shebao.registry",
    "shebao.pension",
    "shebao.contributions",
    "shebao.declarations",
    "shebao.reports",
    "shebao.portal",
    "shebao.certauth",
    "shebao.api",
    "shebao.backoffice",
    "shebao.demo",
]

MIDDLEWARE = [
    "shebao.portal.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "shebao.portal.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shebao.accounts.principal.PrincipalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shebao.urls"
WSGI_APPLICATION = "shebao.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("SHEBAO_DATABASE_URL", f"sqlite:///{VAR_DIR / 'shebao.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed names (written by `shebao collectstatic`, which `make run` runs);
# plain names in development (SHEBAO_DEBUG=1). Tests switch to plain names in conftest.
_MANIFEST = not DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(VAR_DIR / "uploads")}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if _MANIFEST else
                    "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True


LOGIN_URL = "/staff/login/"

# Hardening: cookies, headers, sessions, upload limits.
TLS = env_bool("SHEBAO_TLS", False)
SESSION_COOKIE_SECURE = TLS
CSRF_COOKIE_SECURE = TLS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if TLS:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

DECLARATION_CUTOFF_DAY = env_int("SHEBAO_DECLARATION_CUTOFF_DAY", 25)
# Days after its print during which a printed document (单位参保证明 …) verifies on /verify/.
DOCUMENT_VERIFY_DAYS = env_int("SHEBAO_DOCUMENT_VERIFY_DAYS", 365)
# Proxies (nginx) whose X-Real-IP is believed, comma-separated addresses; none by default.
TRUSTED_PROXIES = [p.strip() for p in env_str("SHEBAO_TRUSTED_PROXIES").split(",") if p.strip()]
# Certificate login attempts per client address and window (seconds).
CERT_LOGIN_RATE_LIMIT = env_int("SHEBAO_CERT_LOGIN_RATE_LIMIT", 30)
CERT_LOGIN_RATE_WINDOW = env_int("SHEBAO_CERT_LOGIN_RATE_WINDOW", 60)


def env_paths(name: str, default: list[Path]) -> list[Path]:
    value = os.environ.get(name)
    return [Path(p) for p in value.split(os.pathsep) if p] if value else default


# Certificate login: the CA certificates trusted for unit certificates and the CRLs
# checked (PEM files, separated by ':'). Default: the local CA of `shebao ca` in var/ca.
# Production sets the Beijing digital certificate authority's roots and CRLs.
CA_DIR = VAR_DIR / "ca"
CERT_TRUSTED_CA_FILES = env_paths("SHEBAO_TRUSTED_CA_FILES", [CA_DIR / "ca.pem"])
CERT_CRL_FILES = env_paths("SHEBAO_CRL_FILES", [CA_DIR / "crl.pem"])
# Where `shebao demo` writes the demo units' certificates and keys.
DEMO_CERT_DIR = VAR_DIR / "demo-certs"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SHEBAO_LOG_LEVEL", "WARNING")},
}
