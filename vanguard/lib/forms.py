"""What every view does with a form and a service's refusal."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy

# A select's empty first choice, where Django shows "---------": what to do, in the
# user's language.
CHOOSE = gettext_lazy("— 请选择 —")
_DASHES = BLANK_CHOICE_DASH[0][1]


def show_service_errors(
    form: Any,
    error: ValidationError,
    *,
    field_of: Mapping[str, str] | None = None,
    above: Collection[str] = (),
) -> None:
    """A service's refusal shown on the form: each field's messages on the form field of
    that name (or the one `field_of` maps it to) when the form shows it, the rest above
    the form (also the fields named in `above`, such as a hidden version number)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        name = (field_of or {}).get(field, field)
        form.add_error(name if name in form.fields and name not in above else None, messages)


def query_int(raw: object) -> int | None:
    """A whole number from a query parameter, or None for anything else (a filter that
    is not a number is no filter)."""
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 12 else None


def offer_choices(field: forms.Field) -> None:
    """A select, once its options are set: a required one with a single option has it
    chosen and no empty choice (a branch secretary choosing among their one branch has
    nothing to pick); otherwise its empty first choice says "— 请选择 —" instead of
    Django's dashes, unless the form named it (such as "— 未分类 —")."""
    if isinstance(field, forms.ModelChoiceField):
        if field.required and field.queryset is not None:
            options = list(field.queryset[:2])
            if len(options) == 1:
                field.empty_label = None
                field.initial = options[0]
                return
        if field.empty_label == _DASHES:
            field.empty_label = CHOOSE
    elif isinstance(field, forms.ChoiceField):
        # Django keeps a field's choices normalised: a list, or a callable's iterator.
        choices = list(cast(Iterable[Any], field.choices))
        if choices and choices[0] == BLANK_CHOICE_DASH[0]:
            field.choices = [("", CHOOSE), *choices[1:]]
