"""Sign-in, sign-out and password changes. Each function owns its transaction."""
from __future__ import annotations

from app import audit
from app.auth import passwords, sessions, throttle
from app.extensions import db
from app.models import User, utcnow
from sqlalchemy import func, select


def find_user(username: str) -> User | None:
    name = username.strip().casefold()
    if not name:
        return None
    return db.session.scalars(select(User).where(func.lower(User.username) == name)).first()


def check_password(username: str, password: str, client_addr: str | None) -> User | None:
    """The first step of signing in: the account whose password this is, or None with the attempt recorded.

    Failures look the same whatever the cause (unknown name, wrong password,
    disabled account, lock) and take as long as a real check.
    """
    keys = [throttle.account_key(username), throttle.address_key(client_addr)]
    user = find_user(username)
    if throttle.is_locked(keys):
        passwords.burn_verification(password)
        audit.security("login.refused_locked", user=user, object_type="user_account",
                       object_id=user.id if user else None)
        db.session.commit()
        return None

    if user is None:
        passwords.burn_verification(password)
        ok = False
    else:
        ok = passwords.verify_password(user.password_hash, password) and user.active

    if not ok:
        _failed(keys, user, "login.failure", reason="account disabled" if (user and not user.active) else None)
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.session.commit()
    return user


def _failed(keys: list[str], user: User | None, action: str, reason: str | None = None) -> bool:
    """Count a failed attempt, log it and any lock it caused; True if it locked the account or address."""
    locked = throttle.record_failure(keys)
    audit.security(action, user=user, object_type="user_account", object_id=user.id if user else None,
                   reason=reason)
    for key in locked:
        audit.security("login.lockout", user=user, object_type="user_account", object_id=user.id if user else None,
                       reason="account" if key.startswith("account:") else "address")
    db.session.commit()
    return bool(locked)


def finish_sign_in(user: User, method: str) -> None:
    throttle.clear(throttle.account_key(user.username))
    user.last_login_at = utcnow()
    sessions.start_session(user, method=method)
    audit.security("login.success", user=user, object_type="user_account", object_id=user.id,
                   reason=None if method == "password" else f"with {method.split('+')[-1]}")
    db.session.commit()


def check_second_factor(user: User, code: str, client_addr: str | None) -> str:
    """The second step for an account with two-factor sign-in: "ok" (signed in), "wrong" or "locked"."""
    from app.auth import two_factor

    keys = [throttle.account_key(user.username), throttle.address_key(client_addr)]
    if throttle.is_locked(keys) or not user.active:
        audit.security("login.refused_locked", user=user, object_type="user_account", object_id=user.id)
        db.session.commit()
        return "locked"
    kind = two_factor.check(user, code)
    if kind is None:
        return "locked" if _failed(keys, user, "two_factor.failure") else "wrong"
    finish_sign_in(user, f"password+{kind}")
    return "ok"


def logout(user: User) -> None:
    sessions.end_current_session("logout")
    audit.security("logout", user=user, object_type="user_account", object_id=user.id)
    db.session.commit()


def change_password(user: User, current: str, new: str, sign_out_others: bool, client_addr: str | None) -> str:
    """Change the user's own password. Returns "changed", "wrong" (the current password is not right) or
    "locked" (too many wrong current passwords: throttled exactly like sign-in, by account and address)."""
    keys = [throttle.account_key(user.username), throttle.address_key(client_addr)]
    if throttle.is_locked(keys):
        passwords.burn_verification(current)
        audit.security("password.change_refused_locked", user=user, object_type="user_account", object_id=user.id)
        db.session.commit()
        return "locked"
    if not passwords.verify_password(user.password_hash, current):
        locked = throttle.record_failure(keys)
        audit.security("password.change_refused", user=user, object_type="user_account", object_id=user.id)
        for key in locked:
            audit.security("login.lockout", user=user, object_type="user_account", object_id=user.id,
                           reason="account" if key.startswith("account:") else "address")
        db.session.commit()
        return "locked" if locked else "wrong"
    throttle.clear(keys[0])
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    # This browser always gets a new session: the old token (and any copy of it) dies. Other browsers are
    # signed out only when the person asks for it.
    this = sessions.current_session()
    if sign_out_others:
        sessions.revoke_all(user, "password_change", keep=this)
    if this is not None and this.revoked_at is None:
        this.revoked_at = utcnow()
        this.revoked_reason = "password_change"
    sessions.start_session(user)
    audit.alteration("user_account", user.id, ["password_hash"], action="password.change", user=user,
                     reason="other sessions signed out" if sign_out_others else "other sessions kept")
    db.session.commit()
    return "changed"


def sign_out_other_sessions(user: User) -> int:
    count = sessions.revoke_all(user, "signed_out_by_user", keep=sessions.current_session())
    audit.security("session.revoke_others", user=user, object_type="user_account", object_id=user.id)
    db.session.commit()
    return count
