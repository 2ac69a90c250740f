"""Quick-time learning: recorded at any stage with an owner and a deadline (the process setting's hours from now,
or one the reviewer chooses), numbered Q1, Q2... without duplicates under concurrency, its sharing recorded like a
dissemination, overdue on the owner's and lead reviewer's home and on the dashboard, the owner told by email.

Deadlines are measured against `app.quicktime.services.now`, which each test fixes: nothing reads the clock when
the tests are collected."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, QuickLearning
from tests.conftest import MAIL_BASE, login, run_in_threads, received
from tests.live import free_port

UTC = timezone.utc
# Saturday 28 March 2026, noon: the UK clocks go forward in the night, so 48 hours on is 13:00 BST on Monday.
NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
BASE = MAIL_BASE


@pytest.fixture
def clock(monkeypatch):
    """The quick-time clock, fixed; `clock.set(moment)` moves it."""
    from app.quicktime import services

    class Clock:
        now = NOW

        def set(self, moment):
            self.now = moment

    c = Clock()
    monkeypatch.setattr(services, "now", lambda: c.now)
    return c


@pytest.fixture
def people(app, make_user, make_debrief):
    ids = {
        "rev": make_user("rev", "reviewer", full_name="Rita Reviewer", email="rita@force.example"),
        "rev2": make_user("rev2", "reviewer", full_name="Ravi Second", email="ravi@force.example"),
        "mem": make_user("mem", "member", full_name="Olive Owner", email="olive@force.example"),
        "outsider": make_user("outsider", "member", full_name="Oscar Outside", email="oscar@force.example"),
        "wg": make_user("wg", "working_group", full_name="Wanda Group"),
        "brd": make_user("brd", "board", full_name="Bart Board"),
        "adm": make_user("adm", "admin", full_name="Ada Admin"),
    }
    # At any stage: this one is still at Chronology, long before the document.
    ids["d"] = make_debrief("chronology", title="Case with urgent learning", lead="rev", participants=("mem",))
    return ids


def as_user(new_client, username):
    c = new_client()
    assert login(c, username).status_code == 302
    return c


def reference(app, d) -> str:
    from app.models import Debrief

    with app.app_context():
        return db.session.get(Debrief, d).reference


def items(app, d) -> list[QuickLearning]:
    with app.app_context():
        rows = db.session.scalars(sa.select(QuickLearning).where(QuickLearning.debrief_id == d)
                                  .order_by(QuickLearning.number)).all()
        db.session.expunge_all()
        return rows


def form(owner: int, **over) -> dict:
    data = {"urgency": "process", "statement": "The DASH form lets officers skip the pregnancy question.",
            "audience": "Response supervisors", "owner_user_id": str(owner),
            "share_by_date": "2026-03-30", "share_by_time": "13:00"}
    data.update(over)
    return data


def value(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html).group(1)


def record(c, d, data, **kw):
    return c.post_form(f"/debriefs/{d}/quick-time", data, **kw)


# ---- recording -------------------------------------------------------------------------------------

def test_the_deadline_offered_is_the_process_settings_hours_from_now_in_uk_time(app, new_client, people, clock):
    d = people["d"]
    rev = as_user(new_client, "rev")
    page = rev.get(f"/debriefs/{d}/quick-time").get_data(as_text=True)
    # 48 hours after Saturday noon UTC is Monday 12:00 UTC, 13:00 in the UK once the clocks have gone forward.
    assert (value(page, "share_by_date"), value(page, "share_by_time")) == ("2026-03-30", "13:00")
    assert "Offered: 48 hours from now" in page

    admin = as_user(new_client, "adm")
    settings = admin.get("/admin/process").get_data(as_text=True)
    assert "Quick-time learning: hours to share it" in settings
    assert admin.post_form("/admin/process", {"quick_time_hours": "0"}).status_code == 422
    assert admin.post_form("/admin/process", {"quick_time_hours": "24"}).status_code == 302
    page = rev.get(f"/debriefs/{d}/quick-time").get_data(as_text=True)
    # noon UTC on Sunday, 13:00 BST
    assert (value(page, "share_by_date"), value(page, "share_by_time")) == ("2026-03-29", "13:00")


def test_a_reviewer_records_it_and_the_owner_is_told_without_personal_data(app, new_client, people, clock, inbox):
    d = people["d"]
    rev = as_user(new_client, "rev")
    # An earlier deadline than the one offered: tomorrow morning.
    r = record(rev, d, form(people["mem"], share_by_date="2026-03-29", share_by_time="09:15"))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/debriefs/{d}/quick-time#q-1")
    (q,) = items(app, d)
    assert (q.number, q.label, q.owner_user_id, q.urgency, q.shared) == (1, "Q1", people["mem"], "process", False)
    assert q.share_by == datetime(2026, 3, 29, 8, 15, tzinfo=UTC)  # 09:15 BST
    assert q.created_by_id == people["rev"] and q.created_at == NOW
    page = rev.get(r.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "Quick-time learning Q1 recorded. The owner has been told by email." in page

    ((to, subject, body),) = received(inbox)
    ref = reference(app, d)
    assert to == "olive@force.example"
    assert subject.startswith("OFFICIAL-SENSITIVE") and f"{ref} Q1" in subject
    assert f"{ref}" in body and "Q1" in body and "09:15 on Sunday 29 March 2026" in body
    assert f"{BASE}/debriefs/{d}/quick-time#q-1" in body
    for private in ("DASH", "pregnancy", "Response supervisors", "Olive", "Case with urgent learning", "Rita"):
        assert private not in subject + body
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "quick_learning")))
        assert {"quick_learning.create", "quick_learning.notice"} <= actions

    # Recording one for yourself sends nothing.
    assert record(rev, d, form(people["rev"])).status_code == 302
    assert len(inbox) == 1 and [q.label for q in items(app, d)] == ["Q1", "Q2"]


def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(app, new_client, people, clock):
    d = people["d"]
    rev = as_user(new_client, "rev")
    cases = [
        ({"statement": "  "}, "Write the learning."),
        ({"owner_user_id": ""}, "Choose who will share it."),
        ({"owner_user_id": str(people["outsider"])}, "Choose the owner from the list."),  # not taking part
        ({"owner_user_id": str(people["brd"])}, "Choose the owner from the list."),  # the board reads only
        ({"urgency": "whenever"}, "Not a valid choice"),
        ({"share_by_date": "2026-03-28", "share_by_time": "11:59"}, "The deadline must be in the future."),
        ({"share_by_date": "2026-05-01"}, "choose a deadline in the next 30 days"),
        ({"share_by_date": "tomorrow"}, "Enter the date to share it by."),
        ({"audience": "x" * 201}, "Field cannot be longer than 200 characters"),
        ({"statement": "Bad\x00byte"}, "control characters"),
    ]
    for change, message in cases:
        r = record(rev, d, form(people["mem"], **change))
        html = r.get_data(as_text=True)
        assert r.status_code == 422, change
        assert message in html, (change, message)
        assert 'class="field__error"' in html and "There is a problem" in html
        # what was typed stays in the form
        if "statement" not in change:
            assert "The DASH form lets officers skip the pregnancy question." in html
    assert items(app, d) == []


def test_numbers_are_never_duplicated_when_reviewers_record_at_once(app, people, clock):
    from app.models import Debrief, User
    from app.quicktime import services

    d = people["d"]

    def work(n):
        with app.test_request_context():
            debrief, actor = db.session.get(Debrief, d), db.session.get(User, people["rev"])
            services.record(debrief, {"urgency": "risk", "statement": f"Urgent {n}", "audience": "All staff",
                                      "owner_user_id": people["rev"], "share_by": NOW + timedelta(hours=2)}, actor)
            db.session.remove()

    assert run_in_threads(6, work) == []
    assert sorted(q.number for q in items(app, d)) == [1, 2, 3, 4, 5, 6]
    with app.app_context():
        listed = services.for_debrief(db.session.get(Debrief, d))
        assert [q.label for q in listed] == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]


# ---- who may do what -----------------------------------------------------------------------------------

def test_who_may_read_record_edit_and_share(app, new_client, people, clock):
    d = people["d"]
    rev = as_user(new_client, "rev")
    assert record(rev, d, form(people["mem"])).status_code == 302
    for user in ("mem", "wg", "brd", "rev2"):
        c = as_user(new_client, user)
        page = c.get(f"/debriefs/{d}/quick-time")
        assert page.status_code == 200, user
        html = page.get_data(as_text=True)
        assert "Q1" in html and "Olive Owner" in html
        assert ("Record quick-time learning" in html) == (user == "rev2"), user
        # only the review team and the owner record sharing
        assert ("Record how Q1 was shared" in html) == (user in ("mem", "rev2")), user
    for user in ("mem", "wg", "brd"):
        c = as_user(new_client, user)
        assert c.get(f"/debriefs/{d}/quick-time/1").status_code == 403
        assert record(c, d, form(people["mem"]), token_from="/account").status_code == 403
    outsider = as_user(new_client, "outsider")
    assert outsider.get(f"/debriefs/{d}/quick-time").status_code == 404
    wg = as_user(new_client, "wg")
    r = wg.post_form(f"/debriefs/{d}/quick-time/1/shared", {"s1-version": "1", "s1-method": "briefing",
                                                           "s1-audience": "All", "s1-on": "2026-03-28",
                                                           "s1-by": "WG"}, token_from="/account")
    assert r.status_code == 403 and not items(app, d)[0].shared
    admin = as_user(new_client, "adm")
    assert admin.get(f"/debriefs/{d}/quick-time").status_code == 403
    assert rev.get(f"/debriefs/{d}/quick-time/9").status_code == 404
    # links to the list from the debrief and the learning page
    assert f"/debriefs/{d}/quick-time" in rev.get(f"/debriefs/{d}").get_data(as_text=True)
    assert f"/debriefs/{d}/quick-time" in rev.get(f"/debriefs/{d}/learning").get_data(as_text=True)
    with app.app_context():
        views = db.session.scalars(sa.select(AuditEvent.user_id).where(AuditEvent.action == "quick_learning.view")).all()
        assert {people[u] for u in ("mem", "wg", "brd", "rev2")} <= set(views)


# ---- sharing and overdue ---------------------------------------------------------------------------------

def share(c, d, number, version, **over):
    data = {f"s{number}-version": str(version), f"s{number}-method": "briefing",
            f"s{number}-audience": "Response supervisors, all areas", f"s{number}-on": "2026-03-28",
            f"s{number}-by": "Public Protection Unit"}
    data.update({f"s{number}-{k}": v for k, v in over.items()})
    return c.post_form(f"/debriefs/{d}/quick-time/{number}/shared", data)


def test_overdue_shows_on_the_owners_and_lead_reviewers_home_and_the_dashboard_until_shared(
        app, new_client, people, clock):
    d = people["d"]
    rev = as_user(new_client, "rev")
    assert record(rev, d, form(people["mem"], share_by_date="2026-03-29", share_by_time="09:00")).status_code == 302
    mem, rev2, wg = (as_user(new_client, u) for u in ("mem", "rev2", "wg"))

    def overdue_on_home(c) -> bool:
        return "Quick-time learning overdue" in c.get("/").get_data(as_text=True)

    def dashboard_count(c) -> str:
        html = c.get("/dashboard").get_data(as_text=True)
        tile = re.search(r'Quick-time learning overdue now</p>\s*<p class="tile__value">(.*?)</p>', html, re.S)
        return tile.group(1)

    clock.set(datetime(2026, 3, 29, 7, 59, tzinfo=UTC))  # a minute before the deadline (08:00 UTC)
    assert not overdue_on_home(mem) and not overdue_on_home(rev)
    assert ">0<" in dashboard_count(wg)
    assert "Share by 29 Mar 2026 09:00</span>" in rev.get(f"/debriefs/{d}/quick-time").get_data(as_text=True)

    clock.set(datetime(2026, 3, 29, 8, 1, tzinfo=UTC))
    assert overdue_on_home(mem) and overdue_on_home(rev)  # the owner and the lead reviewer
    assert not overdue_on_home(rev2) and not overdue_on_home(wg)  # neither owns it nor leads the debrief
    home = mem.get("/").get_data(as_text=True)
    assert f"/debriefs/{d}/quick-time#q-1" in home and "Response supervisors" in home
    tile = dashboard_count(wg)
    link = re.search(r'href="([^"]+)">1</a>', tile).group(1).replace("&amp;", "&")
    assert "measure=quicktime" in link
    which = wg.get(link)
    assert which.status_code == 200 and reference(app, d) in which.get_data(as_text=True)
    assert "Overdue since 29 Mar 2026 09:00" in rev.get(f"/debriefs/{d}/quick-time").get_data(as_text=True)

    # The owner records how it was shared: a future date is refused beside its field; then it is done.
    future = (date.today() + timedelta(days=2)).isoformat()
    r = share(mem, d, 1, 1, on=future)
    assert r.status_code == 422 and "cannot be in the future" in r.get_data(as_text=True)
    r = share(mem, d, 1, 1, audience="")
    assert r.status_code == 422 and "Say who it reached." in r.get_data(as_text=True)
    assert not items(app, d)[0].shared
    assert share(mem, d, 1, 1).status_code == 302
    (q,) = items(app, d)
    assert (q.shared_on, q.shared_method, q.shared_audience, q.shared_by) == (
        date(2026, 3, 28), "briefing", "Response supervisors, all areas", "Public Protection Unit")
    assert q.shared_recorded_at == datetime(2026, 3, 29, 8, 1, tzinfo=UTC) and q.version == 2
    assert not overdue_on_home(mem) and not overdue_on_home(rev)
    assert ">0<" in dashboard_count(wg)
    page = rev.get(f"/debriefs/{d}/quick-time").get_data(as_text=True)
    assert "Shared 28 Mar 2026" in page and "Record how Q1 was shared" not in page
    # a second record from a page loaded before is a conflict that keeps what was typed
    r = share(rev, d, 1, 1, audience="Custody sergeants")
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "Someone else saved Q1" in html
    assert "Response supervisors, all areas" in html and 'value="Custody sergeants"' in html
    assert items(app, d)[0].shared_audience == "Response supervisors, all areas"


def test_a_stale_edit_answers_409_with_both_versions_and_keeps_the_text(app, new_client, people, clock, inbox):
    d = people["d"]
    rev, rev2 = as_user(new_client, "rev"), as_user(new_client, "rev2")
    assert record(rev, d, form(people["mem"])).status_code == 302
    edit = rev.get(f"/debriefs/{d}/quick-time/1").get_data(as_text=True)
    assert "The DASH form lets officers skip the pregnancy question." in edit
    assert value(edit, "share_by_date") == "2026-03-30" and value(edit, "share_by_time") == "13:00"
    # a deadline now past stays allowed on an edit that does not change it
    clock.set(datetime(2026, 4, 2, 9, 0, tzinfo=UTC))
    r = rev2.post_form(f"/debriefs/{d}/quick-time/1", form(people["rev"], version="1",
                                                           statement="Colleague's wording."))
    assert r.status_code == 302
    assert "The new owner has been told by email." in rev2.get(r.headers["Location"].split("#")[0]).get_data(
        as_text=True)
    assert received(inbox)[-1][0] == "rita@force.example"
    r = rev.post_form(f"/debriefs/{d}/quick-time/1", form(people["mem"], version="1", statement="My wording."))
    html = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "Someone else saved Q1 while you were editing" in html
    assert "Colleague&#39;s wording." in html and "My wording." in html and "Rita Reviewer" in html
    (q,) = items(app, d)
    assert (q.statement, q.owner_user_id, q.version) == ("Colleague's wording.", people["rev"], 2)
    # saving again from the conflict (with the version it now carries) replaces it
    assert value(html, "version") == "2"
    assert rev.post_form(f"/debriefs/{d}/quick-time/1", form(people["mem"], version="2",
                                                             statement="My wording.")).status_code == 302
    assert items(app, d)[0].statement == "My wording."
    # a changed deadline must still be in the future
    r = rev.post_form(f"/debriefs/{d}/quick-time/1", form(people["mem"], version="3", share_by_date="2026-04-01"))
    assert r.status_code == 422 and "The deadline must be in the future." in r.get_data(as_text=True)


def test_a_mail_server_that_is_down_does_not_stop_the_recording(app, new_client, people, clock):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), BASE_URL=BASE)  # nothing listens there
    d = people["d"]
    rev = as_user(new_client, "rev")
    r = record(rev, d, form(people["mem"]))
    assert r.status_code == 302 and [q.label for q in items(app, d)] == ["Q1"]
    page = rev.get(f"/debriefs/{d}/quick-time").get_data(as_text=True)
    assert "The email to the owner could not be sent: tell them another way." in page


def test_the_demo_has_one_shared_and_one_overdue(app):
    from app import demo
    from app.quicktime import services

    with app.test_request_context():
        demo.seed()
        demo.seed_debriefs()
        rows = db.session.scalars(sa.select(QuickLearning).order_by(QuickLearning.number)).all()
        assert [(q.label, q.shared, services.is_overdue(q)) for q in rows] == [("Q1", True, False),
                                                                              ("Q2", False, True)]
