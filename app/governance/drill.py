"""The records behind a figure: "which ones?" for every number on the dashboard.

A drill-down names a measure and the cell's arguments; it is answered from the same cohort definition the
figure was counted from (`cohorts`, `action_measures`), so the list's length is the figure.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, null, select

from app.extensions import db
from app.governance import action_measures, cohorts
from app.governance.cohorts import MILESTONES, Scope
from app.models import FLAGS, STAGE_ORDER, Agency, Debrief, Stage, Theme
from app.models.learning import learning_theme

LIMIT = 500


class UnknownMeasure(ValueError):
    pass


@dataclass
class Drill:
    kind: str  # "debriefs" or "actions"
    title: str
    value_label: str | None
    stmt: object  # a select of id (and value, for debriefs)


def drill(scope: Scope, args: dict, targets: dict[str, int], on: date) -> Drill:
    """The cohort named by `args["measure"]`, narrowed by the cell's arguments."""
    measure = args.get("measure", "")
    answer = args.get("answer")
    p = scope.period.label
    if measure == "referred":
        return Drill("debriefs", f"Debriefs referred, {p}", None, _ids(cohorts.referred(scope)))
    if measure == "decision":
        decision = args.get("decision")
        if decision not in ("accepted", "declined", "pending"):
            raise UnknownMeasure(measure)
        stmt = cohorts.referred(scope).where(Debrief.decision.is_(None) if decision == "pending"
                                             else Debrief.decision == decision)
        return Drill("debriefs", f"Referrals {decision}, {p}", None, _ids(stmt))
    if measure.startswith("milestone:") and measure[10:] in MILESTONES:
        key = measure[10:]
        label, target_key = MILESTONES[key]
        rows = cohorts.milestone(key, scope).subquery()
        stmt = select(rows.c.id, rows.c.value)
        title = f"{label}, {p}"
        if "outside" in args:
            stmt = stmt.where(rows.c.value > targets[target_key])
            title += f": outside the target of {targets[target_key]} days"
        return Drill("debriefs", title, "Days", stmt)
    if measure.startswith("dwell:") and measure[6:] in {s.value for s in STAGE_ORDER if not s.is_final}:
        stage = measure[6:]
        rows = cohorts.stage_time(scope, stage).subquery()
        stmt = select(rows.c.debrief_id.label("id"), func.round(rows.c.days, 1).label("value"))
        return Drill("debriefs", f"Time in {Stage(stage).label}, debriefs that left it in {p}", "Days", stmt)
    if measure == "partner":
        rows = cohorts.meetings_held(scope).subquery()
        stmt = select(rows.c.id, null().label("value"))
        if answer in ("yes", "no"):
            stmt = stmt.where(rows.c.partner if answer == "yes" else ~rows.c.partner)
        return Drill("debriefs", f"Debrief meetings held, {p}" + _answer(answer, "a partner attended"), None, stmt)
    if measure == "police":
        rows = cohorts.with_chronology(scope).subquery()
        stmt = select(rows.c.id, null().label("value"))
        if answer in ("yes", "no"):
            stmt = stmt.where(rows.c.police if answer == "yes" else ~rows.c.police)
        return Drill("debriefs", f"Debriefs with a chronology, referred {p}"
                     + _answer(answer, "police contact before the incident"), None, stmt)
    if measure.startswith("flag:") and measure[5:] in ("missed_opportunity", "good_practice"):
        flag = measure[5:]
        entries = cohorts.flagged_entries(scope, flag)
        agency = _int(args.get("agency"))
        if agency:
            entries = entries.where(entries.selected_columns.agency_id == agency)
        rows = entries.subquery()
        stmt = select(rows.c.debrief_id.label("id"), func.count().label("value")).group_by(rows.c.debrief_id)
        where = ""
        if agency:
            where = " from " + (db.session.scalar(select(Agency.name).where(Agency.id == agency)) or "?")
        return Drill("debriefs", f"{FLAGS[flag]}{where}, debriefs referred {p}", "Entries", stmt)
    if measure in ("theme", "repeat", "learning"):
        lp = cohorts.learning_points(scope).subquery()
        stmt = select(lp.c.debrief_id.label("id"), func.count().label("value")).group_by(lp.c.debrief_id)
        title = f"Learning recorded in {p}"
        if measure == "theme":
            theme = _int(args.get("theme"))
            stmt = stmt.join(learning_theme, learning_theme.c.learning_id == lp.c.id).where(
                learning_theme.c.theme_id == theme)
            title = f"Learning on the theme {db.session.scalar(select(Theme.name).where(Theme.id == theme)) or '?'}, {p}"
        elif measure == "repeat":
            from app.governance.measures import repeats_earlier, tied_to_earlier

            if answer == "linked":
                stmt = stmt.where(tied_to_earlier(lp))
                title = f"Repeat learning tied to the earlier learning it repeats, recorded in {p}"
            else:
                stmt = stmt.where(repeats_earlier(lp))
                title = f"Repeat learning recorded in {p}"
        return Drill("debriefs", title, "Learning points", stmt)
    if measure == "issued":
        rows = cohorts.documents_issued(scope).subquery()
        stmt = select(rows.c.id, null().label("value"))
        if answer in ("yes", "no"):
            from app.models import Dissemination, LearningDocument

            done = select(LearningDocument.debrief_id).join(Dissemination,
                                                            Dissemination.document_id == LearningDocument.id)
            stmt = stmt.where(rows.c.id.in_(done) if answer == "yes" else rows.c.id.not_in(done))
        return Drill("debriefs", f"Learning documents first issued in {p}"
                     + _answer(answer, "dissemination recorded"), None, stmt)
    if measure == "quicktime":
        from app.quicktime.services import overdue_by_debrief

        return Drill("debriefs", "Debriefs with quick-time learning not shared by its deadline, now",
                     "Overdue", overdue_by_debrief(scope.debrief_conditions()))
    if measure == "actions":
        col = args.get("column")
        labels = {**dict(action_measures.COLUMNS), "overdue": "Overdue"}
        if col not in labels:
            raise UnknownMeasure(measure)
        stmt = action_measures.cohort(scope, on, col, owner=args.get("owner"), department=args.get("department"))
        title = f"Actions: {labels[col].lower()}" + ("" if col.startswith(("open", "overdue", "awaiting"))
                                                     else f", {p}")
        return Drill("actions", title, None, stmt)
    raise UnknownMeasure(measure)


def _ids(stmt):
    rows = stmt.subquery()
    return select(rows.c.id, null().label("value"))


def _answer(answer: str | None, what: str) -> str:
    if answer == "yes":
        return f": {what}"
    if answer == "no":
        return f": not {what}"
    return ""


def _int(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None


def debrief_rows(d: Drill) -> tuple[list[tuple[Debrief, object]], int]:
    """The debriefs of a drill-down (at most LIMIT), latest referral first, and how many there are."""
    rows = d.stmt.subquery()
    total = db.session.scalar(select(func.count()).select_from(rows))
    found = db.session.execute(select(Debrief, rows.c.value).join(rows, rows.c.id == Debrief.id)
                               .order_by(Debrief.dmm_date.desc(), Debrief.id.desc()).limit(LIMIT)).all()
    return [(debrief, value) for debrief, value in found], total



def action_rows(d: Drill) -> tuple[list, int]:
    """The actions of a drill-down (at most LIMIT), soonest due first, through the action board's loader."""
    from app.actions.queries import rows
    from app.models import Action

    total = db.session.scalar(select(func.count()).select_from(d.stmt.subquery()))
    return rows(select(Action).where(Action.id.in_(d.stmt)), size=LIMIT), total
