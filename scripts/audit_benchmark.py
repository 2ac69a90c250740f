"""How long `flask audit-verify` takes on a large audit log.

Writes AUDIT_ROWS (default 1,000,000) chained audit rows into a fresh database, as years of use would
leave them (sign-ins, views, changes, exports), then times the whole-chain check.

    .venv/bin/python scripts/audit_benchmark.py            # SQLite in a temporary file
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python scripts/audit_benchmark.py
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from app import audit_chain, create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import AuditChain, AuditEvent  # noqa: E402
from benchmark import database_url  # noqa: E402 (this folder is on the path when run as a script)

ROWS = int(os.environ.get("AUDIT_ROWS", "1000000"))
BATCH = 20_000
KINDS = [("consultation", "debrief.view", "debrief"), ("alteration", "chronology.update", "chronology_entry"),
         ("security", "login.success", "user_account"), ("disclosure", "chronology.export_csv", "debrief"),
         ("collection", "action.create", "action")]


def fill(rows: int) -> float:
    key = audit_chain._key()
    start = datetime(2016, 12, 1, tzinfo=timezone.utc)
    previous, began = audit_chain.GENESIS, time.perf_counter()
    table = AuditEvent.__table__
    for first in range(1, rows + 1, BATCH):
        batch = []
        for seq in range(first, min(first + BATCH, rows + 1)):
            operation, action, object_type = KINDS[seq % len(KINDS)]
            row = SimpleNamespace(occurred_at=start + timedelta(seconds=seq * 300), user_id=None,
                                  operation=operation, action=action, object_type=object_type,
                                  object_id=str(seq % 1500 + 1), fields="narrative,summary" if seq % 5 == 1 else None,
                                  recipient="Named Recipient, Agency" if seq % 5 == 3 else None,
                                  reason=None, request_id=f"{seq:032x}", client_addr="10.0.0.1",
                                  records=",".join(str(i) for i in range(seq % 7)) or None)
            previous = audit_chain.chain_hash(key, previous, seq, row)
            batch.append({**vars(row), "seq": seq, "chain_hash": previous})
        db.session.execute(table.insert(), batch)
        db.session.commit()
    db.session.add(AuditChain(id=1, seq=rows, head_hash=previous))
    db.session.commit()
    return time.perf_counter() - began


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url, cleanup = database_url(tmp)
        try:
            app = create_app(env={"APP_ENV": "testing", "SECRET_KEY": "b" * 48, "DATABASE_URL": url})
            with app.app_context():
                db.create_all()
                filled = fill(ROWS)
                if url.startswith("postgresql"):
                    db.session.execute(sa.text("ANALYZE audit_event"))
                    db.session.commit()
                began = time.perf_counter()
                verdict = audit_chain.verify()
                seconds = time.perf_counter() - began
                assert verdict.intact and verdict.rows == ROWS, verdict.problems
                backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
                print(f"audit-verify on {backend}: {ROWS:,} rows in {seconds:.1f} s "
                      f"({ROWS / seconds:,.0f} rows/s); writing them took {filled:.1f} s")
                db.session.remove()
                db.engine.dispose()
        finally:
            cleanup()


if __name__ == "__main__":
    main()
