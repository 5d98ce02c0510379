import pytest
from django.db import DatabaseError, transaction

from vanguard.audit.context import acting_as
from vanguard.audit.models import AuditEntry
from vanguard.organization.models import Member


@pytest.mark.django_db
def test_a_persons_edit_is_recorded_with_before_and_after(cast):
    member = cast.colleague_record
    with acting_as(cast.secretary):
        member.phone = "13800000000"
        member.save()
    entry = AuditEntry.objects.get(object_type="organization.member", object_id=str(member.pk))
    assert entry.actor_name == "secretary"
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.before["phone"] == ""
    assert entry.after["phone"] == "13800000000"


@pytest.mark.django_db
def test_writes_with_no_person_acting_are_not_recorded(org):
    Member.objects.create(name="赵", number="X1", branch=org.branch_a1, category="faculty")
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_passwords_never_reach_the_trail(cast):
    with acting_as(cast.committee_admin):
        cast.member.set_password("another-long-password")
        cast.member.save()
    entry = AuditEntry.objects.get(object_type="accounts.user", object_id=str(cast.member.pk))
    assert "password" not in entry.before
    assert entry.after["password"] == "<changed>"
    assert cast.member.password not in str(entry.after)


@pytest.mark.django_db
def test_the_database_refuses_to_change_or_delete_audit_rows(cast):
    with acting_as(cast.secretary):
        cast.colleague_record.phone = "1"
        cast.colleague_record.save()
    assert AuditEntry.objects.count() == 1
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.update(actor_name="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().actor_name == "secretary"
