"""Configuration, read from environment variables only.

`load_config(env)` returns a plain dict for `app.config`. Nothing here is read at
import time: `create_app()` calls it, so tests can pass their own values.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from datetime import timedelta

DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
DEFAULT_HANDLING = (
    "Handle as OFFICIAL-SENSITIVE. For the homicide prevention debrief process only; "
    "do not copy or share outside it without the review team's agreement."
)
# Values that must never sign a production session.
KNOWN_WEAK_KEYS = {"dev", "development", "secret", "changeme", "change-me", "test", "testing"}
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app may start with."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    v = value.strip().lower()
    if v in {"1", "true", "yes", "on"}:
        return True
    if v in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"not a true/false value: {value!r}")


def _int(env: dict, name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}")
    return value


def database_url(raw: str | None, instance_path: str) -> str:
    """SQLite under instance/ by default; postgres URLs are pinned to psycopg 3."""
    if not raw:
        return "sqlite:///" + os.path.join(instance_path, "hpd.sqlite3")
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://"):]
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw[len("postgresql://"):]
    return raw


def load_config(env: dict | None = None, instance_path: str = "instance") -> dict:
    env = dict(os.environ if env is None else env)
    app_env = (env.get("APP_ENV") or "production").strip().lower()
    if app_env not in {"production", "development", "testing"}:
        raise ConfigError("APP_ENV must be production, development or testing")
    production = app_env == "production"

    secret = env.get("SECRET_KEY", "")
    if production:
        if len(secret) < MIN_SECRET_KEY_LENGTH or secret.lower() in KNOWN_WEAK_KEYS or len(set(secret)) < 10:
            raise ConfigError(
                "SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters in production "
                "(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
    elif not secret:
        raise ConfigError("SECRET_KEY is not set (scripts/run creates one for development)")

    audit_key = env.get("AUDIT_KEY", "")
    if production:
        if len(audit_key) < MIN_SECRET_KEY_LENGTH or len(set(audit_key)) < 10 or audit_key == secret:
            raise ConfigError(
                f"AUDIT_KEY must be set to a random value of at least {MIN_SECRET_KEY_LENGTH} characters in "
                "production, different from SECRET_KEY, and kept outside the database: it proves the audit "
                "log intact (python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
    elif not audit_key:
        audit_key = hmac.new(secret.encode(), b"audit chain", hashlib.sha256).hexdigest()

    cookie_secure = _bool(env.get("SESSION_COOKIE_SECURE"), True)
    if production and not cookie_secure:
        raise ConfigError("SESSION_COOKIE_SECURE may be switched off only outside production")

    if production and not (env.get("DATABASE_URL") or "").strip():
        raise ConfigError(
            "DATABASE_URL is not set. Production needs to be told where its data lives: "
            "postgresql://hpd_app:<password>@127.0.0.1/hpd, or sqlite:////var/lib/hpd/hpd.sqlite3 to choose "
            "SQLite explicitly")
    db_url = database_url(env.get("DATABASE_URL"), instance_path)
    engine_options: dict = {}
    if db_url.startswith("postgresql"):
        engine_options = {"pool_pre_ping": True}

    sign_in = _sign_in_settings(env, production)
    nation = (env.get("BANK_HOLIDAYS") or "england-and-wales").strip().lower()
    if nation not in ("england-and-wales", "scotland", "northern-ireland"):
        raise ConfigError("BANK_HOLIDAYS must be england-and-wales, scotland or northern-ireland")

    return {
        **sign_in,
        "APP_ENV": app_env,
        "DEBUG": False,
        "TESTING": app_env == "testing",
        "SECRET_KEY": secret,
        "AUDIT_KEY": audit_key,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SQLITE_BUSY_TIMEOUT_MS": _int(env, "SQLITE_BUSY_TIMEOUT_MS", 10000, 1000),
        # Sessions: the cookie only carries an opaque token; state lives in user_session.
        "SESSION_COOKIE_NAME": "__Host-session" if cookie_secure else "hpd_session",
        "SESSION_COOKIE_SECURE": cookie_secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_IDLE_MINUTES": _int(env, "SESSION_IDLE_MINUTES", 30, 1),
        "SESSION_MAX_HOURS": _int(env, "SESSION_MAX_HOURS", 10, 1),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int(env, "SESSION_MAX_HOURS", 10, 1)),
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        # CSRF: one token per session, checked on every unsafe request.
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_CHECK_DEFAULT": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": True,
        # Request size limits (no uploads yet).
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024, 1024),
        "MAX_FORM_MEMORY_SIZE": 500 * 1024,
        "MAX_FORM_PARTS": 1000,
        # Login throttling, shared by all workers through the database.
        "LOGIN_MAX_FAILURES": _int(env, "LOGIN_MAX_FAILURES", 5, 1),
        "LOGIN_IP_MAX_FAILURES": _int(env, "LOGIN_IP_MAX_FAILURES", 30, 1),
        "LOGIN_LOCK_MINUTES": _int(env, "LOGIN_LOCK_MINUTES", 15, 1),
        # Argon2id cost; testing lowers it to keep the suite quick, production never does.
        "ARGON2_TIME_COST": _int(env, "ARGON2_TIME_COST", 3, 1) if not app_env == "testing" else 1,
        "ARGON2_MEMORY_KIB": _int(env, "ARGON2_MEMORY_KIB", 65536, 19456) if not app_env == "testing" else 1024,
        "ARGON2_PARALLELISM": _int(env, "ARGON2_PARALLELISM", 4, 1) if not app_env == "testing" else 1,
        # Protective marking shown on every page, document and email.
        "MARKING": (env.get("MARKING") or DEFAULT_MARKING).strip(),
        "HANDLING_LINE": (env.get("HANDLING_LINE") or DEFAULT_HANDLING).strip(),
        "ORGANISATION_NAME": (env.get("ORGANISATION_NAME") or "").strip(),
        # The unit that writes and issues documents of learning (their cover and file properties).
        "UNIT_NAME": (env.get("UNIT_NAME") or "Homicide Prevention Review Team").strip(),
        # Whose bank holidays working-day clocks skip.
        "BANK_HOLIDAYS": nation,
        # Email (meeting invitations, later reminders). No SMTP_HOST: nothing is sent, files can be downloaded.
        "SMTP_HOST": (env.get("SMTP_HOST") or "").strip(),
        "SMTP_PORT": _int(env, "SMTP_PORT", 25, 1),
        "SMTP_USERNAME": env.get("SMTP_USERNAME") or "",
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD") or "",
        "SMTP_STARTTLS": _bool(env.get("SMTP_STARTTLS"), False),
        "MAIL_FROM": (env.get("MAIL_FROM") or "hpd-debriefs@localhost").strip(),
        # The address links in emails and calendar invitations point to.
        "BASE_URL": (env.get("BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
        # Number of reverse proxies in front of gunicorn whose X-Forwarded-* headers are trusted.
        "PROXY_COUNT": _int(env, "PROXY_COUNT", 0, 0),
        # Compress pages, fragments, exports and static files (brotli or gzip, as the browser accepts);
        # switch off when a proxy in front already compresses.
        "COMPRESS_RESPONSES": _bool(env.get("COMPRESS_RESPONSES"), True),
    }


def _sign_in_settings(env: dict, production: bool) -> dict:
    """Single sign-on through a reverse proxy, and whether passwords may still be used to sign in."""
    import ipaddress

    header = (env.get("SSO_HEADER") or "").strip()
    proxies = []
    for part in (env.get("SSO_TRUSTED_PROXIES") or "").replace(";", ",").split(","):
        if part.strip():
            try:
                proxies.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError as exc:
                raise ConfigError(f"SSO_TRUSTED_PROXIES: {part.strip()!r} is not an address or network") from exc
    secret = env.get("SSO_SHARED_SECRET") or ""
    if header:
        if not proxies:
            raise ConfigError("SSO_HEADER is set but SSO_TRUSTED_PROXIES is not: name the proxy addresses "
                              "the username header may come from (e.g. 127.0.0.1)")
        if len(secret) < MIN_SECRET_KEY_LENGTH or len(set(secret)) < 10:
            raise ConfigError(f"SSO_SHARED_SECRET must be a random value of at least {MIN_SECRET_KEY_LENGTH} "
                              "characters that the proxy sends with every request")
    password_sign_in = _bool(env.get("PASSWORD_SIGNIN"), True)
    if not password_sign_in and not header:
        raise ConfigError("PASSWORD_SIGNIN is off but no single sign-on is set up (SSO_HEADER): nobody could "
                          "sign in")
    return {
        "SSO_HEADER": header,
        "SSO_TRUSTED_PROXIES": proxies,
        "SSO_SECRET_HEADER": (env.get("SSO_SECRET_HEADER") or "X-HPD-Proxy-Secret").strip(),
        "SSO_SHARED_SECRET": secret,
        "SSO_STRIP_DOMAIN": _bool(env.get("SSO_STRIP_DOMAIN"), True),
        "PASSWORD_SIGNIN": password_sign_in,
    }
