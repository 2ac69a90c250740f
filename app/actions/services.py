"""The action lifecycle (domain brief §4). Each function checks the version the user saw, writes the change,
a line of history and an audit row, and commits; a refused step raises Refused and changes nothing.

    open → in progress → completed (evidence given) → closed (signed off by the working group)
    any unfinished state → not doing (with rationale); closed or not doing → reopened (in progress)
    completed → sent back (in progress, with the working group's comment)
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import audit
from app.actions import notices
from app.debriefs.timeliness import today
from app.extensions import db
from app.models import (Action, ActionNote, ActionStatus, Extension, ExtensionDecision, NoteKind, Role, Team, Theme,
                        User, utcnow)
from app.versioning import StaleEdit, check

OPEN, IN_PROGRESS, COMPLETED, CLOSED, NOT_DOING = (s.value for s in ActionStatus)
OWNER_STATUSES = (OPEN, IN_PROGRESS, COMPLETED)
FINISHED = (CLOSED, NOT_DOING)


class Refused(Exception):
    """A step the lifecycle does not allow from here; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def _note(action: Action, actor, kind: NoteKind, text: str | None = None, on: date | None = None,
          from_status: str | None = None, to_status: str | None = None) -> None:
    action.notes.append(ActionNote(kind=kind.value, on=on or today(), author_id=actor.id if actor else None,
                                   text=(text or "").strip() or None, from_status=from_status, to_status=to_status))


def _set_status(action: Action, actor, new: str, kind: NoteKind, text: str | None = None) -> None:
    old = action.status
    action.status = new
    if new == COMPLETED:
        action.completed_on = today()
    elif new in (OPEN, IN_PROGRESS):
        action.completed_on = None
    if new in FINISHED:
        action.closed_on, action.closed_by_id = today(), actor.id if actor else None
    else:
        action.closed_on = action.closed_by_id = None
    _note(action, actor, kind, text, from_status=old, to_status=new)


def _save(action: Action, fields: list[str], operation: str = "action.update") -> None:
    action.version += 1
    audit.record("alteration", operation, object_type="action", object_id=action.id, fields=sorted(set(fields)))
    db.session.commit()


def owner_update(action: Action, actor, *, version: int, status: str, note: str, note_on: date | None,
                 evidence: str, evidence_link: str) -> list[str]:
    """What an owner may change: status (open, in progress, completed), a dated progress update, evidence.
    Returns the fields changed (none: nothing saved)."""
    check(action, version)
    if action.status in FINISHED:
        raise Refused("This action is finished. The working group or review team can reopen it.", "status")
    if status not in OWNER_STATUSES:
        raise Refused("Choose open, in progress or completed.", "status")
    evidence, evidence_link = (evidence or "").strip() or None, (evidence_link or "").strip() or None
    if status == COMPLETED and not evidence:
        raise Refused("Describe the evidence that the action is done before marking it complete.", "evidence")
    changed: list[str] = []
    if (note or "").strip():
        _note(action, actor, NoteKind.PROGRESS, note, on=note_on)
        changed.append("progress")
    if (evidence, evidence_link) != (action.evidence, action.evidence_link):
        changed += [k for k, v in (("evidence", evidence), ("evidence_link", evidence_link))
                    if getattr(action, k) != v]
        action.evidence, action.evidence_link = evidence, evidence_link
        if status != COMPLETED:
            _note(action, actor, NoteKind.EVIDENCE)
    if status != action.status:
        _set_status(action, actor, status, NoteKind.COMPLETED if status == COMPLETED else NoteKind.STATUS)
        changed.append("status")
    if changed:
        _save(action, changed)
    return changed


def sign_off(action: Action, actor, *, version: int, comment: str) -> None:
    check(action, version)
    if action.status != COMPLETED:
        raise Refused("Only a completed action, with its evidence, can be signed off.")
    _set_status(action, actor, CLOSED, NoteKind.SIGNED_OFF, comment)
    _save(action, ["status"], "action.sign_off")


def send_back(action: Action, actor, *, version: int, comment: str) -> str:
    """Back to in progress with the working group's comment; returns how the owner was told (app.notices)."""
    check(action, version)
    if action.status != COMPLETED:
        raise Refused("Only a completed action can be sent back.")
    if not (comment or "").strip():
        raise Refused("Say what is still needed, so the owner knows what to do.", "comment")
    _set_status(action, actor, IN_PROGRESS, NoteKind.SENT_BACK, comment)
    _save(action, ["status"], "action.send_back")
    return notices.sent_back(action)  # after the commit: a failure to send leaves the decision as it is


def not_doing(action: Action, actor, *, version: int, rationale: str) -> None:
    check(action, version)
    if action.status in FINISHED:
        raise Refused("This action is already finished.")
    if not (rationale or "").strip():
        raise Refused("Give the rationale for not doing this action.", "comment")
    action.not_doing_reason = rationale.strip()
    _set_status(action, actor, NOT_DOING, NoteKind.NOT_DOING, rationale)
    _save(action, ["status", "not_doing_reason"], "action.not_doing")


def reopen(action: Action, actor, *, version: int, reason: str) -> None:
    check(action, version)
    if action.status not in FINISHED:
        raise Refused("Only a closed or not-doing action can be reopened.")
    if not (reason or "").strip():
        raise Refused("Say why the action is being reopened.", "comment")
    fields = ["status"] + (["not_doing_reason"] if action.not_doing_reason else [])
    action.not_doing_reason = None  # it no longer applies; the history keeps it
    _set_status(action, actor, IN_PROGRESS, NoteKind.REOPENED, reason)
    _save(action, fields, "action.reopen")


def request_extension(action: Action, actor, *, version: int, new_due: date, reason: str) -> Extension:
    check(action, version)
    if action.status in FINISHED or action.status == COMPLETED:
        raise Refused("Only an open or in-progress action can be given more time.", "new_due")
    if any(e.decision == ExtensionDecision.PENDING.value for e in action.extensions):
        raise Refused("An extension is already waiting for the working group's decision.", "new_due")
    if new_due <= action.due_on:
        raise Refused(f"Choose a date after the current due date ({action.due_on:%d %b %Y}).", "new_due")
    if not (reason or "").strip():
        raise Refused("Say why more time is needed.", "reason")
    ext = Extension(old_due=action.due_on, new_due=new_due, reason=reason.strip(),
                    requested_by_id=actor.id if actor else None)
    action.extensions.append(ext)
    _note(action, actor, NoteKind.EXTENSION, f"Asked for a new due date of {new_due:%d %b %Y}.")
    _save(action, ["extensions"], "action.extension_request")
    return ext


def decide_extension(action: Action, ext: Extension, actor, *, version: int, approve: bool, note: str) -> str:
    """Approve or refuse; returns how the owner was told (app.notices)."""
    check(action, version)
    if ext.decision != ExtensionDecision.PENDING.value:
        raise StaleEdit(action)  # someone decided it first: show the action as it is now
    if not approve and not (note or "").strip():
        raise Refused("Say why the extension is refused, so the owner knows.", "note")
    ext.decision = (ExtensionDecision.APPROVED if approve else ExtensionDecision.REFUSED).value
    ext.decided_by_id, ext.decided_at, ext.decision_note = actor.id, utcnow(), (note or "").strip() or None
    fields = ["extensions"]
    if approve:
        action.due_on = ext.new_due
        fields.append("due_on")
    _note(action, actor, NoteKind.EXTENSION,
          f"Extension to {ext.new_due:%d %b %Y} {'approved' if approve else 'refused'}."
          + (f" {ext.decision_note}" if ext.decision_note else ""))
    _save(action, fields, "action.extension_decision")
    return notices.extension_decided(action, approve, ext.old_due, ext.new_due)  # after the commit


DETAIL_FIELDS = ("what", "milestones", "owner_user_id", "owner_team_id", "accountable_lead", "department",
                 "priority", "scope")


def edit_details(action: Action, actor, *, version: int, data: dict) -> list[str]:
    """The review team's fields. A new due date needs a reason and goes into the extension history."""
    check(action, version)
    if data["due_on"] != action.due_on and not (data.get("due_reason") or "").strip():
        raise Refused("Say why the due date is changing; it is kept in the extension history.", "due_reason")
    changed = [k for k in DETAIL_FIELDS if getattr(action, k) != data[k]]
    for k in DETAIL_FIELDS:
        setattr(action, k, data[k])
    themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(data["theme_ids"] or [-1]))))
    if {t.id for t in action.themes} != {t.id for t in themes}:
        action.themes = themes
        changed.append("themes")
    if data["due_on"] != action.due_on:
        action.extensions.append(Extension(old_due=action.due_on, new_due=data["due_on"],
                                           reason=data["due_reason"].strip(), requested_by_id=actor.id,
                                           decision=ExtensionDecision.APPROVED.value, decided_by_id=actor.id,
                                           decided_at=utcnow(), decision_note="Changed by the review team."))
        action.due_on = data["due_on"]
        changed.append("due_on")
    if changed:
        _note(action, actor, NoteKind.EDITED, "Changed: " + ", ".join(f.replace("_id", "").replace("_", " ")
                                                                        for f in changed) + ".")
        _save(action, changed, "action.edit")
    return changed


FOLLOW_UP_FIELDS = ("review_on", "review_result", "sent_to", "sent_on", "response")


def follow_up(action: Action, actor, *, version: int, data: dict) -> list[str]:
    """Effectiveness review, and for partner or national actions where it was sent and the reply."""
    check(action, version)
    changed = [k for k in FOLLOW_UP_FIELDS if getattr(action, k) != data[k]]
    if changed:
        for k in FOLLOW_UP_FIELDS:
            setattr(action, k, data[k])
        _note(action, actor, NoteKind.FOLLOW_UP, "Recorded: " + ", ".join(f.replace("_", " ") for f in changed) + ".")
        _save(action, changed, "action.follow_up")
    return changed


# Who can be given an action: people who do the work. Administrators and auditors run and check the
# system; they are never offered as owners.
OWNER_ROLES = (Role.REVIEWER, Role.MEMBER, Role.PARTNER, Role.WORKING_GROUP, Role.BOARD)


def possible_owners() -> list[User]:
    from app.models import UserRole

    return list(db.session.scalars(
        select(User).where(User.active, User.role_rows.any(UserRole.role.in_([r.value for r in OWNER_ROLES])))
        .order_by(User.full_name)))


def active_teams() -> list[Team]:
    return list(db.session.scalars(select(Team).where(Team.active).order_by(Team.name)))
