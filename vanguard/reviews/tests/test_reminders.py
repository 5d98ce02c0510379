"""`manage.py review_reminders`: returned documents remind their member; documents
waiting too long for the branch or the committee remind the reviewers; a second run
sends nothing new."""

from __future__ import annotations

import datetime
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from vanguard.notices.models import Notification
from vanguard.reviews import services
from vanguard.reviews.models import BranchReview, SubmittedVersion
from vanguard.reviews.tests import factories_member as docs

pytestmark = pytest.mark.django_db


@pytest.fixture
def fx(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def run(days: int = 3) -> str:
    out = StringIO()
    call_command("review_reminders", f"--days={days}", stdout=out)
    return out.getvalue()


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


def test_returned_document_reminds_its_member_once_with_an_email(
    fx, django_capture_on_commit_callbacks
):
    fx.cast.member_record.email = "wang@example.edu.cn"
    fx.cast.member_record.save()
    document, version = docs.submitted(fx)
    with django_capture_on_commit_callbacks(execute=True):
        services.branch_review(
            document=document,
            version=version,
            reviewer=fx.cast.secretary,
            criteria=docs.ALL_OK,
            verdict="return",
            reasons="剖析不深",
        )
        # The return told the member at once (`reviews.notifications`); the reminder,
        # under the same key, does not tell them again.
        run()
    reminder = Notification.objects.get(user=fx.cast.member)
    assert "退回修改" in reminder.text
    assert [m.to for m in mail.outbox] == [["wang@example.edu.cn"]]

    with django_capture_on_commit_callbacks(execute=True):
        assert run().startswith("0 ")
    assert Notification.objects.filter(user=fx.cast.member).count() == 1
    assert len(mail.outbox) == 1


def test_a_second_return_reminds_again(fx):
    document, version = docs.submitted(fx)
    services.branch_review(
        document=document,
        version=version,
        reviewer=fx.cast.secretary,
        criteria=docs.ALL_OK,
        verdict="return",
        reasons="一",
    )
    run()
    document.refresh_from_db()
    services.document_submit(
        document=document, base_version=document.draft_version, user=fx.cast.member
    )
    document.refresh_from_db()
    services.branch_review(
        document=document,
        version=document.versions.order_by("-number").first(),
        reviewer=fx.cast.secretary,
        criteria=docs.ALL_OK,
        verdict="return",
        reasons="二",
    )
    run()
    assert Notification.objects.filter(user=fx.cast.member).count() == 2


def test_document_waiting_for_the_branch_reminds_its_reviewers_after_three_days(fx):
    document, _version = docs.submitted(fx)
    run()
    assert not Notification.objects.exists()  # submitted just now

    SubmittedVersion.objects.filter(document=document).update(submitted_at=days_ago(4))
    run()
    reminded = set(Notification.objects.values_list("user_id", flat=True))
    assert reminded == {fx.cast.secretary.pk, fx.cast.branch_committee.pk}
    assert "王小明" in Notification.objects.first().text

    run()
    assert Notification.objects.count() == 2  # de-duplicated


def test_the_days_can_be_changed(fx):
    document, _version = docs.submitted(fx)
    SubmittedVersion.objects.filter(document=document).update(submitted_at=days_ago(2))
    run(days=3)
    assert not Notification.objects.exists()
    run(days=1)
    assert Notification.objects.count() == 2


def test_document_waiting_for_the_committee_reminds_the_committee(fx):
    document = docs.with_committee(fx)
    BranchReview.objects.filter(version__document=document).update(at=days_ago(5))
    run()
    reminder = Notification.objects.exclude(user=fx.cast.member).get()  # the member: "passed"
    assert reminder.user == fx.cast.committee_admin
    assert "王小明" in reminder.text
    run()
    assert Notification.objects.exclude(user=fx.cast.member).count() == 1


def test_reviewers_are_not_reminded_of_their_own_document(fx):
    secretary = fx.cast.secretary
    docs.campaign(fx.org)
    document = services.document_for_member(member=secretary.member)
    document = services.draft_save(
        document=document, data=docs.TEXT, base_version=document.draft_version, user=secretary
    )
    services.document_submit(document=document, base_version=document.draft_version, user=secretary)
    SubmittedVersion.objects.filter(document=document).update(submitted_at=days_ago(4))
    run()
    assert list(Notification.objects.values_list("user_id", flat=True)) == [
        fx.cast.branch_committee.pk
    ]
