from datetime import date, datetime
from zoneinfo import ZoneInfo

from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.debriefs.timeliness import LONDON
from app.forms import BaseForm
from app.learning.forms import DisseminationForm
from app.models import Urgency
from app.quicktime.services import LONGEST

UTC = ZoneInfo("UTC")


def _int_or_none(v):
    return int(v) if v not in (None, "") and str(v).isdigit() else None


class QuickLearningForm(BaseForm):
    urgency = RadioField("Why it cannot wait", choices=[SelectChoice(v, label) for v, label in Urgency.choices()],
                         validators=[InputRequired("Say why it cannot wait for the document.")])
    statement = TextAreaField("The learning", validators=[DataRequired("Write the learning."), Length(max=3000)],
                              description="What must change or be known now, in a sentence or two. Use pseudonyms.")
    audience = StringField("Who needs to know", validators=[DataRequired("Say who it must reach."),
                                                           Length(max=200)],
                           description="e.g. response supervisors, the control room, partner safeguarding leads.")
    owner_user_id = SelectField("Owner", coerce=_int_or_none,
                                validators=[DataRequired("Choose who will share it.")],
                                description="The person who shares it. They are told by email. Members and partners "
                                            "can be chosen once they take part in the debrief.")
    share_by_date = DateField("Share by: date", validators=[DataRequired("Enter the date to share it by.")])
    share_by_time = TimeField("Share by: time", validators=[DataRequired("Enter the time (24-hour clock).")])
    version = HiddenField()

    # Set by the route: the clock, the deadline an edit started from (kept even if now past) and the owners.
    now: datetime | None = None
    current_share_by: datetime | None = None

    def set_choices(self, owners) -> None:
        self.owner_user_id.choices = [SelectChoice("", "Choose the owner")] + [
            SelectChoice(u.id, u.full_name) for u in owners]

    def set_deadline(self, share_by: datetime) -> None:
        local = share_by.astimezone(LONDON)
        self.share_by_date.data, self.share_by_time.data = local.date(), local.time().replace(second=0, microsecond=0)

    def share_by(self) -> datetime | None:
        if not (isinstance(self.share_by_date.data, date) and self.share_by_time.data):
            return None
        return datetime.combine(self.share_by_date.data, self.share_by_time.data, tzinfo=LONDON).astimezone(UTC)

    def validate_owner_user_id(self, field):
        if field.data not in {c.value for c in field.choices if c.value != ""}:
            raise ValidationError("Choose the owner from the list.")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        deadline = self.share_by()
        if deadline is not None and deadline != self.current_share_by and self.now is not None:
            if deadline <= self.now:
                self.share_by_date.errors = [*self.share_by_date.errors, "The deadline must be in the future."]
                valid = False
            elif deadline > self.now + LONGEST:
                self.share_by_date.errors = [*self.share_by_date.errors,
                                             "Quick-time learning is shared within days: choose a deadline in the "
                                             "next 30 days, or make it a learning point of the document."]
                valid = False
        return valid

    def data_for_service(self) -> dict:
        return {"urgency": self.urgency.data, "statement": self.statement.data.strip(),
                "audience": self.audience.data.strip(), "owner_user_id": self.owner_user_id.data,
                "share_by": self.share_by()}


class ShareForm(DisseminationForm):
    """How it was shared: the dissemination form's fields, and the version the user saw."""

    version = HiddenField()

    def validate_on(self, field):
        from app.debriefs.timeliness import today

        if field.data and field.data > today():
            raise ValidationError("The date it was shared cannot be in the future.")

    def data_for_service(self) -> dict:
        return {"shared_on": self.on.data, "shared_method": self.method.data, "shared_audience": self.audience.data,
                "shared_by": self.by.data}
