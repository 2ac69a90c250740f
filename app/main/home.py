"""What the home page shows each role: the reads behind it, in a fixed number of queries however much data.

Nothing here writes. Lists are scoped by `app.permissions.scoped`, counts are SQL COUNTs over the same scoped
selects, and case text leaves through the disclosure gate like every other page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import process_settings
from app.actions import queries as action_queries
from app.debriefs import gates
from app.debriefs import queries as debrief_queries
from app.debriefs import timeliness
from app.extensions import db
from app.learning.overdue import AGE_BANDS, DONE, age_band_clause, overdue_clause
from app.models import (
    STAGE_ORDER,
    Action,
    ActionStatus,
    ChronologyEntry,
    Debrief,
    DebriefParticipant,
    Extension,
    ExtensionDecision,
    LearningDocument,
    Meeting,
    Role,
    Stage,
    utcnow,
)
from app.permissions import scoped
from app.scoping.clocks import clocks

MY_ACTIONS_SHOWN = 20  # the rest are one link away, on My actions


# ---- which sections a user gets --------------------------------------------------------

# One section per role held, in this order (a person may hold several roles). Members and partners share
# one section: what they see is the same (their own actions, the debriefs they take part in).
SECTION_ROLES = (("board", (Role.BOARD,)), ("working_group", (Role.WORKING_GROUP,)),
                 ("reviewer", (Role.REVIEWER,)), ("taking_part", (Role.MEMBER, Role.PARTNER)))
# Sections that list debriefs or actions (personal data): showing one is a consultation for the audit log.
LISTING_SECTIONS = frozenset({"reviewer", "taking_part"})


def sections_for(user) -> list[str]:
    return [name for name, roles in SECTION_ROLES if user.has_role(*roles)]


def only_board(user) -> bool:
    """The board's work is the dashboard: someone who holds no other role goes straight there."""
    return user.roles == frozenset({Role.BOARD})


# ---- the working group: what its meeting pack holds, counted --------------------------

@dataclass(frozen=True)
class Band:
    key: str
    label: str
    count: int
    anchor: str  # the band's section in the meeting pack


@dataclass(frozen=True)
class WorkingGroupCounts:
    awaiting_sign_off: int
    pending_extensions: int
    overdue: int
    bands: list[Band]


def working_group_counts(user) -> WorkingGroupCounts:
    """Two COUNT queries over the actions `user` may see (the same scope as the meeting pack)."""
    on = timeliness.today()
    columns = [func.count().filter(Action.status == ActionStatus.COMPLETED.value),
               func.count().filter(overdue_clause(on)),
               *[func.count().filter(age_band_clause(key, on)) for key, *_ in AGE_BANDS]]
    awaiting, overdue, *per_band = db.session.execute(
        scoped(select(*columns).select_from(Action), Action, user)).one()
    pending = db.session.scalar(
        select(func.count(Extension.id)).where(Extension.decision == ExtensionDecision.PENDING.value,
                                               Extension.action_id.in_(scoped(select(Action.id), Action, user))))
    # The pack numbers its overdue sections band-1, band-2, ... in AGE_BANDS order (templates/actions/pack.html).
    bands = [Band(key, label, n, f"band-{i}") for i, ((key, label, *_), n) in enumerate(zip(AGE_BANDS, per_band,
                                                                                        strict=True), start=1)]
    return WorkingGroupCounts(awaiting_sign_off=awaiting, pending_extensions=pending, overdue=overdue, bands=bands)


# ---- the review team: their own debriefs, with what each needs next --------------------

@dataclass(frozen=True)
class NextDate:
    """The soonest date a debrief answers to: a statutory clock of a parallel review, or its meeting."""
    label: str
    due: date
    status: str  # "green", "amber", "red", or "info" for a meeting
    text: str


@dataclass
class OwnDebrief:
    card: debrief_queries.Card
    next_date: NextDate | None
    next_stage: Stage | None
    needs: list[gates.GateFailure] = field(default_factory=list)

    @property
    def debrief(self) -> Debrief:
        return self.card.debrief


@dataclass
class ReviewerHome:
    mine: list[OwnDebrief]
    others: list[debrief_queries.Card]


def reviewer_home(user) -> ReviewerHome:
    """Every active debrief as the board's cards (one call to the board's query: RAG, meeting, days in stage),
    split into the user's own (as lead reviewer) and the rest of the team's."""
    columns = debrief_queries.board(debrief_queries.BoardFilters(), user)
    active = [card for column in columns if not column.stage.is_final for card in column.cards]
    mine = [card for card in active if card.debrief.lead_reviewer_id == user.id]
    others = [card for card in active if card.debrief.lead_reviewer_id != user.id]
    own = _with_next_steps(mine)
    own.sort(key=lambda o: (o.next_date.due if o.next_date else date.max, o.debrief.stage_enum.order,
                            o.debrief.reference))
    return ReviewerHome(mine=own, others=others)


def _with_next_steps(cards: list[debrief_queries.Card]) -> list[OwnDebrief]:
    if not cards:
        return []
    debriefs = [c.debrief for c in cards]
    _load_for_gates(debriefs)
    counted = _chronology_counts([d.id for d in debriefs if d.stage_enum is Stage.CHRONOLOGY])
    now = utcnow()
    return [OwnDebrief(card=c, next_date=_next_date(c.debrief, now), next_stage=_next_stage(c.debrief.stage_enum),
                       needs=_needs(c.debrief, counted)) for c in cards]


def _load_for_gates(debriefs: list[Debrief]) -> None:
    """Load, for all of them at once, what the gates and the clocks read (one query per relationship)."""
    db.session.scalars(
        select(Debrief).where(Debrief.id.in_([d.id for d in debriefs])).options(
            selectinload(Debrief.parameters), selectinload(Debrief.parallel_reviews),
            selectinload(Debrief.meeting).selectinload(Meeting.invitees),
            selectinload(Debrief.documents).load_only(LearningDocument.id),  # the gate asks only whether one exists
            selectinload(Debrief.actions))).all()


def _next_stage(stage: Stage) -> Stage | None:
    if stage.is_final or not stage.on_main_flow:
        return None
    return STAGE_ORDER[stage.order + 1]


# Every gate in app/debriefs/gates.py reads the debrief's loaded relationships, except "chronology_ready", which
# counts chronology entries with a query of its own for each debrief. Run per debrief it would add a query per
# debrief in Chronology to this page; so the home page answers that one gate for all its debriefs in one grouped
# query, with the gate's own rule and words (tests/test_home.py checks both answers agree). The gates of the
# rest of the team's debriefs are not evaluated at all: "what it needs next" is for the lead reviewer's own.
CHRONOLOGY_GATE = "chronology_ready"


def _chronology_counts(debrief_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Live entries and key issues per debrief."""
    if not debrief_ids:
        return {}
    rows = db.session.execute(
        select(ChronologyEntry.debrief_id, func.count(), func.count().filter(ChronologyEntry.key_issue.is_(True)))
        .where(ChronologyEntry.debrief_id.in_(debrief_ids), ChronologyEntry.deleted_at.is_(None))
        .group_by(ChronologyEntry.debrief_id)).all()
    return {i: (entries, key) for i, entries, key in rows}


def _needs(debrief: Debrief, chronology_counts: dict[int, tuple[int, int]]) -> list[gates.GateFailure]:
    """What the gate(s) to leave the current stage for the next still miss, in the order gates.py lists them."""
    stage = debrief.stage_enum
    nxt = _next_stage(stage)
    if nxt is None:
        return []
    found = gates.failures(debrief, stage, nxt,
                           lambda name: name != CHRONOLOGY_GATE and process_settings.gate_enabled(name))
    if CHRONOLOGY_GATE in {g.name for g in gates.GATES if g.leaving is stage} and \
            process_settings.gate_enabled(CHRONOLOGY_GATE):
        missing = gates.chronology_missing(*chronology_counts.get(debrief.id, (0, 0)))
        if missing:
            found.append(gates.GateFailure(next(g for g in gates.GATES if g.name == CHRONOLOGY_GATE), missing))
    order = {g.name: i for i, g in enumerate(gates.GATES)}
    return sorted(found, key=lambda f: order[f.gate.name])


def _next_date(debrief: Debrief, now: datetime) -> NextDate | None:
    """The soonest of: each statutory clock still running, and the debrief meeting if it is still to come."""
    today = timeliness.today()
    candidates = [NextDate(c.label, c.due, c.status, c.text)
                  for review in debrief.parallel_reviews for c in clocks(review, debrief.incident_date)
                  if c.done_on is None]
    meeting = debrief.meeting
    if meeting is not None and meeting.cancelled_at is None and meeting.starts_at >= now:
        day = timeliness.local_date(meeting.starts_at)
        days = (day - today).days
        text = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        candidates.append(NextDate("Debrief meeting", day, "info", text))
    return min(candidates, key=lambda n: (n.due, n.label), default=None)


# ---- members and partners: their actions and the debriefs they take part in --------------

@dataclass
class MyActions:
    actions: list[Action]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.actions)


def my_actions(user, shown: int = MY_ACTIONS_SHOWN) -> MyActions:
    """The user's own unfinished actions (not yet completed, closed or dropped), soonest due first."""
    stmt = action_queries.filtered(action_queries.ActionFilters(owner="me"), user).where(Action.status.not_in(DONE))
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return MyActions(actions=action_queries.rows(stmt, size=shown), total=total)


def debriefs_taking_part(user) -> list[Debrief]:
    """Active debriefs the user is a participant of, most recently moved first, with their meetings.
    Scoped like every list of debriefs, then narrowed to participation: someone who also sees every debrief
    (a reviewer, say) still gets only the ones they take part in here."""
    stmt = (scoped(select(Debrief), Debrief, user)
            .where(Debrief.participants.any(DebriefParticipant.user_id == user.id),
                   Debrief.stage.not_in([s.value for s in Stage if s.is_final]))
            .options(selectinload(Debrief.meeting))
            .order_by(Debrief.stage_changed_at.desc(), Debrief.id.desc()))
    return list(db.session.scalars(stmt))


def meeting_day(debrief: Debrief) -> date | None:
    """The UK day of the debrief's meeting, if one is scheduled and not cancelled."""
    m = debrief.meeting
    if m is None or m.cancelled_at is not None:
        return None
    return timeliness.local_date(m.starts_at)

