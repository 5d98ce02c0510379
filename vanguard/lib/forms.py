"""What every view does with a form and a service's refusal."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.core.exceptions import ValidationError


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
