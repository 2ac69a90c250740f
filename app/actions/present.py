"""How an action is shown to the person looking: names in free text replaced by pseudonyms for all but the
review team, owners by name only where staff names may be seen."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import select

from app.extensions import db
from app.models import Action, Subject
from app.names import masker
from app.permissions import sees_case_text, sees_staff_names


class Presenter:
    def __init__(self, actions: Iterable[Action]):
        self.staff_names = sees_staff_names()
        self._masks: dict[int, Callable[[str | None], str]] = {}
        if not sees_case_text():
            ids = {a.debrief_id for a in actions}
            subjects = db.session.scalars(select(Subject).where(Subject.debrief_id.in_(ids or [-1]))).all()
            self._masks = {d: masker([s for s in subjects if s.debrief_id == d]) for d in ids}

    def text(self, action: Action, value: str | None) -> str:
        mask = self._masks.get(action.debrief_id)
        return mask(value) if mask else (value or "")

    def owner(self, action: Action) -> str:
        return action.owner_shown(self.staff_names)

    def person(self, user) -> str:
        """Who wrote a line of history: named to those who see staff names, otherwise left out."""
        if user is None:
            return ""
        return user.full_name if self.staff_names else ""
