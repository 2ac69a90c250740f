"""Accessibility as a test: axe-core (WCAG 2.0, 2.1 and 2.2 A and AA rules) on every page each role can open,
in Chromium, against gunicorn, with the demo workflow and a planted case; no critical or serious finding.

axe-core comes from the npm registry into tests/axe/node_modules (scripts/test installs it; the app never
loads it). The walk is the same as the disclosure crawl's: every GET route in the URL map, so a page added
later is checked without editing this file. Accessibility does not depend on the database: it runs on SQLite.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import requirement_missing
from tests.test_browser import chromium, live  # noqa: F401 - fixtures
from tests.test_disclosure_crawl import ROLES, _url, planted  # noqa: F401 - the crawl's planted case

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("critical", "serious")
RUN = ("() => axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})"
       ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
       " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))") % json.dumps(TAGS)


# Ids used more than once on a page (a label or an error tied to the wrong field); axe 4 no longer checks this.
DUPLICATE_IDS = ("() => { const seen = {}; for (const el of document.querySelectorAll('[id]')) "
                 "{ seen[el.id] = (seen[el.id] || 0) + 1; } return Object.keys(seen).filter(k => seen[k] > 1); }")


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        requirement_missing("the accessibility suite needs axe-core: npm ci --prefix tests/axe (scripts/test does it)")
    return AXE.read_text(encoding="utf-8")


def _page_urls(app, ids) -> list[str]:
    """Every GET page in the URL map, with the planted case's ids filled in (downloads and CSS left out)."""
    with app.test_request_context():
        return sorted({_url(r, ids) for r in app.url_map.iter_rules()
                       if r.endpoint not in ("static", "main.print_marking", "main.healthz") and "GET" in r.methods
                       and not r.rule.endswith((".csv", ".ics", ".docx", ".css"))})


def _signed_in(context, base: str, username: str):
    from app.demo import DEMO_PASSWORD

    page = context.new_page()
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def _html_pages(page, base: str, urls: list[str]):
    """Open each URL; yield those that answer with a page (the rest are files or redirects to them)."""
    for url in urls:
        response = page.goto(base + url)
        if response is not None and "html" in (response.headers.get("content-type") or ""):
            yield url


def _findings(page, axe_source: str) -> list[dict]:
    page.evaluate(axe_source)
    return page.evaluate(RUN)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_for_every_role_has_no_serious_accessibility_finding(app, live, chromium, planted,  # noqa: F811
                                                                       axe_source):
    ids, _ = planted
    urls = _page_urls(app, ids)
    totals: Counter = Counter()
    blocking: dict[str, list[str]] = {}
    pages = 0
    for role in ROLES:
        context = chromium.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
        page = _signed_in(context, live, role)
        for url in _html_pages(page, live, urls):
            pages += 1
            dupes = page.evaluate(DUPLICATE_IDS)
            if dupes:
                blocking.setdefault("duplicate ids", []).append(f"{role} {url} {dupes}")
            for finding in _findings(page, axe_source):
                totals[finding["impact"]] += 1
                if finding["impact"] in BLOCKING:
                    blocking.setdefault(f"{finding['id']} ({finding['impact']}): {finding['help']}", []).append(
                        f"{role} {url} {finding['nodes']}")
        context.close()
    print(f"axe: {pages} page loads over {len(ROLES)} roles; findings by impact: {dict(totals)}")
    assert pages > 200
    assert not blocking, json.dumps({k: v[:5] for k, v in blocking.items()}, indent=1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_at_320_css_pixels_no_page_scrolls_sideways(app, live, chromium, planted):  # noqa: F811
    """WCAG 1.4.10 reflow: at 320 CSS px (1280 px at 400% zoom) the page never scrolls as a whole sideways;
    wide tables and the board scroll inside their own boxes."""
    ids, _ = planted
    urls = _page_urls(app, ids)
    wide = []
    for role in ("reviewer", "partner"):
        context = chromium.new_context(viewport={"width": 320, "height": 640})
        page = _signed_in(context, live, role)
        for url in _html_pages(page, live, urls):
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                wide.append(f"{role} {url}: {width}px")
        context.close()
    assert wide == [], "\n".join(wide)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_key_states_have_no_serious_accessibility_finding(app, live, chromium, planted, axe_source):  # noqa: F811
    """The states a page walk does not reach: form errors, an open edit row, a conflict panel, the import
    preview and a refused move."""
    import re

    import sqlalchemy as sa

    from app.extensions import db
    from app.models import ChronologyEntry

    ids, _ = planted
    d = ids["debrief_id"]
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    page = _signed_in(context, live, "reviewer")
    found: dict[str, list] = {}

    def check(state: str) -> None:
        blocking = [f for f in _findings(page, axe_source) if f["impact"] in BLOCKING]
        if blocking:
            found[state] = blocking

    page.goto(live + "/debriefs/new")
    page.get_by_role("button", name=re.compile("Record the referral|Save|Add", re.I)).first.click()
    page.locator(".field__error").first.wait_for()
    check("referral form errors")

    page.goto(f"{live}/debriefs/{d}/chronology")
    with app.app_context():
        entry = db.session.scalar(sa.select(ChronologyEntry).where(ChronologyEntry.debrief_id == d,
                                                                  ChronologyEntry.deleted_at.is_(None)))
        eid = entry.id
        db.session.remove()
    page.locator(f"#entry-{eid}").click()
    page.locator(f"#entry-{eid}.crow--editing").wait_for()
    check("chronology edit row")
    with app.app_context():  # a colleague saves first
        db.session.execute(sa.update(ChronologyEntry).where(ChronologyEntry.id == eid)
                           .values(summary="A colleague's words", version=ChronologyEntry.version + 1))
        db.session.commit()
        db.session.remove()
    page.locator("#summary").fill("My words")
    page.locator(f"#entry-{eid} [data-save]").click()
    page.locator(f"#entry-{eid} .conflict").wait_for()
    check("chronology conflict panel")

    page.goto(f"{live}/debriefs/{d}/chronology/import")
    page.set_input_files("#file", files=[{"name": "agency.csv", "mimeType": "text/csv", "buffer": (
        "date,agency,contact_type,event_summary\n01/03/2025,Police,Arrest,Seen at the address\n").encode()}])
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("ready to add").wait_for()
    check("import preview")

    page.goto(live + "/board")
    referred = page.locator("#cards-referred .kcard").first
    referred.locator("select").select_option("closed")
    referred.get_by_role("button", name="Move").click()
    page.locator(".move-panel").wait_for()
    check("refused move panel")
    context.close()
    assert not found, json.dumps(found, indent=1)
