"""The document of learning and actions and its 7-minute briefing as a force would send them out: opened as
Word files with python-docx, and printed to PDF by Chromium."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from docx import Document as WordDocument
from docx.shared import Mm

from app.extensions import db
from app.models import Action, Debrief, Finding, LearningDocument, Parameters
from tests.conftest import login
from tests.test_chronology import make_entries
from tests.test_browser import chromium, live, page, sign_in  # noqa: F401
from tests.test_learning import add_point, issue_fields, learning, point_id, theme_id  # noqa: F401

NAME, STREET, AREA = "Ottilie Quarrington", "Vellacott Row", "Brackenmoor"
ONE_DATE_FORMAT = re.compile(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
                             r"November|December) \d{4}\b")
SHORT_DATES = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec) \d{4}\b|\d{4}-\d{2}-\d{2}|"
                         r"\d{1,2}/\d{1,2}/\d{2,4}")
SECTIONS = ["1. Summary", "2. Terms of reference in brief", "3. The debrief: background, agencies and meeting",
            "4. Findings against the key questions", "5. Learning: areas for improvement", "6. Good practice",
            "7. Quick-time learning shared before this document", "8. Actions", "9. Dissemination plan",
            "10. Version history"]


@pytest.fixture
def case(app, client, learning, make_user):  # noqa: F811
    """A debrief in Learning with a named subject living at a named street, a title and policing area that
    place it, key questions with a finding, evidence, two learning points and an action."""
    from app.models import SubjectRole
    from app.scoping.services import add_subject

    owner = make_user("owner", "member", full_name="Olga Ownername")
    with app.test_request_context():
        d = db.session.get(Debrief, learning)
        d.title, d.policing_area, d.summary = f"Stabbing at {STREET}", AREA, f"{NAME} was found at {STREET}."
        add_subject(d, role=SubjectRole.VICTIM, real_name=NAME, date_of_birth=None, address=f"4 {STREET}, {AREA}")
        db.session.add(Parameters(debrief_id=d.id, review_from=date(2026, 1, 5), review_to=date(2026, 6, 30),
                                  key_questions="Was the risk to the victim recognised?\nDid agencies share what "
                                                "they knew?"))
        db.session.add(Finding(debrief_id=d.id, position=1, question="Was the risk to the victim recognised?",
                               text=f"Partly: the second call from {NAME} was graded standard."))
        db.session.commit()
    e1, e2 = make_entries(app, learning, [{"summary": f"{NAME} called about threats", "key_issue": True},
                                          {"summary": "Ambulance crew made a safeguarding referral",
                                           "good_practice": True}])
    add_point(client, learning, f"Risk to {NAME} was not reassessed after the second call", themes=[theme_id(app)],
              entries=[e1])
    add_point(client, learning, "The crew's referral was prompt", themes=[theme_id(app)], entries=[e2],
              kind="good_practice")
    lp = point_id(app, learning)
    client.post_form(f"/debriefs/{learning}/learning/{lp}/actions", {
        f"a{lp}-what": "Add a reassessment prompt to the call grading script", f"a{lp}-owner_user_id": str(owner),
        f"a{lp}-due_on": (date.today() + timedelta(days=40)).isoformat(), f"a{lp}-priority": "high",
        f"a{lp}-scope": "force", f"a{lp}-accountable_lead": "Head of Contact Management"},
        token_from=f"/debriefs/{learning}/learning")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 1
    return learning


def _issue(client, d, **extra):
    r = client.post_form(f"/debriefs/{d}/document/issue", {**issue_fields("Briefing to response teams"), **extra},
                         token_from=f"/debriefs/{d}/document")
    assert r.status_code == 302, r.get_data(as_text=True)[:500]


def _download(client, d, number=1, version="shared"):
    q = "?version=internal" if version == "internal" else ""
    r = client.post_form(f"/debriefs/{d}/document/{number}/download{q}", {"recipient": "Board"},
                         token_from=f"/debriefs/{d}/document/{number}")
    assert r.status_code == 200
    return r.data


def _all_text(data: bytes, under: str = "") -> str:
    """Every piece of text in the file (body, tables, headers, footers and properties), or in the parts `under`
    a folder (word/: what a reader sees)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml") and n.startswith(under))
    return re.sub(r"<[^>]+>", " ", xml)


def test_the_word_file_is_a4_with_properties_cover_contents_sections_and_page_numbers(app, client, case):
    _issue(client, case)
    data = _download(client, case)
    doc = WordDocument(io.BytesIO(data))
    section = doc.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    props = doc.core_properties
    with app.app_context():
        reference = db.session.get(Debrief, case).reference
    assert props.title == f"Document of learning and actions: {reference}, version 1"
    assert props.author == "Test U_Reviewer"  # the issuing reviewer
    assert "python-docx" not in (props.author + props.comments + props.last_modified_by)
    assert props.category == app.config["MARKING"] and props.revision == 1
    assert app.config["UNIT_NAME"] in props.subject
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "<Company/>" not in z.read("docProps/app.xml").decode()
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["Contents", SECTIONS[0]]
    assert [h for h in headings if re.match(r"\d+\. ", h) and h in SECTIONS] == SECTIONS
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Document of learning and actions" in body
    cover = " ".join(c.text for row in doc.tables[0].rows for c in row.cells)
    for label in ("Version", "Issue date", "Author", "Approved by", "Head of Public Protection", "Distribution",
                  "Working group; partners", app.config["MARKING"]):
        assert label in cover
    footer = section.footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and app.config["MARKING"] in footer
    assert app.config["MARKING"] in section.header._element.xml


def test_the_actions_table_says_what_each_action_answers_and_repeats_its_header(app, client, case):
    _issue(client, case)
    doc = WordDocument(io.BytesIO(_download(client, case)))
    table = next(t for t in doc.tables if len(t.columns) == 6)
    assert [c.text for c in table.rows[0].cells] == ["Reference", "Answers", "What is to be done", "Owner", "Lead",
                                                     "Due"]
    assert 'w:tblHeader w:val="true"' in table.rows[0]._tr.xml
    row = [c.text for c in table.rows[1].cells]
    assert row[0].endswith("-A01") and row[1] == "L1" and row[2].startswith("Add a reassessment prompt")
    assert row[3] == "Olga Ownername" and row[4] == "Head of Contact Management" and ONE_DATE_FORMAT.fullmatch(row[5])
    widths = [round(c.width / Mm(1)) for c in table.rows[0].cells]
    assert widths[2] == max(widths) and sum(widths) <= 174  # the text column gets the room, within the margins
    evidence = next(t for t in doc.tables if t.rows[0].cells[0].text == "Date")
    assert "called about threats" in evidence.rows[1].cells[2].text  # the chronology evidence behind L1


def test_the_shared_file_names_no_subject_and_no_place_and_uses_one_date_format(app, client, case):
    _issue(client, case)
    shared = _all_text(_download(client, case))
    for planted in (NAME, "Quarrington", "Ottilie", STREET, AREA, "Stabbing at"):
        assert planted not in shared, planted
    assert "Risk to Adult A was not reassessed" in shared and "Partly: the second call from Adult A" in shared
    assert "Olga Ownername" in shared  # staff are named
    seen = _all_text(_download(client, case), under="word/")
    assert not SHORT_DATES.search(seen)
    assert ONE_DATE_FORMAT.search(seen)
    internal = _all_text(_download(client, case, version="internal"))
    assert NAME in internal and f"Stabbing at {STREET}" in internal
    assert not SHORT_DATES.search(_all_text(_download(client, case, version="internal"), under="word/"))
    html = client.get(f"/debriefs/{case}/document/1").get_data(as_text=True)
    article = html[html.index('<article class="document">'):html.index("</article>")]
    for planted in (NAME, STREET, AREA):
        assert planted not in article
    assert not SHORT_DATES.search(article)


def test_findings_meeting_and_version_history_are_in_the_document(app, client, case):
    _issue(client, case)
    _issue(client, case, approved_by="Chief Superintendent, Crime")
    doc = WordDocument(io.BytesIO(_download(client, case, number=2)))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Question 1. Was the risk to the victim recognised?" in body
    assert "Question 2. Did agencies share what they knew?" in body and "No finding recorded." in body
    history = next(t for t in doc.tables if t.rows[0].cells[0].text == "Version")
    rows = [[c.text for c in r.cells] for r in history.rows[1:]]
    assert [r[0] for r in rows] == ["1", "2"]
    assert rows[0][3] == "Head of Public Protection" and rows[1][3] == "Chief Superintendent, Crime"


def test_the_briefing_is_frozen_with_its_version_and_downloads_in_seven_parts(app, client, new_client, case,
                                                                               make_user):
    _issue(client, case)
    lp = point_id(app, case)
    r = client.post_form(f"/debriefs/{case}/learning/{lp}", {"statement": "Changed after issue", "kind": "improvement",
                                                           "theme_ids": [str(theme_id(app))], "repeat": "new",
                                                           "version": "1"})
    assert r.status_code in (200, 302)
    assert client.get(f"/debriefs/{case}/briefing").headers["Location"].endswith(f"/debriefs/{case}/document/1/briefing")
    html = client.get(f"/debriefs/{case}/document/1/briefing").get_data(as_text=True)
    assert "Risk to Adult A was not reassessed" in html and "Changed after issue" not in html
    make_user("b", "board")
    board = new_client()
    login(board, "b")
    seen = board.get(f"/debriefs/{case}/document/1/briefing").get_data(as_text=True)
    assert "Changed after issue" not in seen and NAME not in seen and "Risk to Adult A" in seen
    r = board.post_form(f"/debriefs/{case}/document/1/briefing.docx", {"recipient": "Response team inspectors"},
                        token_from=f"/debriefs/{case}/document/1/briefing")
    assert r.status_code == 200 and "7-minute-briefing-v1.docx" in r.headers["Content-Disposition"]
    doc = WordDocument(io.BytesIO(r.data))
    section = doc.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["1. Why it matters", "2. What happened, in brief", "3. What we learned",
                        "4. What good looked like", "5. What is changing", "6. What to do",
                        "7. Questions to discuss"]
    text = _all_text(r.data)
    assert "Changed after issue" not in text and NAME not in text and STREET not in text and AREA not in text
    assert "Risk to Adult A was not reassessed" in text and "Add a reassessment prompt" in text
    with app.app_context():
        from app.models import AuditEvent

        assert db.session.scalar(sa.select(AuditEvent.recipient).where(AuditEvent.action == "briefing.download")) \
            == "Response team inspectors"
        doc_row = db.session.scalar(sa.select(LearningDocument))
        assert doc_row.briefing_html and "Changed after issue" not in doc_row.briefing_html
    # The next version's briefing has the change.
    _issue(client, case)
    assert "Changed after issue" in client.get(f"/debriefs/{case}/document/2/briefing").get_data(as_text=True)


def test_briefing_questions_typed_at_issue_are_in_it(app, client, case):
    _issue(client, case, what_to_do="Reassess risk on every repeat call", questions="What would you grade it?")
    html = client.get(f"/debriefs/{case}/document/1/briefing").get_data(as_text=True)
    assert "Reassess risk on every repeat call" in html and "What would you grade it?" in html


def test_issuing_needs_a_summary_an_approver_and_a_distribution(app, client, case):
    r = client.post_form(f"/debriefs/{case}/document/issue", {"plan": "Briefing"}, token_from=f"/debriefs/{case}/document")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    for message in ("Write the summary the document opens with.", "Say who approved this version.",
                    "Say who the document goes to."):
        assert message in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LearningDocument)) == 0


# ---- printed by Chromium ------------------------------------------------------------------------------------

MM = 72 / 25.4  # points


def _placed_text(pdf_path) -> list[list[tuple[float, str]]]:
    """Per page, each piece of text with the height it sits at (points from the bottom of the page)."""
    from pypdf import PdfReader

    pages = []
    for pg in PdfReader(str(pdf_path)).pages:
        found: list[tuple[float, str]] = []

        def visit(text, cm, tm, _font, _size, found=found):
            if text.strip():
                found.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))

        pg.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def _check_margins(app, pdf_path, top_mm=16, bottom_mm=18) -> int:
    """A4 portrait; the marking at the top and bottom of every page and 'Page n of m' at the bottom, in the
    margins, and nothing else there: no content under the marking. Returns the page count."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf_path))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait, in points
    height = float(box.height)
    marking, handling = app.config["MARKING"], app.config["HANDLING_LINE"]
    allowed = f"{marking} {handling} Page of " + " ".join(str(n) for n in range(1, 60))
    pages = _placed_text(pdf_path)
    for number, placed in enumerate(pages, 1):
        top = [t for y, t in placed if y > height - top_mm * MM]
        bottom = [t for y, t in placed if y < bottom_mm * MM]
        assert marking in " ".join(top) and marking in " ".join(bottom), number
        assert f"Page {number} of {len(pages)}" in " ".join(bottom).replace("  ", " "), (number, bottom)
        for text in top + bottom:  # only the marking, handling line and page number live in the margins
            assert all(word in allowed.split() or word in allowed for word in text.split()), (number, text)
        body = [t for y, t in placed if bottom_mm * MM <= y <= height - top_mm * MM]
        assert body, number
    return len(pages)


@pytest.mark.browser
def test_the_printed_document_and_briefing_are_a4_marked_in_the_margins_and_the_briefing_is_one_page(
        app, client, case, tmp_path, live, page):  # noqa: F811
    _issue(client, case)
    sign_in(page, live, "u_reviewer")
    page.wait_for_url(live + "/")
    page.goto(f"{live}/debriefs/{case}/document/1")
    pdf = tmp_path / "document.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    pages = _check_margins(app, pdf)
    texts = [" ".join(t for _, t in p) for p in _placed_text(pdf)]
    assert pages >= 3
    assert "Document of learning and actions" in texts[0] and "Contents" in texts[0]
    assert "What the debrief found." not in texts[0] and "What the debrief found." in texts[1]  # cover on its own
    assert any("8. Actions" in t for t in texts[1:]) and "Version history" in texts[-1]
    page.goto(f"{live}/debriefs/{case}/document/1/briefing")
    brief = tmp_path / "briefing.pdf"
    page.pdf(path=str(brief), prefer_css_page_size=True)
    assert _check_margins(app, brief) == 1
    text = " ".join(t for _, t in _placed_text(brief)[0])
    for part in ("Why it matters", "What happened, in brief", "What we learned", "What good looked like",
                 "What is changing", "What to do", "Questions to discuss"):
        assert part in text
    for planted in (NAME, STREET, AREA):
        assert planted not in text


@pytest.mark.browser
def test_the_printed_agenda_and_board_pack_keep_the_marking_in_the_margins(app, client, case, tmp_path, live,  # noqa: F811
                                                                          page):  # noqa: F811
    from datetime import datetime, timezone

    from app.models import Meeting

    with app.app_context():
        db.session.add(Meeting(debrief_id=case, starts_at=datetime.now(timezone.utc) + timedelta(days=3),
                               venue="Room 4", chair="Head of Public Protection"))
        db.session.commit()
    sign_in(page, live, "u_reviewer")
    page.wait_for_url(live + "/")
    for path in (f"/debriefs/{case}/meeting/agenda", "/board-packs/draft"):
        page.goto(live + path)
        pdf = tmp_path / "print.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True)
        assert _check_margins(app, pdf) >= 1, path
