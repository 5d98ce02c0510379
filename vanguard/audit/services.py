"""Writing the audit trail. Only writes made by a person are recorded: with no
actor (the demo builder, migrations) nothing is written."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from vanguard.accounts.models import User
from vanguard.audit.context import current_actor
from vanguard.audit.models import AuditEntry

# Apps whose writes are never audited, by design. The secret ballot (ballots app)
# belongs here: an audit row written beside a ballot would link the voter to it,
# so that app records only open, close and tally, explicitly, through `audit_record`.
EXCLUDED_APPS = frozenset(
    {"ballots", "audit", "sessions", "axes", "django_tasks_database", "admin", "django_cas_ng"}
)  # django_cas_ng: CAS tickets beside session keys, for single logout (accounts/cas.py)
# Fields never copied into the trail.
SECRET_FIELDS = frozenset({"password", "key_hash"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return "<binary>"
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return value


def hidden_fields(model: type[models.Model] | models.Model) -> frozenset[str]:
    """Fields never copied into the trail: secrets everywhere, and a model's own
    `audit_hidden_fields` (e.g. who gave an opinion)."""
    return SECRET_FIELDS | frozenset(getattr(model, "audit_hidden_fields", ()))


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The concrete field values of a model instance, as JSON-safe values."""
    data: dict[str, Any] = {}
    hidden = hidden_fields(obj)
    for field in obj._meta.concrete_fields:
        if field.name in hidden:
            continue
        data[field.attname] = _jsonable(getattr(obj, field.attname))
    return data


def is_audited(model: type[models.Model]) -> bool:
    return model._meta.app_label not in EXCLUDED_APPS


def _entry(
    *,
    actor: User,
    action: str,
    obj: models.Model | None,
    object_type: str = "",
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEntry:
    return AuditEntry(
        actor_id=actor.pk if actor is not None else None,
        actor_name=actor.get_username() if actor is not None else "",
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before,
        after=after,
        note=note[:300],
    )


def audit_record(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
    actor: User | None = None,
) -> AuditEntry | None:
    """Record one write. Returns None when no person is acting."""
    actor = actor if actor is not None else current_actor()
    if actor is None:
        return None
    entry = _entry(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        before=before,
        after=after,
        note=note,
    )
    entry.save()
    return entry


def audit_record_many(
    *,
    action: str,
    changes: Iterable[tuple[models.Model, dict | None, dict | None]],
    note: str = "",
    actor: User | None = None,
) -> int:
    """Record many writes at once (bulk imports): one row per object, one INSERT batch."""
    actor = actor if actor is not None else current_actor()
    if actor is None:
        return 0
    entries = [
        _entry(actor=actor, action=action, obj=obj, before=before, after=after, note=note)
        for obj, before, after in changes
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries)
