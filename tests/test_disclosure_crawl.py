"""The leak crawl: no real name or identifier of a case subject reaches anyone outside the review team.

A demo workflow is built through the services; a planted case gets subjects with names, aliases, a date
of birth, an address, a phone number and an occurrence reference; then every text column of every table
(except those `app.disclosure.NOT_CASE_TEXT` says hold no case text) is filled with those identifiers.
Every role then walks every GET route in `app.url_map` (plain, as an htmx fragment, and asking for the
internal version), every export, every email the loopback SMTP server receives and the error pages, and
the identifiers are counted. Outside the review team: none. The review team: they appear (so the crawl
can fail). A route added later is walked without editing this file.
"""
from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from collections import Counter
from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from app.disclosure import NOT_CASE_TEXT, case_text_columns
from app.extensions import db
from tests.conftest import RANDOM_HEX, login

REF = "OCC/48213/26"
DOB = date(1988, 7, 14)
ADDRESS = "14 Wrenfield Close, Ashbury AB3 9QX"
PHONE = "07700 900461"
# What is planted, longest first: a column gets the longest that fits.
PHRASES = [
    "Zebulon Quiggleton (Zeb, Z.Q.) spoke to Marisol Quiggleton's sister; ZEBULON QUIGGLETON'S DOB 14/07/1988, "
    "14 July 1988, 1988-07-14; lives at 14 Wrenfield Close, Ashbury AB3 9QX; tel 07700 900461; "
    "occurrence OCC/48213/26; İlker YILMAZ and ilker; Hans WEISS and Weiß; Zebulon\nQuiggleton; L B",
    "Zebulon Quiggleton; OCC/48213/26; 14/07/1988; AB3 9QX; 07700 900461",
    "Zebulon Quiggleton, OCC/48213/26",
    "Zeb Quiggleton",
    "Quiggleton",
    "Zeb",
]
# What is counted in every response, email and file.
FOUND = [re.compile(p, re.IGNORECASE) for p in (
    r"quiggleton", r"zebulon", r"marisol", r"wrenfield", r"48213", r"900461", r"y[iı]lmaz", r"(?:i|İ)\u0307?lker",
    r"wei(?:ss|ß)", r"ab3\s*9qx",
    r"14\W{1,3}0?7\W{1,3}(?:19)?88|1988\W0?7\W14|14(?:th)?\s+jul(?:y)?\s+1988", r"(?<![\w-])zeb(?![\w-])")] + [re.compile(r"(?<!\w)Z\.?\s?Q(?!\w)")]
_TOKENS = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*|("X-CSRFToken": ")[^"]*|(/reset/)[\w.-]+')

ROLES = ["reviewer", "member", "partner", "wgroup", "board", "auditor", "admin"]
# Every download that is a POST, with what it needs; a new one must be added here (checked below).
EXPORTS = {
    "chronology.export": [{"recipient": "Crawl", "version": v, "format": f} for v in ("internal", "shared")
                          for f in ("csv", "docx")],
    "learning.download": [{"recipient": "Crawl"}, {"recipient": "Crawl", "version": "internal"}],
    "learning.briefing_download": [{"recipient": "Crawl"}],
    "actions.export": [{"recipient": "Crawl"}],
    "actions.pack_docx": [{"recipient": "Crawl"}],
    "auditlog.export": [{"recipient": "Crawl"}],
    "governance.download": [{"recipient": "Crawl"}],  # every chart's data: see the dashboard crawl below
    "governance.pack_docx": [{"recipient": "Crawl"}],
    "governance.pack_issue": [{"questions": "Crawl"}],  # issues (a redirect), or is refused
    "exchange.export": [{"recipient": "Crawl"}],
}


SEEN: dict[str, str] = {}  # one example of each leak, for the failure message


def count(text: str) -> int:
    text = RANDOM_HEX.sub("#", _TOKENS.sub(lambda m: m.group(0)[:12], text))
    text = unicodedata.normalize("NFC", html.unescape(text))
    total = 0
    for p in FOUND:
        for m in p.finditer(text):
            total += 1
            SEEN.setdefault(p.pattern, text[max(0, m.start() - 80):m.end() + 40])
    return total


def body_text(response) -> str:
    data = response.get_data()
    if data[:2] == b"PK":  # a Word file: every part's text
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return " ".join(re.sub(r"<[^>]+>", " ", z.read(n).decode("utf-8")) for n in z.namelist()
                            if n.endswith(".xml"))
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
    return headers + "\n" + data.decode("utf-8", "replace")


# ---- building the planted case ---------------------------------------------------------

def _plant_everywhere() -> list[str]:
    """Fill every case-text column of every row with the longest planted phrase that fits."""
    planted = []
    for table in db.metadata.sorted_tables:
        values = {}
        for column in case_text_columns(table):
            if (table.name, column.name) == ("debrief", "occurrence_ref"):
                values[column.name] = REF
                continue
            limit = column.type.length or 10_000
            fitting = [p for p in PHRASES if len(p) <= limit]
            if fitting:
                values[column.name] = fitting[0]
        if values:
            db.session.execute(table.update().values(**values))
            planted += [f"{table.name}.{c}" for c in values]
    db.session.commit()
    return planted


@pytest.fixture
def planted(app, smtp_server):
    """The demo workflow plus one planted case shared with the member and the partner."""
    from app import demo
    from app.actions import services as actions
    from app.debriefs import services as debriefs
    from app.learning import services as learning
    from app.meetings import services as meetings
    from app.models import (Action, ChronologyEntry, Debrief, Invitee, LearningDocument, Meeting, ReviewType,
                            SubjectRole, User)
    from app.scoping import services as scoping

    controller, _ = smtp_server
    app.config.update(SMTP_HOST=controller.hostname, SMTP_PORT=controller.port, BASE_URL="https://localhost")
    with app.test_request_context():
        demo.seed()
        demo.seed_debriefs()
        users = {u.username: u for u in db.session.scalars(sa.select(User))}
        for name in ("member", "partner", "wgroup"):
            users[name].email = f"{name}@example.org"
        d = db.session.scalar(sa.select(Debrief).where(Debrief.stage == "monitoring"))
        for name in ("member", "partner"):
            debriefs.add_participant(d, users[name], users["reviewer"])
        z = scoping.add_subject(d, role=SubjectRole.SUSPECT, real_name="Zebulon Quiggleton", date_of_birth=DOB,
                                aliases="Zeb", address=ADDRESS, phone=PHONE)
        scoping.add_subject(d, role=SubjectRole.FAMILY, real_name="Marisol Quiggleton", date_of_birth=None)
        scoping.add_subject(d, role=SubjectRole.OTHER, real_name="İlker Yılmaz", date_of_birth=None)
        scoping.add_subject(d, role=SubjectRole.OTHER, real_name="Hans Weiß", date_of_birth=None)
        scoping.save_review(d, ReviewType.DARDR, {"applies": "yes", "why": PHRASES[0], "lead_body": PHRASES[2],
                                          "notified_on": None, "reference": PHRASES[2], "status": PHRASES[1],
                                          "completed_on": None, "output_shared_on": None, "agreed_on": None}, 0)
        params = d.parameters
        scoping.save_parameters(d, {"key_questions": PHRASES[0], "exclusions": PHRASES[0]}, version=params.version,
                                subject_ids=[s.id for s in d.subjects], agency_ids=[a.id for a in params.agencies],
                                reason=PHRASES[0], actor=users["reviewer"])
        meeting = db.session.scalar(sa.select(Meeting).where(Meeting.debrief_id == d.id))
        meetings.invite_external(meeting, name="Crawl Invitee", agency="Housing", email="housing@example.org")
        # The member and the partner are invited (the partner has acknowledged the confidentiality terms, so the
        # crawl reads the case material as they do), each with a contribution, and the review has findings.
        from app.models import Contribution, Finding

        for name in ("member", "partner"):
            invitation = meetings.invite_user(meeting, users[name])
            meetings.acknowledge(invitation, users[name])
            db.session.add(Contribution(meeting_id=meeting.id, author_id=users[name].id, agency="Crawl agency",
                                        position=1, question="Q", text="C"))
        if not db.session.scalar(sa.select(Finding.id).where(Finding.debrief_id == d.id)):  # the demo has one
            db.session.add(Finding(debrief_id=d.id, position=1, question="Q", text="F"))
        db.session.commit()
        contribution_id = db.session.scalar(sa.select(Contribution.id))
        invitee_id = db.session.scalar(sa.select(Invitee.id).where(Invitee.user_id == users["partner"].id))
        mine = db.session.scalar(sa.select(Action).where(Action.debrief_id == d.id,
                                                         Action.owner_user_id == users["member"].id))
        extension = actions.request_extension(mine, users["member"], version=mine.version,
                                              new_due=mine.due_on + timedelta(days=30), reason=PHRASES[0])
        from app.records import services as records

        records.place_hold(d, "inquest", PHRASES[0], None, users["reviewer"])
        records.record_review(d, "retain", PHRASES[0], date.today() + timedelta(days=400), d.retention.version,
                              users["reviewer"], date.today())
        doc = db.session.scalar(sa.select(LearningDocument).where(LearningDocument.debrief_id == d.id))
        learning.record_dissemination(doc, method="briefing", audience=PHRASES[1], on=date.today(), by=PHRASES[2])
        planted_columns = _plant_everywhere()
        from app import process_settings
        from app.governance import pack as board_pack

        this_quarter = date(date.today().year, 3 * ((date.today().month - 1) // 3) + 1, 1)
        pack = board_pack.issue(this_quarter, PHRASES[0], process_settings.current(), date.today(), users["reviewer"])
        ids = {"debrief_id": d.id, "action_id": mine.id, "subject_id": z.id, "number": doc.number,
               "entry_id": db.session.scalar(sa.select(ChronologyEntry.id).where(ChronologyEntry.debrief_id == d.id)),
               "point_id": d.learning_points[0].id, "extension_id": extension.id, "review_type": "dardr",
               "user_id": users["member"].id, "item_id": 1, "import_id": 1, "reference": d.reference,
               "chart": "volumes", "pack_id": pack.id, "quarter": this_quarter.strftime("%Y-%m"),
               "hold_id": 1, "disposal_id": 1, "invitee_id": invitee_id, "position": 1,
               "contribution_id": contribution_id}
        db.session.remove()
    return ids, planted_columns


def _clients(new_client):
    from app.demo import DEMO_PASSWORD

    clients = {}
    for role in ROLES:
        c = new_client()
        assert login(c, role, password=DEMO_PASSWORD).status_code == 302, role
        clients[role] = c
    return clients


def _url(rule, ids) -> str | None:
    from flask import url_for

    values = {}
    for arg in rule.arguments - set(rule.defaults or ()):
        assert arg in ids and ids[arg] is not None, f"the crawl has no value for <{arg}> in {rule.rule}"
        values[arg] = ids[arg]
    return url_for(rule.endpoint, **values)


# ---- the crawl ----------------------------------------------------------------------------

def test_no_name_or_identifier_reaches_anyone_outside_the_review_team(app, new_client, planted, smtp_server):
    ids, planted_columns = planted
    _, mailbox = smtp_server
    assert {"debrief.title", "debrief.summary", "parameters.key_questions", "parallel_review.status",
            "chronology_entry.source_ref", "meeting.venue", "dissemination.by", "action.evidence",
            "action.response"} <= set(planted_columns)
    clients = _clients(new_client)
    found: Counter = Counter()
    pages = 0
    with app.test_request_context():
        rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static" and "GET" in r.methods]
        urls = [(r.endpoint, _url(r, ids)) for r in rules]
    for role, c in clients.items():
        for endpoint, url in urls:
            for variant, headers in (("", {}), ("", {"HX-Request": "true"}), ("?version=internal", {})):
                r = c.get(url + variant, headers=headers)
                assert r.status_code < 500, (role, url, r.status_code)
                pages += 1
                found[(role, url + variant + (" [htmx]" if headers else ""))] += count(body_text(r))
        # Errors: a missing object, and every POST route refused for want of a CSRF token.
        r = c.get("/debriefs/987654")
        found[(role, "404")] += count(body_text(r))
        with app.test_request_context():
            for rule in app.url_map.iter_rules():
                if "POST" in rule.methods and "GET" not in rule.methods:
                    r = c.post(_url(rule, ids), data={"x": "y"})
                    found[(role, f"POST {rule.rule} without token")] += count(body_text(r))
                    pages += 1
    # "View as": a reviewer previewing a page as another audience sees what they see.
    with app.test_request_context():
        from app.disclosure import VIEW_AS, VIEW_AS_PAGES

        previews = [_url(r, ids) for r in rules if r.endpoint in VIEW_AS_PAGES]
    for url in previews:
        for audience in VIEW_AS:
            r = clients["reviewer"].get(f"{url}?view_as={audience}", follow_redirects=True)
            assert r.status_code == 200, url
            found[(f"reviewer as {audience}", url)] += count(body_text(r))
            pages += 1

    # Exports that are POSTs, for every role allowed them.
    with app.test_request_context():

        posted = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
        assert {e for e in posted if re.search(r"export|download|docx|csv|ics|pack", e)} <= set(EXPORTS), \
            "a new download: add it to EXPORTS so the crawl reads it"
        export_urls = {e: _url(next(r for r in app.url_map.iter_rules() if r.endpoint == e), ids) for e in EXPORTS}
    files = 0
    for role, c in clients.items():
        token = c.csrf_token("/account")
        for endpoint, payloads in EXPORTS.items():
            for data in payloads:
                query = "?version=internal" if data.get("version") == "internal" else ""
                r = c.post(export_urls[endpoint] + query, data={"csrf_token": token, **data})
                if r.status_code == 200:
                    files += 1
                    internal = data.get("version") == "internal" and role == "reviewer"
                    key = (role if internal else f"{role} (shared version)", f"{endpoint} {data}")
                    found[key] += count(body_text(r))

    # The board pack's draft, as each role would open it.
    for role, c in clients.items():
        r = c.get(f"/board-packs/draft?quarter={ids['quarter']}")
        assert r.status_code in (200, 403, 404), (role, r.status_code)
        found[(role, "/board-packs/draft")] += count(body_text(r))
        pages += 1

    # The dashboard over ten years: every figure's list of debriefs or actions, and every chart's data.
    from app.governance.dashboard import TABLES

    ten_years = f"?period=custom&from={date.today() - timedelta(days=3650)}&to={date.today()}"
    for role, c in clients.items():
        page = c.get("/dashboard" + ten_years)
        if page.status_code != 200:
            continue
        found[(role, "/dashboard (ten years)")] += count(body_text(page))
        links = set(re.findall(r'href="(/dashboard/which\?[^"]+)"', page.get_data(as_text=True)))
        assert len(links) > 20, role
        for link in links:
            r = c.get(link.replace("&amp;", "&"))
            assert r.status_code == 200, (role, link)
            found[(role, link)] += count(body_text(r))
            pages += 1
        token = c.csrf_token("/account")
        for chart in TABLES:
            r = c.post(f"/dashboard/data/{chart}.csv" + ten_years, data={"csrf_token": token, "recipient": "Crawl"})
            assert r.status_code == 200, (role, chart)
            files += 1
            found[(f"{role} (shared version)", f"dashboard {chart}.csv")] += count(body_text(r))

    # Conflicts and refusals that show stored text back: the owner's stale update of their own action.
    member = clients["member"]
    token = member.csrf_token("/account")
    prefix = f"u{ids['action_id']}"
    r = member.post(f"/actions/{ids['action_id']}/update", data={
        "csrf_token": token, f"{prefix}-version": "0", f"{prefix}-status": "in_progress",
        f"{prefix}-note": "Typed by the owner", f"{prefix}-evidence": "Owner's evidence"})
    assert r.status_code in (404, 409, 422), r.status_code
    found[("member", "stale update")] += count(body_text(r))

    # Email: invitations (with their calendar files) and reminders, as the SMTP server received them.
    with app.test_request_context():
        from app.actions.reminders import send_reminders
        from app.meetings import services as meetings
        from app.models import Debrief

        d = db.session.get(Debrief, ids["debrief_id"])
        assert meetings.send_invitations(d.meeting, d.reference) >= 1
        send_reminders(date.today())
        send_reminders(date.today() + timedelta(days=7 - date.today().weekday()))
    assert mailbox.messages, "no email reached the loopback server"
    for recipients, raw in mailbox.messages:
        msg = message_from_bytes(raw, policy=policy.default)
        parts = [str(msg["Subject"])] + [p.get_content() if p.get_content_type().startswith("text/")
                                         else p.get_payload(decode=True).decode("utf-8", "replace")
                                         for p in msg.walk() if not p.is_multipart()]
        found[("email", ",".join(recipients))] += count(" ".join(str(p) for p in parts))

    outside = {k: v for k, v in found.items() if v and not k[0] == "reviewer"}
    if outside:  # examples from the responses outside the review team
        SEEN.clear()
        for role, c in clients.items():
            if role != "reviewer":
                for key in [k for k in outside if k[0] == role][:3]:
                    if key[1].startswith("/"):
                        count(body_text(c.get(key[1].split(" ")[0])))
    reviewers = sum(v for k, v in found.items() if k[0] == "reviewer")
    print(f"\ncrawl: {len(urls)} GET routes x {len(ROLES)} roles, {pages} pages, {files} files, "
          f"{len(mailbox.messages)} emails; occurrences outside the review team {sum(outside.values())}, "
          f"for the review team {reviewers}")
    if outside:
        for pattern, example in SEEN.items():
            print(f"LEAK {pattern}: {example!r}")
    assert not outside, (sorted(outside.items())[:20], SEEN)
    assert reviewers > 100  # the names are there to be found: the crawl can fail
    assert found[("reviewer", f"/debriefs/{ids['debrief_id']}")] > 0


def test_searching_by_a_name_or_reference_finds_nothing_outside_the_review_team(app, new_client, planted):
    clients = _clients(new_client)
    ids, _ = planted
    for term in ("48213", "Quiggleton", "Zebulon Quiggleton"):
        assert ids["reference"] in clients["reviewer"].get(f"/debriefs?q={term}").get_data(as_text=True), term
        for role in ("member", "partner", "wgroup", "board"):
            page = clients[role].get(f"/debriefs?q={term}").get_data(as_text=True)
            assert re.search(r"\b0 debriefs|No debriefs", page), (role, term, re.findall(r"\d+ debriefs?", page))


def test_every_listed_column_exists():
    """NOT_CASE_TEXT names real tables and columns, so an exemption cannot outlive its column."""
    tables = {t.name: t for t in db.metadata.sorted_tables}
    for key in NOT_CASE_TEXT:
        table, _, column = key.partition(".")
        assert table in tables, key
        assert not column or column in tables[table].columns, key
