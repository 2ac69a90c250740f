"""Behaviour that only shows with several gunicorn worker processes."""
from __future__ import annotations

import http.client
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import PASSWORD
from tests.live import Browserless, gunicorn


def _pids_for_login_posts(access_log) -> list[str]:
    return [line.split()[0] for line in access_log.read_text().splitlines() if " POST /login " in line]


def test_lockout_is_shared_between_two_gunicorn_workers(app, make_user, tmp_path):
    limit = 6
    db_url = app.config["SQLALCHEMY_DATABASE_URI"]
    # The app's own key, so the audit rows the workers chain verify here (the audit key derives from it).
    with gunicorn(db_url, app.config["SECRET_KEY"], workers=2, log_dir=tmp_path, LOGIN_MAX_FAILURES=limit,
                  LOGIN_IP_MAX_FAILURES=1000) as (base, access_log):
        # Several accounts, so that one unlucky run where a single worker took every attempt is retried.
        for attempt in range(4):
            username = f"alice{attempt}"
            make_user(username, "reviewer")
            before = len(_pids_for_login_posts(access_log))
            with ThreadPoolExecutor(max_workers=3) as pool:
                statuses = list(pool.map(lambda _, name=username: Browserless(base).login(name, "wrong wrong wrong"),
                                         range(limit)))
            assert statuses == [401] * limit
            pids = _pids_for_login_posts(access_log)[before:]
            if len(set(pids)) < 2:
                continue
            # The failures were split across both workers, yet together they locked the account:
            # the right password is now refused, whichever worker answers.
            for _ in range(4):
                assert Browserless(base).login(username, PASSWORD) == 401
            break
        else:
            raise AssertionError("the attempts never reached both workers; cannot show the shared lock")
        # gunicorn names itself on no response.
        conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=5)
        conn.request("GET", "/login")
        response = conn.getresponse()
        assert response.status == 200 and response.getheader("Server") is None
        # A control: an account nobody attacked still signs in on the same servers.
        make_user("bystander", "reviewer")
        assert Browserless(base).login("bystander", PASSWORD) == 302
    # Two worker processes wrote audit rows at the same moments: still one unbroken chain.
    from app import audit_chain
    from app.extensions import db

    with app.app_context():
        verdict = audit_chain.verify()
        db.session.remove()
    assert verdict.intact and verdict.rows >= limit, verdict.problems
