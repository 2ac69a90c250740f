"""Repeat learning that notices: earlier learning a learning point may repeat, and the link to the exact one.

Suggestions come from two places: learning points of other debriefs the reader may see, recorded before the
point (or, for a point still being written, at any time) within REPEAT_WINDOW; and learning imported from other
forces (app.exchange), shown as "seen in another force".

How they are ranked (kept deliberately simple, so a reviewer can predict it):
  1. prefilter in SQL: other debriefs, the last REPEAT_WINDOW, and when the point has themes, at least one
     shared theme;
  2. text: each statement is normalised (lower case, punctuation, pseudonyms such as "Adult A" and common
     small words removed), then `rapidfuzz.process.extract` with `fuzz.token_set_ratio` and a score cutoff
     keeps the candidates whose words largely overlap; their text score is the mean of token_set_ratio
     (tolerant of extra words on either side) and token_sort_ratio (which stops a short statement contained
     in a long one from scoring 100);
  3. themes: the share of themes in common (Jaccard) counts for a fifth of the score when the point has
     themes; the suggestion must reach THRESHOLD.
Only areas for improvement repeat: good practice found again is good practice embedded, not a lesson missed.
The candidate set is a few thousand short strings at most; RapidFuzz scores that in a few milliseconds.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process, utils
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit
from app.extensions import db
from app.models import ActionStatus, Debrief, LearningKind, LearningPoint, Repeat, Theme, utcnow
from app.models.exchange import ExchangeImport, ExchangeLearning
from app.models.learning import learning_theme
from app.permissions import scoped
from app.versioning import StaleEdit

REPEAT_WINDOW = timedelta(days=5 * 365)  # "recent years": older learning is history, not a repeat to chase
TEXT_CUTOFF = 60  # token_set_ratio below this: not the same learning
THRESHOLD = 60  # combined score a suggestion must reach
THEME_WEIGHT = 0.2
LIMIT = 5
PENDING = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value, ActionStatus.COMPLETED.value)

_PSEUDONYM = re.compile(r"\b(?:adult|child|young person|person|subject)\s+[a-z]{1,2}\b(?:'s)?", re.IGNORECASE)
_SMALL_WORDS = frozenset("a an the and or of to was were is are be been being in on at for with by it its this that "
                         "as from had has have their there they".split())


def normalise(text: str | None) -> str:
    text = _PSEUDONYM.sub(" ", text or "")
    return " ".join(w for w in utils.default_process(text).split() if w not in _SMALL_WORDS)


def text_score(a: str, b: str) -> float:
    """Similarity of two normalised statements, 0-100."""
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2


def default_repeat(statuses) -> str:
    """An earlier action still open (or awaiting sign-off) means the lesson is still being acted on; all closed,
    not done, or none raised means what was done did not stop it happening again."""
    return Repeat.REPEAT_OPEN.value if any(s in PENDING for s in statuses) else Repeat.REPEAT_FAILED.value


@dataclass
class Suggestion:
    kind: str  # "point" or "exchange"
    id: int
    score: float
    statement: str
    themes: list[str]
    shared: list[str]
    month: str  # YYYY-MM
    reference: str = ""  # HPD-2026-010 L1, for our own learning
    debrief_id: int | None = None
    source_force: str = ""
    actions: list = field(default_factory=list)  # our Action rows, or {type, status, ...} from another force

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def statuses(self) -> list[str]:
        return [a.status if hasattr(a, "status") else a.get("status") for a in self.actions]

    @property
    def default_repeat(self) -> str:
        return default_repeat(self.statuses)

    @property
    def from_another_force(self) -> bool:
        return self.kind == "exchange"

    @property
    def month_label(self) -> str:
        return month_label(self.month)


def _month(value: datetime) -> str:
    return value.strftime("%Y-%m")


def month_label(month: str) -> str:
    """'2026-03' as 'Mar 2026'."""
    try:
        return datetime.strptime(month, "%Y-%m").strftime("%b %Y")
    except (TypeError, ValueError):
        return month or ""


def _theme_names(theme_ids) -> list[str]:
    if not theme_ids:
        return []
    return list(db.session.scalars(select(Theme.name).where(Theme.id.in_(theme_ids))))


def _points(user, exclude_debrief_id: int, theme_ids, before: datetime | None):
    """(id, statement, created_at) of candidate points, and their theme names: two queries."""
    visible = scoped(select(Debrief.id), Debrief, user)
    conditions = [LearningPoint.kind == LearningKind.IMPROVEMENT.value,
                  LearningPoint.debrief_id != exclude_debrief_id, LearningPoint.debrief_id.in_(visible),
                  LearningPoint.created_at >= utcnow() - REPEAT_WINDOW]
    if before is not None:
        conditions.append(LearningPoint.created_at < before)
    if theme_ids:
        conditions.append(LearningPoint.themes.any(Theme.id.in_(theme_ids)))
    ids = select(LearningPoint.id).where(*conditions)
    rows = db.session.execute(select(LearningPoint.id, LearningPoint.statement, LearningPoint.created_at)
                              .where(*conditions)).all()
    themes: dict[int, list[str]] = {}
    if rows:
        for pid, name in db.session.execute(select(learning_theme.c.learning_id, Theme.name)
                                            .join(Theme, Theme.id == learning_theme.c.theme_id)
                                            .where(learning_theme.c.learning_id.in_(ids))):
            themes.setdefault(pid, []).append(name)
    return rows, themes


def _exchange(theme_names: set[str]):
    """Learning imported from other forces within the window, sharing a theme when themes are given."""
    since = _month(utcnow() - REPEAT_WINDOW)
    rows = db.session.execute(select(ExchangeLearning, ExchangeImport.source_force)
                              .join(ExchangeImport, ExchangeImport.id == ExchangeLearning.import_id)
                              .where(ExchangeLearning.month >= since,
                                     ExchangeLearning.kind == LearningKind.IMPROVEMENT.value)).all()
    out = []
    wanted = {t.lower() for t in theme_names}
    for record, force in rows:
        names = _json_list(record.themes)
        if wanted and not wanted & {str(n).lower() for n in names}:
            continue
        out.append((record, force, names))
    return out


def _json_list(text: str | None) -> list:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _rank(query: str, theme_names: list[str], choices: dict, themes_of: dict,
          recency: dict | None = None) -> list[tuple[str, float, list]]:
    """[(key, score, shared themes)] best first (equal scores: the most recent first), above the threshold."""
    norm = normalise(query)
    if not norm or not choices:
        return []
    mine = {t.lower() for t in theme_names}
    found = process.extract(norm, choices, scorer=fuzz.token_set_ratio, score_cutoff=TEXT_CUTOFF, limit=None)
    ranked = []
    for choice, _, key in found:
        text = text_score(norm, choice)
        theirs = themes_of.get(key, [])
        shared = sorted(t for t in theirs if t.lower() in mine)
        if mine:
            union = mine | {t.lower() for t in theirs}
            score = (1 - THEME_WEIGHT) * text + THEME_WEIGHT * 100 * len(shared) / len(union)
        else:
            score = text
        if score >= THRESHOLD:
            ranked.append((key, round(score, 1), shared))
    ranked.sort(key=lambda r: (recency or {}).get(r[0], ""), reverse=True)
    ranked.sort(key=lambda r: -r[1])
    return ranked


def suggest(statement: str, theme_ids, debrief_id: int, user, *, before: datetime | None = None,
            exclude_point_id: int | None = None, limit: int = LIMIT) -> list[Suggestion]:
    """Earlier learning that `statement` (with these themes) may repeat, best first."""
    return suggest_many([(exclude_point_id or 0, statement, list(theme_ids or []), before)], debrief_id, user,
                        limit=limit).get(exclude_point_id or 0, [])


def suggest_many(items, debrief_id: int, user, limit: int = LIMIT) -> dict[int, list[Suggestion]]:
    """Suggestions for several points of one debrief at once, in a fixed number of queries.

    items: [(point id, statement, theme ids, created before)]."""
    items = [i for i in items if normalise(i[1])]
    if not items:
        return {}
    all_theme_ids = sorted({t for _, _, ts, _ in items for t in ts})
    # Themes only narrow the candidates when every point has some; a point without themes sees them all.
    narrowing = all_theme_ids if all(ts for _, _, ts, _ in items) else []
    befores = [b for _, _, _, b in items]
    before = None if any(b is None for b in befores) else max(befores)
    rows, point_themes = _points(user, debrief_id, narrowing, before)
    names_by_id = dict(db.session.execute(select(Theme.id, Theme.name).where(Theme.id.in_(all_theme_ids or [-1]))).all())
    exchange = _exchange({names_by_id[t] for t in narrowing if t in names_by_id})
    created = {r.id: r.created_at for r in rows}
    texts = {f"point:{r.id}": normalise(r.statement) for r in rows}
    texts.update({f"exchange:{rec.id}": normalise(rec.statement) for rec, _, _ in exchange})
    themes_of = {f"point:{k}": v for k, v in point_themes.items()}
    themes_of.update({f"exchange:{rec.id}": [str(n) for n in names] for rec, _, names in exchange})
    recency = {f"point:{r.id}": r.created_at.strftime("%Y-%m-%d %H:%M:%S") for r in rows}
    recency.update({f"exchange:{rec.id}": rec.month for rec, _, _ in exchange})
    chosen: dict[int, list[tuple[str, float, list]]] = {}
    for point_id, statement, theme_ids, point_before in items:
        choices = {k: v for k, v in texts.items() if k.startswith("exchange:") or point_before is None
                   or created[int(k[6:])] < point_before}
        mine = [names_by_id[t] for t in theme_ids if t in names_by_id]
        if mine:  # with themes, a candidate must share one
            choices = {k: v for k, v in choices.items()
                       if {t.lower() for t in themes_of.get(k, [])} & {t.lower() for t in mine}}
        chosen[point_id] = _rank(statement, mine, choices, themes_of, recency)[:limit]
    wanted_points = {int(k[6:]) for picks in chosen.values() for k, _, _ in picks if k.startswith("point:")}
    loaded = {}
    if wanted_points:
        loaded = {p.id: p for p in db.session.scalars(
            select(LearningPoint).where(LearningPoint.id.in_(wanted_points))
            .options(selectinload(LearningPoint.actions), selectinload(LearningPoint.debrief)))}
    records = {rec.id: (rec, force) for rec, force, _ in exchange}
    out: dict[int, list[Suggestion]] = {}
    for point_id, picks in chosen.items():
        found = []
        for key, score, shared in picks:
            kind, _, raw = key.partition(":")
            if kind == "point":
                p = loaded.get(int(raw))
                if p is None:
                    continue
                found.append(Suggestion("point", p.id, score, p.statement, [t.name for t in p.themes], shared,
                                        _month(p.created_at), reference=f"{p.debrief.reference} {p.label}",
                                        debrief_id=p.debrief_id, actions=list(p.actions)))
            else:
                rec, force = records[int(raw)]
                found.append(Suggestion("exchange", rec.id, score, rec.statement, themes_of[key], shared, rec.month,
                                        source_force=force, actions=[a for a in _json_list(rec.actions)
                                                                     if isinstance(a, dict)]))
        out[point_id] = found
    return out


# ---- the link ---------------------------------------------------------------------------------------------

class NotLinkable(ValueError):
    """The chosen earlier learning cannot be linked (gone, not visible, this debrief's own, or a loop)."""


def resolve(target: str, point: LearningPoint, user):
    """The learning point or exchange record `target` ("point:12", "exchange:3") names, if it may be linked."""
    kind, _, raw = (target or "").partition(":")
    if not raw.isdigit() or len(raw) > 12:
        raise NotLinkable("Choose earlier learning from the list.")
    if kind == "point":
        visible = scoped(select(Debrief.id), Debrief, user)
        earlier = db.session.scalar(select(LearningPoint).where(LearningPoint.id == int(raw),
                                                                 LearningPoint.debrief_id.in_(visible)))
        if earlier is None:
            raise NotLinkable("That learning point no longer exists.")
        if earlier.debrief_id == point.debrief_id:
            raise NotLinkable("Choose learning from another debrief: this one's own points are not repeats.")
        if earlier.repeats_point_id == point.id:
            raise NotLinkable("That learning point is already linked as repeating this one.")
        return earlier
    if kind == "exchange":
        record = db.session.get(ExchangeLearning, int(raw))
        if record is None:
            raise NotLinkable("That learning from another force is no longer held.")
        return record
    raise NotLinkable("Choose earlier learning from the list.")


def link(point: LearningPoint, target, repeat: str, version: int) -> None:
    """Tie `point` to the exact earlier learning it repeats. `target`: a LearningPoint or ExchangeLearning."""
    if point.version != version:
        raise StaleEdit(point)
    if repeat not in (Repeat.REPEAT_OPEN.value, Repeat.REPEAT_FAILED.value):
        raise NotLinkable("Say whether the earlier action is still open or did not work.")
    if isinstance(target, LearningPoint):
        point.repeats_point_id, point.repeats_exchange_id = target.id, None
        fields = ["repeats_point_id", "repeat"]
    else:
        point.repeats_point_id, point.repeats_exchange_id = None, target.id
        fields = ["repeats_exchange_id", "repeat"]
    point.repeat = repeat
    point.version += 1
    audit.combination("learning_point", point.id, fields, action="learning_point.link_repeat")
    db.session.commit()


def unlink(point: LearningPoint, version: int) -> None:
    """Untie a repeat: the point is recorded as new learning again."""
    if point.version != version:
        raise StaleEdit(point)
    point.repeats_point_id = point.repeats_exchange_id = None
    point.repeat = Repeat.NEW.value
    point.version += 1
    audit.alteration("learning_point", point.id, ["repeats_point_id", "repeats_exchange_id", "repeat"],
                     action="learning_point.unlink_repeat")
    db.session.commit()


# ---- both directions of the link, for a page of points -----------------------------------------------------

@dataclass
class LinkShown:
    reference: str = ""  # "HPD-2026-010 L1" when the reader may see that debrief
    debrief_id: int | None = None
    point_id: int | None = None
    source_force: str = ""
    month: str = ""

    @property
    def month_label(self) -> str:
        return month_label(self.month)


def links_for(points, user) -> tuple[dict[int, LinkShown], dict[int, list[LinkShown]]]:
    """What each point repeats, and where each point is repeated, within what `user` may see: at most three
    queries for the whole page."""
    points = list(points)
    visible = scoped(select(Debrief.id), Debrief, user)
    forward: dict[int, LinkShown] = {}
    target_ids = {p.repeats_point_id for p in points if p.repeats_point_id}
    if target_ids:
        rows = db.session.execute(select(LearningPoint.id, LearningPoint.number, LearningPoint.debrief_id,
                                         LearningPoint.created_at, Debrief.reference)
                                  .join(Debrief, Debrief.id == LearningPoint.debrief_id)
                                  .where(LearningPoint.id.in_(target_ids), Debrief.id.in_(visible))).all()
        by_id = {r.id: r for r in rows}
        for p in points:
            r = by_id.get(p.repeats_point_id)
            if r is not None:
                forward[p.id] = LinkShown(f"{r.reference} L{r.number}", r.debrief_id, r.id, month=_month(r.created_at))
            elif p.repeats_point_id:
                forward[p.id] = LinkShown()  # a debrief the reader may not see: no reference
    record_ids = {p.repeats_exchange_id for p in points if p.repeats_exchange_id}
    if record_ids:
        rows = db.session.execute(select(ExchangeLearning.id, ExchangeLearning.month, ExchangeImport.source_force)
                                  .join(ExchangeImport, ExchangeImport.id == ExchangeLearning.import_id)
                                  .where(ExchangeLearning.id.in_(record_ids))).all()
        by_id = {r.id: r for r in rows}
        for p in points:
            r = by_id.get(p.repeats_exchange_id)
            if r is not None:
                forward[p.id] = LinkShown(source_force=r.source_force, month=r.month)
    backward: dict[int, list[LinkShown]] = {}
    ids = [p.id for p in points]
    if ids:
        rows = db.session.execute(select(LearningPoint.id, LearningPoint.number, LearningPoint.debrief_id,
                                         LearningPoint.repeats_point_id, Debrief.reference)
                                  .join(Debrief, Debrief.id == LearningPoint.debrief_id)
                                  .where(LearningPoint.repeats_point_id.in_(ids), Debrief.id.in_(visible))
                                  .order_by(Debrief.reference, LearningPoint.number)).all()
        for r in rows:
            backward.setdefault(r.repeats_point_id, []).append(
                LinkShown(f"{r.reference} L{r.number}", r.debrief_id, r.id))
    return forward, backward
