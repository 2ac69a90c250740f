"""Scoping a debrief: the people in the case (with pseudonyms) and the parameters (terms of reference)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.debrief import LabelledEnum, _check_in
from app.models.types import UTCDateTime, utcnow


class SubjectRole(LabelledEnum):
    VICTIM = "victim", "Victim"
    SUSPECT = "suspect", "Suspect / offender"
    CHILD = "child", "Child"
    FAMILY = "family", "Family member"
    OTHER = "other", "Other"


def pseudonym_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the lettering statutory reviews use."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class Subject(db.Model):
    """A person in the case. Real name and date of birth are for the review team only."""

    __tablename__ = "subject"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), index=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(20))
    real_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    date_of_birth: so.Mapped[date | None] = so.mapped_column(sa.Date)
    # Other names the person is known by (nicknames, known-as, former names), one per line; and the
    # identifiers the review team records. All of them are masked for everyone else (app.disclosure).
    aliases: so.Mapped[str | None] = so.mapped_column(sa.Text)
    address: so.Mapped[str | None] = so.mapped_column(sa.Text)
    phone: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    # Allocated once, never reused within the debrief: "Adult A", "Child B".
    pseudonym_index: so.Mapped[int] = so.mapped_column()
    pseudonym: so.Mapped[str] = so.mapped_column(sa.String(20))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        sa.UniqueConstraint("debrief_id", "pseudonym_index", name="uq_subject_pseudonym"),
        _check_in("role", SubjectRole),
    )

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in (self.aliases or "").splitlines() if a.strip()]


parameters_subject = sa.Table(
    "parameters_subject", db.metadata,
    sa.Column("parameters_id", sa.ForeignKey("parameters.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("subject_id", sa.ForeignKey("subject.id", ondelete="CASCADE"), primary_key=True),
)
parameters_agency = sa.Table(
    "parameters_agency", db.metadata,
    sa.Column("parameters_id", sa.ForeignKey("parameters.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("agency_id", sa.ForeignKey("agency.id"), primary_key=True),
)

DEFAULT_EXCLUSIONS = "Matters subject to the criminal investigation\nIndividual officer conduct"


class Parameters(db.Model):
    """The terms of reference the SIO agrees to, signed off by the review team."""

    __tablename__ = "parameters"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), unique=True)
    review_from: so.Mapped[date | None] = so.mapped_column(sa.Date)
    review_to: so.Mapped[date | None] = so.mapped_column(sa.Date)
    key_questions: so.Mapped[str | None] = so.mapped_column(sa.Text)
    exclusions: so.Mapped[str | None] = so.mapped_column(sa.Text)
    sio_name: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    sio_consulted_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    sio_conditions: so.Mapped[str | None] = so.mapped_column(sa.Text)
    disclosure_officer_informed_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    signed_off_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    signed_off_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    subjects: so.Mapped[list[Subject]] = so.relationship(secondary=parameters_subject, order_by=Subject.pseudonym_index)
    agencies = so.relationship("Agency", secondary=parameters_agency, order_by="Agency.name")
    signed_off_by = so.relationship("User")
    revisions: so.Mapped[list[ParametersRevision]] = so.relationship(
        order_by="ParametersRevision.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def questions(self) -> list[str]:
        return [q.strip() for q in (self.key_questions or "").splitlines() if q.strip()]

    @property
    def exclusion_list(self) -> list[str]:
        return [q.strip() for q in (self.exclusions or "").splitlines() if q.strip()]


class ParametersRevision(db.Model):
    """A change to parameters after sign-off, with the reason the reviewer gave."""

    __tablename__ = "parameters_revision"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    parameters_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("parameters.id", ondelete="CASCADE"), index=True)
    changed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    fields: so.Mapped[str] = so.mapped_column(sa.String(400))

    changed_by = so.relationship("User")


class ReviewType(LabelledEnum):
    DARDR = "dardr", "Domestic Abuse Related Death Review (formerly DHR)"
    SAR = "sar", "Safeguarding Adults Review"
    CSPR = "cspr", "Child Safeguarding Practice Review (incl. rapid review)"
    OWHR = "owhr", "Offensive Weapons Homicide Review"
    IOPC = "iopc", "IOPC referral / post-incident procedure"
    MAPPA = "mappa", "MAPPA serious case review"
    SFO = "sfo", "Probation serious further offence review"
    CORONER = "coroner", "Coroner's inquest / prevention of future deaths report"
    PSD = "psd", "Professional standards"


class Applies(LabelledEnum):
    YES = "yes", "Yes"
    NO = "no", "No"
    CONSIDERING = "considering", "Being considered"


class ParallelReview(db.Model):
    """Another review of the same death or harm: whether it applies, who leads it, and its clocks."""

    __tablename__ = "parallel_review"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), index=True)
    review_type: so.Mapped[str] = so.mapped_column(sa.String(12))
    applies: so.Mapped[str] = so.mapped_column(sa.String(12), default=Applies.CONSIDERING.value)
    why: so.Mapped[str | None] = so.mapped_column(sa.Text)
    lead_body: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    notified_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    reference: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    status: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    completed_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    output_shared_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    # IOPC / post-incident procedure: the debrief's timing and parameters agreed with them.
    agreed_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        sa.UniqueConstraint("debrief_id", "review_type", name="uq_parallel_review_type"),
        _check_in("review_type", ReviewType), _check_in("applies", Applies),
    )

    @property
    def active(self) -> bool:
        return self.applies in (Applies.YES.value, Applies.CONSIDERING.value)
