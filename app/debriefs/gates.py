"""Gates: what must be true before a debrief leaves a stage. The one place for these rules.

A gate belongs to the stage it guards the exit of, and is checked whenever a debrief
moves forward out of that stage (including a move that skips stages). Later parts
of the product register their own gates here (parameters and SIO consultation,
chronology key issues, meeting held, document issued, actions closed). An
administrator can switch each gate off while the force pilots the process; a
reviewer can override a failing gate with a recorded reason.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.models import STAGE_ORDER, Debrief, Decision, Stage


@dataclass(frozen=True)
class Gate:
    name: str
    label: str
    leaving: Stage
    check: Callable[[Debrief], list[str]]  # what is missing; empty when the gate passes
    # A statutory safeguard: no override passes it and no setting switches it off.
    hard: bool = False


@dataclass(frozen=True)
class GateFailure:
    gate: Gate
    missing: list[str]


GATES: list[Gate] = []


def gate(name: str, label: str, *leaving: Stage, hard: bool = False):
    """Register a check for the exit of each stage named (one gate per stage; they share the check)."""
    def register(check: Callable[[Debrief], list[str]]):
        for i, stage in enumerate(leaving):
            GATES.append(Gate(name if i == 0 else f"{name}_{stage.value}", label, stage, check, hard))
        return check
    return register


def stages_left(from_stage: Stage, to_stage: Stage) -> list[Stage]:
    """The stages a forward move leaves behind (none for backward or off-flow moves)."""
    if not (from_stage.on_main_flow and to_stage.on_main_flow) or to_stage.order <= from_stage.order:
        return []
    return STAGE_ORDER[from_stage.order:to_stage.order]


def failures(debrief: Debrief, from_stage: Stage, to_stage: Stage, enabled: Callable[[str], bool]) -> list[GateFailure]:
    leaving = set(stages_left(from_stage, to_stage))
    found = []
    for g in GATES:
        if g.leaving in leaving and (g.hard or enabled(g.name)):
            missing = g.check(debrief)
            if missing:
                found.append(GateFailure(g, missing))
    return found


def prepare(debriefs: list[Debrief]) -> None:
    """Make `failures` cheap for a list of debriefs: load at once what every gate reads (one query per
    relationship, one for all their chronology counts) instead of a query per debrief per gate. For pages
    that only read; the counts are those of this moment."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import selectinload

    from app.extensions import db
    from app.models import ChronologyEntry, LearningDocument, Meeting

    if not debriefs:
        return
    ids = [d.id for d in debriefs]
    db.session.scalars(select(Debrief).where(Debrief.id.in_(ids)).options(
        selectinload(Debrief.parameters), selectinload(Debrief.parallel_reviews),
        selectinload(Debrief.meeting).selectinload(Meeting.invitees),
        selectinload(Debrief.documents).load_only(LearningDocument.id),  # a gate asks only whether one exists
        selectinload(Debrief.actions))).all()
    counts = {i: (n, key) for i, n, key in db.session.execute(
        select(ChronologyEntry.debrief_id, func.count(), func.count().filter(ChronologyEntry.key_issue.is_(True)))
        .where(ChronologyEntry.debrief_id.in_(ids), ChronologyEntry.deleted_at.is_(None))
        .group_by(ChronologyEntry.debrief_id))}
    for d in debriefs:
        d.prepared_chronology_counts = counts.get(d.id, (0, 0))


# ---- the gates ------------------------------------------------------------------

@gate("referral_decision", "Eligibility decision recorded", Stage.REFERRED)
def _referral_decision(d: Debrief) -> list[str]:
    if d.decision == Decision.ACCEPTED.value and d.decision_rationale and d.decided_by and d.decided_on:
        return []
    if d.decision == Decision.DECLINED.value:
        return ["the referral was declined: record an accept decision to take it forward"]
    return ["an eligibility decision to accept, with rationale, decision-maker and date"]


@gate("parameters_agreed", "Parameters recorded and SIO consulted", Stage.SCOPING)
def _parameters_agreed(d: Debrief) -> list[str]:
    from app.scoping.services import missing_for_gate

    return missing_for_gate(d)


@gate("chronology_ready", "Chronology built and key issues marked", Stage.CHRONOLOGY)
def _chronology_ready(d: Debrief) -> list[str]:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import ChronologyEntry

    counted = getattr(d, "prepared_chronology_counts", None)  # set by prepare() for a list of debriefs
    if counted is None:
        live = (ChronologyEntry.debrief_id == d.id, ChronologyEntry.deleted_at.is_(None))
        counted = db.session.execute(select(func.count(), func.count().filter(ChronologyEntry.key_issue.is_(True)))
                                     .where(*live)).one()
    entries, key_issues = counted
    missing = []
    if not entries:
        missing.append("at least one chronology entry")
    if not key_issues:
        missing.append("key issues marked in the chronology")
    return missing


# Checked on leaving Chronology, and again on leaving Debrief (the meeting's stage), so a referral flagged after
# the card moved on still stops it. A statutory safeguard: it cannot be overridden or switched off.
@gate("iopc_agreed", "IOPC agreement before the debrief meeting", Stage.CHRONOLOGY, Stage.DEBRIEF, hard=True)
def _iopc_agreed(d: Debrief) -> list[str]:
    from app.scoping.services import iopc_missing

    return iopc_missing(d)


@gate("meeting_held", "Meeting held and attendance recorded", Stage.DEBRIEF)
def _meeting_held(d: Debrief) -> list[str]:
    from app.meetings.services import missing_for_gate

    return missing_for_gate(d)


@gate("document_issued", "Document of learning and actions issued", Stage.LEARNING)
def _document_issued(d: Debrief) -> list[str]:
    return [] if d.documents else ["an issued version of the document of learning and actions"]


@gate("actions_finished", "Every action closed or not doing", Stage.MONITORING)
def _actions_finished(d: Debrief) -> list[str]:
    from app.models import ActionStatus

    open_actions = [a for a in d.actions if a.status not in (ActionStatus.CLOSED.value, ActionStatus.NOT_DOING.value)]
    if not open_actions:
        return []
    refs = ", ".join(a.reference(d.reference) for a in open_actions[:5])
    more = f" and {len(open_actions) - 5} more" if len(open_actions) > 5 else ""
    return [f"every action closed or marked not doing (still open: {refs}{more})"]
