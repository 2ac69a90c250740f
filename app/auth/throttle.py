"""Sign-in throttling with its state in the database, shared by every worker.

Two counters per attempt: the account name tried and the client address. When
either passes its limit inside the window it is locked for LOGIN_LOCK_MINUTES.
A lock always ends by itself, so an attacker can delay but never shut out a user.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.database import lock_row
from app.extensions import db
from app.models import LoginThrottle, utcnow


def account_key(username: str) -> str:
    return "account:" + username.strip().casefold()[:120]


def address_key(addr: str | None) -> str:
    return "addr:" + (addr or "unknown")[:120]


def _limit(key: str) -> int:
    cfg = current_app.config
    return cfg["LOGIN_MAX_FAILURES"] if key.startswith("account:") else cfg["LOGIN_IP_MAX_FAILURES"]


def is_locked(keys: list[str]) -> bool:
    now = utcnow()
    rows = db.session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    return any(r.locked_until is not None and r.locked_until > now for r in rows)


def record_failure(keys: list[str]) -> list[str]:
    """Count a failed attempt against each key; return the keys that became locked."""
    window = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    now = utcnow()
    newly_locked = []
    for key in keys:
        row = lock_row(LoginThrottle, {"key": key}, {"failures": 0, "window_started_at": now})
        if now - row.window_started_at > window:
            row.failures = 0
            row.window_started_at = now
        row.failures += 1
        if row.failures >= _limit(key) and not (row.locked_until and row.locked_until > now):
            row.locked_until = now + window
            row.failures = 0
            row.window_started_at = now
            newly_locked.append(key)
    return newly_locked


def clear(key: str) -> None:
    row = db.session.get(LoginThrottle, key)
    if row is not None:
        row.failures = 0
        row.locked_until = None
