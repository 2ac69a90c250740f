"""Server-side sessions.

The cookie carries only a random token (via Flask-Login's user id). Each request
looks the token's hash up in `user_session` and refuses it when revoked, idle too
long, past its absolute lifetime, or when the account is disabled.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, request, session
from flask_login import login_user, logout_user
from sqlalchemy import select, update

from app.extensions import db, login_manager
from app.models import User, UserSession, utcnow

# last_seen_at is written at most this often, so reads do not all become writes.
TOUCH_EVERY = timedelta(seconds=30)
# Asking how long the session has left must not itself keep the session alive.
NO_TOUCH = {"auth.session_status"}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(user: User, method: str = "password") -> UserSession:
    """Sign `user` in with a fresh session and cookie (caller commits). `method`: how they proved who they
    are (password, password+totp, password+recovery, sso)."""
    session.clear()  # new CSRF token and nothing carried over from before sign-in
    token = secrets.token_urlsafe(32)
    row = UserSession(
        user=user,
        token_hash=_hash(token),
        client_addr=request.remote_addr,
        user_agent=(request.user_agent.string or "")[:200],
        method=method,
    )
    db.session.add(row)
    user.session_token = token
    login_user(user, remember=False)
    g.user_session = row
    return row


def current_session() -> UserSession | None:
    return g.get("user_session")


def end_current_session(reason: str) -> None:
    """Revoke this browser's session on the server and clear its cookie (caller commits)."""
    row = current_session()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_reason = reason
    logout_user()
    session.clear()


def revoke_all(user: User, reason: str, keep: UserSession | None = None) -> int:
    """Revoke every live session of `user`, except `keep` (caller commits)."""
    stmt = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    return db.session.execute(stmt).rowcount


def live_sessions(user: User) -> list[UserSession]:
    now = utcnow()
    cfg = current_app.config
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.revoked_at.is_(None),
                UserSession.created_at > now - timedelta(hours=cfg["SESSION_MAX_HOURS"]),
                UserSession.last_seen_at > now - timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]),
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    )


def previous_sign_in(user: User) -> UserSession | None:
    """The sign-in before this one, so people can spot use of their account."""
    return db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id)
        .order_by(UserSession.created_at.desc(), UserSession.id.desc()).offset(1).limit(1)
    ).first()


@login_manager.user_loader
def load_user_from_token(token: str) -> User | None:
    row = db.session.scalars(
        select(UserSession).where(UserSession.token_hash == _hash(token))
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    cfg = current_app.config
    expired = None
    if now - row.created_at > timedelta(hours=cfg["SESSION_MAX_HOURS"]):
        expired = "absolute_timeout"
    elif now - row.last_seen_at > timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]):
        expired = "idle_timeout"
    elif not row.user.active:
        expired = "account_disabled"
    if expired:
        row.revoked_at = now
        row.revoked_reason = expired
        db.session.commit()
        g.session_ended = expired
        return None
    if now - row.last_seen_at > TOUCH_EVERY and request.endpoint not in NO_TOUCH:
        row.last_seen_at = now
        db.session.commit()
    user = row.user
    user.session_token = token
    g.user_session = row
    return user


def method() -> str | None:
    row = current_session()
    return row.method if row is not None else None


def unfinished_sign_in(user: User) -> str | None:
    """Where a signed-in person must go before anything else, or None: a temporary password to replace
    (not for single sign-on, which uses no password), or two-factor sign-in to set up when their role
    requires it."""
    from flask import url_for

    from app.auth import two_factor

    if method() == "sso":
        return None
    if user.must_change_password:
        return url_for("auth.change_password")
    if two_factor.required_for(user) and user.totp_enabled_at is None:
        return url_for("auth.two_factor_setup")
    return None


def seconds_left() -> int:
    """Seconds before this session ends by itself (idle or absolute timeout, whichever comes first)."""
    row = current_session()
    if row is None:
        return 0
    cfg = current_app.config
    now = utcnow()
    idle_end = row.last_seen_at + timedelta(minutes=cfg["SESSION_IDLE_MINUTES"])
    absolute_end = row.created_at + timedelta(hours=cfg["SESSION_MAX_HOURS"])
    return max(0, int((min(idle_end, absolute_end) - now).total_seconds()))


def keep_alive() -> int:
    row = current_session()
    if row is not None:
        row.last_seen_at = utcnow()
        db.session.commit()
    return seconds_left()
