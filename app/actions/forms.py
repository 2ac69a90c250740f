from wtforms import BooleanField, IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional

from app.forms import BaseForm
from app.models import ActionStatus


class ActionFilterForm(BaseForm):
    class Meta:
        csrf = False

    owner = SelectField("Owner", validators=[Optional()])
    status = SelectField("Status", choices=[SelectChoice("", "Any status")] + [
        SelectChoice(v, label) for v, label in ActionStatus.choices()], validators=[Optional()])
    overdue = BooleanField("Overdue only")
    due_within = IntegerField("Due within (days)", validators=[Optional(), NumberRange(0, 3650, "0 to 3650 days.")])
    debrief = SelectField("Debrief", coerce=lambda v: int(v) if v not in (None, "") else None, validators=[Optional()])
    theme = SelectField("Theme", coerce=lambda v: int(v) if v not in (None, "") else None, validators=[Optional()])

    def set_choices(self, owners, debriefs, themes):
        self.owner.choices = [SelectChoice("", "Anyone"), SelectChoice("me", "Me")] + [
            SelectChoice(k, v) for k, v in owners]
        self.debrief.choices = [SelectChoice("", "All debriefs")] + [SelectChoice(i, r) for i, r in debriefs]
        self.theme.choices = [SelectChoice("", "All themes")] + [SelectChoice(t.id, t.name) for t in themes]
