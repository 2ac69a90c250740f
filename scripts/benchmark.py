"""Benchmark the main screens: server time, query count and size.

- the board at 15 and 1,500 debriefs;
- a chronology of 2,000 entries on one page, and an inline save of one row;
- the action board with 12,000 actions: unfiltered, filtered, by status, an owner's My actions,
  the working group's meeting pack, and an owner's inline update;
- masked pages against the same page for the review team, interleaved request by request: a partner's
  2,000-entry chronology (one entry in ten naming a subject) and the working group's board, with 4,500
  subjects known to the masker.

    .venv/bin/python scripts/benchmark.py            # SQLite in a temporary file
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python scripts/benchmark.py

Times are measured in-process around the Flask test client (the app's own work:
routing, queries, rendering; no network), over repeated requests after a warm-up.
"""
from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from app.admin.services import create_user  # noqa: E402
from app.extensions import db  # noqa: E402
from app.synthetic import bulk_debriefs, bulk_outcomes  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
PASSWORD = "benchmark pass phrase"
TOKEN = {"value": ""}


def database_url(tmp: str) -> tuple[str, callable]:
    base = os.environ.get("BENCH_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp}/bench.sqlite3", lambda: None
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))

    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}", drop


def bench_app(url: str, cookie_secure: bool, *usernames: tuple[str, str]):
    """A fresh app and schema with reference data, the lead reviewer and the named (username, role) users."""
    from app.models import Agency, RetentionCategory, Theme
    from app.reference import STARTING_AGENCIES, STARTING_POLICE, STARTING_RETENTION, STARTING_THEMES

    app = create_app(env={"APP_ENV": "testing", "SECRET_KEY": "b" * 48, "DATABASE_URL": url,
                          "SESSION_COOKIE_SECURE": "true" if cookie_secure else "false"})
    with app.app_context():
        db.create_all()
        db.session.add_all(Agency(name=n, is_police=n in STARTING_POLICE) for n in STARTING_AGENCIES)
        db.session.add_all(Theme(name=n) for n in STARTING_THEMES)
        db.session.add_all(RetentionCategory(name=n, review_years=y, default_for=k, description=d)
                           for n, y, k, d in STARTING_RETENTION)
        db.session.commit()
        lead = create_user(username="lead", full_name="Lead Reviewer", email=None, roles=["reviewer"],
                           password=PASSWORD, must_change_password=False).id
        for username, role in usernames:
            create_user(username=username, full_name=username.title(), email=None, roles=[role],
                        password=PASSWORD, must_change_password=False)
    return app, lead


def settle(app) -> None:
    """After a bulk load, what PostgreSQL's autovacuum does on a live server within minutes: statistics for
    the planner, and the visibility map that lets index-only scans skip the table."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))


def measure(app, client, path: str, requests: int = REQUESTS, post: dict | None = None) -> dict:
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *a: statements.append(a[2])  # noqa: E731

    def call():
        if post is None:
            return client.get(path, base_url="https://localhost")
        data = post() if callable(post) else post
        return client.post(path, base_url="https://localhost", data=data,
                           headers={"Referer": "https://localhost/", "HX-Request": "true",
                                    "X-CSRFToken": TOKEN["value"]})

    call()
    times = []
    for _ in range(requests):
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", listener)
        start = time.perf_counter()
        r = call()
        times.append((time.perf_counter() - start) * 1000)
        sa.event.remove(engine, "before_cursor_execute", listener)
        assert r.status_code == 200
    queries = len([s for s in statements if not s.startswith("BEGIN")])
    times.sort()
    return {"median_ms": statistics.median(times), "p95_ms": times[int(len(times) * 0.95) - 1],
            "queries": queries, "bytes": len(r.data)}


BENCH_PEOPLE = ("Daniel Okafor", "Liam Barrett", "Jane Barrett")


def chronology(app) -> tuple[int, int]:
    """A debrief with three subjects and 2,000 chronology entries; returns one entry's id and the debrief's."""
    from datetime import date

    from app.models import Agency, ChronologyEntry, Debrief, Stage, SubjectRole, User
    from app.scoping.services import add_subject
    from app.synthetic import bulk_chronology

    with app.test_request_context():
        lead = db.session.scalar(sa.select(User).where(User.username == "lead"))
        debrief = Debrief(reference="HPD-2026-B0001", title="Benchmark", stage=Stage.CHRONOLOGY.value,
                          dmm_date=date(2026, 1, 2), incident_date=date(2026, 1, 1), category="homicide",
                          context="domestic", subtype="familial", offence="murder", referred_by="Bench",
                          lead_reviewer_id=lead.id)
        db.session.add(debrief)
        db.session.commit()
        subjects = [add_subject(debrief, role=SubjectRole.VICTIM, real_name=name, date_of_birth=None).id
                    for name in BENCH_PEOPLE]
        bulk_chronology(debrief.id, 2000, db.session.scalars(sa.select(Agency.id)).all(), subjects)
        entry = db.session.scalar(sa.select(ChronologyEntry.id).where(ChronologyEntry.debrief_id == debrief.id)
                                  .order_by(ChronologyEntry.id))
        return entry, debrief.id


FIRST_NAMES = ("Aaliyah", "Bartosz", "Ciaran", "Delyth", "Emeka", "Fionnuala", "Grzegorz", "Hamish", "Ifeoma",
               "Jolanta", "Kofi", "Lowri", "Mairead", "Niamh", "Oluwaseun", "Padraig", "Rhiannon", "Siobhan")
SURNAMES = ("Adeyemi", "Brannigan", "Chowdhury", "Dabrowski", "Eze", "Fitzgerald", "Gallagher", "Hussain",
            "Iwu", "Jankowski", "Kowalczyk", "Llewellyn", "McAllister", "Nwosu", "O'Sullivan", "Przybylski")


def subjects_everywhere(app) -> int:
    """Three subjects with made-up names for every debrief, so the masker knows thousands of people."""
    import random

    from app.models import Debrief, Subject

    rnd = random.Random(3)
    with app.app_context():
        ids = db.session.scalars(sa.select(Debrief.id)).all()
        rows = [{"debrief_id": d, "role": "victim", "real_name": f"{rnd.choice(FIRST_NAMES)} {rnd.choice(SURNAMES)}",
                 "pseudonym_index": 10 + k, "pseudonym": f"Adult {chr(75 + k)}", "version": 1}
                for d in ids for k in range(3)]
        db.session.execute(sa.insert(Subject), rows)
        db.session.commit()
        return len(rows)


def name_some_entries(app, debrief_id: int) -> None:
    """One chronology entry in ten names a subject, as happens when a reviewer forgets a pseudonym."""
    from app.models import ChronologyEntry

    with app.app_context():
        ids = db.session.scalars(sa.select(ChronologyEntry.id).where(ChronologyEntry.debrief_id == debrief_id)
                                 .order_by(ChronologyEntry.id)).all()
        db.session.execute(sa.update(ChronologyEntry).where(ChronologyEntry.id.in_(ids[::10])).values(
            summary="Mrs Barrett reported that Liam Barrett had been seen near Okafor's flat."))
        db.session.commit()


def compare(app, reference_client, masked_client, path: str, requests: int) -> dict:
    """The same page for the review team and for a masked audience, alternating request by request."""
    ref, masked = [], []
    for client in (reference_client, masked_client):
        assert client.get(path, base_url="https://localhost").status_code == 200
    for _ in range(requests):
        for client, times in ((reference_client, ref), (masked_client, masked)):
            start = time.perf_counter()
            r = client.get(path, base_url="https://localhost")
            times.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200
    return {"reference_ms": statistics.median(ref), "masked_ms": statistics.median(masked),
            "ratio": statistics.median(masked) / statistics.median(ref)}


def masked_pages(app, reviewer_client, debrief_id: int) -> dict:
    from app.debriefs import services
    from app.models import Agency, Debrief, User

    with app.test_request_context():
        probation = db.session.scalar(sa.select(Agency.id).where(Agency.name == "Probation"))
        for username, role in (("partner", "partner"), ("wg2", "working_group")):
            create_user(username=username, full_name=username.title(), email=None, roles=[role], password=PASSWORD,
                        must_change_password=False, agency_id=probation if role == "partner" else None)
        debrief = db.session.get(Debrief, debrief_id)
        partner_user = db.session.scalar(sa.select(User).where(User.username == "partner"))
        services.add_participant(debrief, partner_user, db.session.scalar(sa.select(User).where(User.username == "lead")))
        # A partner reads case material once they have acknowledged the meeting's confidentiality terms.
        from datetime import datetime, timedelta, timezone

        from app.meetings import services as meetings

        if debrief.meeting is None:
            meetings.schedule(debrief, {"starts_at": datetime.now(timezone.utc) + timedelta(days=7),
                                        "duration_minutes": 60, "venue": "Room 1", "online_link": None,
                                        "chair": None, "note_taker": None}, version=0)
        meetings.acknowledge(meetings.invite_user(debrief.meeting, partner_user), partner_user)
    people = subjects_everywhere(app)
    name_some_entries(app, debrief_id)
    partner, wg = signed_in_client(app, "partner"), signed_in_client(app, "wg2")
    with app.test_request_context():
        from app.disclosure import _cache, masker

        _cache.clear()
        start = time.perf_counter()
        masker()
    built_ms = (time.perf_counter() - start) * 1000
    n = max(REQUESTS // 5, 10)
    return {"people": people, "masker_build_ms": built_ms,
            "partner's chronology, 2,000 entries": compare(app, reviewer_client, partner,
                                                           f"/debriefs/{debrief_id}/chronology", n),
            "working group's board, 1,500 debriefs": compare(app, reviewer_client, wg, "/board", n)}


def save_form(app, version: int) -> dict:
    from app.models import Agency

    with app.app_context():
        police = db.session.scalar(sa.select(Agency.id).where(Agency.name == "Police"))
    return {"entry_date": "2025-01-02", "date_precision": "exact", "agency_id": str(police), "contact_type": "call",
            "summary": f"Edited {version}", "version": str(version)}


def signed_in_client(app, username: str):
    client = app.test_client()
    html = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/"},
                data={"csrf_token": token, "username": username, "password": PASSWORD})
    return client


def action_board(app, reviewer_client) -> dict:
    """12,000 actions over the 1,500 debriefs, owned by 40 people and 12 teams."""
    from app.models import Action, Debrief, Team, Theme
    from app.synthetic import bulk_actions

    with app.app_context():
        owners = [create_user(username=f"owner{i}", full_name=f"Owner {i}", email=None, roles=["member"],
                              password=PASSWORD, must_change_password=False).id for i in range(40)]
        create_user(username="wg", full_name="Working Group", email=None, roles=["working_group"],
                    password=PASSWORD, must_change_password=False)
        db.session.add_all(Team(name=f"Team {i}", email=f"team{i}@example.org", active=True) for i in range(12))
        db.session.commit()
        teams = db.session.scalars(sa.select(Team.id)).all()
        debriefs = db.session.scalars(sa.select(Debrief.id)).all()
        bulk_actions(12_000, debriefs, owners, teams, db.session.scalars(sa.select(Theme.id)).all())
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 12_000
        mine = db.session.scalar(sa.select(Action).where(Action.owner_user_id == owners[0],
                                                         Action.status == "open").limit(1))
        action_id, version = mine.id, mine.version
    settle(app)
    owner = signed_in_client(app, "owner0")
    wg = signed_in_client(app, "wg")
    page = owner.get(f"/actions/{action_id}", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    versions = iter(range(version, version + 10_000))

    def update():
        return {"csrf_token": token, f"u{action_id}-version": str(next(versions)), f"u{action_id}-status": "open",
                f"u{action_id}-note": "Benchmark update"}

    def post_as_owner(path, data):
        return owner.post(path, base_url="https://localhost", data=data,
                          headers={"Referer": "https://localhost/", "HX-Request": "true"})

    results = {
        "actions, 12,000, first page": measure(app, reviewer_client, "/actions"),
        "actions, 12,000, filtered": measure(app, reviewer_client, f"/actions?overdue=y&owner=team:{teams[3]}"),
        "actions, 12,000, theme+department": measure(app, reviewer_client,
                                                     "/actions?theme=1&department=Response&status=open"),
        "actions, 12,000, by status": measure(app, reviewer_client, "/actions?view=columns"),
        "actions, 12,000, My actions": measure(app, owner, "/actions?owner=me"),
        "actions, 12,000, working group": measure(app, wg, "/actions?due_within=30"),
        "meeting pack, 12,000": measure(app, wg, "/actions/pack", requests=max(REQUESTS // 10, 5)),
    }
    results["owner's inline update"] = measure_post(app, post_as_owner, f"/actions/{action_id}/update", update)
    return results


def measure_post(app, post, path, data) -> dict:
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        r = post(path, data())
        times.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200, r.status_code
    times.sort()
    return {"median_ms": statistics.median(times), "p95_ms": times[int(len(times) * 0.95) - 1], "queries": "-",
            "bytes": len(r.data)}


TEN_YEARS = (f"/dashboard?period=custom&from={date.today() - timedelta(days=3650)}&to={date.today()}")


def board_pack_build(app, times: int = 3) -> list[float]:
    """Seconds to build the latest complete quarter's pack (figures for it and the quarter before, the print
    page and the Word file with its pictures)."""
    from app import process_settings
    from app.governance import pack

    out = []
    with app.test_request_context():
        last_quarter = pack.quarter(date.today()).previous().start
        for _ in range(times):
            start = time.perf_counter()
            built = pack.build(last_quarter, process_settings.current(), date.today())
            pack.html(built)
            pack.docx(built)
            out.append(time.perf_counter() - start)
            db.session.rollback()
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url, cleanup = database_url(tmp)
        try:
            app, lead = bench_app(url, True, ("viewer", "reviewer"))
            with app.app_context():
                bulk_debriefs(15, [lead], max_days_ago=200)
            client = app.test_client()
            html = client.get("/login", base_url="https://localhost").get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
            client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/"},
                        data={"csrf_token": token, "username": "viewer", "password": PASSWORD})
            results = {"board, 15 debriefs": measure(app, client, "/board")}
            with app.app_context():
                bulk_outcomes()
            results["dashboard, 12 months, 15 debriefs"] = measure(app, client, "/dashboard")
            results["dashboard, ten years, 15 debriefs"] = measure(app, client, TEN_YEARS)
            with app.app_context():
                first_new = db.session.scalar(sa.select(sa.func.max(sa.text("id"))).select_from(sa.text("debrief")))
                bulk_debriefs(1485, [lead], seed=11, start_number=16)
                bulk_outcomes(after_id=first_new)
            settle(app)
            results["board, 1,500 debriefs"] = measure(app, client, "/board")
            results["dashboard, 12 months, 1,500 debriefs"] = measure(app, client, "/dashboard")
            results["dashboard, ten years, 1,500 debriefs"] = measure(app, client, TEN_YEARS)
            results["board, 1,500, filtered"] = measure(app, client, "/board?category=homicide&q=case")
            entry_id, debrief_id = chronology(app)
            page = client.get(f"/debriefs/{debrief_id}/chronology", base_url="https://localhost")
            TOKEN["value"] = re.search(r'"X-CSRFToken": "([^"]+)"', page.get_data(as_text=True)).group(1)
            results["chronology, 2,000 entries"] = measure(app, client, f"/debriefs/{debrief_id}/chronology",
                                                           requests=max(REQUESTS // 5, 10))
            versions = iter(range(1, 10_000))
            results["inline save of one row"] = measure(
                app, client, f"/debriefs/{debrief_id}/chronology/{entry_id}", post=lambda: save_form(app, next(versions)))
            results.update(action_board(app, client))
            results["dashboard, 12 months, with 12,000 actions"] = measure(app, client, "/dashboard")
            results["dashboard, ten years, with 12,000 actions"] = measure(app, client, TEN_YEARS)
            pack_seconds = board_pack_build(app)
            masked = masked_pages(app, client, debrief_id)
            backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
            print(f"Benchmark on {backend}, in-process server time")
            for label, m in results.items():
                print(f"  {label:>34}: median {m['median_ms']:.1f} ms, p95 {m['p95_ms']:.1f} ms, "
                      f"{m['queries']} queries, {m['bytes'] / 1024:.1f} KB")
            print(f"  {'board pack, Word file and print page':>34}: built in "
                  f"{', '.join(f'{t:.2f}' for t in pack_seconds)} s")
            print(f"Masked pages against the review team's (interleaved; masker over {masked.pop('people')} "
                  f"subjects built in {masked.pop('masker_build_ms'):.0f} ms, then cached)")
            for label, m in masked.items():
                print(f"  {label:>38}: review team {m['reference_ms']:.1f} ms, masked {m['masked_ms']:.1f} ms, "
                      f"ratio {m['ratio']:.2f}")
            with app.app_context():
                db.engine.dispose()
        finally:
            cleanup()


if __name__ == "__main__":
    main()
