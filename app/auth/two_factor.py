"""Two-factor sign-in for local accounts: time-based codes (RFC 6238, pyotp) from any authenticator app,
enrolled by a QR code drawn here (segno) or by typing the key, and ten one-time recovery codes.

- A code is accepted for the current 30-second step or one either side (clock drift), and never for a step
  at or before the last one accepted: a code seen over someone's shoulder cannot be used again.
- Recovery codes are random, shown once, and kept only as SHA-256 hashes (they carry 50 bits of
  randomness each, so a slow hash adds nothing); each works once.
- Wrong codes count against the same throttle as wrong passwords (`app.auth.throttle`).
- An administrator requires two-factor sign-in by role (Admin, Settings); single sign-on sessions are
  proven by the force's own sign-in and are not asked.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from app import audit, process_settings
from app.extensions import db
from app.models import RecoveryCode, Role, User, utcnow

RECOVERY_CODES = 10
STEP_SECONDS = 30
DRIFT_STEPS = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def setting_key(role: Role | str) -> str:
    return f"require_2fa.{Role(role).value}"


def required_for(user: User) -> bool:
    values = process_settings.current()
    return any(values.get(setting_key(role)) for role in user.roles)


def issuer() -> str:
    name = current_app.config["ORGANISATION_NAME"]
    return f"{name} debriefs" if name else "Homicide prevention debriefs"


def new_secret() -> str:
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The key as people type it: groups of four."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(user: User, secret: str) -> Markup:
    """The enrolment QR code as inline SVG (no picture is fetched, nothing leaves the server)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer())
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff",
                                                title="QR code for your authenticator app")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1))


def _digits(code: str) -> str:
    return re.sub(r"\s+", "", code or "")


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    code = _digits(code)
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    step = int((now if now is not None else time.time()) // STEP_SECONDS)
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(candidate * STEP_SECONDS), code):
            return candidate
    return None


def code_is_right_for_new_key(secret: str, code: str) -> bool:
    return _matching_step(secret, code) is not None


def _hash(code: str) -> str:
    return hashlib.sha256(re.sub(r"[\s-]+", "", code.lower()).encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
             for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    return codes


def enable(user: User, secret: str, code: str) -> list[str] | None:
    """Turn two-factor sign-in on once the person has typed a code from the new key; returns the recovery
    codes to show once, or None if the code was not right."""
    step = _matching_step(secret, code)
    if step is None:
        return None
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, utcnow(), step
    codes = _new_recovery_codes(user)
    audit.alteration("user_account", user.id, ["totp_secret", "recovery_codes"], action="two_factor.enable", user=user)
    db.session.commit()
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    codes = _new_recovery_codes(user)
    audit.alteration("user_account", user.id, ["recovery_codes"], action="two_factor.recovery_codes", user=user)
    db.session.commit()
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def check(user: User, code: str) -> str | None:
    """The second step of signing in (caller commits). Returns "totp" or "recovery" for an accepted code,
    None otherwise. A time code already used, or older than the last one used, is refused."""
    if user.totp_secret and user.totp_enabled_at:
        step = _matching_step(user.totp_secret, code)
        if step is not None:
            if user.totp_last_step is not None and step <= user.totp_last_step:
                audit.security("two_factor.replay_refused", user=user, object_type="user_account", object_id=user.id)
                return None
            user.totp_last_step = step
            return "totp"
    wanted = _hash(code or "")
    row = db.session.scalar(sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                          RecoveryCode.used_at.is_(None),
                                                          RecoveryCode.code_hash == wanted))
    if row is not None:
        row.used_at = utcnow()
        return "recovery"
    return None


def disable(user: User, actor: User | None, action: str = "two_factor.disable") -> None:
    """Turn two-factor sign-in off and forget the key and recovery codes (the person, an administrator,
    or force IT with `flask reset-2fa`)."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.alteration("user_account", user.id, ["totp_secret", "recovery_codes"], action=action, user=actor)
    db.session.commit()
