"""Single emails that tell one person or team of one thing that has just happened to their work: an action
sent back or an extension decided, quick-time learning given to them to share.

A notice is sent after the change it tells of has been committed, so a mail server that is down, slow or
refusing never undoes a decision; the failure is logged (never the address) and the caller is told, so the
page can say that the owner must be told another way. A notice that went is recorded in the audit log as a
disclosure to its address (staff or a team's contact address, never a case subject).

Like reminders (`app.actions.reminders`), a notice carries references, dates, what happened and a link:
never a name, a team's name, a comment, what an action asks for or a debrief's title. `mail.build` adds the
protective marking and passes everything through the disclosure gate all the same.
"""
from __future__ import annotations

from flask import current_app

from app import audit, mail
from app.extensions import db

SENT = "sent"
NO_ADDRESS = "no address"
NOT_CONFIGURED = "not configured"
FAILED = "failed"


def send(address: str | None, subject: str, body: str, *, object_type: str, object_id: int, action: str,
         debrief_id: int | None = None) -> str:
    """Send one notice, once the caller's transaction is committed. Returns SENT, NO_ADDRESS, NOT_CONFIGURED
    or FAILED; never raises for a mail problem."""
    address = (address or "").strip()
    if not address:
        return NO_ADDRESS
    if not mail.configured():
        return NOT_CONFIGURED
    try:
        mail.send([mail.build(address, subject, body, debrief_id=debrief_id)])
    except Exception as exc:  # noqa: BLE001 - any failure to send leaves the decision as it was
        current_app.logger.warning("notice %s for %s %s not sent: %s", action, object_type, object_id,
                                   type(exc).__name__)
        return FAILED
    try:
        audit.record("disclosure", action, object_type=object_type, object_id=object_id, recipient=address,
                     reason="notice by email")
        db.session.commit()
    except Exception:  # noqa: BLE001 - the message went; a lost log row must not turn the page into an error
        db.session.rollback()
        current_app.logger.exception("notice %s for %s %s sent but not logged", action, object_type, object_id)
    return SENT


def told(outcome: str | None, who: str = "The owner") -> str:
    """A sentence for the page that took the decision: whether the owner was told, and what to do if not."""
    if outcome == SENT:
        return f" {who} has been told by email."
    if outcome == NO_ADDRESS:
        return f" {who} has no email address on record: tell them another way."
    if outcome == FAILED:
        return f" The email to {who.lower()} could not be sent: tell them another way."
    return ""
