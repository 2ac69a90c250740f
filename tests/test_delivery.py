"""Compression after masking, and static files cached for a year under content-hashed addresses."""
from __future__ import annotations

import gzip
import re

import brotli

from app.extensions import db
from app.models import Debrief, SubjectRole
from tests.conftest import make_app, reset_database


def test_pages_are_compressed_after_the_names_are_masked(app, client, signed_in, make_debrief):
    from app.scoping.services import add_subject

    d = make_debrief("scoping", summary="Seen with Liam Barrett")
    with app.test_request_context():
        add_subject(db.session.get(Debrief, d), role=SubjectRole.SUSPECT, real_name="Liam Barrett",
                    date_of_birth=None)
    signed_in("board", username="brd")
    r = client.get(f"/debriefs/{d}", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in r.headers["Vary"]
    page = gzip.decompress(r.data).decode()
    assert "Barrett" not in page and "Adult A" in page
    r = client.get(f"/debriefs/{d}", headers={"Accept-Encoding": "br, gzip"})
    assert r.headers["Content-Encoding"] == "br" and "Adult A" in brotli.decompress(r.data).decode()
    assert "Content-Encoding" not in client.get(f"/debriefs/{d}").headers  # the browser did not ask


def test_compression_can_be_left_to_a_proxy(tmp_path, make_user):
    app = make_app(f"sqlite:///{tmp_path / 'plain.sqlite3'}", COMPRESS_RESPONSES="false")
    reset_database(app)
    c = app.test_client()
    r = c.get("/login", headers={"Accept-Encoding": "gzip"}, base_url="https://localhost")
    assert r.status_code == 200 and "Content-Encoding" not in r.headers
    with app.app_context():
        db.engine.dispose()


def test_static_files_are_cached_for_a_year_under_their_content_hash(app, client):
    page = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page)
    assert css, "static links carry the content hash"
    r = client.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    cache = r.headers["Cache-Control"]
    assert "immutable" in cache and "max-age=31536000" in cache and "public" in cache
    stale = client.get("/static/css/app.css?v=000000000000")
    assert "immutable" not in stale.headers.get("Cache-Control", "")
