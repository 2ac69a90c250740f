from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.forms import BaseForm


class ExportForm(BaseForm):
    recipient = StringField("Recipient", validators=[DataRequired("Say who the file is for."), Length(max=200)],
                            description="e.g. Regional homicide prevention working group. Recorded in the audit log "
                                        "and in the file.")


class ImportForm(BaseForm):
    """CSRF for the upload; the file itself is read from request.files."""
