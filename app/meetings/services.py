"""The debrief meeting. Each function owns its transaction and its audit rows."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit, mail
from app.extensions import db
from app.versioning import StaleEdit, apply_edit
from app.meetings.calendar import ics
from app.models import (
    Attendance,
    Contribution,
    Debrief,
    DebriefParticipant,
    Finding,
    Invitee,
    Meeting,
    Role,
    User,
    utcnow,
)

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


def record_attendance(meeting: Meeting, values: dict[int, str], acks: set[int], actor: User | None = None) -> list[str]:
    """Attendance for each invitee, and which partners acknowledged the confidentiality terms. An acknowledgement
    ticked here is recorded as made by `actor` (the reviewer) on the partner's behalf."""
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
            invitee.confidentiality_ack_by_id = actor.id if acked and actor else None
            changed.append("confidentiality_ack_at")
            audit.alteration("invitee", invitee.id, ["confidentiality_ack_at", "confidentiality_ack_by_id"],
                             action="meeting.acknowledge_on_behalf" if acked else "meeting.acknowledge_withdrawn")
    if changed:
        audit.alteration("debrief", meeting.debrief_id, sorted(set(changed)), action="meeting.attendance")
        db.session.commit()
    return changed


def acknowledge(invitee: Invitee, by: User | None = None) -> None:
    """A partner confirms the confidentiality terms of the meeting: for themselves (`by` is None or the partner),
    or a reviewer records it on their behalf (`by` the reviewer). Who and when are kept."""
    if invitee.confidentiality_ack_at is None:
        invitee.confidentiality_ack_at = utcnow()
        invitee.confidentiality_ack_by_id = by.id if by is not None else invitee.user_id
        on_behalf = by is not None and by.id != invitee.user_id
        audit.alteration("invitee", invitee.id, ["confidentiality_ack_at", "confidentiality_ack_by_id"],
                         action="meeting.acknowledge_on_behalf" if on_behalf else "meeting.acknowledge")
        db.session.commit()


def invitation_of(debrief: Debrief, user: User) -> Invitee | None:
    meeting = debrief.meeting
    if meeting is None:
        return None
    return next((i for i in meeting.invitees if i.user_id == user.id), None)


# ---- taking someone off the meeting -------------------------------------------------

@dataclass
class Removed:
    name: str
    emailed: bool | None  # None: no email was due (no address, no email server, or the meeting is over)
    access_removed: bool


def remove_invitee(invitee: Invitee, reference: str) -> Removed:
    """Take one person off the meeting. Their calendar gets a cancellation of its own (same UID, a higher
    SEQUENCE, only them as attendee) when they have an address and email is set up; an account that could see
    the debrief only because of the invitation loses that access. The removal stands even if the email server
    cannot be reached (the caller says so): keeping someone on to protect an email would keep their access."""
    meeting = invitee.meeting
    debrief_id = meeting.debrief_id
    name, invitee_id = invitee.name, invitee.id
    already_told = meeting.cancelled_at is not None and invitee.last_sent_sequence == meeting.sequence
    email_due = bool(invitee.email and mail.configured() and not already_told and meeting.starts_at > utcnow())
    message = None
    if email_due:
        # The meeting's SEQUENCE rises, so a later invitation to this person supersedes the cancellation; the
        # others' copies are unchanged, so theirs stay current rather than being sent again.
        previous = meeting.sequence
        meeting.sequence += 1
        for other in meeting.invitees:
            if other.id != invitee.id and other.last_sent_sequence == previous:
                other.last_sent_sequence = meeting.sequence
        message = mail.build(invitee.email, f"Debrief meeting {reference}: cancelled for you",
                             f"You have been taken off the debrief meeting for {reference}. The attached "
                             f"cancellation removes it from your calendar.", [
                                 (f"{reference}-debrief-meeting.ics", "text/calendar; method=CANCEL; charset=utf-8",
                                  ics(meeting, reference, invitee, cancel_for_invitee=True))],
                             debrief_id=debrief_id)
    access_removed = False
    if invitee.user_id is not None:
        row = db.session.get(DebriefParticipant, (debrief_id, invitee.user_id))
        # Rows the invitation made carry no `added_by`; a debrief shared with the person by a reviewer does.
        if row is not None and row.added_by_id is None:
            db.session.delete(row)
            access_removed = True
            audit.alteration("debrief", debrief_id, ["participants"], action="meeting.uninvite_access")
    audit.erasure("invitee", invitee_id, ["name", "agency", "email", "attendance", "confidentiality_ack_at"],
                  action="meeting.remove_invitee")
    meeting.invitees.remove(invitee)
    db.session.commit()
    emailed = None
    if message is not None:
        try:
            mail.send([message])
        except OSError:
            current_app.logger.warning("meeting %s: the cancellation for a removed invitee was not sent", meeting.id)
            emailed = False
        else:
            emailed = True
            audit.disclosure("invitee", invitee_id, recipient=f"invitee {invitee_id}", action="meeting.email_cancel")
            db.session.commit()
    return Removed(name=name, emailed=emailed, access_removed=access_removed)


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


# ---- agencies' contributions and the findings per key question ---------------------------------

class MeetingHeld(Exception):
    """Contributions are sent before the meeting; once it has been held they are closed."""


CONTRIBUTIONS_CLOSED = ("The meeting has been held, so contributions are closed. Send anything further to the "
                        "review team.")


def contributions_open(meeting: Meeting) -> bool:
    return meeting.starts_at > utcnow()


def key_questions(debrief: Debrief) -> list[str]:
    return debrief.parameters.questions if debrief.parameters else []


def contributions(meeting: Meeting, author_id: int | None = None) -> list[Contribution]:
    """The meeting's contributions (one author's, if given), by question and in the order they came."""
    stmt = select(Contribution).where(Contribution.meeting_id == meeting.id)
    if author_id is not None:
        stmt = stmt.where(Contribution.author_id == author_id)
    return list(db.session.scalars(stmt.order_by(Contribution.position, Contribution.submitted_at, Contribution.id)))


def findings(debrief_id: int) -> dict[int, Finding]:
    return {f.position: f for f in db.session.scalars(select(Finding).where(Finding.debrief_id == debrief_id))}


def open_contribution(meeting: Meeting, author_id: int, position: int) -> Contribution | None:
    """The author's contribution to one question that is not folded yet: the one they may still edit."""
    return db.session.scalar(select(Contribution).where(
        Contribution.meeting_id == meeting.id, Contribution.author_id == author_id, Contribution.position == position,
        Contribution.folded_at.is_(None)).order_by(Contribution.id.desc()).limit(1))


def save_contribution(meeting: Meeting, invitee: Invitee, author: User, position: int, question: str, text: str,
                      version: int) -> Contribution:
    """Send or change the author's contribution to one key question; version 0 means a new one. Refused once the
    meeting has been held, and (StaleEdit) when what the author saw has changed or been folded meanwhile."""
    if not contributions_open(meeting):
        raise MeetingHeld(CONTRIBUTIONS_CLOSED)
    current = open_contribution(meeting, author.id, position)
    agency = invitee.agency or (author.agency.name if author.agency else "Force")
    record, changed = apply_edit(current, lambda: Contribution(
        meeting_id=meeting.id, author_id=author.id, agency=agency, position=position, question=question,
        version=1), ("text",), {"text": text}, version)
    if changed:
        record.submitted_at = utcnow()
        db.session.flush()
        (audit.collection if version == 0 else audit.alteration)("contribution", record.id, changed,
                                                                 action="meeting.contribute")
        db.session.commit()
    return record


def fold(contribution: Contribution, actor: User, question: str, version: int) -> Finding:
    """Add a contribution to the finding for its question (created with the question's text if there is none)
    and mark it folded, by whom and when. StaleEdit if it changed, or was folded, since the reviewer loaded it."""
    if contribution.folded_at is not None or contribution.version != version:
        raise StaleEdit(contribution)
    finding = db.session.scalar(select(Finding).where(Finding.debrief_id == contribution_debrief(contribution),
                                                      Finding.position == contribution.position))
    addition = f"{contribution.agency}: {contribution.text.strip()}"
    if finding is None:
        finding = Finding(debrief_id=contribution_debrief(contribution), position=contribution.position,
                          question=question, text=addition, version=1)
        db.session.add(finding)
    else:
        finding.text = f"{finding.text.rstrip()}\n\n{addition}" if (finding.text or "").strip() else addition
        finding.question = question
        finding.version += 1
    contribution.folded_at = utcnow()
    contribution.folded_by_id = actor.id
    contribution.version += 1
    try:
        db.session.flush()
    except IntegrityError:  # another reviewer created the finding at the same moment
        db.session.rollback()
        raise StaleEdit(None) from None
    audit.alteration("finding", finding.id, ["text"], action="meeting.fold")
    audit.alteration("contribution", contribution.id, ["folded_at", "folded_by_id"], action="meeting.fold")
    db.session.commit()
    return finding


def contribution_debrief(contribution: Contribution) -> int:
    return db.session.scalar(select(Meeting.debrief_id).where(Meeting.id == contribution.meeting_id))


def save_finding(debrief: Debrief, position: int, question: str, text: str | None, version: int) -> list[str]:
    """The review's finding against one key question; version 0 means none written yet."""
    finding = db.session.scalar(select(Finding).where(Finding.debrief_id == debrief.id, Finding.position == position))
    finding, changed = apply_edit(finding, lambda: Finding(debrief_id=debrief.id, position=position, question=question,
                                                           version=1), ("text",), {"text": text}, version)
    if changed:
        finding.question = question
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            raise StaleEdit(None) from None
        audit.alteration("finding", finding.id, changed, action="meeting.finding")
        db.session.commit()
    return changed
