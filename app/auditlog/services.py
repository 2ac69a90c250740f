"""Queries over the audit log, and its export."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, literal, or_, select

from app.extensions import db
from app.models import (
    Action,
    AuditEvent,
    ChronologyEntry,
    Debrief,
    Disposal,
    LearningPoint,
    LegalHold,
    RetentionReview,
    Subject,
    User,
)
from app.permissions import scoped

LONDON = ZoneInfo("Europe/London")


def _day_start_utc(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(ZoneInfo("UTC"))


def filtered(form, user) -> Select:
    """Audit events matching the filter form, newest first, scoped to `user`."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    if form.user.data:
        stmt = stmt.join(User, AuditEvent.user_id == User.id).where(
            func.lower(User.username) == form.user.data.strip().lower())
    if form.operation.data:
        stmt = stmt.where(AuditEvent.operation == form.operation.data)
    if form.object_type.data:
        stmt = stmt.where(AuditEvent.object_type == form.object_type.data.strip())
    if form.object_id.data:
        stmt = stmt.where(AuditEvent.object_id == form.object_id.data.strip())
    if form.debrief.data:
        stmt = stmt.where(about_debrief(form.debrief.data.strip(), (form.pseudonym.data or "").strip()))
    if form.date_from.data:
        stmt = stmt.where(AuditEvent.occurred_at >= _day_start_utc(form.date_from.data))
    if form.date_to.data:
        stmt = stmt.where(AuditEvent.occurred_at < _day_start_utc(form.date_to.data + timedelta(days=1)))
    return scoped(stmt, AuditEvent, user)


# Records that belong to a debrief, by the object type their audit rows carry.
PARTS = {"chronology_entry": ChronologyEntry, "action": Action, "learning_point": LearningPoint,
         "subject": Subject, "legal_hold": LegalHold, "disposal": Disposal, "retention_review": RetentionReview}
# Object types whose object id is the debrief's own.
DEBRIEF_TYPES = ("debrief", "retention", "parameters", "meeting", "chronology_import")


def about_debrief(reference: str, pseudonym: str = ""):
    """Rows about one debrief (by its reference): the debrief itself, any record of it, and list pages that
    showed it; or, with a pseudonym, rows about that one person in it."""
    debrief_id = db.session.scalar(select(Debrief.id).where(func.upper(Debrief.reference) == reference.upper()))
    if debrief_id is None:
        return literal(False)
    if pseudonym:
        subject_id = db.session.scalar(select(Subject.id).where(Subject.debrief_id == debrief_id,
                                                                func.lower(Subject.pseudonym) == pseudonym.lower()))
        return and_(AuditEvent.object_type == "subject", AuditEvent.object_id == str(subject_id or -1))
    ids = str(debrief_id)
    parts = [and_(AuditEvent.object_type == kind,
                  AuditEvent.object_id.in_(select(func.cast(model.id, AuditEvent.object_id.type))
                                           .where(model.debrief_id == debrief_id)))
             for kind, model in PARTS.items()]
    listed = and_(AuditEvent.object_type == "debrief",
                  ("," + func.coalesce(AuditEvent.records, "") + ",").like(f"%,{ids},%"))
    return or_(and_(AuditEvent.object_type.in_(DEBRIEF_TYPES), AuditEvent.object_id == ids), listed, *parts)


EXPORT_HEADER = ["id", "occurred_at_utc", "user_id", "username", "operation", "action", "object_type",
                 "object_id", "fields", "recipient", "reason", "request_id", "client_addr", "records"]


def export_rows(stmt: Select):
    for e in db.session.scalars(stmt):
        yield [e.id, e.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"), e.user_id, e.user.username if e.user else "",
               e.operation, e.action, e.object_type, e.object_id, e.fields, e.recipient, e.reason, e.request_id,
               e.client_addr, e.records]
