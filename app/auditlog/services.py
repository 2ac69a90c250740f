"""Queries over the audit log, and its export."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from app.extensions import db
from app.models import AuditEvent, User
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
    if form.date_from.data:
        stmt = stmt.where(AuditEvent.occurred_at >= _day_start_utc(form.date_from.data))
    if form.date_to.data:
        stmt = stmt.where(AuditEvent.occurred_at < _day_start_utc(form.date_to.data + timedelta(days=1)))
    return scoped(stmt, AuditEvent, user)


EXPORT_HEADER = ["id", "occurred_at_utc", "user_id", "username", "operation", "action", "object_type",
                 "object_id", "fields", "recipient", "reason", "request_id", "client_addr"]


def export_rows(stmt: Select):
    for e in db.session.scalars(stmt):
        yield [e.id, e.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"), e.user_id, e.user.username if e.user else "",
               e.operation, e.action, e.object_type, e.object_id, e.fields, e.recipient, e.reason, e.request_id,
               e.client_addr]
