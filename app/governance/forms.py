"""The dashboard's period and filters (kept in the URL), and the recipient of a data download."""
from __future__ import annotations

from datetime import date

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.forms import BaseForm
from app.governance import periods
from app.governance.cohorts import Scope
from app.models import Category, Context

LONGEST_DAYS = 3700  # ten years and a little
_UNSET = object()


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class DashboardForm(BaseForm):
    class Meta:
        csrf = False

    period = SelectField("Period", choices=_choices(periods.KINDS), default="12m", validators=[Optional()])
    quarter = SelectField("Quarter", validators=[Optional()])
    fy = SelectField("Financial year", validators=[Optional()])
    from_ = DateField("From", validators=[Optional()], name="from")
    to = DateField("To", validators=[Optional()])
    category = SelectField("Category", choices=_choices([("", "All categories"), *Category.choices()]), validators=[Optional()])
    context = SelectField("Context", choices=_choices([("", "All contexts"), *Context.choices()]), validators=[Optional()])

    def __init__(self, formdata, today: date):
        super().__init__(formdata)
        self.today = today
        quarters, years = periods.quarter_choices(today), periods.fy_choices(today)
        self.quarter.choices = _choices(quarters)
        self.fy.choices = _choices(years)
        if not self.quarter.data:
            self.quarter.data = quarters[1][0]  # the last complete quarter
        if not self.fy.data:
            self.fy.data = years[0][0]
        if not self.period.data:
            self.period.data = "12m"

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.period.data != "custom":
            return ok
        start, end = self.from_.data, self.to.data
        for field, missing in ((self.from_, "Enter the first day of the period."),
                               (self.to, "Enter the last day of the period.")):
            if field.data is None and not field.errors:
                field.errors.append(missing)
        if start and end and end < start:
            self.to.errors.append("The last day must be on or after the first day.")
        elif start and end and (end - start).days > LONGEST_DAYS:
            self.to.errors.append("Choose ten years or less.")
        return ok and not self.from_.errors and not self.to.errors

    def chosen_period(self) -> periods.Period:
        kind = self.period.data
        if kind == "quarter":
            year, month = (int(x) for x in self.quarter.data.split("-"))
            return periods.quarter(date(year, month, 1))
        if kind == "fy":
            return periods.fiscal_year(int(self.fy.data))
        if kind == "custom":
            return periods.custom(self.from_.data, self.to.data)
        end = self.to.data if self.to.data and self.to.data <= self.today else self.today
        return periods.last_12_months(end)

    def scope(self) -> Scope:
        return Scope(self.chosen_period(), self.category.data or None, self.context.data or None)


class DownloadForm(BaseForm):
    recipient = StringField("Recipient", validators=[DataRequired("Say who the data is for."), Length(max=200)],
                            description="Who will receive it, e.g. \u201cHomicide prevention board, March\u201d.")


class PackForm(BaseForm):
    """Issue the pack of a quarter, with the questions the review team puts to the board."""

    quarter = SelectField("Quarter", validators=[DataRequired("Choose the quarter.")])
    questions = TextAreaField("Questions for the board", validators=[Optional(), Length(max=4000)],
                              description="One per line. They appear at the end of the pack.")

    def __init__(self, formdata=_UNSET, today: date | None = None, **kwargs):
        if formdata is _UNSET:
            super().__init__(**kwargs)
        else:
            super().__init__(formdata, **kwargs)
        quarters = periods.quarter_choices(today or date.today())
        self.quarter.choices = _choices(quarters)
        if not self.quarter.data:
            self.quarter.data = quarters[1][0]
