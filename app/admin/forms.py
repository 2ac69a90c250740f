import re
from app.forms import BaseForm
from sqlalchemy import select
from wtforms import EmailField, SelectChoice, HiddenField, IntegerField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.auth.forms import NewPasswordMixin
from app.extensions import db
from app.models import ROLE_LABELS, Agency, Role

USERNAME_RULE = Regexp(r"^[a-z0-9][a-z0-9._-]{1,63}$",
                       message="Use 2 to 64 lower-case letters, digits, dots, hyphens or underscores.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserDetailsForm(BaseForm):
    full_name = StringField("Full name", validators=[DataRequired("Enter the person's name."), Length(max=120)])
    email = EmailField("Email", validators=[Optional(), Email("Enter an email address like name@force.police.uk."),
                                            Length(max=254)],
                       description="Used for action reminders. Optional.")
    roles = MultiCheckboxField("Roles", choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role],
                               validators=[DataRequired("Choose at least one role.")])
    agency_id = SelectField("Agency", coerce=int, validators=[Optional()],
                            description="Required for partner agency staff.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = db.session.scalars(select(Agency).where(Agency.active).order_by(Agency.name)).all()
        self.agency_id.choices = [SelectChoice(0, "— none —")] + [SelectChoice(a.id, a.name) for a in agencies]

    def validate_agency_id(self, field):
        if Role.PARTNER.value in (self.roles.data or []) and not field.data:
            raise ValidationError("Partner agency staff must belong to an agency.")


class EditUserForm(UserDetailsForm):
    version = HiddenField()


class TemporaryPasswordMixin(NewPasswordMixin):
    """A temporary password the admin sets; the person must replace it at their next sign-in."""

    new_password = PasswordField("Temporary password", validators=[DataRequired("Set a temporary password.")],
                                 render_kw={"autocomplete": "new-password"},
                                 description="At least 12 characters. The person must change it when they next "
                                             "sign in. Give it to them in person or by phone, never by email.")
    confirm = PasswordField("Type it again", validators=[DataRequired("Type the password again."),
                                                         EqualTo("new_password", "The two passwords do not match.")],
                            render_kw={"autocomplete": "new-password"})


class NewUserForm(TemporaryPasswordMixin, UserDetailsForm):
    username = StringField("Username", validators=[DataRequired("Choose a username."), USERNAME_RULE],
                           render_kw={"autocapitalize": "none", "spellcheck": "false"})

    def validate_new_password(self, field):
        self.policy_username, self.policy_full_name = self.username.data, self.full_name.data
        super().validate_new_password(field)


class ResetPasswordForm(TemporaryPasswordMixin, BaseForm):
    """Their current sessions end when it is set."""


class UserFilterForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=100)])
    role = SelectField("Role", choices=[SelectChoice("", "Any role")] + [SelectChoice(r.value, ROLE_LABELS[r])
                                                                         for r in Role],
                       validators=[Optional()])
    status = SelectField("Status", choices=[SelectChoice("", "Active and disabled"), SelectChoice("active", "Active"),
                                            SelectChoice("disabled", "Disabled")], validators=[Optional()])
    page = IntegerField(validators=[Optional()])


def mailbox(form, field):
    """An address the reminders can reach; intranet domains (such as .local) are allowed."""
    value = (field.data or "").strip()
    if value and not re.fullmatch(r"[^@\s,;<>]+@[^@\s,;<>]+", value):
        raise ValidationError("Enter an email address like team@force.police.uk.")


class ListItemForm(BaseForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=120)])
    email = StringField("Contact address", validators=[Optional(), Length(max=254), mailbox],
                        description="Where the team's action reminders go.")
    review_years = IntegerField("Review every (years)", validators=[Optional(), NumberRange(1, 100,
                                "Enter a number of years from 1 to 100.")],
                                description="How long after the DMM, or after the last review, the next review falls.")
