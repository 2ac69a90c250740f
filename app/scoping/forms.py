from app.forms import BaseForm
from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.debriefs.timeliness import today
from app.models import Applies, SubjectRole


class SubjectForm(BaseForm):
    reviewers_only = ("real_name", "aliases", "address", "phone")
    real_name = StringField("Full name", validators=[DataRequired("Enter the person's name."), Length(max=120)],
                            description="Seen by the review team only. Everyone else sees the pseudonym.")
    date_of_birth = DateField("Date of birth", validators=[Optional()])
    aliases = TextAreaField("Other names", validators=[Optional(), Length(max=1000)],
                            description="Known-as names, nicknames, former names: one per line. "
                                        "They are replaced by the pseudonym wherever they are written.")
    address = TextAreaField("Address", validators=[Optional(), Length(max=500)],
                            description="Review team only; shown to others as [address].")
    phone = StringField("Phone number", validators=[Optional(), Length(max=40)],
                        description="Review team only; shown to others as [phone number].")
    role = RadioField("Role in the case", choices=[SelectChoice(v, label) for v, label in SubjectRole.choices()],
                      validators=[InputRequired("Choose the person's role.")])
    version = HiddenField()

    def details(self) -> dict:
        return {"role": SubjectRole(self.role.data), "real_name": self.real_name.data,
                "date_of_birth": self.date_of_birth.data, "aliases": self.aliases.data,
                "address": self.address.data, "phone": self.phone.data}

    def validate_date_of_birth(self, field):
        if field.data and field.data > today():
            raise ValidationError("The date of birth cannot be in the future.")


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        pass  # choices are re-derived on the server; unknown ids are simply ignored by the service


class ParametersForm(BaseForm):
    review_from = DateField("Review period from", validators=[Optional()])
    review_to = DateField("to", validators=[Optional()])
    subject_ids = CheckboxesField("Subjects in scope", coerce=int)
    agency_ids = CheckboxesField("Agencies in scope", coerce=int)
    key_questions = TextAreaField("Key questions", validators=[Optional(), Length(max=5000)],
                                  description="One per line. Use pseudonyms (Adult A): partners read these.")
    exclusions = TextAreaField("Exclusions", validators=[Optional(), Length(max=3000)],
                               description="One per line: what the debrief will not look at.")
    sio_name = StringField("SIO consulted", validators=[Optional(), Length(max=120)],
                           description="Name and rank of the senior investigating officer.")
    sio_consulted_on = DateField("Consulted on", validators=[Optional()])
    sio_conditions = TextAreaField("Conditions set by the SIO", validators=[Optional(), Length(max=3000)])
    disclosure_officer_informed_on = DateField("Disclosure officer informed on", validators=[Optional()])
    reason = TextAreaField("Reason for the change", validators=[Optional(), Length(max=1000)],
                           description="These parameters were signed off: say why they are changing.")
    version = HiddenField()

    def validate_review_to(self, field):
        if field.data and self.review_from.data and field.data < self.review_from.data:
            raise ValidationError("The end of the review period is before its start.")

    def validate_sio_consulted_on(self, field):
        if field.data and field.data > today():
            raise ValidationError("The consultation date cannot be in the future.")
        if field.data and not (self.sio_name.data or "").strip():
            raise ValidationError("Say who the SIO is as well as when they were consulted.")

    def data_for_service(self) -> dict:
        data = {k: self[k].data for k in ("review_from", "review_to", "sio_consulted_on",
                                          "disclosure_officer_informed_on")}
        for k in ("key_questions", "exclusions", "sio_name", "sio_conditions"):
            data[k] = (self[k].data or "").strip() or None
        return data


class ConfirmForm(BaseForm):
    """A CSRF-protected button."""


class ParallelReviewForm(BaseForm):
    applies = RadioField("Does it apply?", choices=[SelectChoice(v, label) for v, label in Applies.choices()],
                         validators=[InputRequired("Say whether it applies.")])
    why = TextAreaField("Why", validators=[Optional(), Length(max=2000)])
    lead_body = StringField("Lead body", validators=[Optional(), Length(max=120)],
                            description="e.g. the community safety partnership, the safeguarding partnership, the IOPC.")
    notified_on = DateField("Notified on", validators=[Optional()],
                            description="For a coroner's PFD report: the date the report was received.")
    reference = StringField("Reference", validators=[Optional(), Length(max=80)])
    status = StringField("Status", validators=[Optional(), Length(max=200)])
    completed_on = DateField("Completed on", validators=[Optional()],
                             description="Rapid review completed, or PFD response sent.")
    output_shared_on = DateField("Debrief output shared with it on", validators=[Optional()])
    agreed_on = DateField("Timing and parameters agreed with the IOPC on", validators=[Optional()],
                          description="No debrief meeting until this is recorded.")
    version = HiddenField()

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Checked here: the field's Optional() would stop an inline check on an empty value.
        if self.applies.data in ("yes", "considering") and not (self.why.data or "").strip():
            self.why.errors = [*self.why.errors, "Say why it applies or is being considered."]
            valid = False
        return valid

    def data_for_service(self) -> dict:
        data = {k: self[k].data for k in ("applies", "notified_on", "completed_on", "output_shared_on",
                                          "agreed_on")}
        for k in ("why", "lead_body", "reference", "status"):
            data[k] = (self[k].data or "").strip() or None
        return data
