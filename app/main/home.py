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
    Debrief,
    DebriefParticipant,
    Extension,
    ExtensionDecision,
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
    gates.prepare([c.debrief for c in cards])
    now = utcnow()
    return [OwnDebrief(card=c, next_date=_next_date(c.debrief, now), next_stage=_next_stage(c.debrief.stage_enum),
                       needs=_needs(c.debrief)) for c in cards]


def _next_stage(stage: Stage) -> Stage | None:
    if stage.is_final or not stage.on_main_flow:
        return None
    return STAGE_ORDER[stage.order + 1]


def _needs(debrief: Debrief) -> list[gates.GateFailure]:
    """What the gate(s) to leave the current stage for the next still miss, in the order gates.py lists them."""
    nxt = _next_stage(debrief.stage_enum)
    if nxt is None:
        return []
    return gates.failures(debrief, debrief.stage_enum, nxt, process_settings.gate_enabled)


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


# ---- quick-time learning not shared by its deadline ---------------------------------------

def quick_time_overdue(user) -> list:
    """Overdue quick-time learning the user owns or whose debrief they lead (one query, whatever the data)."""
    from app.models import Role
    from app.permissions import BOARD_ROLES
    from app.quicktime import services as quicktime

    if not user.has_role(*BOARD_ROLES) or user.roles == frozenset({Role.BOARD}):
        return []
    return quicktime.overdue_for(user)


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

