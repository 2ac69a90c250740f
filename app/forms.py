"""The base of every form: text that cannot be stored as typed is refused beside its field.

Control characters (NUL and the like) cannot be typed on a keyboard and PostgreSQL
cannot store NUL at all; a value containing one is refused with a message rather
than silently changed, so what is saved is always exactly what was sent.
"""
import re

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def no_control_characters(form, field):
    if isinstance(field.data, str) and _CONTROL.search(field.data):
        raise ValidationError("This contains characters that cannot be stored (control characters).")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    # Fields only the review team ever reads (a subject's own names): no "will show as" hint on them.
    reviewers_only: tuple[str, ...] = ()

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = unbound_field.bind(form=form, **options)
            if isinstance(field, StringField):  # text, text areas and passwords
                field.validators = [*field.validators, no_control_characters]
            if isinstance(field, SelectField):  # "   " is no choice: Optional() would otherwise let it through
                field.filters = [*field.filters, _strip]
            if field.type in ("HiddenField", "CSRFTokenField"):
                # Nothing labels or points at a hidden input, and a page holds many forms: no id, so no
                # duplicate ids (a hidden field's `id=False` leaves the attribute out).
                field.render_kw = {**(field.render_kw or {}), "id": False}
            return field

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._offer_name_check()

    def _offer_name_check(self) -> None:
        """Free text that others will read tells a reviewer, as they type, which names will be replaced."""
        from app.disclosure import name_check_url

        url = name_check_url() if self.meta.csrf else None
        for field in self:
            wanted = url and type(field) in (StringField, TextAreaField) and field.short_name not in (
                *self.reviewers_only, "recipient")
            field.name_check_url = f"{url}?field={field.name}" if wanted else None


def submitted_version(form) -> int:
    """The record version the user loaded, from the form's hidden field (-1 if missing or forged)."""
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return -1
