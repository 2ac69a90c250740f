"""The debrief meeting: when and where, who is invited, who came."""
from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.debrief import LabelledEnum, _check_in
from app.models.types import UTCDateTime, utcnow


class Attendance(LabelledEnum):
    INVITED = "invited", "Invited"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


def new_uid() -> str:
    return f"{secrets.token_hex(16)}@hpd-debriefs"


class Meeting(db.Model):
    __tablename__ = "meeting"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), unique=True)
    starts_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    duration_minutes: so.Mapped[int] = so.mapped_column(default=120)
    venue: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    online_link: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    chair: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    note_taker: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    # Calendar identity: the UID never changes; SEQUENCE rises with every change invitees must see.
    uid: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True, default=new_uid)
    sequence: so.Mapped[int] = so.mapped_column(default=0)
    cancelled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    invitees: so.Mapped[list[Invitee]] = so.relationship(back_populates="meeting", cascade="all, delete-orphan",
                                                         order_by="Invitee.id")
    notes = so.relationship("MeetingNote", cascade="all, delete-orphan", passive_deletes=True)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class Invitee(db.Model):
    """A person invited to the meeting: a user of the system, or someone from outside it."""

    __tablename__ = "invitee"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    agency: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    is_partner: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    attendance: so.Mapped[str] = so.mapped_column(sa.String(12), default=Attendance.INVITED.value)
    confidentiality_ack_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # Who recorded the acknowledgement: the invitee themselves, or a reviewer on their behalf.
    confidentiality_ack_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    invited_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    last_sent_sequence: so.Mapped[int | None] = so.mapped_column()

    meeting: so.Mapped[Meeting] = so.relationship(back_populates="invitees")
    user = so.relationship("User", foreign_keys=[user_id])
    confidentiality_ack_by = so.relationship("User", foreign_keys=[confidentiality_ack_by_id])

    __table_args__ = (
        _check_in("attendance", Attendance),
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_invitee_user"),
    )


class MeetingNote(db.Model):
    """Notes on one key issue in the After Action Review shape. Deliberately carries no author:
    notes are non-attributable (who changed them is in the audit log, not here)."""

    __tablename__ = "meeting_note"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    entry_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("chronology_entry.id", ondelete="CASCADE"))
    expected: so.Mapped[str | None] = so.mapped_column(sa.Text)
    happened: so.Mapped[str | None] = so.mapped_column(sa.Text)
    why_different: so.Mapped[str | None] = so.mapped_column(sa.Text)
    learned: so.Mapped[str | None] = so.mapped_column(sa.Text)
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (sa.UniqueConstraint("meeting_id", "entry_id", name="uq_meeting_note_entry"),)


class Finding(db.Model):
    """The review's finding against one key question of the terms of reference (by its position and the
    question's text when written), which the document of learning and actions reports."""

    __tablename__ = "finding"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column()
    question: so.Mapped[str] = so.mapped_column(sa.Text)
    text: so.Mapped[str | None] = so.mapped_column(sa.Text)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (sa.UniqueConstraint("debrief_id", "position", name="uq_finding_position"),)


class Contribution(db.Model):
    """An agency's contribution to one key question, sent by a partner or member before the meeting and
    folded into the findings by a reviewer."""

    __tablename__ = "contribution"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    agency: so.Mapped[str] = so.mapped_column(sa.String(120))
    position: so.Mapped[int] = so.mapped_column()
    question: so.Mapped[str] = so.mapped_column(sa.Text)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    submitted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    folded_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    folded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    author = so.relationship("User", foreign_keys=[author_id])
    folded_by = so.relationship("User", foreign_keys=[folded_by_id])

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
