from app.forms import BaseForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.models import Operation


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    user = StringField("User", validators=[Optional(), Length(max=64)], description="Username")
    operation = SelectField("Operation", choices=[SelectChoice("", "Any")] + [SelectChoice(o.value, o.value.capitalize())
                                                                   for o in Operation],
                            validators=[Optional()])
    object_type = StringField("Object type", validators=[Optional(), Length(max=40)],
                              description="For example user_account")
    object_id = StringField("Object id", validators=[Optional(), Length(max=64)])
    debrief = StringField("Debrief", validators=[Optional(), Length(max=20)],
                          description="Its reference: every entry about it, its records, and lists that showed it")
    pseudonym = StringField("Person in it", validators=[Optional(), Length(max=20)],
                            description="A pseudonym, e.g. Adult A, with the debrief")
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    page = IntegerField(validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")


class AuditExportForm(AuditFilterForm):
    class Meta:
        csrf = True

    recipient = StringField("Recipient", validators=[DataRequired("Say who the export is for."), Length(max=200)],
                            description="Who will receive this export, e.g. the Information Commissioner's Office.")
    reason = StringField("Purpose", validators=[DataRequired("Say why it is being exported."), Length(max=200)],
                         description="Lawful purpose, e.g. self-monitoring, or a request from the ICO.")


class AuditVerifyForm(BaseForm):
    """Check the chain, optionally against anchors kept outside the database."""

    class Meta:
        csrf = False

    anchors = TextAreaField("Anchors kept outside the database", validators=[Optional(), Length(max=20000)],
                            description="One per line, as audit-verify, the backup and the application log "
                                        "print them: position:hash. Leave empty to check the chain alone.")

    def validate_anchors(self, field):
        from app.audit_chain import parse_anchor

        self.parsed = []
        for number, line in enumerate((field.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                self.parsed.append(parse_anchor(line))
            except ValueError as exc:
                raise ValidationError(f"Line {number}: {exc}") from exc
