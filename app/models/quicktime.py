"""Quick-time learning: urgent learning shared before the document of learning and actions is issued."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.debrief import LabelledEnum, _check_in
from app.models.learning import DisseminationMethod
from app.models.types import UTCDateTime, utcnow


class Urgency(LabelledEnum):
    PROCESS_FAILING = "process", "A process failing now"
    RISK_TO_OTHERS = "risk", "A risk to others"
    OTHER = "other", "Other urgent learning"


class QuickLearning(db.Model):
    """One piece of urgent learning, who shares it with whom, by when, and when it was shared."""

    __tablename__ = "quick_learning"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    debrief_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("debrief.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int] = so.mapped_column()
    urgency: so.Mapped[str] = so.mapped_column(sa.String(12))
    statement: so.Mapped[str] = so.mapped_column(sa.Text)
    audience: so.Mapped[str] = so.mapped_column(sa.String(200))
    owner_user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    share_by: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    # Sharing, recorded like a dissemination of the document.
    shared_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    shared_method: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    shared_audience: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    shared_by: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    shared_recorded_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    owner = so.relationship("User", foreign_keys=[owner_user_id])
    created_by = so.relationship("User", foreign_keys=[created_by_id])
    debrief = so.relationship("Debrief", viewonly=True)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        sa.UniqueConstraint("debrief_id", "number", name="uq_quick_learning_number"),
        _check_in("urgency", Urgency),
        sa.CheckConstraint("shared_method IS NULL OR shared_method IN ("
                           + ", ".join(f"'{m.value}'" for m in DisseminationMethod) + ")",
                           name="known_shared_method"),
    )

    @property
    def label(self) -> str:
        return f"Q{self.number}"

    @property
    def shared(self) -> bool:
        return self.shared_on is not None
