"""The chronology: prior contacts with the people in the case, one entry per event."""
from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.debrief import LabelledEnum, _check_in
from app.models.types import UTCDateTime, utcnow


class DatePrecision(LabelledEnum):
    EXACT = "exact", "Exact"
    APPROXIMATE = "approximate", "Approximate"
    MONTH = "month", "Month only"


class ContactType(LabelledEnum):
    CALL = "call", "999/101 call"
    DOMESTIC_INCIDENT = "domestic_incident", "Domestic incident"
    CRIME_REPORT = "crime_report", "Crime report"
    ARREST = "arrest", "Arrest"
    CHARGE = "charge", "Charge"
    BAIL_RUI = "bail_rui", "Bail or released under investigation"
    COURT = "court", "Court"
    ORDER_BREACH = "order_breach", "Order breach"
    MARAC_MAPPA = "marac_mappa", "MARAC/MAPPA referral"
    SAFEGUARDING = "safeguarding", "Safeguarding referral"
    HEALTH = "health", "Health contact"
    LIFE_EVENT = "life_event", "Life event"
    OTHER = "other", "Other"


class RiskLevel(LabelledEnum):
    NONE = "none", "None recorded"
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    OTHER = "other", "Other"


FLAGS = {
    "missed_opportunity": "Missed opportunity",
    "good_practice": "Good practice",
    "key_issue": "Key issue",
    "turning_point": "Turning point",
}

chronology_subject = sa.Table(
    "chronology_subject", db.metadata,
    sa.Column("entry_id", sa.ForeignKey("chronology_entry.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("subject_id", sa.ForeignKey("subject.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ChronologyEntry(db.Model):
    __tablename__ = "chronology_entry"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), index=True)
    entry_date: so.Mapped[date] = so.mapped_column(sa.Date)
    entry_time: so.Mapped[time | None] = so.mapped_column(sa.Time)
    date_precision: so.Mapped[str] = so.mapped_column(sa.String(12), default=DatePrecision.EXACT.value)
    agency_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("agency.id"))
    source_system: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    source_ref: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    contact_type: so.Mapped[str] = so.mapped_column(sa.String(20))
    summary: so.Mapped[str] = so.mapped_column(sa.Text)
    action_taken: so.Mapped[str | None] = so.mapped_column(sa.Text)
    risk_assessment: so.Mapped[str | None] = so.mapped_column(sa.String(12))
    outcome: so.Mapped[str | None] = so.mapped_column(sa.Text)
    significance: so.Mapped[str | None] = so.mapped_column(sa.Text)
    missed_opportunity: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    good_practice: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    key_issue: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    turning_point: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    verified: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    entered_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # Deleted entries stay for a short undo; they are hidden everywhere.
    deleted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    agency = so.relationship("Agency", lazy="joined")
    entered_by = so.relationship("User", lazy="joined")
    subjects = so.relationship("Subject", secondary=chronology_subject, order_by="Subject.pseudonym_index",
                               lazy="selectin")

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        sa.Index("ix_chronology_entry_order", "debrief_id", "entry_date", "entry_time"),
        # Covers the dashboard's prior police contact and flags by agency (migration 0013).
        sa.Index("ix_chronology_entry_dashboard", "debrief_id", "deleted_at", "entry_date", "agency_id",
                 "missed_opportunity", "good_practice"),
        _check_in("contact_type", ContactType), _check_in("date_precision", DatePrecision),
        sa.CheckConstraint("risk_assessment IS NULL OR risk_assessment IN ('none','standard','medium','high','other')",
                           name="known_risk_assessment"),
    )

    @property
    def flags(self) -> list[tuple[str, str]]:
        return [(k, label) for k, label in FLAGS.items() if getattr(self, k)]


def chronological_order():
    """Date, then timed entries before untimed ones on the same day, then time, then entry order."""
    return (ChronologyEntry.entry_date, sa.case((ChronologyEntry.entry_time.is_(None), 1), else_=0),
            ChronologyEntry.entry_time, ChronologyEntry.id)


class ChronologyImport(db.Model):
    """An uploaded file waiting for the reviewer to confirm it after the preview."""

    __tablename__ = "chronology_import"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"))
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    content: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    imported_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
