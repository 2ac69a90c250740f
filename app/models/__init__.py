"""Typed SQLAlchemy models, one module per aggregate."""
from app.models.audit import AuditEvent, Operation
from app.models.types import UTCDateTime, utcnow
from app.models.user import ROLE_LABELS, Agency, LoginThrottle, Role, User, UserRole, UserSession

__all__ = [
    "Agency",
    "AuditEvent",
    "LoginThrottle",
    "Operation",
    "ROLE_LABELS",
    "Role",
    "User",
    "UserRole",
    "UserSession",
    "UTCDateTime",
    "utcnow",
]
