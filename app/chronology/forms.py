from app.forms import BaseForm
from wtforms import BooleanField, DateField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.debriefs.timeliness import today
from app.models import FLAGS, ContactType, DatePrecision, RiskLevel
from app.scoping.forms import CheckboxesField


def _choices(enum_cls, blank=None):
    items = [SelectChoice(v, label) for v, label in enum_cls.choices()]
    return ([SelectChoice("", blank)] if blank is not None else []) + items


class EntryForm(BaseForm):
    entry_date = DateField("Date", validators=[DataRequired("Enter the date of the event.")])
    entry_time = TimeField("Time", validators=[Optional()])
    date_precision = SelectField("Date is", choices=_choices(DatePrecision), default=DatePrecision.EXACT.value,
                                 validators=[DataRequired("Say how exact the date is.")])
    agency_id = SelectField("Agency", coerce=lambda v: int(v) if v not in (None, "") else None,
                            validators=[DataRequired("Choose the agency.")])
    source_system = StringField("Source system", validators=[Optional(), Length(max=80)])
    source_ref = StringField("Source reference", validators=[Optional(), Length(max=80)],
                             description="e.g. incident log number")
    subject_ids = CheckboxesField("People involved", coerce=int)
    contact_type = SelectField("Contact type", choices=_choices(ContactType, "Choose…"),
                               validators=[DataRequired("Choose the contact type.")])
    summary = TextAreaField("Event summary", validators=[DataRequired("Summarise the event: facts only."),
                                                         Length(max=5000)],
                            description="Facts only, succinctly. Use pseudonyms (Adult A).")
    action_taken = TextAreaField("Action or decision taken", validators=[Optional(), Length(max=3000)],
                                 description="By role or rank, never by name.")
    risk_assessment = SelectField("Risk assessment at the time", choices=_choices(RiskLevel, "Not known"),
                                  validators=[Optional()])
    outcome = TextAreaField("Outcome", validators=[Optional(), Length(max=3000)])
    significance = TextAreaField("Significance", validators=[Optional(), Length(max=3000)],
                                 description="Your analysis, kept apart from the facts.")
    missed_opportunity = BooleanField(FLAGS["missed_opportunity"])
    good_practice = BooleanField(FLAGS["good_practice"])
    key_issue = BooleanField(FLAGS["key_issue"])
    turning_point = BooleanField(FLAGS["turning_point"])
    verified = BooleanField("Verified against the source")
    version = HiddenField()

    def set_choices(self, agencies, subjects):
        self.agency_id.choices = [SelectChoice("", "Choose…")] + [SelectChoice(a.id, a.name) for a in agencies]
        self.subject_ids.choices = [SelectChoice(s.id, s.pseudonym) for s in subjects]
        self._subject_ids = {s.id for s in subjects}

    def validate_entry_date(self, field):
        if field.data and field.data > today():
            raise ValidationError("The date cannot be in the future.")
        if field.data and field.data.year < 1900:
            raise ValidationError("Enter a date after 1900.")

    def validate_subject_ids(self, field):
        unknown = set(field.data or []) - getattr(self, "_subject_ids", set())
        if unknown:
            raise ValidationError("Choose people from this debrief's subjects.")

    def data_for_service(self) -> dict:
        data = {k: self[k].data for k in ("entry_date", "entry_time", "date_precision", "agency_id",
                                          "contact_type", *FLAGS, "verified")}
        for k in ("source_system", "source_ref", "summary", "action_taken", "outcome", "significance"):
            data[k] = (self[k].data or "").strip() or None
        data["risk_assessment"] = self.risk_assessment.data or None
        data["subject_ids"] = list(self.subject_ids.data or [])
        return data


class ChronologyFilterForm(BaseForm):
    class Meta:
        csrf = False

    agency = SelectField("Agency", coerce=lambda v: int(v) if v not in (None, "") else None, validators=[Optional()])
    subject = SelectField("Person", coerce=lambda v: int(v) if v not in (None, "") else None, validators=[Optional()])
    flag = SelectField("Flag", choices=[SelectChoice("", "Any")] + [SelectChoice(k, v) for k, v in FLAGS.items()],
                       validators=[Optional()])
    q = StringField("Search", validators=[Optional(), Length(max=100)])
    key = BooleanField("Key events only")

    def set_choices(self, agencies, subjects):
        self.agency.choices = [SelectChoice("", "All agencies")] + [SelectChoice(a.id, a.name) for a in agencies]
        self.subject.choices = [SelectChoice("", "Everyone")] + [SelectChoice(s.id, s.pseudonym) for s in subjects]


class ExportForm(BaseForm):
    recipient = StringField("Recipient", validators=[DataRequired("Say who the export is for."), Length(max=200)],
                            description="Who will receive it, e.g. \u201cDebrief meeting attendees\u201d.")
    version = SelectField("Names", choices=[SelectChoice("shared", "Pseudonyms only (to share)"),
                                            SelectChoice("internal", "Real names (review team only)")],
                          validators=[DataRequired()])
