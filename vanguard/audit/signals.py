"""Audit every save and delete of every model that is not excluded, when a person
acts. Bulk writes bypass signals; services that use them call
`audit_record_many` themselves."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_delete, post_save, pre_save

from vanguard.audit.context import current_actor
from vanguard.audit.models import AuditEntry
from vanguard.audit.services import audit_record, hidden_fields, is_audited, snapshot


def _secrets(obj: Any) -> dict[str, Any]:
    return {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.name in hidden_fields(obj)
    }


def _before_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or current_actor() is None or not is_audited(sender):
        return
    previous = None
    if instance.pk is not None:
        previous = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(previous) if previous is not None else None
    instance._audit_secrets = _secrets(previous) if previous is not None else {}


def _after_save(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw or current_actor() is None or not is_audited(sender):
        return
    before = getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    # A changed password is recorded as changed, never with either value.
    old_secrets = getattr(instance, "_audit_secrets", {})
    for name, value in _secrets(instance).items():
        if not created and old_secrets.get(name) != value:
            after[name] = "<changed>"
    if not created and before == after:
        return
    audit_record(
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        obj=instance,
        before=None if created else before,
        after=after,
    )


def _after_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    if current_actor() is None or not is_audited(sender):
        return
    audit_record(action=AuditEntry.Action.DELETE, obj=instance, before=snapshot(instance))


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditEntry.Action.LOGIN, obj=user, actor=user)


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=AuditEntry.Action.LOGOUT, obj=user, actor=user)


def connect() -> None:
    pre_save.connect(_before_save, dispatch_uid="audit_before_save")
    post_save.connect(_after_save, dispatch_uid="audit_after_save")
    post_delete.connect(_after_delete, dispatch_uid="audit_after_delete")
    user_logged_in.connect(_logged_in, dispatch_uid="audit_logged_in")
    user_logged_out.connect(_logged_out, dispatch_uid="audit_logged_out")
