from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.debriefs.timeliness import today
from app.forms import BaseForm
from app.models import DisseminationMethod, LearningKind, Repeat
from app.scoping.forms import CheckboxesField


def _choices(enum_cls):
    return [SelectChoice(v, label) for v, label in enum_cls.choices()]


class LearningForm(BaseForm):
    statement = TextAreaField("Learning point", validators=[DataRequired("Write the learning point."),
                                                            Length(max=3000)],
                              description="What was learned, in a sentence or two. Use pseudonyms.")
    kind = RadioField("Type", choices=_choices(LearningKind), validators=[InputRequired("Choose the type.")])
    theme_ids = CheckboxesField("Themes", coerce=int)
    entry_ids = CheckboxesField("Chronology entries that evidence it", coerce=int)
    repeat = RadioField("Has this been learned before?", choices=_choices(Repeat), default=Repeat.NEW.value,
                        validators=[InputRequired("Say whether it repeats earlier learning.")])
    version = HiddenField()

    def set_choices(self, themes, entries):
        self.theme_ids.choices = [SelectChoice(t.id, t.name) for t in themes]
        self.entry_ids.choices = [SelectChoice(e.id, f"{e.entry_date:%d %b %Y} · {e.agency.name}: "
                                                     f"{(e.summary or '')[:90]}") for e in entries]

    def validate_theme_ids(self, field):
        if not field.data:
            raise ValidationError("Choose at least one theme.")
        if set(field.data) - {c.value for c in field.choices}:
            raise ValidationError("Choose themes from the list.")

    def validate_entry_ids(self, field):
        if set(field.data or []) - {c.value for c in field.choices}:
            raise ValidationError("Choose entries from this chronology.")

    def data_for_service(self) -> dict:
        return {"statement": self.statement.data.strip(), "kind": self.kind.data, "repeat": self.repeat.data,
                "theme_ids": list(self.theme_ids.data or []), "entry_ids": list(self.entry_ids.data or [])}


class DisseminationForm(BaseForm):
    method = SelectField("How", choices=_choices(DisseminationMethod), validators=[DataRequired()])
    audience = StringField("Audience", validators=[DataRequired("Say who it reached."), Length(max=200)])
    on = DateField("Date", default=today, validators=[DataRequired("Enter the date.")])
    by = StringField("By whom", validators=[DataRequired("Say who delivered it (role or team)."), Length(max=120)])


class RecipientForm(BaseForm):
    recipient = StringField("Recipient", validators=[DataRequired("Say who it is for."), Length(max=200)])


class RepeatLinkForm(BaseForm):
    """Tie a learning point to the exact earlier learning it repeats (one form per suggestion, prefixed)."""
    target = HiddenField()
    repeat = RadioField("What happened to the earlier learning?",
                        choices=[SelectChoice(v, label) for v, label in Repeat.choices() if v != Repeat.NEW.value],
                        validators=[InputRequired("Say whether the earlier action is still open or did not work.")])
    version = HiddenField()


class VersionForm(BaseForm):
    """A button that changes a record: only the version the user saw travels with it."""
    version = HiddenField()
