"""Chronology import (with preview), CSV and DOCX export, and print views."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from docx import Document

from app.extensions import db
from app.models import AuditEvent, ChronologyEntry, ChronologyImport, Debrief
from tests.conftest import login

HEADER = ("date,time,date_precision,agency,source_system,source_ref,people,contact_type,event_summary,action_taken,"
          "risk_assessment,outcome,significance,missed_opportunity,good_practice,key_issue,turning_point,verified")


@pytest.fixture
def chron(app, client, signed_in, make_debrief):
    d = make_debrief("chronology")
    signed_in("reviewer")
    with app.test_request_context():
        from app.models import SubjectRole
        from app.scoping.services import add_subject

        debrief = db.session.get(Debrief, d)
        add_subject(debrief, role=SubjectRole.VICTIM, real_name="Wilma Realname", date_of_birth=None)
        add_subject(debrief, role=SubjectRole.SUSPECT, real_name="Xavier Realname", date_of_birth=None)
    return d


def upload(client, d, content: bytes, name="agency.csv"):
    token = client.csrf_token(f"/debriefs/{d}/chronology/import")
    return client.post(f"/debriefs/{d}/chronology/import", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(content), name)})


def count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(ChronologyEntry))


GOOD = (HEADER + "\r\n"
        "03/04/2025,21:10,,Police,Niche,INC-1,Adult A; Adult B,Domestic incident,Shouting reported by neighbour,"
        "Attended by PC,standard,No further action,DASH not completed,yes,no,yes,no,yes\r\n"
        "05/2025,,,Mental Health,,,Adult B,Health contact,Assessment,,,,,,,,,\r\n"
        "2025-06-01,,approximate,GP,,,,health,Appointment missed,,,,,,,,,\r\n").encode("utf-8")


def test_valid_file_previews_then_imports_on_confirmation(app, client, chron):
    r = upload(client, chron, GOOD)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "3 entries ready to add" in html and "Nothing has been added yet." in html
    assert count(app) == 0
    with app.app_context():
        pending = db.session.scalar(sa.select(ChronologyImport.id))
    r = client.post_form(f"/debriefs/{chron}/chronology/import/{pending}", token_from=f"/debriefs/{chron}/chronology/import")
    assert r.status_code == 302
    assert count(app) == 3
    with app.app_context():
        first = db.session.scalar(sa.select(ChronologyEntry).order_by(ChronologyEntry.entry_date))
        assert first.entry_time.strftime("%H:%M") == "21:10" and first.key_issue and first.missed_opportunity
        assert [s.pseudonym for s in first.subjects] == ["Adult A", "Adult B"] and first.verified
        month = db.session.scalar(sa.select(ChronologyEntry).where(ChronologyEntry.summary == "Assessment"))
        assert month.date_precision == "month" and month.entry_date.day == 1
        ops = db.session.execute(sa.select(AuditEvent.operation, AuditEvent.action)
                                 .where(AuditEvent.action.like("chronology%import"))).all()
    assert ("combination", "chronology.import") in ops and ops.count(("collection", "chronology_entry.import")) == 3
    # Confirming twice adds nothing more.
    client.post_form(f"/debriefs/{chron}/chronology/import/{pending}", token_from=f"/debriefs/{chron}/chronology/import")
    assert count(app) == 3


def test_a_file_with_errors_lists_every_problem_and_imports_nothing(app, client, chron):
    bad = (HEADER + "\n"
           "31/02/2025,,,Police,,,,Domestic incident,Bad date,,,,,,,,,\n"
           "01/03/2025,25:00,,Atlantis Agency,,,Adult Z,Teleport,,,,,,maybe,,,,\n"
           "01/03/2025,,,Police,,,,Arrest,Fine row,,,,,,,,,\n").encode()
    r = upload(client, chron, bad)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Nothing was imported" in html
    for line, column in [(2, "date"), (3, "time"), (3, "agency"), (3, "people"), (3, "contact_type"),
                         (3, "event_summary"), (3, "missed_opportunity")]:
        assert f"<td>{line}</td><td>{column}</td>" in html, (line, column)
    assert count(app) == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChronologyImport)) == 0


def test_formula_cells_are_kept_as_text_and_neutralised_on_export(app, client, chron):
    data = (HEADER + "\n01/03/2025,,,Police,,,,Arrest,=HYPERLINK(\"http://x\"),+44 7700,,@SUM(A1),-1,,,,,\n").encode()
    r = upload(client, chron, data)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "kept as plain text, never run as a formula" in html
    with app.app_context():
        pending = db.session.scalar(sa.select(ChronologyImport.id))
    client.post_form(f"/debriefs/{chron}/chronology/import/{pending}", token_from=f"/debriefs/{chron}/chronology/import")
    with app.app_context():
        e = db.session.scalar(sa.select(ChronologyEntry))
        assert e.summary == '=HYPERLINK("http://x")' and e.action_taken == "+44 7700"
    r = client.post_form(f"/debriefs/{chron}/chronology/export", {"recipient": "Probation", "version": "shared",
                                                                   "format": "csv"}, token_from=f"/debriefs/{chron}/chronology")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [c for row in rows for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells and "'+44 7700" in cells and "'@SUM(A1)" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    # An export reads back to the same text (the guard apostrophe is removed again): so exactly that entry is
    # recognised as already in the chronology.
    r = upload(client, chron, r.data)
    assert r.status_code == 422 and "Every row of this file is already in the chronology" in r.get_data(as_text=True)


def test_windows_1252_is_read_and_unreadable_bytes_are_refused(app, client, chron):
    text = HEADER + "\n01/03/2025,,,Police,,,,Arrest,Caf\u00e9 \u2013 \u00a35 taken,,,,,,,,,\n"
    r = upload(client, chron, text.encode("cp1252"))
    assert r.status_code == 200 and "read as Windows-1252" in r.get_data(as_text=True)
    assert "Caf\u00e9 \u2013 \u00a35 taken" in r.get_data(as_text=True)
    r = upload(client, chron, b"date,agency\n\x81\x8d\x90,\xff\xfe")
    assert r.status_code == 422 and "not UTF-8 or Windows-1252" in r.get_data(as_text=True)


@pytest.mark.parametrize("content, message", [
    (b"", "The file is empty."),
    (b"\r\n \r\n", "The file is empty."),
    (HEADER.encode() + b"\n", "has a header but no entries"),
    (b"when,where\n1,2\n", "Unknown column"),
])
def test_empty_or_headless_files_are_refused_clearly(app, client, chron, content, message):
    r = upload(client, chron, content)
    assert r.status_code == 422 and message in r.get_data(as_text=True)


def test_a_huge_file_is_refused_with_its_size_and_the_limit(app, client, chron):
    row = "01/03/2025,,,Police,,,,Arrest," + "x" * 500 + ",,,,,,,,,\n"
    content = (HEADER + "\n" + row * 2800).encode()  # 1.4 MB
    r = upload(client, chron, content)
    html = r.get_data(as_text=True)
    assert r.status_code == 413 and "The file is 1.4 MB; one import takes at most 1 MB and 2,000 rows" in html
    assert 'id="file-error"' in html and 'name="file"' in html  # the import page, ready for another file
    # Over the server's own request limit (2 MB): still the import page, with the real size.
    r = upload(client, chron, b"x" * (5 * 1024 * 1024))
    html = r.get_data(as_text=True)
    assert r.status_code == 413 and "The file is 5.0 MB; one import takes at most 1 MB" in html and 'name="file"' in html
    many = (HEADER + "\n" + "01/03/2025,,,Police,,,,Arrest,x,,,,,,,,,\n" * 2001).encode()
    r = upload(client, chron, many)
    assert r.status_code == 422 and "More than 2,000 rows" in r.get_data(as_text=True)
    assert count(app) == 0


def test_template_is_marked_and_has_every_column(app, client, chron):
    r = client.get(f"/debriefs/{chron}/chronology/template.csv")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == app.config["MARKING"] and rows[-1][0] == app.config["MARKING"]
    assert ",".join(rows[1]) == HEADER
    assert r.headers["Content-Disposition"].startswith("attachment;")


def _import_good(app, client, chron):
    upload(client, chron, GOOD)
    with app.app_context():
        pending = db.session.scalar(sa.select(ChronologyImport.id))
    client.post_form(f"/debriefs/{chron}/chronology/import/{pending}", token_from=f"/debriefs/{chron}/chronology/import")
    with app.test_request_context():
        e = db.session.scalar(sa.select(ChronologyEntry).where(ChronologyEntry.summary.like("Shouting%")))
        e.summary = "Shouting reported; Wilma Realname said Xavier hit her"
        db.session.commit()


def _docx_text(data: bytes) -> tuple[str, list[str], list[str]]:
    doc = Document(io.BytesIO(data))
    body = "\n".join(p.text for p in doc.paragraphs)
    body += "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    headers = [p.text for s in doc.sections for p in s.header.paragraphs]
    footers = [p.text for s in doc.sections for p in s.footer.paragraphs]
    return body, headers, footers


def test_docx_export_is_landscape_marked_and_pseudonymised_when_shared(app, client, chron):
    from docx.enum.section import WD_ORIENT

    _import_good(app, client, chron)
    r = client.post_form(f"/debriefs/{chron}/chronology/export", {"recipient": "Debrief meeting attendees",
                                                                   "version": "shared", "format": "docx"},
                         token_from=f"/debriefs/{chron}/chronology")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment;")
    body, headers, footers = _docx_text(r.data)
    assert app.config["MARKING"] in headers and app.config["MARKING"] in footers
    assert app.config["HANDLING_LINE"] in headers and app.config["HANDLING_LINE"] in footers
    assert Document(io.BytesIO(r.data)).sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert "Realname" not in body and "Wilma" not in body and "Xavier" not in body
    assert "Adult A said Adult B hit her" in body
    with app.app_context():
        row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "chronology.export_docx"))
        assert row.operation == "disclosure" and row.recipient == "Debrief meeting attendees"


def test_internal_docx_keeps_names_for_reviewers_only(app, client, new_client, chron, make_user):
    _import_good(app, client, chron)
    r = client.post_form(f"/debriefs/{chron}/chronology/export", {"recipient": "Review team file",
                                                                   "version": "internal", "format": "docx"},
                         token_from=f"/debriefs/{chron}/chronology")
    body, _, _ = _docx_text(r.data)
    assert "Wilma Realname said Xavier hit her" in body and "Adult A (Wilma Realname)" in body


def test_export_needs_a_recipient(app, client, chron):
    r = client.post_form(f"/debriefs/{chron}/chronology/export", {"recipient": "", "version": "shared",
                                                                   "format": "csv"}, token_from=f"/debriefs/{chron}/chronology")
    assert r.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.operation == "disclosure")) is None


def test_print_views_show_everything_or_the_key_events(app, client, chron):
    _import_good(app, client, chron)
    full = client.get(f"/debriefs/{chron}/chronology/print").get_data(as_text=True)
    assert "Appointment missed" in full and "Shouting reported" in full and "data-edit-url" not in full
    key = client.get(f"/debriefs/{chron}/chronology/key-events").get_data(as_text=True)
    assert "Shouting reported" in key and "Appointment missed" not in key
    assert key.count(app.config["MARKING"]) >= 2


def test_only_reviewers_import_or_export(app, client, new_client, make_debrief, make_user):
    d = make_debrief("chronology", participants=())
    make_user("mem", "member")
    with app.test_request_context():
        from app.debriefs import services
        from app.models import User

        services.add_participant(db.session.get(Debrief, d), db.session.scalar(sa.select(User).where(User.username == "mem")),
                                 db.session.scalar(sa.select(User).where(User.username == "builder")))
    login(client, "mem")
    assert client.get(f"/debriefs/{d}/chronology/import").status_code == 403
    assert client.get(f"/debriefs/{d}/chronology/template.csv").status_code == 403
    assert client.post_form(f"/debriefs/{d}/chronology/export", {"recipient": "x", "version": "internal",
                                                                  "format": "csv"}, token_from="/").status_code == 403
    assert client.get(f"/debriefs/{d}/chronology/print").status_code == 200


def _confirm(app, client, chron):
    with app.app_context():
        pending = db.session.scalar(sa.select(ChronologyImport.id).order_by(ChronologyImport.id.desc()))
    return client.post_form(f"/debriefs/{chron}/chronology/import/{pending}",
                            token_from=f"/debriefs/{chron}/chronology/import")


def test_a_second_import_of_the_same_rows_is_caught_before_anything_is_added(app, client, chron):
    assert upload(client, chron, GOOD).status_code == 200
    _confirm(app, client, chron)
    assert count(app) == 3
    r = upload(client, chron, GOOD, name="agency-again.csv")
    assert r.status_code == 422 and "Every row of this file is already in the chronology" in r.get_data(as_text=True)
    # The same rows with one new one (and one repeated inside the file): only the new one is offered.
    more = GOOD + b"07/06/2025,,,Housing,,,,Other,Tenancy warning letter,,,,,,,,,\r\n" \
                  b"07/06/2025,,,Housing,,,,Other,Tenancy  warning LETTER,,,,,,,,,\r\n"
    r = upload(client, chron, more, name="agency-v2.csv")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "1 entry ready to add" in html
    assert "4 rows of the file are already in the chronology" in html and "The same as line 5 of this file" in html
    r = _confirm(app, client, chron)
    assert count(app) == 4
    assert "4 already in the chronology were not added again" in client.get(r.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("delimiter, name", [(";", "semicolon"), ("\t", "tab")])
def test_semicolon_and_tab_separated_files_are_read(app, client, chron, delimiter, name):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(csv.reader(io.StringIO(GOOD.decode())))
    r = upload(client, chron, out.getvalue().encode())
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "3 entries ready to add" in html and f"{name}-separated" in html


def test_every_error_names_the_value_and_what_is_allowed(app, client, chron):
    bad = (HEADER + "\n31/02/2025,,,Police,,,,Domestic incident,Bad date,,,,,,,,,\n"
           "01/03/2025,,roughly,Police,,,,Teleport,Odd,,extreme,,,,,,,\n").encode()
    html = upload(client, chron, bad).get_data(as_text=True)
    assert "\u201c31/02/2025\u201d is not a real date" in html
    assert "\u201cTeleport\u201d is not one of the allowed values: " in html and "Domestic incident" in html
    assert "\u201croughly\u201d is not one of the allowed values" in html
    assert "\u201cextreme\u201d is not one of the allowed values" in html
    assert "day is out of range" not in html and "Not a valid choice." not in html
