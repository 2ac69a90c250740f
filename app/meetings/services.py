"""The debrief meeting. Each function owns its transaction and its audit rows."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app import audit, mail
from app.extensions import db
from app.versioning import StaleEdit, apply_edit
from app.meetings.calendar import ics
from app.models import Attendance, Debrief, DebriefParticipant, Invitee, Meeting, Role, User, utcnow

MEETING_FIELDS = ("starts_at", "duration_minutes", "venue", "online_link", "chair", "note_taker")
# Changes that invitees' calendars must follow.
CALENDAR_FIELDS = ("starts_at", "duration_minutes", "venue", "online_link")




class IopcHold(Exception):
    """The IOPC's agreement is not recorded: the meeting may not be scheduled, announced or held."""

    def __init__(self):
        super().__init__(IOPC_HOLD)


IOPC_HOLD = ("An IOPC referral or post-incident procedure applies and the IOPC's agreement to the timing and "
             "parameters of this debrief is not recorded (Parallel reviews on the debrief page). Until it is, the "
             "meeting cannot be scheduled, invitations cannot be sent and attendance cannot be recorded. This "
             "cannot be overridden.")


def iopc_hold(debrief: Debrief) -> bool:
    """True while an active IOPC review without recorded agreement stops the meeting, whenever it was flagged."""
    from app.scoping.services import iopc_missing

    return bool(iopc_missing(debrief))


def _refuse_under_iopc_hold(debrief: Debrief) -> None:
    if iopc_hold(debrief):
        audit.security("meeting.iopc_refused", object_type="debrief", object_id=debrief.id)
        db.session.commit()
        raise IopcHold()


def schedule(debrief: Debrief, data: dict, version: int) -> list[str]:
    _refuse_under_iopc_hold(debrief)
    meeting = debrief.meeting
    if meeting is None:
        if version != 0:
            raise StaleEdit(None)
        meeting = Meeting(debrief_id=debrief.id, **{k: data[k] for k in MEETING_FIELDS})
        db.session.add(meeting)
        changed = list(MEETING_FIELDS)
    else:
        if meeting.version != version:
            raise StaleEdit(meeting)
        changed = [k for k in MEETING_FIELDS if getattr(meeting, k) != data[k]]
        if not changed and meeting.cancelled_at is None:
            return []
        for k in changed:
            setattr(meeting, k, data[k])
        if any(k in CALENDAR_FIELDS for k in changed) or meeting.cancelled_at is not None:
            meeting.sequence += 1
        meeting.cancelled_at = None
        meeting.version += 1
    db.session.flush()
    audit.alteration("debrief", debrief.id, [f"meeting_{k}" for k in changed] or ["meeting_cancelled_at"],
                     action="meeting.schedule")
    db.session.commit()
    return changed


def cancel(meeting: Meeting) -> None:
    meeting.cancelled_at = utcnow()
    meeting.sequence += 1
    meeting.version += 1
    audit.alteration("debrief", meeting.debrief_id, ["meeting_cancelled_at"], action="meeting.cancel")
    db.session.commit()


def invite_user(meeting: Meeting, user: User) -> Invitee:
    """Invite someone who signs in; members and partners can then see the debrief."""
    existing = db.session.scalar(select(Invitee).where(Invitee.meeting_id == meeting.id, Invitee.user_id == user.id))
    if existing:
        return existing
    invitee = Invitee(meeting_id=meeting.id, user_id=user.id, name=user.full_name,
                      agency=user.agency.name if user.agency else None, email=user.email,
                      is_partner=user.has_role(Role.PARTNER))
    db.session.add(invitee)
    if user.has_role(Role.MEMBER, Role.PARTNER) and not user.has_role(Role.REVIEWER) and \
            db.session.get(DebriefParticipant, (meeting.debrief_id, user.id)) is None:
        db.session.add(DebriefParticipant(debrief_id=meeting.debrief_id, user_id=user.id))
    db.session.flush()
    audit.disclosure("debrief", meeting.debrief_id, recipient=f"user_account {user.id}", action="meeting.invite")
    db.session.commit()
    return invitee


def invite_external(meeting: Meeting, *, name: str, agency: str, email: str | None) -> Invitee:
    invitee = Invitee(meeting_id=meeting.id, name=name.strip(), agency=agency.strip(), email=(email or "").strip()
                      or None, is_partner=True)
    db.session.add(invitee)
    db.session.flush()
    audit.collection("invitee", invitee.id, ["name", "agency"] + (["email"] if invitee.email else []),
                     action="meeting.invite_external")
    db.session.commit()
    return invitee


def record_attendance(meeting: Meeting, values: dict[int, str], acks: set[int]) -> list[str]:
    """Attendance for each invitee, and which partners acknowledged the confidentiality terms."""
    _refuse_under_iopc_hold(db.session.get(Debrief, meeting.debrief_id))
    changed = []
    for invitee in meeting.invitees:
        value = values.get(invitee.id)
        if value and value != invitee.attendance:
            invitee.attendance = Attendance(value).value
            changed.append("attendance")
        acked = invitee.id in acks
        if invitee.is_partner and acked != (invitee.confidentiality_ack_at is not None):
            invitee.confidentiality_ack_at = utcnow() if acked else None
            changed.append("confidentiality_ack_at")
    if changed:
        audit.alteration("debrief", meeting.debrief_id, sorted(set(changed)), action="meeting.attendance")
        db.session.commit()
    return changed


def acknowledge(invitee: Invitee) -> None:
    """A partner confirms, for themselves, the confidentiality terms of the meeting."""
    if invitee.confidentiality_ack_at is None:
        invitee.confidentiality_ack_at = utcnow()
        audit.alteration("invitee", invitee.id, ["confidentiality_ack_at"], action="meeting.acknowledge")
        db.session.commit()


def send_invitations(meeting: Meeting, reference: str) -> int:
    """Email each invitee with an address the current version of the invitation, once."""
    messages, sent_to = [], []
    cancelled = meeting.cancelled_at is not None
    if not cancelled:  # a cancellation may always go out
        _refuse_under_iopc_hold(db.session.get(Debrief, meeting.debrief_id))
    for invitee in meeting.invitees:
        if not invitee.email or invitee.last_sent_sequence == meeting.sequence:
            continue
        verb = "cancelled" if cancelled else ("updated" if invitee.last_sent_sequence is not None else "invitation")
        subject = f"Debrief meeting {reference}: {verb}"
        body = (f"The debrief meeting for {reference} has been {'cancelled' if cancelled else 'arranged'}. "
                f"The calendar invitation is attached. Details: "
                f"{current_app.config['BASE_URL']}/debriefs/{meeting.debrief_id}")
        method = "CANCEL" if cancelled else "REQUEST"
        messages.append(mail.build(invitee.email, subject, body, [
            (f"{reference}-debrief-meeting.ics", f"text/calendar; method={method}; charset=utf-8",
             ics(meeting, reference, invitee))], debrief_id=meeting.debrief_id))
        sent_to.append(invitee)
    if not messages:
        return 0
    count = mail.send(messages)
    for invitee in sent_to:
        invitee.last_sent_sequence = meeting.sequence
        audit.disclosure("invitee", invitee.id, recipient=f"invitee {invitee.id}", action="meeting.email")
    db.session.commit()
    return count


def missing_for_gate(debrief: Debrief) -> list[str]:
    """The Debrief gate: the meeting held and attendance recorded."""
    m = debrief.meeting
    if m is None or m.cancelled_at is not None:
        return ["a debrief meeting (schedule it, then record who attended)"]
    missing = []
    if m.starts_at > utcnow():
        missing.append("the meeting to have taken place")
    if not m.invitees or any(i.attendance == Attendance.INVITED.value for i in m.invitees):
        missing.append("attendance recorded for every invitee")
    elif not any(i.attendance == Attendance.ATTENDED.value for i in m.invitees):
        missing.append("at least one attendee")
    if any(i.is_partner and i.attendance == Attendance.ATTENDED.value and i.confidentiality_ack_at is None
           for i in m.invitees):
        missing.append("confidentiality acknowledged by every partner who attended")
    return missing


NOTE_FIELDS = ("expected", "happened", "why_different", "learned")


def save_note(meeting: Meeting, entry_id: int, data: dict, version: int) -> list[str]:
    """Save the notes on one key issue; version 0 means no notes yet."""
    from app.models import MeetingNote

    note = db.session.scalar(select(MeetingNote).where(MeetingNote.meeting_id == meeting.id,
                                                       MeetingNote.entry_id == entry_id))
    note, changed = apply_edit(note, lambda: MeetingNote(meeting_id=meeting.id, entry_id=entry_id, version=1),
                               NOTE_FIELDS, data, version)
    if changed:
        db.session.flush()
        audit.alteration("meeting_note", note.id, changed)
        db.session.commit()
    return changed
