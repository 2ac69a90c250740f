from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.debriefs.timeliness import today
from app.forms import BaseForm
from app.models import DisseminationMethod, LearningKind, Priority, Repeat, Scope
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

    def set_choices(self, themes, entries, mask):
        self.theme_ids.choices = [SelectChoice(t.id, t.name) for t in themes]
        self.entry_ids.choices = [SelectChoice(e.id, f"{e.entry_date:%d %b %Y} · {e.agency.name}: "
                                                     f"{mask(e.summary)[:90]}") for e in entries]

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


class ActionForm(BaseForm):
    what = TextAreaField("What is to be done", validators=[DataRequired("Say what is to be done."),
                                                           Length(max=2000)],
                         description="Specific, measurable, with its outcome.")
    owner_user_id = SelectField("Owner (a person)", coerce=lambda v: int(v) if v not in (None, "") else None,
                                validators=[Optional()])
    owner_team = StringField("or owner (a team or agency)", validators=[Optional(), Length(max=120)])
    due_on = DateField("Due date", validators=[DataRequired("Enter the due date.")])
    priority = SelectField("Priority", choices=_choices(Priority), default=Priority.MEDIUM.value,
                           validators=[DataRequired()])
    scope = SelectField("Scope", choices=_choices(Scope), default=Scope.FORCE.value, validators=[DataRequired()])

    def validate_due_on(self, field):
        if field.data and field.data < today():
            raise ValidationError("The due date cannot be in the past.")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not self.owner_user_id.data and not (self.owner_team.data or "").strip():
            self.owner_user_id.errors = [*self.owner_user_id.errors, "Choose an owner, or name a team or agency."]
            valid = False
        return valid

    def data_for_service(self) -> dict:
        return {"what": self.what.data.strip(), "owner_user_id": self.owner_user_id.data or None,
                "owner_team": None if self.owner_user_id.data else (self.owner_team.data or "").strip() or None,
                "due_on": self.due_on.data, "priority": self.priority.data, "scope": self.scope.data}


class DisseminationForm(BaseForm):
    method = SelectField("How", choices=_choices(DisseminationMethod), validators=[DataRequired()])
    audience = StringField("Audience", validators=[DataRequired("Say who it reached."), Length(max=200)])
    on = DateField("Date", default=today, validators=[DataRequired("Enter the date.")])
    by = StringField("By whom", validators=[DataRequired("Say who delivered it (role or team)."), Length(max=120)])


class RecipientForm(BaseForm):
    recipient = StringField("Recipient", validators=[DataRequired("Say who it is for."), Length(max=200)])
