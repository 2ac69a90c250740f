"""The base of every form: text that cannot be stored as typed is refused beside its field.

Control characters (NUL and the like) cannot be typed on a keyboard and PostgreSQL
cannot store NUL at all; a value containing one is refused with a message rather
than silently changed, so what is saved is always exactly what was sent.
"""
import re

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def no_control_characters(form, field):
    if isinstance(field.data, str) and _CONTROL.search(field.data):
        raise ValidationError("This contains characters that cannot be stored (control characters).")


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = unbound_field.bind(form=form, **options)
            if isinstance(field, StringField):  # text, text areas and passwords
                field.validators = [*field.validators, no_control_characters]
            return field


def submitted_version(form) -> int:
    """The record version the user loaded, from the form's hidden field (-1 if missing or forged)."""
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return -1
