"""People who sign in, their roles and their server-side sessions."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Role(enum.StrEnum):
    REVIEWER = "reviewer"
    MEMBER = "member"
    WORKING_GROUP = "working_group"
    BOARD = "board"
    PARTNER = "partner"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.REVIEWER: "Reviewer (review team)",
    Role.MEMBER: "Member (force staff)",
    Role.WORKING_GROUP: "Debrief working group",
    Role.BOARD: "Homicide prevention board",
    Role.PARTNER: "Partner agency",
    Role.AUDITOR: "Auditor (data protection / professional standards)",
    Role.ADMIN: "Administrator",
}


class Agency(db.Model):
    __tablename__ = "agency"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    # Contact with these agencies is "police contact" in the board's measures.
    is_police: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    def __repr__(self) -> str:
        return f"<Agency {self.id} {self.name!r}>"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    full_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    agency_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("agency.id"), index=True)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    must_change_password: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # Two-factor sign-in (RFC 6238): the shared key (base32), when it was confirmed, and the last time step
    # a code was accepted for, so that no code is accepted twice.
    totp_secret: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    totp_enabled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    totp_last_step: so.Mapped[int | None] = so.mapped_column(sa.BigInteger())
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    agency: so.Mapped[Agency | None] = so.relationship(lazy="joined")
    role_rows: so.Mapped[list[UserRole]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # The app bumps `version` itself on edits people make, so sign-ins never conflict with them.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    # Set by the session loader: the opaque token Flask-Login keeps in the cookie.
    session_token = None

    def get_id(self) -> str | None:  # Flask-Login stores this in the cookie
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)

    def has_role(self, *roles: Role | str) -> bool:
        mine = {r.value for r in self.roles}
        return any(str(r) in mine for r in roles)

    def set_roles(self, roles) -> None:
        wanted = {Role(r) for r in roles}
        self.role_rows = [row for row in self.role_rows if Role(row.role) in wanted]
        have = {Role(row.role) for row in self.role_rows}
        for role in sorted(wanted - have):
            self.role_rows.append(UserRole(role=role.value))

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"


class UserRole(db.Model):
    __tablename__ = "user_role"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: so.Mapped[str] = so.mapped_column(sa.String(20), primary_key=True)
    user: so.Mapped[User] = so.relationship(back_populates="role_rows")

    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('reviewer','member','working_group','board','partner','auditor','admin')",
            name="known_role",
        ),
    )


class UserSession(db.Model):
    """One signed-in browser. The cookie holds a random token; only its hash is stored.

    Revoking the row (logout, password change, disable, admin action) ends the
    session on the server, so a copied cookie stops working at once.
    """

    __tablename__ = "user_session"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    revoked_reason: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    client_addr: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    user_agent: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    # How the person proved who they are: password, password+totp, password+recovery, or sso.
    method: so.Mapped[str] = so.mapped_column(sa.String(20), default="password", server_default="password")

    user: so.Mapped[User] = so.relationship()


class LoginThrottle(db.Model):
    """Failed sign-in counters per account name and per client address.

    Kept in the database so that every gunicorn worker sees the same counts.
    """

    __tablename__ = "login_throttle"

    key: so.Mapped[str] = so.mapped_column(sa.String(140), primary_key=True)
    failures: so.Mapped[int] = so.mapped_column(default=0)
    window_started_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    locked_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())


class RecoveryCode(db.Model):
    """A one-time code for signing in without the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_code"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
