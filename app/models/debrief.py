"""Debriefs: the referral, its eligibility decision, its stage and its history."""
from __future__ import annotations

import enum
from datetime import date, datetime, time

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry the words users see."""

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class Stage(LabelledEnum):
    REFERRED = "referred", "Referred"
    SCOPING = "scoping", "Scoping"
    CHRONOLOGY = "chronology", "Chronology"
    DEBRIEF = "debrief", "Debrief"
    LEARNING = "learning", "Learning & actions"
    MONITORING = "monitoring", "Monitoring"
    CLOSED = "closed", "Closed"
    NOT_PROGRESSED = "not_progressed", "Not progressed"

    @property
    def order(self) -> int:
        return STAGE_ORDER.index(self)

    @property
    def on_main_flow(self) -> bool:
        return self is not Stage.NOT_PROGRESSED

    @property
    def is_final(self) -> bool:
        return self in (Stage.CLOSED, Stage.NOT_PROGRESSED)


# The main flow, left to right on the board; Not progressed sits off it.
STAGE_ORDER = [Stage.REFERRED, Stage.SCOPING, Stage.CHRONOLOGY, Stage.DEBRIEF, Stage.LEARNING,
               Stage.MONITORING, Stage.CLOSED, Stage.NOT_PROGRESSED]
# Stages before the debrief meeting: the timeliness clock is still running.
BEFORE_MEETING = (Stage.REFERRED, Stage.SCOPING, Stage.CHRONOLOGY, Stage.DEBRIEF)


class Category(LabelledEnum):
    HOMICIDE = "homicide", "Homicide"
    NEAR_MISS = "near_miss", "Near miss"


class Context(LabelledEnum):
    DOMESTIC = "domestic", "Domestic"
    NON_DOMESTIC = "non_domestic", "Non-domestic"


class SubType(LabelledEnum):
    INTIMATE_PARTNER = "intimate_partner", "Intimate partner"
    FAMILIAL = "familial", "Familial"
    KNIFE = "knife", "Knife"
    YOUTH = "youth", "Youth"
    DRUG_RELATED = "drug_related", "Drug-related"
    STRANGER = "stranger", "Stranger"
    OTHER = "other", "Other"


SUBTYPES_BY_CONTEXT = {
    Context.DOMESTIC: (SubType.INTIMATE_PARTNER, SubType.FAMILIAL),
    Context.NON_DOMESTIC: (SubType.KNIFE, SubType.YOUTH, SubType.DRUG_RELATED, SubType.STRANGER, SubType.OTHER),
}


class Offence(LabelledEnum):
    MURDER = "murder", "Murder"
    MANSLAUGHTER = "manslaughter", "Manslaughter"
    ATTEMPTED_MURDER = "attempted_murder", "Attempted murder"
    S18_GBH = "s18_gbh", "s.18 GBH"
    OTHER = "other", "Other"


class Decision(LabelledEnum):
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


def _check_in(column: str, enum_cls) -> sa.CheckConstraint:
    values = ",".join(f"'{m.value}'" for m in enum_cls)
    return sa.CheckConstraint(f"{column} IN ({values})", name=f"known_{column}")


class Debrief(db.Model):
    __tablename__ = "debrief"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    reference: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    stage: so.Mapped[str] = so.mapped_column(sa.String(20), index=True, default=Stage.REFERRED.value)
    stage_changed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # Referral, captured at the daily management meeting.
    dmm_date: so.Mapped[date] = so.mapped_column(sa.Date)
    incident_date: so.Mapped[date] = so.mapped_column(sa.Date, index=True)
    incident_time: so.Mapped[time | None] = so.mapped_column(sa.Time)
    occurrence_ref: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    category: so.Mapped[str] = so.mapped_column(sa.String(20), index=True)
    context: so.Mapped[str] = so.mapped_column(sa.String(20), index=True)
    subtype: so.Mapped[str] = so.mapped_column(sa.String(20))
    offence: so.Mapped[str] = so.mapped_column(sa.String(20))
    weapon: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    policing_area: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    summary: so.Mapped[str | None] = so.mapped_column(sa.Text)
    referred_by: so.Mapped[str] = so.mapped_column(sa.String(120))
    lead_reviewer_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    # The eligibility decision.
    decision: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    decision_rationale: so.Mapped[str | None] = so.mapped_column(sa.Text)
    decided_by: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    decided_on: so.Mapped[date | None] = so.mapped_column(sa.Date)

    # Pseudonym letters handed out so far, so a removed subject's letter is never reused.
    pseudonyms_used: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, index=True)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    lead_reviewer = so.relationship("User", foreign_keys=[lead_reviewer_id])
    created_by = so.relationship("User", foreign_keys=[created_by_id])
    history: so.Mapped[list[StageChange]] = so.relationship(
        back_populates="debrief", order_by="StageChange.id", cascade="all, delete-orphan")
    participants: so.Mapped[list[DebriefParticipant]] = so.relationship(
        back_populates="debrief", cascade="all, delete-orphan")
    subjects = so.relationship("Subject", order_by="Subject.pseudonym_index", cascade="all, delete-orphan",
                               passive_deletes=True)
    parameters = so.relationship("Parameters", uselist=False, cascade="all, delete-orphan", passive_deletes=True)
    parallel_reviews = so.relationship("ParallelReview", cascade="all, delete-orphan", passive_deletes=True)
    meeting = so.relationship("Meeting", uselist=False, cascade="all, delete-orphan", passive_deletes=True)
    learning_points = so.relationship("LearningPoint", order_by="LearningPoint.number", cascade="all, delete-orphan",
                                      passive_deletes=True)
    actions = so.relationship("Action", order_by="Action.number", cascade="all, delete-orphan", passive_deletes=True)
    documents = so.relationship("LearningDocument", order_by="LearningDocument.number", cascade="all, delete-orphan",
                                passive_deletes=True)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        _check_in("stage", Stage), _check_in("category", Category), _check_in("context", Context),
        _check_in("subtype", SubType), _check_in("offence", Offence),
        sa.CheckConstraint("decision IS NULL OR decision IN ('accepted','declined')", name="known_decision"),
    )

    @property
    def stage_enum(self) -> Stage:
        return Stage(self.stage)

    def __repr__(self) -> str:
        return f"<Debrief {self.reference} {self.stage}>"


class StageChange(db.Model):
    """One move of a debrief between stages: who, when, from, to, and why when it needed saying."""

    __tablename__ = "stage_change"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), index=True)
    from_stage: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    to_stage: so.Mapped[str] = so.mapped_column(sa.String(20))
    changed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Names of the gates a reviewer overrode for this move, comma-separated.
    overridden: so.Mapped[str | None] = so.mapped_column(sa.String(400))

    debrief: so.Mapped[Debrief] = so.relationship(back_populates="history")
    changed_by = so.relationship("User")

    @property
    def is_backward(self) -> bool:
        if self.from_stage is None:
            return False
        a, b = Stage(self.from_stage), Stage(self.to_stage)
        return a.on_main_flow and b.on_main_flow and b.order < a.order


class DebriefParticipant(db.Model):
    """A member or partner who takes part in a debrief, and so may see it."""

    __tablename__ = "debrief_participant"

    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"),
                                                  primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), primary_key=True, index=True)
    added_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    added_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))

    debrief: so.Mapped[Debrief] = so.relationship(back_populates="participants")
    user = so.relationship("User", foreign_keys=[user_id], lazy="joined")


class ReferenceCounter(db.Model):
    """The last sequence number used for debrief references in a year (HPD-<year>-<seq>)."""

    __tablename__ = "reference_counter"

    year: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    last: so.Mapped[int] = so.mapped_column(default=0)
