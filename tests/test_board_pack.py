"""The quarterly board pack: drafted from the dashboard's figures, issued as frozen numbered versions,
downloaded again as a marked A4 Word file that names nobody but staff."""
from __future__ import annotations

import io
import re
import zipfile

import sqlalchemy as sa

from app.extensions import db
from tests.test_dashboard import known, utc  # noqa: F401  (the hand-built dataset of Q1 2025-26)

Q1 = "2025-04"


def _issue(client, questions="Is the 28-day target realistic?\nShould partners co-chair?"):
    token = client.csrf_token(f"/board-packs/draft?quarter={Q1}")
    return client.post("/board-packs", data={"csrf_token": token, "quarter": Q1, "questions": questions})


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return " ".join(re.sub(r"<[^>]+>", "", z.read(n).decode("utf-8")) for n in z.namelist()
                        if n.startswith("word/") and n.endswith(".xml"))


def test_issue_freeze_list_and_download_again(app, client, signed_in, known, new_client):  # noqa: F811
    from app.models import AuditEvent, BoardPack, LearningPoint

    signed_in("working_group")
    draft = client.get(f"/board-packs/draft?quarter={Q1}")
    assert draft.status_code == 200
    html = draft.get_data(as_text=True)
    assert "Q1 2025-26 (Apr–Jun 2025)" in html and "Draft, not issued" in html
    # The headline row for the meeting: the figures worked out in test_dashboard (median 23.5, 3 of 4).
    assert re.search(r"Incident to debrief meeting: median days</th><td class=\"num\">23.5</td>", html)
    assert "75% (3 of 4)" in html

    first = _issue(client)
    assert first.status_code == 303
    second = _issue(client, questions="")
    with app.app_context():
        numbers = db.session.execute(sa.select(BoardPack.number, BoardPack.id).order_by(BoardPack.id)).all()
        assert [n for n, _ in numbers] == [1, 2]
        pack_id = numbers[0][1]
        # Frozen: a later edit to the learning does not change what was issued.
        point = db.session.scalars(sa.select(LearningPoint).where(LearningPoint.number == 1)).first()
        point.statement = "Rewritten after issue"
        db.session.commit()
    assert second.headers["Location"].endswith(f"/board-packs/{numbers[1][1]}")

    board = new_client()
    from tests.conftest import login

    from app.admin.services import create_user
    with app.app_context():
        create_user(username="boarder", full_name="Board Member", email=None, roles=["board"],
                    password="correct horse battery staple", must_change_password=False)
        db.session.remove()
    assert login(board, "boarder", password="correct horse battery staple").status_code == 302
    listing = board.get("/board-packs").get_data(as_text=True)
    assert listing.count("Q1 2025-26 (Apr–Jun 2025)") >= 2
    issued = board.get(f"/board-packs/{pack_id}").get_data(as_text=True)
    assert "Version 1" in issued and "Rewritten after issue" not in issued
    assert "Is the 28-day target realistic?" in issued
    # The board reads and downloads, never issues.
    token = board.csrf_token(f"/board-packs/{pack_id}")
    assert board.post("/board-packs", data={"csrf_token": token, "quarter": Q1}).status_code == 403
    refused = board.post(f"/board-packs/{pack_id}/docx", data={"csrf_token": token, "recipient": ""})
    assert refused.status_code == 303
    r = board.post(f"/board-packs/{pack_id}/docx", data={"csrf_token": token, "recipient": "Board, 3 July"})
    assert r.status_code == 200 and r.mimetype.endswith("wordprocessingml.document")
    assert 'filename="board-pack-2025-04-v1.docx"' in r.headers["Content-Disposition"]

    import docx

    doc = docx.Document(io.BytesIO(r.data))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert app.config["MARKING"] in section.header.paragraphs[0].text
    assert app.config["MARKING"] in section.footer.paragraphs[0].text
    with zipfile.ZipFile(io.BytesIO(r.data)) as z:
        pictures = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(pictures) == 8  # volumes, three milestones, stages, agencies, themes, actions
    text = _docx_text(r.data)
    assert "Rewritten after issue" not in text and "Should partners co-chair?" in text
    first_table = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert ["Incident to debrief meeting: median days", "23.5", "–", "28 days"] in first_table
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "board_pack.download")).one()
        assert event.recipient == "Board, 3 July" and event.object_id == str(pack_id)


def test_the_pack_names_no_case_subject_whoever_issues_or_downloads_it(app, client, signed_in, known):  # noqa: F811
    from app.models import Debrief, LearningPoint, SubjectRole
    from app.scoping.services import add_subject

    with app.test_request_context():
        d = db.session.get(Debrief, known["D1"])
        add_subject(d, role=SubjectRole.VICTIM, real_name="Philippa Quenby", date_of_birth=None)
        point = db.session.scalars(sa.select(LearningPoint).where(LearningPoint.debrief_id == d.id)).first()
        point.statement = "Officers did not ask Philippa Quenby about the threats."
        d.title = "Quenby, Philippa"
        db.session.commit()
    signed_in("reviewer")
    draft = client.get(f"/board-packs/draft?quarter={Q1}").get_data(as_text=True)
    assert "Quenby" not in draft and "Officers did not ask" in draft
    assert _issue(client).status_code == 303
    with app.app_context():
        from app.models import BoardPack

        pack = db.session.scalars(sa.select(BoardPack)).one()
        assert "Quenby" not in pack.html and "Quenby" not in _docx_text(pack.docx)
    token = client.csrf_token(f"/board-packs/{pack.id}")
    r = client.post(f"/board-packs/{pack.id}/docx", data={"csrf_token": token, "recipient": "Board"})
    assert r.status_code == 200 and "Quenby" not in _docx_text(r.data)


def test_bad_quarters_and_roles(app, client, signed_in, new_client, make_user):
    from tests.conftest import login

    signed_in("partner")
    assert client.get(f"/board-packs/draft?quarter={Q1}").status_code in (403, 404)
    make_user("rev2", "reviewer")
    c = new_client()
    assert login(c, "rev2").status_code == 302
    for bad in ("2025-05", "nonsense", "99999-01"):
        assert c.get(f"/board-packs/draft?quarter={bad}").status_code == 404
    assert c.get("/board-packs/draft?quarter=").headers["Location"].endswith("/board-packs")  # choose one first
    assert c.get("/board-packs/987654").status_code == 404
