"""Read-side queries for the board and the list. A fixed number of queries however much data."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta, timezone

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, lazyload

from app import process_settings
from app.debriefs import timeliness
from app.extensions import db
from app.models import STAGE_ORDER, Debrief, Meeting, Role, Stage, User, UserRole, utcnow
from app.permissions import scoped, sees_case_text

ACTIVE_STAGES = [s for s in STAGE_ORDER if not s.is_final]
FINAL_STAGES = [Stage.CLOSED, Stage.NOT_PROGRESSED]
FINAL_CARDS_SHOWN = 25


@dataclass
class BoardFilters:
    category: str | None = None
    context: str | None = None
    lead: int | None = None
    q: str | None = None

    def args(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass
class Card:
    debrief: Debrief
    meeting: date | None
    rag: timeliness.Rag
    days_since_incident: int
    days_in_stage: int
    is_new: bool
    overdue_actions: int = 0
    on_hold: bool = False  # a legal hold is in force
    clock: object | None = None  # the next statutory clock still running (app.scoping.clocks.Clock)
    iopc: str | None = None  # "hold" while the IOPC's agreement is awaited, "agreed" once recorded


@dataclass
class Column:
    stage: Stage
    count: int
    cards: list[Card] = field(default_factory=list)
    more: int = 0  # final columns: cards not shown here


def meeting_held_subquery():
    """When the debrief meeting took place: its start, if it is not cancelled and has begun."""
    return (select(Meeting.starts_at)
            .where(Meeting.debrief_id == Debrief.id, Meeting.cancelled_at.is_(None), Meeting.starts_at <= utcnow())
            .correlate(Debrief).scalar_subquery())


def overdue_actions_subquery():
    from app.learning.overdue import overdue_clause
    from app.models import Action

    return (select(func.count(Action.id)).where(Action.debrief_id == Debrief.id, overdue_clause())
            .correlate(Debrief).scalar_subquery())


def on_hold_subquery():
    from app.models import LegalHold

    return LegalHold.in_force(Debrief.id).correlate(Debrief)


def filtered(filters: BoardFilters, user) -> Select:
    stmt = scoped(select(Debrief), Debrief, user)
    if filters.category:
        stmt = stmt.where(Debrief.category == filters.category)
    if filters.context:
        stmt = stmt.where(Debrief.context == filters.context)
    if filters.lead:
        stmt = stmt.where(Debrief.lead_reviewer_id == filters.lead)
    if filters.q and sees_case_text(user):
        like = f"%{filters.q.strip().lower()}%"
        searchable = [Debrief.reference, Debrief.title, Debrief.policing_area, Debrief.occurrence_ref, Debrief.summary]
        stmt = stmt.where(or_(*[func.lower(func.coalesce(c, "")).like(like) for c in searchable]))
    elif filters.q:
        stmt = stmt.where(Debrief.id.in_(_matching_as_shown(stmt, filters.q)))
    return stmt


def _matching_as_shown(stmt: Select, q: str) -> list[int]:
    """Search what this reader sees (the masked title), so a hidden name or reference can never be found."""
    from app.disclosure import mask_text

    needle = q.strip().casefold()
    rows = db.session.execute(stmt.with_only_columns(Debrief.id, Debrief.reference, Debrief.title,
                                                     Debrief.policing_area)).all()
    return [i for i, ref, title, area in rows
            if needle in mask_text(" ".join((ref, title, area or "")), i).casefold()] or [-1]


def _cards(stmt: Select, settings: dict) -> list[Card]:
    meeting_col = meeting_held_subquery().label("meeting_at")
    overdue_col = overdue_actions_subquery().label("overdue")
    hold_col = on_hold_subquery().label("on_hold")
    rows = db.session.execute(stmt.add_columns(meeting_col, overdue_col, hold_col).options(
        joinedload(Debrief.lead_reviewer).lazyload(User.role_rows))).all()
    today = timeliness.today()
    new_since = timeliness.start_of_previous_meeting_day(today)
    cards = []
    for debrief, meeting_at, overdue, on_hold in rows:
        meeting = _meeting_date(meeting_at)
        cards.append(Card(
            debrief=debrief,
            meeting=meeting,
            rag=timeliness.rag(debrief.stage_enum, debrief.incident_date, meeting,
                               settings["target_days_to_meeting"], settings["amber_days_before_target"], today),
            days_since_incident=(today - debrief.incident_date).days,
            days_in_stage=(today - timeliness.local_date(debrief.stage_changed_at)).days,
            is_new=debrief.created_at >= new_since,
            overdue_actions=overdue,
            on_hold=bool(on_hold),
        ))
    return cards


def with_clocks(cards: list[Card]) -> list[Card]:
    """Give each card its next statutory clock and IOPC flag, with one query for all of them."""
    reviews = _statutory_reviews([c.debrief.id for c in cards])
    for card in cards:
        for key, value in _clock_and_iopc(card.debrief, reviews.get(card.debrief.id, [])).items():
            setattr(card, key, value)
    return cards


def _statutory_reviews(debrief_ids: list[int]) -> dict[int, list]:
    """The parallel reviews that carry clocks or the IOPC stop, for the cards shown (one query)."""
    from app.models import ParallelReview, ReviewType

    found: dict[int, list] = {}  # asked even for no cards, so a board costs the same queries whatever it shows
    kinds = (ReviewType.CSPR.value, ReviewType.CORONER.value, ReviewType.IOPC.value)
    for review in db.session.scalars(select(ParallelReview).where(ParallelReview.debrief_id.in_(debrief_ids),
                                                                  ParallelReview.review_type.in_(kinds))):
        found.setdefault(review.debrief_id, []).append(review)
    return found


def _clock_and_iopc(debrief: Debrief, reviews: list) -> dict:
    from app.models import ReviewType
    from app.scoping.clocks import clocks

    running = [c for r in reviews for c in clocks(r, debrief.incident_date) if c.done_on is None]
    iopc = next((("hold" if r.agreed_on is None else "agreed") for r in reviews
                 if r.review_type == ReviewType.IOPC.value and r.active), None)
    return {"clock": min(running, key=lambda c: c.due) if running else None, "iopc": iopc}


def _meeting_date(value) -> date | None:
    """The subquery returns the stored naive UTC value; turn it into a UK date."""
    if value is None:
        return None
    return timeliness.local_date(value.replace(tzinfo=timezone.utc))


def board(filters: BoardFilters, user) -> list[Column]:
    settings = process_settings.current()
    base = filtered(filters, user)
    visible = base.subquery()
    counts = dict(db.session.execute(select(visible.c.stage, func.count()).group_by(visible.c.stage)).all())
    active = _cards(base.where(Debrief.stage.in_([s.value for s in ACTIVE_STAGES]))
                    .order_by(Debrief.stage_changed_at, Debrief.id), settings)
    since = utcnow() - timedelta(days=settings["recent_final_days"])
    final = _cards(base.where(Debrief.stage.in_([s.value for s in FINAL_STAGES]), Debrief.stage_changed_at >= since)
                   .order_by(Debrief.stage_changed_at.desc(), Debrief.id.desc()), settings)
    columns = {s: Column(s, counts.get(s.value, 0)) for s in STAGE_ORDER}
    for card in with_clocks(active + final):
        col = columns[card.debrief.stage_enum]
        if col.stage.is_final and len(col.cards) >= FINAL_CARDS_SHOWN:
            continue
        col.cards.append(card)
    for s in FINAL_STAGES:
        columns[s].more = columns[s].count - len(columns[s].cards)
    return [columns[s] for s in STAGE_ORDER]


def reviewers() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.active, User.role_rows.any(UserRole.role == Role.REVIEWER.value))
        .options(lazyload(User.role_rows)).order_by(User.full_name)))


def card_for(debrief: Debrief) -> Card:
    stmt = select(Debrief).where(Debrief.id == debrief.id).execution_options(populate_existing=True)
    return with_clocks(_cards(stmt, process_settings.current()))[0]
