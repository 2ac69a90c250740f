"""Repeat learning that notices: suggestions on a small corpus with known answers, the link both ways, the
demo's identical learning found and linked, and the repeat rate on the dashboard."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Action, LearningPoint, User
from tests.conftest import login
from tests.test_learning import add_point, point_id, theme_id

SAME = "Adult A's disclosure to the GP and the later 999 call were not connected; the risk was not reassessed."
REWORDED = "The GP disclosure and the 999 call were never linked, so risk was not reassessed"
SHORTER = "Risk was not reassessed"
UNRELATED = "Contacts across agencies were not connected"
OTHER_TOPIC = "Officers did not check the bail conditions before release"


@pytest.fixture
def corpus(app, client, signed_in, make_debrief):
    """Three earlier debriefs with learning, and the debrief being written (in Learning)."""
    signed_in("reviewer")
    risk, info, drugs = theme_id(app), theme_id(app, "Information sharing"), theme_id(app, "Drugs")
    older, old, other = (make_debrief("monitoring", title=t) for t in ("Older case", "Old case", "Other case"))
    add_point(client, older, SAME.replace("Adult A", "Adult C"), themes=[risk, info])  # identical but for pseudonym
    add_point(client, old, REWORDED, themes=[risk])
    add_point(client, old, SHORTER, themes=[risk])
    add_point(client, other, UNRELATED, themes=[risk, info])
    add_point(client, other, OTHER_TOPIC, themes=[risk])
    add_point(client, other, SAME, themes=[drugs])  # the same words, but no theme in common
    add_point(client, other, SAME, kind="good_practice", themes=[risk])  # good practice is never a repeat
    current = make_debrief("learning", title="Current case")
    return {"current": current, "older": older, "old": old, "other": other, "risk": risk, "info": info}


def _suggest(app, c, statement, themes, username="u_reviewer"):
    from app.learning import repeats

    with app.test_request_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        return [(s.statement, s.score) for s in repeats.suggest(statement, themes, c["current"], user)]


def test_suggestions_rank_known_repeats_and_leave_out_the_rest(app, corpus):
    found = _suggest(app, corpus, SAME, [corpus["risk"], corpus["info"]])
    statements = [s for s, _ in found]
    # The identical learning first, then the rewording, then the short statement contained in it.
    assert statements == [SAME.replace("Adult A", "Adult C"), REWORDED, SHORTER]
    scores = [s for _, s in found]
    assert scores == sorted(scores, reverse=True) and scores[0] >= 95
    # Different learning on the same themes, the same words on other themes, and good practice: not suggested.
    assert UNRELATED not in statements and OTHER_TOPIC not in statements and statements.count(SAME) == 0


def test_without_themes_text_alone_ranks_and_the_same_words_on_other_themes_are_found(app, corpus):
    statements = [s for s, _ in _suggest(app, corpus, SAME, [])]
    assert statements[:2] == [SAME.replace("Adult A", "Adult C"), SAME] or statements[:2] == [
        SAME, SAME.replace("Adult A", "Adult C")]
    assert REWORDED in statements and UNRELATED not in statements


def test_nothing_suggested_for_unrelated_text(app, corpus):
    assert _suggest(app, corpus, "The interpreter was booked late for the victim interview", [corpus["risk"]]) == []


def test_suggestions_only_from_debriefs_the_reader_may_see(app, corpus, make_user):
    make_user("mem", "member")
    assert _suggest(app, corpus, SAME, [corpus["risk"]], username="mem") == []


def test_the_form_panel_shows_ranked_possible_repeats_with_reference_month_and_actions(app, client, corpus):
    older_point = point_id(app, corpus["older"])
    with app.app_context():
        p = db.session.get(LearningPoint, older_point)
        p.actions.append(Action(debrief_id=p.debrief_id, number=1, what="Prompt to link disclosures",
                                due_on=date.today() + timedelta(days=30), priority="high", scope="force",
                                owner_team_id=None, owner_user_id=db.session.scalar(sa.select(User.id).limit(1))))
        db.session.commit()
        ref = p.debrief.reference
    html = client.get(f"/debriefs/{corpus['current']}/learning/earlier?statement={SAME}&theme_ids={corpus['risk']}",
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "This may repeat earlier learning" in html
    assert html.index(ref) < html.index("never linked")  # best first
    assert f"{ref}-A01: Open" in html and date.today().strftime("%b %Y") in html
    assert "bail conditions" not in html


def test_a_reviewer_links_a_point_to_the_exact_earlier_point_and_it_shows_both_ways(app, client, corpus):
    add_point(client, corpus["current"], SAME, themes=[corpus["risk"]])
    mine, earlier = point_id(app, corpus["current"]), point_id(app, corpus["older"])
    with app.app_context():
        ref_earlier = db.session.get(LearningPoint, earlier).debrief.reference
        ref_mine = db.session.get(LearningPoint, mine).debrief.reference
    page = client.get(f"/debriefs/{corpus['current']}/learning").get_data(as_text=True)
    assert "May repeat" in page and f"{ref_earlier} L1" in page
    url = f"/debriefs/{corpus['current']}/learning/{mine}/repeat"
    form = client.get(url).get_data(as_text=True)
    # No actions on the earlier point: what was done did not stop it, so "did not work" is proposed.
    assert re.search(rf'name="s-point-{earlier}-repeat"[^>]*value="repeat_failed"[^>]*checked|'
                     rf'checked[^>]*name="s-point-{earlier}-repeat"[^>]*value="repeat_failed"', form)
    r = client.post_form(url, {"target_key": f"point:{earlier}", f"s-point-{earlier}-target": f"point:{earlier}",
                               f"s-point-{earlier}-version": "1", f"s-point-{earlier}-repeat": "repeat_open"})
    assert r.status_code == 302
    with app.app_context():
        p = db.session.get(LearningPoint, mine)
        assert (p.repeats_point_id, p.repeat, p.repeats_exchange_id) == (earlier, "repeat_open", None)
        assert db.session.execute(sa.text("select count(*) from audit_event where action = "
                                          "'learning_point.link_repeat' and operation = 'combination'")).scalar() == 1
    page = client.get(f"/debriefs/{corpus['current']}/learning").get_data(as_text=True)
    assert "Repeats <a" in page and f"{ref_earlier} L1</a>" in page
    back = client.get(f"/debriefs/{corpus['older']}/learning").get_data(as_text=True)
    assert "Repeated in <a" in back and f"{ref_mine} L1</a>" in back
    # A stale form is refused and changes nothing.
    stale = client.post_form(url, {"target_key": f"point:{earlier}", f"s-point-{earlier}-target": f"point:{earlier}",
                                   f"s-point-{earlier}-version": "1", f"s-point-{earlier}-repeat": "repeat_failed"})
    assert stale.status_code == 409
    # Unlink: new learning again.
    r = client.post_form(f"{url}/unlink", {"version": "2"}, token_from=url)
    assert r.status_code == 302
    with app.app_context():
        p = db.session.get(LearningPoint, mine)
        assert (p.repeats_point_id, p.repeat) == (None, "new")


def test_a_link_to_learning_of_the_same_debrief_or_nothing_is_refused_beside_the_field(app, client, corpus):
    add_point(client, corpus["current"], SAME, themes=[corpus["risk"]])
    add_point(client, corpus["current"], REWORDED, themes=[corpus["risk"]])
    mine, own = point_id(app, corpus["current"]), point_id(app, corpus["current"], 2)
    url = f"/debriefs/{corpus['current']}/learning/{mine}/repeat"
    for target in (f"point:{own}", "point:987654", "exchange:987654", "nonsense"):
        r = client.post_form(url, {"target_key": target, "s-" + target.replace(":", "-") + "-target": target,
                                   "s-" + target.replace(":", "-") + "-version": "1",
                                   "s-" + target.replace(":", "-") + "-repeat": "repeat_open"})
        assert r.status_code == 422, target
        assert 'class="error-summary"' in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(LearningPoint, mine).repeats_point_id is None


def test_only_the_review_team_may_link(app, client, corpus, make_user):
    add_point(client, corpus["current"], SAME, themes=[corpus["risk"]])
    mine = point_id(app, corpus["current"])
    client.post_form("/logout", {}, token_from="/account")
    make_user("wg", "working_group")
    login(client, "wg")
    assert client.get(f"/debriefs/{corpus['current']}/learning/{mine}/repeat").status_code == 403


def test_the_demo_notices_its_identical_learning_in_three_debriefs_and_links_them(app, client):
    from app import demo
    from app.learning import repeats
    from app.models import Debrief

    with app.test_request_context():
        demo.seed()
        demo.seed_debriefs()
        reviewer = db.session.scalar(sa.select(User).where(User.username == "reviewer"))
        gaps = db.session.scalars(sa.select(LearningPoint).join(Debrief).where(LearningPoint.kind == "improvement")
                                  .order_by(Debrief.incident_date)).all()
        assert len(gaps) == 3 and len({p.statement for p in gaps}) == 1
        oldest, middle, newest = gaps
        found = repeats.suggest(newest.statement, [t.id for t in newest.themes], newest.debrief_id, reviewer,
                                before=newest.created_at)
        assert [s.id for s in found] == [middle.id, oldest.id]  # the same learning, the most recent first
        assert all(s.score == 100 for s in found)
        assert (newest.repeats_point_id, newest.repeat) == (middle.id, "repeat_open")  # its actions still open
        assert (middle.repeats_point_id, middle.repeat) == (oldest.id, "repeat_failed")  # closed, yet again
        assert oldest.repeats_point_id is None and oldest.repeat == "new"
        oldest_id = oldest.debrief_id
    login(client, "reviewer", password=demo.DEMO_PASSWORD)
    html = client.get(f"/debriefs/{oldest_id}/learning").get_data(as_text=True)
    assert "Repeated in" in html


def test_the_dashboard_reports_the_repeat_rate_with_the_linked_count_and_its_list(app, client, corpus):
    add_point(client, corpus["current"], SAME, themes=[corpus["risk"]])
    add_point(client, corpus["current"], "Something new", themes=[corpus["risk"]])
    mine, earlier = point_id(app, corpus["current"]), point_id(app, corpus["older"])
    url = f"/debriefs/{corpus['current']}/learning/{mine}/repeat"
    client.post_form(url, {"target_key": f"point:{earlier}", f"s-point-{earlier}-target": f"point:{earlier}",
                           f"s-point-{earlier}-version": "1", f"s-point-{earlier}-repeat": "repeat_failed"})
    html = client.get("/dashboard").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", html)
    # 9 points in the period (7 earlier, 2 now), one of them a repeat, tied to the exact earlier point.
    assert re.search(r"repeating earlier learning: 11%\s*\(1 of 9\), of which 1 tied", text), text[:0]
    link = re.search(r'href="(/dashboard/which\?[^"]*measure=repeat&amp;answer=linked[^"]*)"', html)
    assert link
    listed = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    with app.app_context():
        from app.models import Debrief

        assert db.session.get(Debrief, corpus["current"]).reference in listed
