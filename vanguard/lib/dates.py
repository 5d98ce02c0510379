"""Date and date-time form fields that refuse years no campaign can have. Without a
bound, `0001-01-01T00:00` or `9999-12-31T23:59` parse, and then fail later — turning
into UTC overflows, or the database refuses them — as a 500. The message names the
field, so the person knows which input to correct."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def check_in_range(value: datetime.date | datetime.datetime | None, label: Any) -> None:
    """Refuse a date (or the date of a date-time) outside EARLIEST..LATEST."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(
            _("“%(field)s”须在 %(earliest)s 到 %(latest)s 之间。"),
            code="out_of_range",
            params={
                "field": label or _("日期"),
                "earliest": EARLIEST.isoformat(),
                "latest": LATEST.isoformat(),
            },
        )


class BoundedDateField(forms.DateField):
    def to_python(self, value: Any) -> datetime.date | None:
        day = super().to_python(value)
        check_in_range(day, self.label)
        return day


class BoundedDateTimeField(forms.DateTimeField):
    def to_python(self, value: Any) -> datetime.datetime | None:
        moment = super().to_python(value)
        check_in_range(moment, self.label)
        return moment
