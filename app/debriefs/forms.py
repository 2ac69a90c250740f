
from app.forms import BaseForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.debriefs.timeliness import today
from app.models import SUBTYPES_BY_CONTEXT, Category, Context, Decision, Offence, Stage, SubType


def _choices(enum_cls, blank: str | None = None):
    items = [SelectChoice(v, label) for v, label in enum_cls.choices()]
    return ([SelectChoice("", blank)] if blank is not None else []) + items


class ReferralForm(BaseForm):
    title = StringField("Short title", validators=[DataRequired("Give the referral a short title."), Length(max=120)],
                        description="A few words to know it by on the board, e.g. \u201cStabbing, Northgate "
                                    "precinct\u201d. No names: the board and working group see it.")
    dmm_date = DateField("DMM date", default=today, validators=[DataRequired("Enter the date of the meeting.")],
                         description="The daily management meeting where it was raised.")
    incident_date = DateField("Incident date", validators=[DataRequired("Enter the date of the incident.")])
    incident_time = TimeField("Incident time", validators=[Optional()], description="Optional, 24-hour clock.")
    occurrence_ref = StringField("Occurrence / crime reference", validators=[Optional(), Length(max=60)])
    category = RadioField("Category", choices=_choices(Category),
                          validators=[InputRequired("Choose homicide or near miss.")])
    context = RadioField("Context", choices=_choices(Context), validators=[InputRequired("Choose the context.")])
    subtype = SelectField("Sub-type", choices=_choices(SubType, "Choose…"),
                          validators=[DataRequired("Choose the sub-type.")])
    offence = SelectField("Offence", choices=_choices(Offence, "Choose…"),
                          validators=[DataRequired("Choose the offence.")])
    weapon = StringField("Weapon", validators=[Optional(), Length(max=80)], description="e.g. knife, blunt object.")
    policing_area = StringField("Policing area", validators=[Optional(), Length(max=80)])
    summary = TextAreaField("Short summary", validators=[Optional(), Length(max=2000)],
                            description="Facts known at the meeting. Seen by the review team only.")
    referred_by = StringField("Referred by", validators=[DataRequired("Say who raised it."), Length(max=120)],
                              description="Rank or role of whoever raised it at the meeting.")
    lead_reviewer_id = SelectField("Lead reviewer", coerce=int, validators=[Optional()])

    def set_reviewers(self, reviewers):
        self.lead_reviewer_id.choices = [SelectChoice(0, "Not yet allocated")] + [
            SelectChoice(u.id, u.full_name) for u in reviewers]

    def validate_incident_date(self, field):
        if field.data and field.data > today():
            raise ValidationError("The incident date cannot be in the future.")

    def validate_dmm_date(self, field):
        if field.data and field.data > today():
            raise ValidationError("The meeting date cannot be in the future.")
        if field.data and self.incident_date.data and field.data < self.incident_date.data:
            raise ValidationError("The meeting cannot be before the incident.")

    def validate_subtype(self, field):
        if not (field.data and self.context.data in {c.value for c in Context}):
            return
        allowed = {s.value for s in SUBTYPES_BY_CONTEXT[Context(self.context.data)]}
        if field.data not in allowed:
            names = ", ".join(SubType(v).label.lower() for v in sorted(allowed))
            raise ValidationError(f"For {Context(self.context.data).label.lower()} cases choose: {names}.")

    def data_for_service(self) -> dict:
        data = {name: self[name].data for name in ("title", "dmm_date", "incident_date", "incident_time",
                                                  "category", "context", "subtype", "offence")}
        for name in ("occurrence_ref", "weapon", "policing_area", "summary", "referred_by"):
            data[name] = (self[name].data or "").strip() or None
        data["title"] = data["title"].strip()
        data["lead_reviewer_id"] = self.lead_reviewer_id.data or None
        return data


class EditReferralForm(ReferralForm):
    version = HiddenField()


class DecisionForm(BaseForm):
    decision = RadioField("Decision", choices=_choices(Decision), validators=[InputRequired("Choose accept or decline.")])
    rationale = TextAreaField("Rationale", validators=[DataRequired("Give the rationale."), Length(max=2000)])
    decided_by = StringField("Decided by", validators=[DataRequired("Say who made the decision."), Length(max=120)],
                             description="Name and role of the decision-maker.")
    decided_on = DateField("Date", default=today, validators=[DataRequired("Enter the date of the decision.")])
    move = BooleanField("Move the card now (accepted: Scoping; declined: Not progressed)", default=True)

    def validate_decided_on(self, field):
        if field.data and field.data > today():
            raise ValidationError("The decision date cannot be in the future.")


class MoveForm(BaseForm):
    to_stage = SelectField("Move to", choices=_choices(Stage), validators=[DataRequired("Choose a stage.")])
    from_stage = HiddenField()
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=1000)])
    override = BooleanField("Override the failing gate")


class BoardFilterForm(BaseForm):
    class Meta:
        csrf = False

    category = SelectField("Category", choices=_choices(Category, "All categories"), validators=[Optional()])
    context = SelectField("Context", choices=_choices(Context, "All contexts"), validators=[Optional()])
    lead = SelectField("Lead reviewer", coerce=lambda v: int(v) if v not in (None, "") else None,
                       validators=[Optional()])
    q = StringField("Search", validators=[Optional(), Length(max=100)])

    def set_reviewers(self, reviewers):
        self.lead.choices = [SelectChoice("", "Anyone")] + [SelectChoice(u.id, u.full_name) for u in reviewers]


class ListFilterForm(BoardFilterForm):
    stage = SelectField("Stage", choices=_choices(Stage, "All stages"), validators=[Optional()])
    page = IntegerField(validators=[Optional()])


class ParticipantForm(BaseForm):
    user_id = SelectField("Add a person", coerce=int, validators=[DataRequired("Choose a person.")])
