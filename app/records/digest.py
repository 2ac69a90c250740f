"""The weekly records digest for the review team (`flask --app wsgi retention-digest`, from a timer).

One message per reviewer with an address, once per ISO week however many runs or servers (the same claim as
action reminders, `app.actions.reminders.claim_and_send`): debriefs due or overdue for retention review,
those due within 30 days, disposals waiting for a second person, and legal holds past their expected end.
It carries references, dates and links only: never a title, a name or a reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app

from app import audit, mail
from app.actions.reminders import Digest, claim_and_send, long_date, role_addresses, week_period
from app.extensions import db
from app.models import Debrief, LegalHold, Role
from app.records import services

KIND = "retention"
LISTED = 30


@dataclass
class DigestRun:
    not_configured: bool = False
    sent: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)
    planned: list[Digest] = field(default_factory=list)
    nothing_due: bool = False


def _section(title: str, rows: list[tuple[str, str]], link: str, total: int) -> str:
    lines = [f"{title} ({total})", *(f"- {ref}: {detail}" for ref, detail in rows[:LISTED])]
    if total > LISTED:
        lines.append(f"- and {total - LISTED} more")
    lines.append(f"  {link}")
    return "\n".join(lines)


def digests(on: date) -> list[Digest]:
    addresses = role_addresses(Role.REVIEWER)
    counts = services.counts(on)
    lapsed = db.session.execute(
        sa.select(Debrief.reference, LegalHold.until).join(LegalHold, LegalHold.debrief_id == Debrief.id)
        .where(LegalHold.released_at.is_(None), LegalHold.until.is_not(None), LegalHold.until < on)
        .order_by(LegalHold.until)).all()
    if not addresses or not (counts["due"] or counts["soon"] or counts["disposal"] or lapsed):
        return []
    base = current_app.config["BASE_URL"]
    week = week_period(on)
    parts = [f"Records to review, week {week} (as at {long_date(on)})."]
    if counts["due"]:
        rows = [(r.reference, f"review {'overdue since' if r.review_on < on else 'due'} {r.review_on:%d %b %Y}")
                for r in services.queue("due", on, limit=LISTED)]
        parts.append(_section("Due or overdue for review", rows, f"{base}/retention?show=due", counts["due"]))
    if counts["soon"]:
        rows = [(r.reference, f"review due {r.review_on:%d %b %Y}") for r in services.queue("soon", on, limit=LISTED)]
        parts.append(_section(f"Due within {services.DUE_SOON_DAYS} days", rows, f"{base}/retention?show=soon",
                              counts["soon"]))
    if counts["disposal"]:
        rows = [(r.reference, f"proposed {r.disposal.proposed_at:%d %b %Y}; needs a second person to confirm")
                for r in services.queue("disposal", on, limit=LISTED)]
        parts.append(_section("Disposal waiting for confirmation", rows, f"{base}/retention?show=disposal",
                              counts["disposal"]))
    if lapsed:
        rows = [(ref, f"hold expected to end {until:%d %b %Y}: release it or record why it stays")
                for ref, until in lapsed]
        parts.append(_section("Legal holds past their expected end", rows, f"{base}/retention?show=holds",
                              len(lapsed)))
    subject = (f"Records to review {week}: {counts['due']} due, {counts['soon']} soon, "
               f"{counts['disposal']} disposal{'s' if counts['disposal'] != 1 else ''} to confirm")
    total = counts["due"] + counts["soon"] + counts["disposal"] + len(lapsed)
    return [Digest(KIND, address, week, subject, "\n\n".join(parts), total) for address in addresses]


def send(on: date, dry_run: bool = False) -> DigestRun:
    run = DigestRun()
    if not dry_run and not mail.configured():
        run.not_configured = True
        return run
    planned = digests(on)
    db.session.commit()  # end the reads: each claim is a transaction of its own
    if not planned:
        run.nothing_due = True
        return run
    if dry_run:
        run.planned = planned
        return run
    for digest in planned:
        outcome = claim_and_send(digest)
        if outcome == "sent":
            run.sent += 1
        elif outcome == "skipped":
            run.skipped += 1
        else:
            run.failures.append(f"{digest.kind} digest for {digest.period}: {outcome}")
    audit.record("disclosure", "reminders.retention_run", object_type="retention", object_id=None,
                 recipient=f"{run.sent} address{'' if run.sent == 1 else 'es'} by email", user=None)
    db.session.commit()
    return run
