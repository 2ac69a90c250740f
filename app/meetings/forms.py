from datetime import datetime, time
from zoneinfo import ZoneInfo

from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from app.forms import BaseForm

LONDON = ZoneInfo("Europe/London")


class MeetingForm(BaseForm):
    date = DateField("Date", validators=[DataRequired("Enter the date of the meeting.")])
    start = TimeField("Start time", validators=[DataRequired("Enter the start time (24-hour clock).")])
    duration_minutes = IntegerField("Length in minutes", default=120,
                                    validators=[DataRequired("Enter how long it lasts."),
                                                NumberRange(15, 480, "Between 15 and 480 minutes.")])
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    online_link = StringField("Online meeting link", validators=[Optional(), Length(max=500)])
    chair = StringField("Chair / facilitator", validators=[Optional(), Length(max=120)])
    note_taker = StringField("Note-taker", validators=[Optional(), Length(max=120)])
    version = HiddenField()

    def validate_online_link(self, field):
        if field.data and not field.data.startswith(("https://", "http://")):
            raise ValidationError("Enter a web address starting with https://")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Here rather than validate_venue: Optional() would skip an inline check of an empty venue.
        if not (self.venue.data or "").strip() and not (self.online_link.data or "").strip():
            self.venue.errors = [*self.venue.errors, "Give a venue, an online link, or both."]
            valid = False
        return valid

    def starts_at(self) -> datetime:
        local = datetime.combine(self.date.data, self.start.data or time(10, 0), tzinfo=LONDON)
        return local.astimezone(ZoneInfo("UTC"))

    def data_for_service(self) -> dict:
        return {"starts_at": self.starts_at(), "duration_minutes": self.duration_minutes.data,
                "venue": (self.venue.data or "").strip() or None,
                "online_link": (self.online_link.data or "").strip() or None,
                "chair": (self.chair.data or "").strip() or None,
                "note_taker": (self.note_taker.data or "").strip() or None}


class InviteUserForm(BaseForm):
    user_id = SelectField("Person", coerce=int, validators=[DataRequired("Choose a person.")])


class InviteExternalForm(BaseForm):
    name = StringField("Name", validators=[DataRequired("Enter their name."), Length(max=120)])
    agency = StringField("Agency", validators=[DataRequired("Enter their agency."), Length(max=120)])
    email = EmailField("Email", validators=[Optional(), Email("Enter an email address like name@agency.gov.uk."),
                                            Length(max=254)])


class ConfirmForm(BaseForm):
    """A CSRF-protected button."""


def user_choices(users):
    return [SelectChoice(u.id, f"{u.full_name} ({u.agency.name if u.agency else 'force'})") for u in users]


class NoteForm(BaseForm):
    expected = TextAreaField("What was expected to happen?", validators=[Optional(), Length(max=5000)])
    happened = TextAreaField("What actually happened?", validators=[Optional(), Length(max=5000)])
    why_different = TextAreaField("Why was there a difference?", validators=[Optional(), Length(max=5000)])
    learned = TextAreaField("What can be learned?", validators=[Optional(), Length(max=5000)])
    version = HiddenField()

    def data_for_service(self) -> dict:
        return {k: (self[k].data or "").strip() or None for k in ("expected", "happened", "why_different", "learned")}


class AcknowledgeForm(BaseForm):
    """"I acknowledge": where to go afterwards travels with it."""
    next = HiddenField()


class ContributionForm(BaseForm):
    text = TextAreaField("Your agency's contribution", validators=[
        DataRequired("Write your agency's contribution, or leave this question for others."), Length(max=5000)],
        description="Facts and learning from your agency's contact, by role, never by name.")
    version = HiddenField()


class FindingForm(BaseForm):
    text = TextAreaField("The review's finding", validators=[Optional(), Length(max=10000)],
                         description="What the document of learning will say against this question.")
    version = HiddenField()


class FoldForm(BaseForm):
    """Fold one contribution into the finding: the version the reviewer read travels with it."""
    version = HiddenField()
