"""Settings an administrator changes from the app (gates, timeliness targets)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Setting(db.Model):
    __tablename__ = "setting"

    key: so.Mapped[str] = so.mapped_column(sa.String(80), primary_key=True)
    value: so.Mapped[str] = so.mapped_column(sa.String(200))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
