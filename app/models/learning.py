"""Learning from a debrief: learning points, their themes and evidence, actions, and issued documents."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.debrief import LabelledEnum, _check_in
from app.models.types import UTCDateTime, utcnow


class Theme(db.Model):
    """A theme from the configurable list the board tracks over time."""

    __tablename__ = "theme"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())


class LearningKind(LabelledEnum):
    IMPROVEMENT = "improvement", "Area for improvement"
    GOOD_PRACTICE = "good_practice", "Good practice"


class Repeat(LabelledEnum):
    NEW = "new", "New"
    REPEAT_OPEN = "repeat_open", "Repeat: earlier action still open"
    REPEAT_FAILED = "repeat_failed", "Repeat: earlier action did not work"


learning_theme = sa.Table(
    "learning_theme", db.metadata,
    sa.Column("learning_id", sa.ForeignKey("learning_point.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("theme.id"), primary_key=True, index=True),
)
learning_evidence = sa.Table(
    "learning_evidence", db.metadata,
    sa.Column("learning_id", sa.ForeignKey("learning_point.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("entry_id", sa.ForeignKey("chronology_entry.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class LearningPoint(db.Model):
    __tablename__ = "learning_point"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int] = so.mapped_column()
    statement: so.Mapped[str] = so.mapped_column(sa.Text)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    repeat: so.Mapped[str] = so.mapped_column(sa.String(16), default=Repeat.NEW.value)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, index=True)
    # A repeat points at the exact earlier learning it repeats: one of ours, or one from another force.
    repeats_point_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("learning_point.id", ondelete="SET NULL"), index=True)
    repeats_exchange_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("exchange_learning.id", ondelete="SET NULL"), index=True)
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    themes = so.relationship("Theme", secondary=learning_theme, order_by="Theme.name", lazy="selectin")
    repeats_point = so.relationship("LearningPoint", remote_side="LearningPoint.id", foreign_keys=[repeats_point_id])
    repeats_exchange = so.relationship("ExchangeLearning", foreign_keys=[repeats_exchange_id])
    evidence = so.relationship("ChronologyEntry", secondary=learning_evidence, backref="learning_points",
                               order_by="ChronologyEntry.entry_date")
    actions = so.relationship("Action", back_populates="learning_point", order_by="Action.id")
    debrief = so.relationship("Debrief", viewonly=True)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        sa.UniqueConstraint("debrief_id", "number", name="uq_learning_point_number"),
        _check_in("kind", LearningKind), _check_in("repeat", Repeat),
    )

    @property
    def label(self) -> str:
        return f"L{self.number}"


class Priority(LabelledEnum):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Scope(LabelledEnum):
    INDIVIDUAL = "individual", "Individual"
    TEAM = "team", "Team"
    DEPARTMENT = "department", "Department"
    FORCE = "force", "Force-wide"
    PARTNER = "partner", "Partner agency"
    REGIONAL = "regional", "Regional"
    NATIONAL = "national", "National"


class ActionStatus(LabelledEnum):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed, awaiting sign-off"
    CLOSED = "closed", "Closed"
    NOT_DOING = "not_doing", "Not doing"


class Team(db.Model):
    """A team or agency that owns actions without a login; its digest goes to its contact address."""

    __tablename__ = "team"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())


action_theme = sa.Table(
    "action_theme", db.metadata,
    sa.Column("action_id", sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("theme.id"), primary_key=True, index=True),
)


class Action(db.Model):
    """An action with its owner, due date and lifecycle (domain brief §4). "Overdue" is derived, never stored."""

    __tablename__ = "action"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), index=True)
    learning_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("learning_point.id", ondelete="SET NULL"))
    number: so.Mapped[int] = so.mapped_column()
    what: so.Mapped[str] = so.mapped_column(sa.Text)
    milestones: so.Mapped[str | None] = so.mapped_column(sa.Text)
    owner_user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    owner_team_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("team.id"), index=True)
    accountable_lead: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    department: so.Mapped[str | None] = so.mapped_column(sa.String(120), index=True)
    due_on: so.Mapped[date] = so.mapped_column(sa.Date, index=True)
    priority: so.Mapped[str] = so.mapped_column(sa.String(8))
    scope: so.Mapped[str] = so.mapped_column(sa.String(12))
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default=ActionStatus.OPEN.value, index=True)
    raised_on: so.Mapped[date] = so.mapped_column(sa.Date, default=date.today)
    evidence: so.Mapped[str | None] = so.mapped_column(sa.Text)
    evidence_link: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    completed_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    closed_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    closed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    not_doing_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    review_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    review_result: so.Mapped[str | None] = so.mapped_column(sa.Text)
    sent_to: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    sent_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    response: so.Mapped[str | None] = so.mapped_column(sa.Text)
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    learning_point = so.relationship("LearningPoint", back_populates="actions")
    owner_user = so.relationship("User", foreign_keys=[owner_user_id])
    owner_team = so.relationship("Team")
    closed_by = so.relationship("User", foreign_keys=[closed_by_id])
    themes = so.relationship("Theme", secondary=action_theme, order_by="Theme.name")
    debrief_row = so.relationship("Debrief", viewonly=True)
    notes = so.relationship("ActionNote", order_by="ActionNote.id", cascade="all, delete-orphan",
                            back_populates="action")
    extensions = so.relationship("Extension", order_by="Extension.id", cascade="all, delete-orphan",
                                 back_populates="action")

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        sa.UniqueConstraint("debrief_id", "number", name="uq_action_number"),
        _check_in("priority", Priority), _check_in("scope", Scope), _check_in("status", ActionStatus),
        sa.CheckConstraint("(owner_user_id IS NULL) <> (owner_team_id IS NULL)", name="one_owner"),
        # Covers the dashboard's count by owner and department (migration 0013).
        sa.Index("ix_action_dashboard", "owner_user_id", "owner_team_id", "department", "status", "due_on",
                 "closed_on", "completed_on", "debrief_id"),
    )

    def reference(self, debrief_reference: str) -> str:
        return f"{debrief_reference}-A{self.number:02d}"

    @property
    def owner_label(self) -> str:
        return self.owner_user.full_name if self.owner_user else (self.owner_team.name if self.owner_team else "")


class NoteKind(LabelledEnum):
    """Each line of an action's history."""
    PROGRESS = "progress", "Progress update"
    STATUS = "status", "Status changed"
    EVIDENCE = "evidence", "Evidence recorded"
    COMPLETED = "completed", "Marked complete"
    SIGNED_OFF = "signed_off", "Signed off"
    SENT_BACK = "sent_back", "Sent back"
    NOT_DOING = "not_doing", "Not doing"
    REOPENED = "reopened", "Reopened"
    EDITED = "edited", "Details changed"
    FOLLOW_UP = "follow_up", "Follow-up recorded"
    EXTENSION = "extension", "Extension"


class ActionNote(db.Model):
    """One dated line of an action's history: a progress update, a status change, a sign-off or its comment."""

    __tablename__ = "action_note"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    action_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(12))
    on: so.Mapped[date] = so.mapped_column(sa.Date)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    text: so.Mapped[str | None] = so.mapped_column(sa.Text)
    from_status: so.Mapped[str | None] = so.mapped_column(sa.String(12))
    to_status: so.Mapped[str | None] = so.mapped_column(sa.String(12))

    action = so.relationship("Action", back_populates="notes")
    author = so.relationship("User")

    __table_args__ = (_check_in("kind", NoteKind),)


class ExtensionDecision(LabelledEnum):
    PENDING = "pending", "Awaiting decision"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class Extension(db.Model):
    """A request to move an action's due date, and the working group's decision on it."""

    __tablename__ = "action_extension"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    action_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), index=True)
    old_due: so.Mapped[date] = so.mapped_column(sa.Date)
    new_due: so.Mapped[date] = so.mapped_column(sa.Date)
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    requested_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    requested_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    decision: so.Mapped[str] = so.mapped_column(sa.String(10), default=ExtensionDecision.PENDING.value, index=True)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    decision_note: so.Mapped[str | None] = so.mapped_column(sa.Text)

    action = so.relationship("Action", back_populates="extensions")
    requested_by = so.relationship("User", foreign_keys=[requested_by_id])
    decided_by = so.relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (_check_in("decision", ExtensionDecision),)


class ReminderSent(db.Model):
    """One digest to one address for one period. The unique key is what stops a second run, or a second
    server, sending it again: a sender claims the row before sending and gives it back if sending fails."""

    __tablename__ = "reminder_sent"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    recipient: so.Mapped[str] = so.mapped_column(sa.String(254))
    period: so.Mapped[str] = so.mapped_column(sa.String(10))
    claimed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    actions: so.Mapped[int] = so.mapped_column(default=0)

    __table_args__ = (sa.UniqueConstraint("kind", "recipient", "period", name="uq_reminder_once"),)


class LearningDocument(db.Model):
    """An issued version of the document of learning and actions, frozen as it was issued."""

    __tablename__ = "learning_document"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int] = so.mapped_column()
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    internal_docx: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    shared_docx: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    internal_html: so.Mapped[str] = so.mapped_column(sa.Text)
    shared_html: so.Mapped[str] = so.mapped_column(sa.Text)
    dissemination_plan: so.Mapped[str] = so.mapped_column(sa.Text)
    # What the cover names, typed when issuing (documents issued before these existed leave them empty).
    summary: so.Mapped[str | None] = so.mapped_column(sa.Text)
    approved_by: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    distribution: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # The 7-minute briefing frozen with this version: always the shared content.
    briefing_html: so.Mapped[str | None] = so.mapped_column(sa.Text)
    briefing_docx: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)
    briefing_parts: so.Mapped[str | None] = so.mapped_column(sa.Text)  # JSON: the same, for the board pack

    issued_by = so.relationship("User")
    disseminations = so.relationship("Dissemination", order_by="Dissemination.on", cascade="all, delete-orphan")

    __table_args__ = (sa.UniqueConstraint("debrief_id", "number", name="uq_learning_document_number"),)


class DisseminationMethod(LabelledEnum):
    BRIEFING = "briefing", "Briefing (e.g. 7-minute briefing)"
    TRAINING = "training", "Training input"
    INTRANET = "intranet", "Intranet article"
    CASCADE = "cascade", "Supervisor cascade"
    PARTNER_BOARD = "partner_board", "Partner board"
    OTHER = "other", "Other"


class Dissemination(db.Model):
    __tablename__ = "dissemination"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("learning_document.id", ondelete="CASCADE"),
                                                   index=True)
    method: so.Mapped[str] = so.mapped_column(sa.String(16))
    audience: so.Mapped[str] = so.mapped_column(sa.String(200))
    on: so.Mapped[date] = so.mapped_column(sa.Date)
    by: so.Mapped[str] = so.mapped_column(sa.String(120))

    __table_args__ = (_check_in("method", DisseminationMethod),)
