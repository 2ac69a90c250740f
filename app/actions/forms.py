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
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.debriefs.timeliness import today
from app.forms import BaseForm
from app.learning.overdue import AGE_BANDS
from app.models import ActionStatus, Priority, Scope
from app.scoping.forms import CheckboxesField


def _choices(enum_cls):
    return [SelectChoice(v, label) for v, label in enum_cls.choices()]


def _int_or_none(v):
    return int(v) if v not in (None, "") else None


class ActionFilterForm(BaseForm):
    class Meta:
        csrf = False

    owner = SelectField("Owner", validators=[Optional()])
    status = SelectField("Status", choices=[SelectChoice("", "Any status")] + _choices(ActionStatus),
                         validators=[Optional()])
    overdue = BooleanField("Overdue only")
    due_within = IntegerField("Due within (days)", validators=[Optional(), NumberRange(0, 3650, "0 to 3650 days.")])
    debrief = StringField("Debrief", validators=[Optional(), Length(max=40)],
                          description="A reference such as HPD-2026-014, or the start of one (HPD-2026).")
    theme = SelectField("Theme", coerce=_int_or_none, validators=[Optional()])
    department = SelectField("Department", validators=[Optional()])
    age = SelectField("Overdue by", choices=[SelectChoice("", "Any")] + [
        SelectChoice(key, label) for key, label, _, _ in AGE_BANDS], validators=[Optional()])
    view = SelectField("Show as", choices=[SelectChoice("list", "List"), SelectChoice("columns", "Columns by status")],
                       default="list", validators=[Optional()])
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(1, 100000)])

    def set_choices(self, owners, themes, departments):
        self.owner.choices = [SelectChoice("", "Anyone"), SelectChoice("me", "Me")] + [
            SelectChoice(k, v) for k, v in owners]
        self.theme.choices = [SelectChoice("", "All themes")] + [SelectChoice(t.id, t.name) for t in themes]
        self.department.choices = [SelectChoice("", "All departments")] + [SelectChoice(d, d) for d in departments]


class ActionForm(BaseForm):
    """The review team's part of an action: what, how, who, by when."""

    what = TextAreaField("What is to be done", validators=[DataRequired("Say what is to be done."),
                                                           Length(max=2000)],
                         description="Specific, measurable, with its outcome. Use pseudonyms.")
    milestones = TextAreaField("How it will be taken forward", validators=[Optional(), Length(max=2000)],
                               description="Milestones or steps, one per line.")
    owner_user_id = SelectField("Owner (a person)", coerce=_int_or_none, validators=[Optional()])
    owner_team_id = SelectField("or owner (a team or agency)", coerce=_int_or_none, validators=[Optional()],
                                description="Teams without a login; admins keep the list and contact addresses.")
    accountable_lead = StringField("Accountable lead", validators=[Optional(), Length(max=120)],
                                   description="A rank or role, not a name (e.g. Head of Public Protection).")
    department = StringField("Department", validators=[Optional(), Length(max=120)])
    due_on = DateField("Due date", validators=[DataRequired("Enter the due date.")])
    priority = SelectField("Priority", choices=_choices(Priority), default=Priority.MEDIUM.value,
                           validators=[DataRequired()])
    scope = SelectField("Scope", choices=_choices(Scope), default=Scope.FORCE.value, validators=[DataRequired()])
    theme_ids = CheckboxesField("Themes", coerce=int)

    current_due = None  # set on an edit: an unchanged due date in the past stays allowed

    def set_choices(self, users, teams, themes):
        self.owner_user_id.choices = [SelectChoice("", "— a team or agency instead —")] + [
            SelectChoice(u.id, u.full_name) for u in users]
        self.owner_team_id.choices = [SelectChoice("", "— a person instead —")] + [
            SelectChoice(t.id, t.name if t.email else f"{t.name} (no contact address)") for t in teams]
        self.theme_ids.choices = [SelectChoice(t.id, t.name) for t in themes]
        self._warn_about_teams_without_address(teams)

    NO_ADDRESS = "This team has no contact address: it will get no reminders or notices."

    def _warn_about_teams_without_address(self, teams) -> None:
        """Beside the owner field: a team with no contact address is never reminded or told of a decision."""
        base = type(self).owner_team_id.kwargs.get("description", "")
        chosen = next((t for t in teams if t.id == self.owner_team_id.data), None)
        if chosen is not None and not chosen.email:
            self.owner_team_id.description = f"{self.NO_ADDRESS} An administrator adds it on the Teams page."
        elif any(not t.email for t in teams):
            self.owner_team_id.description = (f"{base} A team marked “no contact address” will get no reminders "
                                              "or notices.")

    def validate_due_on(self, field):
        if field.data and field.data < today() and field.data != self.current_due:
            raise ValidationError("The due date cannot be in the past.")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        user, team = self.owner_user_id.data, self.owner_team_id.data
        if not user and not team:
            self.owner_user_id.errors = [*self.owner_user_id.errors, "Choose an owner: a person or a team."]
            valid = False
        elif user and team:
            self.owner_user_id.errors = [*self.owner_user_id.errors, "Choose a person or a team, not both."]
            valid = False
        known = {c.value for c in self.theme_ids.choices}
        if set(self.theme_ids.data or []) - known:
            self.theme_ids.errors = [*self.theme_ids.errors, "Choose themes from the list."]
            valid = False
        for f, choices in ((self.owner_user_id, self.owner_user_id.choices),
                           (self.owner_team_id, self.owner_team_id.choices)):
            if f.data and f.data not in {c.value for c in choices}:
                f.errors = [*f.errors, "Choose from the list."]
                valid = False
        return valid

    def data_for_service(self) -> dict:
        text = lambda f: (f.data or "").strip() or None  # noqa: E731
        return {"what": self.what.data.strip(), "milestones": text(self.milestones),
                "owner_user_id": self.owner_user_id.data or None, "owner_team_id": self.owner_team_id.data or None,
                "accountable_lead": text(self.accountable_lead), "department": text(self.department),
                "due_on": self.due_on.data, "priority": self.priority.data, "scope": self.scope.data,
                "theme_ids": list(self.theme_ids.data or [])}


class ActionDetailsForm(ActionForm):
    due_reason = StringField("Why the due date is changing", validators=[Optional(), Length(max=500)],
                             description="Needed only when the due date changes; kept in the extension history.")
    version = HiddenField()

    def data_for_service(self) -> dict:
        return {**super().data_for_service(), "due_reason": (self.due_reason.data or "").strip()}


OWNER_STATUS_CHOICES = [SelectChoice(s.value, s.label) for s in
                        (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED)]


def _not_future(form, field):
    if field.data and field.data > today():
        raise ValidationError("The date of an update cannot be in the future.")


def _web_link(form, field):
    value = (field.data or "").strip()
    if value and not value.lower().startswith(("https://", "http://")):
        raise ValidationError("Enter a web address starting with https:// (or http:// on the intranet).")
    if any(c.isspace() for c in value):
        raise ValidationError("A web address cannot contain spaces.")


class OwnerUpdateForm(BaseForm):
    """All an owner may change. Fields the review team owns are not on it, so posting them changes nothing."""

    status = RadioField("Status", choices=OWNER_STATUS_CHOICES, validators=[DataRequired("Choose a status.")])
    note = TextAreaField("Progress update", validators=[Optional(), Length(max=3000)],
                         description="What has happened since the last update. Saved with its date.")
    note_on = DateField("Date of the update", default=today, validators=[Optional(), _not_future])
    evidence = TextAreaField("Evidence of completion", validators=[Optional(), Length(max=3000)],
                             description="What shows the action is done and working. Needed to mark it complete.")
    evidence_link = StringField("Link to the evidence", validators=[Optional(), Length(max=500), _web_link],
                                description="Optional: a page or document on the intranet.")
    complete = HiddenField()
    version = HiddenField()


class CommentForm(BaseForm):
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=2000)])
    version = HiddenField()


class ExtensionRequestForm(BaseForm):
    new_due = DateField("New due date", validators=[DataRequired("Enter the date you are asking for.")])
    reason = TextAreaField("Why more time is needed", validators=[Optional(), Length(max=2000)])
    version = HiddenField()


class ExtensionDecisionForm(BaseForm):
    note = TextAreaField("Note to the owner", validators=[Optional(), Length(max=2000)],
                         description="Needed when refusing.")
    version = HiddenField()


class FollowUpForm(BaseForm):
    review_on = DateField("Effectiveness review date", validators=[Optional()])
    review_result = TextAreaField("Effectiveness review result", validators=[Optional(), Length(max=3000)],
                                  description="Did the action change practice? What showed it?")
    sent_to = StringField("Sent to", validators=[Optional(), Length(max=200)],
                          description="For partner, regional or national actions: the body it went to.")
    sent_on = DateField("Sent on", validators=[Optional()])
    response = TextAreaField("Their response", validators=[Optional(), Length(max=3000)])
    version = HiddenField()

    def data_for_service(self) -> dict:
        text = lambda f: (f.data or "").strip() or None  # noqa: E731
        return {"review_on": self.review_on.data, "review_result": text(self.review_result),
                "sent_to": text(self.sent_to), "sent_on": self.sent_on.data, "response": text(self.response)}
