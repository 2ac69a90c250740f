"""Action reminders by email, run from cron or a systemd timer (`flask --app wsgi send-reminders`).

Two kinds of digest:

- **owner**, daily: one message per address listing the open and in-progress actions that are overdue or
  fall due within the next 7 days. An owner is a user with an email address (active accounts only) or a
  team with a contact address. When one address belongs to a user and to a team, or to several of them,
  it still gets one message, with a section for each.
- **escalation**, weekly: one message per working-group member listing the overdue actions in age bands,
  with how many completed actions await sign-off and how many extension requests await a decision, and
  a link to the meeting pack.

Messages carry references, due dates, statuses and links only: never a name, a team's name, what an action
asks for or a debrief's title. `mail.build` puts the protective marking on the subject and the body.

Sending each digest at most once, however many runs or servers
----------------------------------------------------------------

A digest is identified by (kind, recipient, period): the address in lower case, and the UK day
(`2026-11-24`) for owner digests or the ISO week (`2026-W48`) for escalations. `reminder_sent` has a
unique key on those three columns, and a run sends a digest only after claiming it:

1. In a transaction of its own, insert the claim row and commit. If the insert breaks the unique key,
   another run (earlier today, or at this moment on another server) has the digest: roll back and skip.
   On PostgreSQL a second insert of the same key waits for the first transaction and then fails; on
   SQLite every transaction begins IMMEDIATE, so the two inserts queue and the second fails.
2. Send the message. On success, set `sent_at` and commit.
3. If sending fails (the mail server is down or refuses the message), delete the claim and commit, so the
   next run tries again, and count the failure; the command then exits with a non-zero status.

A run that stops between steps 1 and 2 (killed, or the database lost) leaves a claim without `sent_at`,
and that digest is not sent again in its period: a missed reminder is put right by the next day's digest,
a duplicate could not be recalled. Such rows are easy to find (`sent_at IS NULL`).

"Today" is the UK day (Europe/London), so a run shortly after midnight UTC in summer counts the right day.
"""
from __future__ import annotations

from collections import defaultdict
from urllib.parse import quote
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import audit, mail
from app.extensions import db
from app.learning.overdue import AGE_BANDS, age_band, overdue_clause
from app.models import (
    Action,
    ActionStatus,
    Extension,
    ExtensionDecision,
    ReminderSent,
    Role,
    Team,
    User,
    UserRole,
)
from app.models.types import utcnow

OWNER = "owner"
ESCALATION = "escalation"
DUE_WITHIN = 7  # days ahead an owner is reminded of
REMINDED = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)
LISTED = 50  # lines per band in the escalation; the rest are a link away


@dataclass
class Digest:
    kind: str
    recipient: str  # lower case, stripped
    period: str
    subject: str
    body: str
    actions: int


@dataclass
class Summary:
    dry_run: bool = False
    not_configured: bool = False
    owner_sent: int = 0
    escalation_sent: int = 0
    skipped: int = 0  # already claimed by this or another run
    failed: int = 0
    failures: list[str] = field(default_factory=list)  # kind and error, never the address
    planned: list[Digest] = field(default_factory=list)  # dry run: what would be sent

    @property
    def sent(self) -> int:
        return self.owner_sent + self.escalation_sent

    def line(self) -> str:
        if self.dry_run:
            owner = sum(1 for d in self.planned if d.kind == OWNER)
            escalation = len(self.planned) - owner
            return (f"Reminders (dry run): {_count(owner, 'owner digest')} and "
                    f"{_count(escalation, 'escalation digest')} would be sent, "
                    f"{self.skipped} skipped (already sent). Nothing was claimed or sent.")
        return (f"Reminders: {_count(self.owner_sent, 'owner digest')} sent, "
                f"{_count(self.escalation_sent, 'escalation digest')} sent, "
                f"{self.skipped} skipped (already sent), {self.failed} failed.")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def normalise(address: str | None) -> str | None:
    """The recipient key: an address stripped and in lower case, or None when there is none."""
    address = (address or "").strip().lower()
    return address or None


def day_period(on: date) -> str:
    return on.isoformat()


def week_period(on: date) -> str:
    year, week, _ = on.isocalendar()
    return f"{year}-W{week:02d}"


# ---- what a line says --------------------------------------------------------------

def when_due(action: Action, on: date) -> str:
    days = (action.due_on - on).days
    if days < 0:
        return f"{_count(-days, 'day')} overdue"
    if days == 0:
        return "due today"
    return f"due in {_count(days, 'day')}"


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def action_line(action: Action, on: date) -> str:
    base = current_app.config["BASE_URL"]
    return (f"- {action.reference(action.debrief_row.reference)}: due {action.due_on.day} {action.due_on:%b %Y}, "
            f"{ActionStatus(action.status).label.lower()}, {when_due(action, on)}.\n"
            f"  {base}/actions/{action.id}")


# ---- owner digests ---------------------------------------------------------------

def due_actions(on: date) -> list[Action]:
    """Open and in-progress actions overdue on `on` or due within DUE_WITHIN days, with their owners."""
    stmt = (select(Action)  # overdue actions are due before `on`, so one bound covers both
            .where(Action.status.in_(REMINDED), Action.due_on <= on + timedelta(days=DUE_WITHIN))
            .options(joinedload(Action.debrief_row), joinedload(Action.owner_user), joinedload(Action.owner_team))
            .order_by(Action.due_on, Action.id))
    return list(db.session.scalars(stmt).unique())


def _recipient(action: Action) -> tuple[str | None, tuple[str, int] | None]:
    """The address an action's reminder goes to, and the section of the digest it belongs in."""
    if action.owner_user is not None:
        user = action.owner_user
        return (normalise(user.email), ("user", 0)) if user.active else (None, None)
    team: Team | None = action.owner_team
    if team is not None and team.active:
        return normalise(team.email), ("team", team.id)
    return None, None


def owner_digests(on: date) -> list[Digest]:
    by_address: dict[str, dict[tuple[str, int], list[Action]]] = defaultdict(lambda: defaultdict(list))
    for action in due_actions(on):
        address, section = _recipient(action)
        if address:
            by_address[address][section].append(action)
    base = current_app.config["BASE_URL"]
    digests = []
    for address in sorted(by_address):
        sections = by_address[address]
        actions = [a for s in sections.values() for a in s]
        overdue = sum(1 for a in actions if a.due_on < on)
        parts = [f"Actions overdue or due within {DUE_WITHIN} days, as at {long_date(on)}: "
                 f"{overdue} overdue, {len(actions) - overdue} due soon."]
        for kind, team_id in sorted(sections, key=lambda s: (s[0] != "user", s[1])):
            if kind == "user":
                heading = f"Actions you own ({len(sections[(kind, team_id)])}). All of them: {base}/actions?owner=me"
            else:
                heading = (f"Actions owned by a team whose contact address this is "
                           f"({len(sections[(kind, team_id)])}). All of them: {base}/actions?owner=team:{team_id}")
            parts.append("\n".join([heading, *(action_line(a, on) for a in sections[(kind, team_id)])]))
        parts.append("Each link opens the action, where its status, progress and evidence are kept up to date "
                     "and more time can be asked for.")
        subject = f"Action reminder: {_count(overdue, 'action')} overdue, {len(actions) - overdue} due soon"
        digests.append(Digest(OWNER, address, day_period(on), subject, "\n\n".join(parts), len(actions)))
    return digests


# ---- escalation to the working group -------------------------------------------------

def role_addresses(role: Role) -> list[str]:
    """The addresses of the active accounts with `role`, once each."""
    stmt = (select(User.email).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role.value, User.active, User.email.is_not(None)))
    return sorted({a for a in (normalise(e) for e in db.session.scalars(stmt)) if a})


def working_group_addresses() -> list[str]:
    return role_addresses(Role.WORKING_GROUP)


def escalation_digests(on: date) -> list[Digest]:
    addresses = working_group_addresses()
    if not addresses:
        return []
    overdue = list(db.session.scalars(
        select(Action).where(overdue_clause(on)).options(joinedload(Action.debrief_row))
        .order_by(Action.due_on, Action.id)).unique())
    awaiting = db.session.scalar(select(func.count()).select_from(Action)
                                 .where(Action.status == ActionStatus.COMPLETED.value))
    pending = db.session.scalar(select(func.count()).select_from(Extension)
                                .where(Extension.decision == ExtensionDecision.PENDING.value))
    if not (overdue or awaiting or pending):
        return []
    base = current_app.config["BASE_URL"]
    week = week_period(on)
    parts = [f"Weekly summary for the debrief working group, week {week} (as at {long_date(on)}).",
             f"Overdue actions: {len(overdue)}\n"
             f"Completed actions awaiting sign-off: {awaiting}\n"
             f"Extension requests awaiting a decision: {pending}\n"
             f"Meeting pack: {base}/actions/pack"]
    for key, label, _, _ in AGE_BANDS:
        band = [a for a in overdue if age_band(a, on) == key]
        lines = [f"Overdue {label} ({len(band)})", *(action_line(a, on) for a in band[:LISTED])]
        if len(band) > LISTED:
            lines.append(f"- and {len(band) - LISTED} more: {base}/actions?age={quote(key)}")
        parts.append("\n".join(lines))
    body = "\n\n".join(parts)
    subject = (f"Weekly action escalation {week}: {len(overdue)} overdue, {awaiting} awaiting sign-off, "
               f"{_count(pending, 'extension request')}")
    return [Digest(ESCALATION, address, week, subject, body, len(overdue)) for address in addresses]


# ---- sending ---------------------------------------------------------------------

def _claim(digest: Digest) -> ReminderSent | None:
    """Insert the claim in a transaction of its own; None when another run already holds it."""
    row = ReminderSent(kind=digest.kind, recipient=digest.recipient, period=digest.period, actions=digest.actions)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return row


def _already_claimed(digests: list[Digest]) -> set[tuple[str, str, str]]:
    periods = {d.period for d in digests}
    if not periods:
        return set()
    rows = db.session.execute(select(ReminderSent.kind, ReminderSent.recipient, ReminderSent.period)
                              .where(ReminderSent.period.in_(periods)))
    return {tuple(r) for r in rows}


def claim_and_send(digest: Digest) -> str:
    """Claim one digest, send it and record who it went to. Returns "sent", "skipped" (this or another run
    already has it) or the error that stopped it (the claim is then given back for the next run)."""
    claim = _claim(digest)
    if claim is None:
        return "skipped"
    try:
        mail.send([mail.build(digest.recipient, digest.subject, digest.body)])
    except Exception as exc:  # noqa: BLE001 - any failure to send gives the claim back
        db.session.execute(delete(ReminderSent).where(ReminderSent.id == claim.id))
        db.session.commit()
        return f"{type(exc).__name__}: {exc}"
    claim.sent_at = utcnow()
    # Who it went to (staff or a team's address; never a case subject), with the message it was.
    noun = "debrief" if digest.kind == "retention" else "action"
    audit.record("disclosure", f"reminders.{digest.kind}", object_type="reminder_sent", object_id=claim.id,
                 recipient=digest.recipient, reason=f"{digest.actions} {noun}{'s' if digest.actions != 1 else ''}, "
                                                    f"{digest.period}", user=None)
    db.session.commit()
    return "sent"


def send_reminders(on: date, dry_run: bool = False) -> Summary:
    """Send today's owner digests and this week's escalations that no run has sent yet."""
    summary = Summary(dry_run=dry_run)
    if not dry_run and not mail.configured():
        summary.not_configured = True
        return summary
    digests = owner_digests(on) + escalation_digests(on)
    if dry_run:
        claimed = _already_claimed(digests)
        for digest in digests:
            if (digest.kind, digest.recipient, digest.period) in claimed:
                summary.skipped += 1
            else:
                summary.planned.append(digest)
        db.session.rollback()
        return summary
    db.session.commit()  # end the reads: each claim is a transaction of its own
    for digest in digests:
        outcome = claim_and_send(digest)
        if outcome == "skipped":
            summary.skipped += 1
        elif outcome != "sent":
            summary.failed += 1
            summary.failures.append(f"{digest.kind} digest for {digest.period}: {outcome}")
        elif digest.kind == OWNER:
            summary.owner_sent += 1
        else:
            summary.escalation_sent += 1
    audit.record("disclosure", "reminders.send", object_type="action", object_id=None,
                 recipient=f"{summary.sent} address{'' if summary.sent == 1 else 'es'} by email", user=None)
    db.session.commit()
    return summary
