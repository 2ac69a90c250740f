"""Benchmark the debrief board: server time and query count at 15 and 1,500 debriefs.

    .venv/bin/python scripts/bench_board.py            # SQLite in a temporary file
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python scripts/bench_board.py

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


def measure(app, client, path: str) -> dict:
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    client.get(path, base_url="https://localhost")
    times = []
    for _ in range(REQUESTS):
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", listener)
        start = time.perf_counter()
        r = client.get(path, base_url="https://localhost")
        times.append((time.perf_counter() - start) * 1000)
        sa.event.remove(engine, "before_cursor_execute", listener)
        assert r.status_code == 200
    queries = len([s for s in statements if not s.startswith("BEGIN")])
    times.sort()
    return {"median_ms": statistics.median(times), "p95_ms": times[int(len(times) * 0.95) - 1],
            "queries": queries, "bytes": len(r.data)}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url, cleanup = database_url(tmp)
        try:
            app = create_app(env={"APP_ENV": "testing", "SECRET_KEY": "b" * 48, "DATABASE_URL": url,
                                  "SESSION_COOKIE_SECURE": "true"})
            with app.app_context():
                db.create_all()
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
            results = {"15": measure(app, client, "/board")}
            with app.app_context():
                bulk_debriefs(1485, [lead], seed=11, start_number=16)
            results["1500"] = measure(app, client, "/board")
            results["1500 filtered"] = measure(app, client, "/board?category=homicide&q=case")
            backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
            print(f"Board benchmark on {backend}, {REQUESTS} requests each")
            for label, m in results.items():
                print(f"  {label:>14} debriefs: median {m['median_ms']:.1f} ms, p95 {m['p95_ms']:.1f} ms, "
                      f"{m['queries']} queries, {m['bytes'] / 1024:.0f} KB")
            with app.app_context():
                db.engine.dispose()
        finally:
            cleanup()


if __name__ == "__main__":
    main()
