from app.forms import BaseForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.auth.passwords import MAX_LENGTH, policy_problems


class LoginForm(BaseForm):
    username = StringField("Username", validators=[DataRequired(message="Enter your username."), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password."),
                                                     Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class NewPasswordMixin:
    """Checks the new password against the policy; the form sets `policy_user`."""

    policy_username: str | None = None
    policy_full_name: str | None = None

    def validate_new_password(self, field):
        problems = policy_problems(field.data or "", self.policy_username, self.policy_full_name)
        if problems:
            raise ValidationError(" ".join(problems))


class ChangePasswordForm(NewPasswordMixin, BaseForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("New password", validators=[DataRequired("Enter a new password.")],
                                 render_kw={"autocomplete": "new-password"},
                                 description="At least 12 characters. A few unrelated words make a strong, "
                                             "memorable passphrase.")
    confirm = PasswordField("Type the new password again",
                            validators=[DataRequired("Type the new password again."),
                                        EqualTo("new_password", "The two new passwords do not match.")],
                            render_kw={"autocomplete": "new-password"})
    sign_out_others = BooleanField("Sign out my other sessions", default=True)


class CodeForm(BaseForm):
    code = StringField("Code from your authenticator app, or a recovery code",
                       validators=[DataRequired("Enter the 6-digit code, or one of your recovery codes."),
                                   Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"})


class EnrolForm(BaseForm):
    code = StringField("The 6-digit code your app now shows",
                       validators=[DataRequired("Enter the 6-digit code your app shows."), Length(max=12)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class TurnOffForm(BaseForm):
    password = PasswordField("Your password", validators=[DataRequired("Enter your password.")],
                             render_kw={"autocomplete": "current-password"})
