"""Single sign-on through the force's reverse proxy (IIS Windows authentication, nginx with Kerberos, or an
OpenID Connect proxy): the proxy proves who the person is and passes their username in `SSO_HEADER`.

The header is believed only when the request comes straight from an address in `SSO_TRUSTED_PROXIES` and
carries the shared secret in `SSO_SECRET_HEADER`; anything else that sends the header is refused and logged,
since only an attacker would. The name maps to an existing, active account (`DOMAIN\\name` and
`name@REALM` lose their domain when `SSO_STRIP_DOMAIN` is on); no account is ever created here. Each sign-in
is a normal server-side session, logged as `login.sso`.
"""
from __future__ import annotations

import hmac
import ipaddress

from flask import current_app, request
from flask_login import current_user

from app import audit
from app.auth import services, sessions
from app.extensions import db
from app.models import utcnow

SKIP_ENDPOINTS = {"static", "main.healthz"}


def username_from(raw: str) -> str:
    name = raw.strip()
    if current_app.config["SSO_STRIP_DOMAIN"]:
        name = name.rsplit("\\", 1)[-1].split("@", 1)[0]
    return name.casefold()


def peer_address() -> str | None:
    """The address that connected to us, before ProxyFix replaced it with the client's."""
    original = request.environ.get("werkzeug.proxy_fix.orig") or {}
    return original.get("REMOTE_ADDR") or request.environ.get("REMOTE_ADDR")


def _from_trusted_proxy() -> bool:
    cfg = current_app.config
    try:
        peer = ipaddress.ip_address(peer_address() or "")
    except ValueError:
        return False
    sent = request.headers.get(cfg["SSO_SECRET_HEADER"], "")
    return any(peer in net for net in cfg["SSO_TRUSTED_PROXIES"]) \
        and hmac.compare_digest(sent.encode(), cfg["SSO_SHARED_SECRET"].encode())


def check():
    """Before each request: sign in (or switch to) the person the proxy names. Returns a response only to
    refuse."""
    from app.errors import render_error

    cfg = current_app.config
    if not cfg["SSO_HEADER"] or request.endpoint in SKIP_ENDPOINTS:
        return None
    raw = request.headers.get(cfg["SSO_HEADER"])
    if raw is None or not raw.strip():
        return None
    if not _from_trusted_proxy():
        audit.security("login.sso_untrusted", reason=f"username header from {peer_address()} without the "
                                                     "trusted proxy's secret")
        db.session.commit()
        return render_error(403, "This request did not come through the force's sign-in.")
    name = username_from(raw)
    if current_user.is_authenticated:
        if current_user.username.casefold() == name:
            return None
        # Another person at the same browser (a shared PC): the earlier session ends.
        sessions.end_current_session("sso_user_changed")
    user = services.find_user(name)
    if user is None or not user.active:
        audit.security("login.sso_refused", user=user, object_type="user_account",
                       object_id=user.id if user else None,
                       reason="account disabled" if user else f"no account for {name[:60]}")
        db.session.commit()
        return render_error(403, f"You are signed in to the force network as {name}, but this system has no "
                                 "active account for that name. Ask an administrator to create or enable it.")
    user.last_login_at = utcnow()
    sessions.start_session(user, method="sso")
    audit.security("login.sso", user=user, object_type="user_account", object_id=user.id)
    db.session.commit()
    return None
