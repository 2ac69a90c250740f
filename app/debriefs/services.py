"""State changes for debriefs. Each function owns its transaction and its audit rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app import audit, process_settings
from app.database import lock_row
from app.debriefs import gates
from app.extensions import db
from app.versioning import StaleEdit
from app.models import Debrief, DebriefParticipant, Decision, ReferenceCounter, Role, Stage, StageChange, User, utcnow

REFERRAL_FIELDS = ("title", "dmm_date", "incident_date", "incident_time", "occurrence_ref", "category", "context",
                   "subtype", "offence", "weapon", "policing_area", "summary", "referred_by", "lead_reviewer_id")




@dataclass
class MoveRefused(Exception):
    """A move the rules do not allow as asked: gates failing, or a reason needed."""

    debrief: Debrief
    to_stage: Stage
    failures: list[gates.GateFailure] = field(default_factory=list)
    reason_needed: str | None = None  # why a reason must be given, if it must

    def __str__(self) -> str:
        return f"move of {self.debrief.reference} to {self.to_stage.value} refused"


@dataclass
class StaleMove(Exception):
    debrief: Debrief
    expected: str | None


def next_reference(year: int) -> str:
    """Allocate HPD-<year>-<seq> inside the caller's transaction: no gaps, no duplicates."""
    counter = lock_row(ReferenceCounter, {"year": year}, {"last": 0})
    counter.last += 1
    return f"HPD-{year}-{counter.last:03d}"


def create_referral(data: dict, actor: User) -> Debrief:
    debrief = Debrief(**{k: data.get(k) for k in REFERRAL_FIELDS}, stage=Stage.REFERRED.value,
                      created_by_id=actor.id)
    debrief.reference = next_reference(data["dmm_date"].year)
    debrief.history.append(StageChange(from_stage=None, to_stage=Stage.REFERRED.value, changed_by_id=actor.id))
    db.session.add(debrief)
    db.session.flush()
    from app.records import services as records  # records management keeps its own rules

    records.start(debrief)
    audit.collection("debrief", debrief.id, [k for k in REFERRAL_FIELDS if data.get(k) not in (None, "")],
                     action="debrief.refer")
    db.session.commit()
    return debrief


def update_referral(debrief: Debrief, data: dict, version: int) -> list[str]:
    if debrief.version != version:
        raise StaleEdit(debrief)
    changed = [k for k in REFERRAL_FIELDS if getattr(debrief, k) != data.get(k)]
    if changed:
        for k in changed:
            setattr(debrief, k, data.get(k))
        debrief.version += 1
        audit.alteration("debrief", debrief.id, changed, action="debrief.update")
        db.session.commit()
    return changed


def record_decision(debrief: Debrief, *, decision: Decision, rationale: str, decided_by: str, decided_on: date,
                    actor: User, move: bool = True) -> StageChange | None:
    """Record the eligibility decision; by default accept moves to Scoping, decline to Not progressed."""
    debrief.decision = decision.value
    debrief.decision_rationale = rationale.strip()
    debrief.decided_by = decided_by.strip()
    debrief.decided_on = decided_on
    debrief.version += 1
    audit.alteration("debrief", debrief.id, ["decision", "decision_rationale", "decided_by", "decided_on"],
                     action="debrief.decide")
    from app.records import services as records

    records.after_decision(debrief)
    change = None
    if move and debrief.stage == Stage.REFERRED.value:
        target = Stage.SCOPING if decision is Decision.ACCEPTED else Stage.NOT_PROGRESSED
        change = _apply_move(debrief, target, actor, reason=f"Referral {decision.value}" if
                             decision is Decision.DECLINED else None, overridden=[])
    db.session.commit()
    return change


def reason_needed(from_stage: Stage, to_stage: Stage) -> str | None:
    if to_stage is Stage.NOT_PROGRESSED:
        return "Say why it is not progressing (declined, withdrawn, or handed wholly to a statutory review)."
    if from_stage.is_final:
        return "Say why this debrief is being reopened."
    if to_stage.order < from_stage.order:
        return "Say why this debrief is moving back."
    return None


def move(debrief: Debrief, to_stage: Stage, actor: User, *, expected_from: str | None, reason: str | None = None,
         override: bool = False) -> StageChange | None:
    """Move a debrief to another stage, checking gates; raises MoveRefused or StaleMove."""
    if expected_from is not None and debrief.stage != expected_from:
        raise StaleMove(debrief, expected_from)
    from_stage = debrief.stage_enum
    if to_stage is from_stage:
        return None
    reason = (reason or "").strip() or None
    failing = gates.failures(debrief, from_stage, to_stage, process_settings.gate_enabled)
    needs = reason_needed(from_stage, to_stage)
    if failing and (not override or any(f.gate.hard for f in failing)):
        raise MoveRefused(debrief, to_stage, failing, needs)
    if failing and not reason:
        raise MoveRefused(debrief, to_stage, failing, "Say why you are overriding the gate.")
    if needs and not reason:
        raise MoveRefused(debrief, to_stage, [], needs)
    change = _apply_move(debrief, to_stage, actor, reason=reason, overridden=[f.gate.name for f in failing])
    db.session.commit()
    return change


def _apply_move(debrief: Debrief, to_stage: Stage, actor: User, *, reason: str | None,
                overridden: list[str]) -> StageChange:
    change = StageChange(from_stage=debrief.stage, to_stage=to_stage.value, changed_by_id=actor.id, reason=reason,
                         overridden=",".join(overridden) or None)
    debrief.history.append(change)
    debrief.stage = to_stage.value
    debrief.stage_changed_at = change.changed_at = utcnow()
    debrief.version += 1
    audit.alteration("debrief", debrief.id, ["stage"], action="debrief.override" if overridden else "debrief.move")
    return change


def add_participant(debrief: Debrief, user: User, actor: User) -> bool:
    if not user.active or not user.has_role(Role.MEMBER, Role.PARTNER):
        raise ValueError("Only active members and partner staff can be added.")
    exists = db.session.get(DebriefParticipant, (debrief.id, user.id))
    if exists:
        return False
    db.session.add(DebriefParticipant(debrief_id=debrief.id, user_id=user.id, added_by_id=actor.id))
    audit.disclosure("debrief", debrief.id, recipient=f"user_account {user.id}", action="debrief.share")
    db.session.commit()
    return True


def remove_participant(debrief: Debrief, user_id: int) -> bool:
    row = db.session.get(DebriefParticipant, (debrief.id, user_id))
    if row is None:
        return False
    db.session.delete(row)
    audit.alteration("debrief", debrief.id, ["participants"], action="debrief.unshare")
    db.session.commit()
    return True


def participant_candidates() -> list[User]:
    from app.models import UserRole

    return list(db.session.scalars(
        select(User).where(User.active, User.role_rows.any(UserRole.role.in_([Role.MEMBER.value,
                                                                            Role.PARTNER.value])))
        .order_by(User.full_name)))
