"""The confidentiality gate: a partner reads nothing of a debrief until they have acknowledged its terms.

One check for every route under a debrief (`before_app_request`, like the reason for access): any request
whose route takes a `debrief_id` (pages, fragments, downloads, forms, and routes added later) is sent to the
terms page while `permissions.must_acknowledge_first` says so. Only the terms page and the acknowledgement
itself are exempt. The acknowledgement is recorded on the partner's invitation to the meeting, with who and
when; a reviewer may record it on the partner's behalf from the meeting page.
"""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from app.htmx import is_htmx, redirect_client

# The terms page and what it posts to; the reason for access may be asked before either.
EXEMPT = frozenset({"meetings.confidentiality", "meetings.acknowledge", "records.access_reason"})

TERMS = (
    "What you see and hear in this debrief is confidential to the debrief and is shared with you only so that "
    "agencies can learn from it.",
    "Do not pass it on, copy it or discuss it outside the debrief without the review team's agreement; it is "
    "marked and must be handled as such.",
    "People in the case are shown by pseudonym. Do not try to identify them, and do not name them in what you "
    "write.",
    "Notes are not attributed to anyone. Individual conduct and evidence for the criminal investigation are not "
    "discussed.",
)


def check():
    """before_request: a partner who has not acknowledged the terms is shown them first."""
    from app.permissions import must_acknowledge_first

    debrief_id = (request.view_args or {}).get("debrief_id")
    if debrief_id is None or request.endpoint in EXEMPT or not current_user.is_authenticated:
        return None
    if not must_acknowledge_first(debrief_id):
        return None
    come_back = request.full_path.rstrip("?") if request.method == "GET" and not is_htmx() else None
    target = url_for("meetings.confidentiality", debrief_id=debrief_id, next=come_back)
    return redirect_client(target) if is_htmx() else redirect(target, 303)


def terms_page(debrief, invitation, form):
    """The terms, and "I acknowledge" when the partner has an invitation to record it on."""
    return render_template("meetings/confidentiality.html", debrief=debrief, meeting=debrief.meeting,
                           invitation=invitation, terms=TERMS, form=form)
