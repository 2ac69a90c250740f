"""Records management: each debrief's retention category and review date, the review decisions, legal holds,
and disposal (proposed by one person, confirmed by another)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.debrief import LabelledEnum, _check_in
from app.models.types import UTCDateTime, utcnow


class HoldReason(LabelledEnum):
    TRIAL = "trial", "Criminal proceedings (trial or appeal)"
    INQUEST = "inquest", "Inquest"
    STATUTORY_REVIEW = "statutory_review", "Statutory review pending (DARDR, SAR, child safeguarding, OWHR)"
    OTHER = "other", "Other"


class ReviewDecision(LabelledEnum):
    RETAIN = "retain", "Retain"
    DISPOSE = "dispose", "Dispose"


class RetentionCategory(db.Model):
    """A group of records with the same review period (a force's retention schedule, MoPI groups)."""

    __tablename__ = "retention_category"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    description: so.Mapped[str | None] = so.mapped_column(sa.Text)
    review_years: so.Mapped[int] = so.mapped_column()
    # Given to new debriefs of this kind: "homicide", "near_miss", or "declined" (a referral not progressed).
    default_for: so.Mapped[str | None] = so.mapped_column(sa.String(20), unique=True)
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())


class Retention(db.Model):
    """One debrief's place in the schedule. Kept apart from the debrief, so a retention decision never
    conflicts with someone editing the referral."""

    __tablename__ = "retention"

    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), primary_key=True)
    category_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("retention_category.id"), index=True)
    review_on: so.Mapped[date] = so.mapped_column(sa.Date, index=True)
    disposed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    category = so.relationship(RetentionCategory, lazy="joined")
    debrief = so.relationship("Debrief", backref=so.backref("retention", uselist=False, passive_deletes=True))

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class RetentionReview(db.Model):
    __tablename__ = "retention_review"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), index=True)
    reviewed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    reviewer_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    decision: so.Mapped[str] = so.mapped_column(sa.String(10))
    rationale: so.Mapped[str] = so.mapped_column(sa.Text)
    next_review_on: so.Mapped[date | None] = so.mapped_column(sa.Date)

    reviewer = so.relationship("User")

    __table_args__ = (_check_in("decision", ReviewDecision),)


class LegalHold(db.Model):
    """While a hold is in force (placed, not released), the debrief cannot be disposed of."""

    __tablename__ = "legal_hold"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), index=True)
    reason: so.Mapped[str] = so.mapped_column(sa.String(20))
    detail: so.Mapped[str | None] = so.mapped_column(sa.Text)
    until: so.Mapped[date | None] = so.mapped_column(sa.Date)  # expected end, for the next review; not automatic
    placed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    placed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    released_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    released_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    release_note: so.Mapped[str | None] = so.mapped_column(sa.Text)

    placed_by = so.relationship("User", foreign_keys=[placed_by_id])
    released_by = so.relationship("User", foreign_keys=[released_by_id])
    debrief = so.relationship("Debrief", backref=so.backref("legal_holds", passive_deletes=True,
                                                             order_by="LegalHold.placed_at"))

    __table_args__ = (_check_in("reason", HoldReason),)

    @property
    def reason_label(self) -> str:
        return HoldReason(self.reason).label

    @classmethod
    def in_force(cls, debrief_id_column):
        """SQL: a hold on that debrief is in force (placed, not released)."""
        return sa.exists().where(cls.debrief_id == debrief_id_column, cls.released_at.is_(None))


class Disposal(db.Model):
    """A proposal to dispose of a debrief's personal data, and its confirmation by a second person."""

    __tablename__ = "disposal"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), index=True)
    rationale: so.Mapped[str] = so.mapped_column(sa.Text)
    proposed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    proposed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    confirmed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    withdrawn_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    # What was erased: "table.column=count" pairs, never content.
    erased: so.Mapped[str | None] = so.mapped_column(sa.Text)

    proposed_by = so.relationship("User", foreign_keys=[proposed_by_id])
    confirmed_by = so.relationship("User", foreign_keys=[confirmed_by_id])

    @property
    def pending(self) -> bool:
        return self.confirmed_at is None and self.withdrawn_at is None

    @classmethod
    def waiting(cls):
        """SQL: the same as `pending`, neither confirmed nor withdrawn."""
        return sa.and_(cls.confirmed_at.is_(None), cls.withdrawn_at.is_(None))
