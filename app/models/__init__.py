"""Typed SQLAlchemy models, one module per aggregate."""
from app.models.audit import AuditEvent, Operation
from app.models.debrief import (
    BEFORE_MEETING,
    STAGE_ORDER,
    SUBTYPES_BY_CONTEXT,
    Category,
    Context,
    Debrief,
    DebriefParticipant,
    Decision,
    Offence,
    ReferenceCounter,
    Stage,
    StageChange,
    SubType,
)
from app.models.scoping import DEFAULT_EXCLUSIONS, Parameters, ParametersRevision, Subject, SubjectRole
from app.models.setting import Setting
from app.models.types import UTCDateTime, utcnow
from app.models.user import ROLE_LABELS, Agency, LoginThrottle, Role, User, UserRole, UserSession

__all__ = [
    "BEFORE_MEETING",
    "STAGE_ORDER",
    "SUBTYPES_BY_CONTEXT",
    "Agency",
    "AuditEvent",
    "Category",
    "Context",
    "Debrief",
    "DebriefParticipant",
    "Decision",
    "DEFAULT_EXCLUSIONS",
    "Offence",
    "Parameters",
    "ParametersRevision",
    "Subject",
    "SubjectRole",
    "ReferenceCounter",
    "Setting",
    "Stage",
    "StageChange",
    "SubType",
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
