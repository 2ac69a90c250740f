"""Clearly fictional demo data for development and demonstrations."""
from __future__ import annotations

from sqlalchemy import select

from app.admin.services import create_user, username_taken
from app.extensions import db
from app.models import Agency, Role

# Every demo account shares one passphrase, printed by seed-demo and in the README.
DEMO_PASSWORD = "orchard lantern kettle"

DEMO_USERS = [
    ("reviewer", "Demo Reviewer", [Role.REVIEWER], None),
    ("reviewer2", "Demo Reviewer Two", [Role.REVIEWER], None),
    ("member", "Demo Member", [Role.MEMBER], None),
    ("wgroup", "Demo Working Group", [Role.WORKING_GROUP], None),
    ("board", "Demo Board Member", [Role.BOARD], None),
    ("partner", "Demo Partner", [Role.PARTNER], "Adult Social Care"),
    ("auditor", "Demo Auditor", [Role.AUDITOR], None),
    ("admin", "Demo Admin", [Role.ADMIN], None),
]


def seed() -> list[tuple[str, str, str]]:
    logins = []
    for username, name, roles, agency_name in DEMO_USERS:
        if not username_taken(username):
            agency_id = None
            if agency_name:
                agency_id = db.session.scalars(select(Agency.id).where(Agency.name == agency_name)).first()
            create_user(username=username, full_name=name, email=f"{username}@example.org", roles=roles,
                        password=DEMO_PASSWORD, agency_id=agency_id, must_change_password=False)
        logins.append((username, DEMO_PASSWORD, ", ".join(r.value for r in roles)))
    return logins
