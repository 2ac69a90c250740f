"""The anonymised learning exchange between forces: files imported from other forces and their records."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class ExchangeImport(db.Model):
    """One exchange file from another force, imported whole or not at all."""

    __tablename__ = "exchange_import"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    source_force: so.Mapped[str] = so.mapped_column(sa.String(120))
    schema_version: so.Mapped[str] = so.mapped_column(sa.String(20))
    exported_at: so.Mapped[str] = so.mapped_column(sa.String(40))
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    records: so.Mapped[int] = so.mapped_column(default=0)
    imported_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    imported_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))

    imported_by = so.relationship("User")
    learning = so.relationship("ExchangeLearning", cascade="all, delete-orphan", passive_deletes=True,
                               order_by="ExchangeLearning.id", back_populates="source")


class ExchangeLearning(db.Model):
    """One learning point from another force: no names, no places, dates no finer than a month."""

    __tablename__ = "exchange_learning"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    import_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("exchange_import.id", ondelete="CASCADE"),
                                                 index=True)
    record_id: so.Mapped[str] = so.mapped_column(sa.String(80))
    month: so.Mapped[str] = so.mapped_column(sa.String(7))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    category: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    context: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    statement: so.Mapped[str] = so.mapped_column(sa.Text)
    themes: so.Mapped[str] = so.mapped_column(sa.Text, default="[]")  # JSON list of names
    actions: so.Mapped[str] = so.mapped_column(sa.Text, default="[]")  # JSON list of {type, status, outcome}

    source = so.relationship("ExchangeImport", back_populates="learning")

    __table_args__ = (sa.UniqueConstraint("import_id", "record_id", name="uq_exchange_learning_record"),)
