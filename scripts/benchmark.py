"""Benchmark the main screens: server time, query count and size.

- the board at 15 and 1,500 debriefs;
- a chronology of 2,000 entries on one page, and an inline save of one row;
- the action board with 12,000 actions: unfiltered, filtered, by status, an owner's My actions,
  the working group's meeting pack, and an owner's inline update.

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
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from app.admin.services import create_user  # noqa: E402
from app.extensions import db  # noqa: E402
from app.synthetic import bulk_debriefs  # noqa: E402

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
        subjects = [add_subject(debrief, role=SubjectRole.VICTIM, real_name=f"Bench Person {i}",
                                date_of_birth=None).id for i in range(3)]
        bulk_chronology(debrief.id, 2000, db.session.scalars(sa.select(Agency.id)).all(), subjects)
        entry = db.session.scalar(sa.select(ChronologyEntry.id).order_by(ChronologyEntry.id))
        return entry, debrief.id


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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url, cleanup = database_url(tmp)
        try:
            app = create_app(env={"APP_ENV": "testing", "SECRET_KEY": "b" * 48, "DATABASE_URL": url,
                                  "SESSION_COOKIE_SECURE": "true"})
            with app.app_context():
                db.create_all()
                from app.models import Agency
                from app.models import Theme
                from app.reference import STARTING_AGENCIES, STARTING_THEMES

                db.session.add_all(Agency(name=n) for n in STARTING_AGENCIES)
                db.session.add_all(Theme(name=n) for n in STARTING_THEMES)
                db.session.commit()
                lead = create_user(username="lead", full_name="Lead Reviewer", email=None, roles=["reviewer"],
                                   password=PASSWORD, must_change_password=False).id
                create_user(username="viewer", full_name="Viewer", email=None, roles=["reviewer"],
                            password=PASSWORD, must_change_password=False)
                bulk_debriefs(15, [lead], max_days_ago=200)
            client = app.test_client()
            html = client.get("/login", base_url="https://localhost").get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
            client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/"},
                        data={"csrf_token": token, "username": "viewer", "password": PASSWORD})
            results = {"board, 15 debriefs": measure(app, client, "/board")}
            with app.app_context():
                bulk_debriefs(1485, [lead], seed=11, start_number=16)
            results["board, 1,500 debriefs"] = measure(app, client, "/board")
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
            backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
            print(f"Benchmark on {backend}, in-process server time")
            for label, m in results.items():
                print(f"  {label:>34}: median {m['median_ms']:.1f} ms, p95 {m['p95_ms']:.1f} ms, "
                      f"{m['queries']} queries, {m['bytes'] / 1024:.1f} KB")
            with app.app_context():
                db.engine.dispose()
        finally:
            cleanup()


if __name__ == "__main__":
    main()
