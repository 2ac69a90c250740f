"""Settings an administrator changes from the app (gates, timeliness targets)."""
from __future__ import annotations

from datetime import date, datetime

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


class BoardPack(db.Model):
    """An issued quarterly board pack, frozen as it was issued: its Word file and its print page, both
    pseudonymised, and the questions put to the board. Versions are numbered within their quarter."""

    __tablename__ = "board_pack"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    quarter_start: so.Mapped[date] = so.mapped_column(sa.Date, index=True)
    number: so.Mapped[int] = so.mapped_column()
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    questions: so.Mapped[str] = so.mapped_column(sa.Text)
    docx: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    html: so.Mapped[str] = so.mapped_column(sa.Text)

    issued_by = so.relationship("User")

    __table_args__ = (sa.UniqueConstraint("quarter_start", "number", name="uq_board_pack_number"),)
