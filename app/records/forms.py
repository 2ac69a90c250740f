from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.debriefs.timeliness import today
from app.forms import BaseForm
from app.models import HoldReason, ReviewDecision
from app.records.services import SHOW


class CategoryForm(BaseForm):
    category = SelectField("Retention category", coerce=int,
                           validators=[InputRequired("Choose the retention category.")])
    version = HiddenField()


class ReviewForm(BaseForm):
    decision = RadioField("Decision", choices=[SelectChoice(v, label) for v, label in ReviewDecision.choices()],
                          validators=[InputRequired("Choose whether to retain or dispose.")])
    rationale = TextAreaField("Rationale", validators=[DataRequired("Say why: a decision to retain must be "
                                                                    "recorded with its rationale."),
                                                       Length(max=2000)],
                              description="The policing purpose the record still serves, or why it no longer "
                                          "does. Use pseudonyms, not names.")
    next_review_on = DateField("Next review", validators=[Optional()],
                               description="When retaining: the date of the next review.")
    version = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        field = self.next_review_on
        if self.decision.data == ReviewDecision.RETAIN.value and not field.errors:
            if not field.data:
                field.errors = [*field.errors, "Give the date of the next review."]
            elif field.data <= today():
                field.errors = [*field.errors, "The next review must be after today."]
            valid = valid and not field.errors
        return valid


class HoldForm(BaseForm):
    reason = SelectField("Reason", choices=[SelectChoice(v, label) for v, label in HoldReason.choices()],
                         validators=[InputRequired("Choose the reason for the hold.")])
    detail = TextAreaField("Details", validators=[Optional(), Length(max=1000)],
                           description="For example the court, the coroner's reference, or the review. "
                                       "Use pseudonyms, not names.")
    until = DateField("Expected to end", validators=[Optional()],
                      description="For the next review; the hold stays until someone releases it.")


class ReleaseForm(BaseForm):
    note = TextAreaField("Why the hold can end", validators=[DataRequired("Say why the hold can end."),
                                                             Length(max=1000)])


class ConfirmDisposalForm(BaseForm):
    reference = StringField("Type the debrief's reference to confirm",
                            validators=[DataRequired("Type the reference to confirm."), Length(max=20)])


class ActionForm(BaseForm):
    """A button that changes something: the CSRF token alone."""


class QueueForm(BaseForm):
    class Meta:
        csrf = False

    show = SelectField("Show", choices=[SelectChoice(k, label) for k, label in SHOW], default="due",
                       validators=[Optional()])


class PersonSearchForm(BaseForm):
    class Meta:
        csrf = False

    name = StringField("Name or other name", validators=[Optional(), Length(max=120)],
                       description="Every word must begin a word of the person's name or one of their other names.")
    date_of_birth = DateField("Date of birth", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not (self.name.data or "").strip() and not self.date_of_birth.data:
            self.name.errors = [*self.name.errors, "Enter a name or a date of birth to search for."]
            return False
        return valid


class AccessReasonForm(BaseForm):
    reason = StringField("Why do you need to see this debrief?",
                         validators=[DataRequired("Say why you need to see it."), Length(min=3, max=150)],
                         description="For example: preparing the debrief meeting; a data subject's access request; "
                                     "the board's query. Kept in the audit log with what you view.")
    next = HiddenField()
