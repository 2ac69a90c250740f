"""Process settings an administrator tunes while the force pilots the process.

Each setting has a definition (label, type, default, limits) here and, once
changed, a row in the `setting` table. Values are read once per request.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import Setting


@dataclass(frozen=True)
class SettingDef:
    key: str
    label: str
    kind: str  # "int" or "bool"
    default: int | bool
    minimum: int = 0
    maximum: int = 3650
    hint: str = ""


TIMELINESS = [
    SettingDef("target_days_to_meeting", "Target: days from incident to debrief meeting", "int", 28, 1, 365,
               "The headline timeliness measure. Cards turn red when a debrief passes it without a meeting."),
    SettingDef("amber_days_before_target", "Amber warning: days before the target", "int", 7, 0, 120,
               "Cards turn amber when this many days or fewer remain."),
    SettingDef("target_days_to_dmm", "Target: days from incident to the daily management meeting", "int", 3, 1,
               90, "Shown on the dashboard: how many referrals reached the DMM within it."),
    SettingDef("target_days_to_document", "Target: days from incident to the learning document", "int", 90, 1,
               730, "Shown on the dashboard: how many documents were issued within it."),
    SettingDef("recent_final_days", "Closed and Not progressed columns: days shown", "int", 30, 1, 3650,
               "Older cards stay in the full list of debriefs."),
    SettingDef("quick_time_hours", "Quick-time learning: hours to share it", "int", 48, 1, 720,
               "The deadline a reviewer is offered for sharing urgent learning, counted from when it is recorded. "
               "The reviewer may choose another; unshared learning past its deadline shows as overdue."),
]


RECORDS = [
    SettingDef("require_access_reason", "Ask for a reason before a debrief's personal data is shown", "bool", False,
               hint="Once per debrief per sign-in; the reason is kept with each consultation in the audit log."),
]


def _security() -> list[SettingDef]:
    from app.models import ROLE_LABELS, Role

    return [SettingDef(f"require_2fa.{role.value}", f"Require two-factor sign-in: {ROLE_LABELS[role]}", "bool",
                       False, hint="Accounts with this role set up an authenticator app at their next sign-in. "
                                   "Single sign-on through the force's network is not asked.")
            for role in Role]


def gate_key(gate_name: str) -> str:
    return f"gate.{gate_name}"


def definitions() -> list[SettingDef]:
    from app.debriefs.gates import GATES

    gates = [SettingDef(gate_key(g.name), g.label, "bool", True,
                        hint=f"Checked when a debrief leaves {g.leaving.label}.") for g in GATES if not g.hard]
    return TIMELINESS + gates + RECORDS + _security()


def _coerce(defn: SettingDef, raw: str) -> int | bool:
    if defn.kind == "bool":
        return raw == "1"
    return int(raw)


def current() -> dict[str, int | bool]:
    """All settings, defaults overlaid with stored values (one query per request)."""
    if has_request_context() and "process_settings" in g:
        return g.process_settings
    stored = {s.key: s.value for s in db.session.scalars(select(Setting))}
    values = {}
    for defn in definitions():
        raw = stored.get(defn.key)
        values[defn.key] = defn.default if raw is None else _coerce(defn, raw)
    if has_request_context():
        g.process_settings = values
    return values


def get(key: str) -> int | bool:
    return current()[key]


def gate_enabled(gate_name: str) -> bool:
    return bool(current().get(gate_key(gate_name), True))


def save(values: dict[str, int | bool], actor) -> list[str]:
    """Store changed values; returns the keys that changed."""
    defs = {d.key: d for d in definitions()}
    now = current()
    changed = []
    for key, value in values.items():
        defn = defs[key]
        if value == now[key]:
            continue
        raw = ("1" if value else "0") if defn.kind == "bool" else str(int(value))
        row = db.session.get(Setting, key)
        if row is None:
            row = Setting(key=key, value=raw)
            db.session.add(row)
        row.value = raw
        row.updated_by_id = actor.id
        changed.append(key)
    if changed:
        audit.record("alteration", "settings.update", object_type="setting",
                     fields=[k.replace(".", "_") for k in changed], user=actor)
        db.session.commit()
        g.pop("process_settings", None)
    return changed
