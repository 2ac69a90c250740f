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


# A dozen clearly fictional debriefs across every stage. Places are invented; no real case is described.
DEMO_DEBRIEFS = [
    # (days ago, title, category, context, subtype, offence, weapon, area, stage path)
    (1, "Stabbing outside takeaway, Fernley Road", "near_miss", "non_domestic", "knife", "s18_gbh", "knife",
     "Northgate", ["referred"]),
    (2, "Flat fire with occupant, Mill Court", "homicide", "domestic", "intimate_partner", "murder", "fire",
     "Eastbrook", ["referred"]),
    (6, "Assault on older man at home, Kestrel Way", "near_miss", "domestic", "familial", "attempted_murder",
     "blunt object", "Westmoor", ["referred", "scoping"]),
    (9, "Youth stabbing near skate park", "homicide", "non_domestic", "youth", "murder", "knife", "Northgate",
     ["referred", "scoping"]),
    (14, "Woman found injured at home, Alder Close", "near_miss", "domestic", "intimate_partner",
     "attempted_murder", "ligature", "Southfield", ["referred", "scoping", "chronology"]),
    (19, "Fatal assault after dispute over debt", "homicide", "non_domestic", "drug_related", "manslaughter",
     "none", "Eastbrook", ["referred", "scoping", "chronology"]),
    (24, "Mother killed by adult son, Orchard Lane", "homicide", "domestic", "familial", "murder", "knife",
     "Westmoor", ["referred", "scoping", "chronology", "debrief"]),
    (33, "Stranger attack on towpath", "near_miss", "non_domestic", "stranger", "s18_gbh", "bottle",
     "Southfield", ["referred", "scoping", "chronology", "debrief"]),
    (45, "Partner homicide, Heron Street", "homicide", "domestic", "intimate_partner", "murder", "knife",
     "Northgate", ["referred", "scoping", "chronology", "debrief", "learning"]),
    (80, "Serious wounding at house party", "near_miss", "non_domestic", "youth", "s18_gbh", "knife", "Eastbrook",
     ["referred", "scoping", "chronology", "debrief", "learning", "monitoring"]),
    (120, "Killing of a man by his brother, Larch Road", "homicide", "domestic", "familial", "manslaughter",
     "blunt object", "Westmoor", ["referred", "scoping", "chronology", "debrief", "learning", "monitoring", "closed"]),
    (10, "Fall from balcony during argument", "near_miss", "domestic", "intimate_partner", "other", "none",
     "Southfield", ["referred", "not_progressed"]),
]


def seed_debriefs(actor_username: str = "reviewer") -> int:
    """Add the demo debriefs once; returns how many were added."""
    from datetime import timedelta

    from app.debriefs import services
    from app.debriefs.timeliness import today
    from app.models import Debrief, Decision, Stage, StageChange, User, utcnow

    if db.session.scalar(select(Debrief.id).limit(1)) is not None:
        return 0
    actor = db.session.scalar(select(User).where(User.username == actor_username))
    second = db.session.scalar(select(User).where(User.username == "reviewer2")) or actor
    for n, (days_ago, title, category, context, subtype, offence, weapon, area, path) in enumerate(DEMO_DEBRIEFS):
        incident = today() - timedelta(days=days_ago)
        debrief = services.create_referral({
            "title": title, "dmm_date": incident + timedelta(days=1 if days_ago > 1 else 0),
            "incident_date": incident, "incident_time": None, "occurrence_ref": f"DEMO/{1000 + n}",
            "category": category, "context": context, "subtype": subtype, "offence": offence, "weapon": weapon,
            "policing_area": area, "summary": "Fictional demonstration case.", "referred_by": "Duty Superintendent",
            "lead_reviewer_id": (actor if n % 2 == 0 else second).id}, actor)
        if len(path) > 1:
            decision = Decision.DECLINED if path[-1] == "not_progressed" else Decision.ACCEPTED
            services.record_decision(debrief, decision=decision, rationale="Meets the criteria for a rapid debrief."
                                     if decision is Decision.ACCEPTED else "Handed wholly to a statutory review.",
                                     decided_by="Head of Public Protection", decided_on=debrief.dmm_date,
                                     actor=actor, move=False)
        # Spread the stage changes over the days since the incident, so the board shows real ages.
        steps = path[1:]
        for i, stage in enumerate(steps):
            when = utcnow() - timedelta(days=days_ago) + timedelta(days=(i + 1) * max(days_ago, 1) / (len(steps) + 1))
            debrief.history.append(StageChange(from_stage=debrief.stage, to_stage=stage, changed_by_id=actor.id,
                                               changed_at=when,
                                               reason="Handed wholly to a statutory review."
                                               if stage == Stage.NOT_PROGRESSED.value else None))
            debrief.stage = stage
            debrief.stage_changed_at = when
        debrief.created_at = debrief.history[0].changed_at = utcnow() - timedelta(days=days_ago) + timedelta(hours=20)
        db.session.commit()
        if stage_index(path[-1]) >= stage_index("chronology") and path[-1] != "not_progressed":
            _demo_scoping(debrief, actor, full=stage_index(path[-1]) > stage_index("chronology"))
        if stage_index(path[-1]) >= stage_index("learning") and path[-1] != "not_progressed":
            _demo_meeting(debrief, days_after_incident=min(21 + 3 * n % 20, days_ago - 1))
            _demo_learning(debrief, issue=stage_index(path[-1]) > stage_index("learning"), finished=path[-1] == "closed",
                           n=n)
        if path[-1] == "monitoring":
            _demo_quick_time(debrief, actor)
        if path[-1] == "debrief":
            _demo_upcoming_meeting(debrief)
    _demo_repeats(actor)
    return len(DEMO_DEBRIEFS)


def _demo_repeats(actor) -> None:
    """The same learning was found in three debriefs: each is linked to the earlier one the suggestions rank
    first, with the repeat they propose (earlier actions still open, or closed and it happened again)."""
    from app.learning import repeats
    from app.models import LearningPoint

    points = db.session.scalars(select(LearningPoint).where(LearningPoint.kind == "improvement")
                                .order_by(LearningPoint.created_at, LearningPoint.id)).all()
    for point in points:
        found = repeats.suggest(point.statement, [t.id for t in point.themes], point.debrief_id, actor,
                                before=point.created_at, exclude_point_id=point.id)
        if found and not found[0].from_another_force:
            repeats.link(point, db.session.get(LearningPoint, found[0].id), found[0].default_repeat, point.version)


def stage_index(stage: str) -> int:
    from app.models import STAGE_ORDER, Stage

    return STAGE_ORDER.index(Stage(stage))


DEMO_TEAMS = [("Public Protection Unit", "ppu@example.org"), ("Contact Management", "contact.mgmt@example.org"),
              ("Learning and Development", None)]


def _demo_teams() -> dict[str, int]:
    from app.models import Team

    for name, email in DEMO_TEAMS:
        if db.session.scalar(select(Team.id).where(Team.name == name)) is None:
            db.session.add(Team(name=name, email=email, active=True))
    db.session.commit()
    return {t.name: t.id for t in db.session.scalars(select(Team))}


def _demo_learning(debrief, issue: bool, finished: bool, n: int) -> None:
    """Fictional learning points and actions in every state; past the Learning stage, an issued document too."""
    from datetime import timedelta

    from app.actions import services as actions
    from app.debriefs.timeliness import today
    from app.learning import services
    from app.models import ChronologyEntry, Theme, User

    themes = {t.name: t.id for t in db.session.scalars(select(Theme))}
    teams = _demo_teams()
    users = {u.username: u for u in db.session.scalars(select(User))}
    keys = [e.id for e in db.session.scalars(select(ChronologyEntry).where(ChronologyEntry.debrief_id == debrief.id,
                                                                          ChronologyEntry.key_issue))]
    gap = services.add_learning(debrief, {
        "statement": "Adult A's disclosure to the GP and the later 999 call were not connected; the risk was "
                     "not reassessed.", "kind": "improvement", "repeat": "new",
        "theme_ids": [themes["Information sharing"], themes["Risk assessment"]], "entry_ids": keys})
    services.add_learning(debrief, {
        "statement": "The MARAC referral was made and heard within a week.", "kind": "good_practice",
        "repeat": "new", "theme_ids": [themes["Good practice to embed"]], "entry_ids": []})
    plan = {"milestones": None, "accountable_lead": "Head of Public Protection", "department": "Public Protection",
            "priority": "high", "scope": "force", "owner_user_id": None, "owner_team_id": None}
    first = services.add_action(debrief, gap, {
        **plan, "what": "Add a prompt to link prior health disclosures when attending domestic incidents.",
        "milestones": "Draft the prompt\nAgree it with Contact Management\nBrief response teams",
        "owner_team_id": teams["Public Protection Unit"], "due_on": today() + timedelta(days=(n * 17) % 70 - 20)})
    member = services.add_action(debrief, gap, {
        **plan, "what": "Brief response supervisors on re-assessing DASH risk after a new disclosure.",
        "owner_user_id": users["member"].id if "member" in users else None,
        "owner_team_id": None if "member" in users else teams["Learning and Development"],
        "accountable_lead": "Superintendent, Response", "department": "Response",
        "due_on": today() + timedelta(days=(n * 11) % 40 - 10), "priority": "medium"})
    partner = services.add_action(debrief, gap, {
        **plan, "what": "Share GP disclosures of domestic abuse with the MARAC coordinator within 24 hours.",
        "owner_user_id": users["partner"].id if "partner" in users else None,
        "owner_team_id": None if "partner" in users else teams["Contact Management"],
        "accountable_lead": "Designated safeguarding lead", "department": "Partners", "scope": "partner",
        "due_on": today() + timedelta(days=45)})
    for action in (first, member, partner):  # raised some weeks before they fall due
        action.raised_on = min(today(), action.due_on - timedelta(days=60))
    for point in debrief.learning_points:  # recorded the day after the meeting, so older cases' learning is earlier
        point.created_at = debrief.meeting.starts_at + timedelta(days=1)
    db.session.commit()
    reviewer = users.get("reviewer")
    if finished:
        for action in (first, member, partner):
            actions.owner_update(action, reviewer, version=action.version, status="completed", note="Done.",
                                 note_on=today(), evidence="Briefing delivered and recorded.", evidence_link="")
            actions.sign_off(action, users.get("wgroup", reviewer), version=action.version, comment="Evidence seen.")
    elif issue:
        actions.owner_update(first, reviewer, version=first.version, status="completed",
                             note="Prompt live in the incident system.", note_on=today(),
                             evidence="Prompt added to the domestic incident template on 1 November.",
                             evidence_link="https://intranet.example.org/ppu/prompt")
        actions.owner_update(member, reviewer, version=member.version, status="in_progress",
                             note="Two of five briefings delivered.", note_on=today(), evidence="", evidence_link="")
    if issue:
        services.issue_document(debrief, {
            "plan": "7-minute briefing to response teams; item at the partnership board.",
            "summary": "The debrief found that risk information held by two agencies was not brought together "
                       "before the incident. It recognises prompt safeguarding by the ambulance crew and sets "
                       "actions on risk assessment and information sharing.",
            "approved_by": "Detective Superintendent, Head of Public Protection",
            "distribution": "Chief officer group; homicide prevention working group; partner agencies through "
                            "the community safety partnership; response and neighbourhood supervisors"}, reviewer)


def _demo_quick_time(debrief, actor) -> None:
    """Quick-time learning: one shared within its deadline, one past its deadline and not yet shared."""
    from datetime import timedelta

    from app.debriefs.timeliness import today
    from app.models import User, utcnow
    from app.quicktime import services as quicktime

    owner = db.session.scalar(select(User).where(User.username == "reviewer2")) or actor
    shared, _ = quicktime.record(debrief, {
        "urgency": "process", "statement": "The domestic incident form does not prompt officers to ask about "
        "recent health disclosures: brief response supervisors now.", "audience": "Response supervisors",
        "owner_user_id": owner.id, "share_by": utcnow() - timedelta(days=20)}, actor)
    quicktime.record_sharing(shared, {"shared_on": today() - timedelta(days=21), "shared_method": "briefing",
                                      "shared_audience": "Response supervisors, all areas",
                                      "shared_by": "Review team"}, shared.version, actor)
    overdue, _ = quicktime.record(debrief, {
        "urgency": "risk", "statement": "Bail conditions are not being checked before release under "
        "investigation in domestic cases: tell custody sergeants.", "audience": "Custody sergeants",
        "owner_user_id": owner.id, "share_by": utcnow() - timedelta(hours=6)}, actor)
    shared.created_at, overdue.created_at = utcnow() - timedelta(days=22), utcnow() - timedelta(days=2)
    db.session.commit()


def _demo_meeting(debrief, days_after_incident: int) -> None:
    """A meeting held in the past with fictional attendees."""
    from datetime import time, timedelta

    from app.meetings import services as meetings
    from app.models import User

    start = _schedule_demo(debrief, debrief.incident_date + timedelta(days=days_after_incident), time(10, 0))
    meeting = debrief.meeting
    member = db.session.scalar(select(User).where(User.username == "member"))
    if member:
        meetings.invite_user(meeting, member)
    meetings.invite_external(meeting, name="Demo Housing Officer", agency="Housing", email=None)
    meetings.record_attendance(meeting, {i.id: "attended" for i in meeting.invitees},
                               {i.id for i in meeting.invitees if i.is_partner})
    # The member's agency contribution to the first key question, sent before the meeting and folded into the
    # review's finding for that question.
    from app.models import Contribution

    questions = meetings.key_questions(debrief)
    reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
    if member and reviewer and questions:
        contribution = Contribution(meeting_id=meeting.id, author_id=member.id, agency="Police", position=1,
                                    question=questions[0], submitted_at=start - timedelta(days=2), text=(
                                        "Two earlier domestic incidents were recorded; the second DASH risk "
                                        "assessment was not reviewed by a supervisor."))
        db.session.add(contribution)
        db.session.flush()
        meetings.fold(contribution, reviewer, questions[0], contribution.version)


def _schedule_demo(debrief, day, at):
    """The demo's meeting for a debrief on `day` at `at` (UK time), in the same room with the same chair."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from app.meetings import services as meetings

    start = datetime.combine(day, at, tzinfo=ZoneInfo("Europe/London")).astimezone(ZoneInfo("UTC"))
    meetings.schedule(debrief, {"starts_at": start, "duration_minutes": 120, "venue": "Room 2, Headquarters",
                                "online_link": None, "chair": "Head of Public Protection",
                                "note_taker": "Review team assistant"}, version=0)
    return start


def _demo_upcoming_meeting(debrief) -> None:
    """A meeting in three days with the demo member and partner invited: the partner sees the confidentiality
    terms before any case material, and both may send their agency's contribution to the key questions."""
    from datetime import time, timedelta

    from app.debriefs.timeliness import today
    from app.meetings import services as meetings
    from app.models import User

    _schedule_demo(debrief, today() + timedelta(days=3), time(14, 0))
    for username in ("member", "partner"):
        user = db.session.scalar(select(User).where(User.username == username))
        if user:
            meetings.invite_user(debrief.meeting, user)


def _demo_scoping(debrief, actor, full: bool) -> None:
    """Fictional people, signed-off parameters and a short chronology for a demo debrief."""
    from datetime import time, timedelta

    from app.chronology import services as chronology
    from app.models import Agency, SubjectRole
    from app.scoping import services as scoping

    victim = scoping.add_subject(debrief, role=SubjectRole.VICTIM, real_name="Jane Marrowby", date_of_birth=None)
    suspect = scoping.add_subject(debrief, role=SubjectRole.SUSPECT, real_name="John Tallantire", date_of_birth=None)
    agencies = {a.name: a.id for a in db.session.scalars(select(Agency))}
    incident = debrief.incident_date
    scoping.save_parameters(debrief, {
        "review_from": incident - timedelta(days=730), "review_to": incident,
        "key_questions": "Was the risk to Adult A recognised and shared between agencies?\n"
                         "Were there opportunities to intervene with Adult B?",
        "exclusions": "Matters subject to the criminal investigation\nIndividual officer conduct",
        "sio_name": "DCI Demo", "sio_consulted_on": debrief.dmm_date, "sio_conditions": None,
        "disclosure_officer_informed_on": debrief.dmm_date}, version=0, subject_ids=[victim.id, suspect.id],
        agency_ids=[agencies["Police"], agencies["GP"], agencies["Housing"]], reason=None, actor=actor)
    scoping.sign_off(debrief.parameters, actor)
    events = [
        (400, time(23, 40), "Police", "domestic_incident", "Neighbour reported shouting; Adult A had a cut lip.",
         "DASH completed: standard", "standard", False, False, False),
        (310, None, "GP", "health", "Adult A disclosed feeling unsafe at home; no referral made.", None, None,
         True, False, True),
        (200, time(10, 5), "Housing", "other", "Adult B reported for damage to the flat door.", None, None,
         False, False, False),
        (90, time(2, 15), "Police", "call", "999 call from Adult A; Adult B arrested, released under investigation.",
         "Bail conditions not set", "high", True, False, True),
        (30, None, "Police", "safeguarding", "MARAC referral made and heard within the week.", None, None,
         False, True, False),
    ]
    for days_before, at, agency, contact, summary, action, risk, missed, good, key in events:
        if not full and days_before < 100:
            continue
        chronology.create_entry(debrief, {
            "entry_date": incident - timedelta(days=days_before), "entry_time": at, "date_precision": "exact",
            "agency_id": agencies[agency], "contact_type": contact, "summary": summary, "action_taken": action,
            "risk_assessment": risk, "missed_opportunity": missed, "good_practice": good, "key_issue": key,
            "turning_point": False, "verified": True, "subject_ids": [victim.id, suspect.id]}, actor)
