"""The optional "reason for access": before a debrief's pages are shown, the reader says why, once per debrief
per sign-in, and the reason is kept with each consultation row (DPA 2018 s.62 allows it; forces switch it on
in Process settings)."""
from __future__ import annotations

from flask import g, redirect, request, session, url_for
from flask_login import current_user

SESSION_KEY = "access_reasons"
KEEP = 20  # debriefs remembered per sign-in


def given(debrief_id: int) -> str | None:
    return (session.get(SESSION_KEY) or {}).get(str(debrief_id))


def remember(debrief_id: int, reason: str) -> None:
    reasons = dict(session.get(SESSION_KEY) or {})
    reasons.pop(str(debrief_id), None)
    reasons[str(debrief_id)] = reason.strip()[:150]
    session[SESSION_KEY] = dict(list(reasons.items())[-KEEP:])


def check():
    """before_request: a debrief's page asks for the reason first, when the setting is on."""
    from app import process_settings
    from app.htmx import is_htmx, redirect_client

    debrief_id = (request.view_args or {}).get("debrief_id")
    if (debrief_id is None or request.method != "GET" or not current_user.is_authenticated
            or request.endpoint == "records.access_reason"):
        return None
    if not process_settings.get("require_access_reason"):
        return None
    reason = given(debrief_id)
    if reason is not None:
        g.access_reason = reason
        return None
    target = url_for("records.access_reason", debrief_id=debrief_id, next=request.full_path.rstrip("?"))
    return redirect_client(target) if is_htmx() else redirect(target)
