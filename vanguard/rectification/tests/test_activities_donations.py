"""Branch activities in the browser: a branch's officers record an activity (a
special Party-dues donation with its participants and treasurer), the keeper records
who gave how much; the total is for everyone who sees the activity, a person's amount
only for the keeper and the member themself; the audit trail never holds an amount."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vanguard.audit.models import AuditEntry
from vanguard.notices.models import Notification
from vanguard.rectification.models import Activity, Donation
from vanguard.rectification.tests import factories_activities as fa

pytestmark = pytest.mark.django_db

MEMBER = "271.50"
COLLEAGUE = "1038.50"
TOTAL = "1310.00"


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _page(client, user, activity) -> str:
    client.force_login(user)
    response = client.get(f"/rectification/activities/{activity.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_officer_records_a_donation_with_participants_and_a_treasurer(client, f):
    campaign = fa.campaign(f)
    client.force_login(f.cast.secretary)
    form = client.get(f"/rectification/c/{campaign.pk}/activities/new/")
    assert "王小明" in form.content.decode()  # the branch's members, to tick
    made = client.post(
        f"/rectification/c/{campaign.pk}/activities/new/",
        {
            "kind": "donation",
            "title": "交一次特殊党费",
            "held_on": fa.in_days(0).isoformat(),
            "participants": [f.cast.member_record.pk, f.cast.colleague_record.pk],
            "participants_note": "入党积极分子 3 人",
            "outcomes": "资助磐安县一名小学生读完小学",
            "treasurer": f.cast.member.pk,
        },
    )
    assert made.status_code == 302
    activity = Activity.objects.get(title="交一次特殊党费")
    assert activity.branch == f.org.branch_a1 and activity.treasurer == f.cast.member
    assert set(activity.participants.all()) == {f.cast.member_record, f.cast.colleague_record}
    page = client.get(made["Location"]).content.decode()
    assert "王小明" in page and "张丽" in page and "入党积极分子 3 人" in page
    told = Notification.objects.filter(user=f.cast.member).values_list("text", flat=True)
    assert any("经管人" in text for text in told)


def test_a_treasurer_must_be_a_member_of_the_branch(client, f):
    campaign = fa.campaign(f)
    client.force_login(f.cast.secretary)
    page = client.post(
        f"/rectification/c/{campaign.pk}/activities/new/",
        {"kind": "donation", "title": "特殊党费", "treasurer": f.cast.other_member.pk},
    )
    assert page.status_code == 200
    assert not Activity.objects.filter(title="特殊党费").exists()


def test_amounts_by_role(client, f):
    line = fa.member_line(f)
    activity = line.activity
    # The keeper (the secretary, while nobody is named) sees every line.
    keeper = _page(client, f.cast.secretary, activity)
    assert TOTAL in keeper and MEMBER in keeper and COLLEAGUE in keeper
    # The member sees the total and their own gift, nobody else's.
    mine = _page(client, f.cast.member, activity)
    assert TOTAL in mine and f"您捐了 {MEMBER} 元" in mine
    assert COLLEAGUE not in mine
    # The committee, a supervisor, another officer: the total only.
    for reader in (f.cast.committee_admin, f.cast.supervisor, f.cast.branch_committee):
        text = _page(client, reader, activity)
        assert TOTAL in text
        assert MEMBER not in text and COLLEAGUE not in text and "您捐了" not in text
    # Another branch's member does not learn the activity exists.
    client.force_login(f.cast.other_member)
    assert client.get(f"/rectification/activities/{activity.pk}/").status_code == 404


def test_a_named_treasurer_keeps_the_lines_instead_of_the_secretary(client, f):
    line = fa.member_line(f)
    activity = line.activity
    activity.treasurer = f.cast.member
    activity.save()
    keeper = _page(client, f.cast.member, activity)
    assert COLLEAGUE in keeper and "登记" in keeper
    secretary = _page(client, f.cast.secretary, activity)
    assert TOTAL in secretary and COLLEAGUE not in secretary
    client.force_login(f.cast.secretary)
    refused = client.post(
        f"/rectification/activities/{activity.pk}/donations/",
        {"member": f.cast.colleague_record.pk, "amount": "5"},
    )
    assert refused.status_code == 403


def test_the_keeper_records_and_corrects_a_line(client, f):
    activity = fa.donation_activity(f)
    client.force_login(f.cast.secretary)
    url = f"/rectification/activities/{activity.pk}/donations/"
    assert client.post(url, {"member": f.cast.member_record.pk, "amount": "100"}).status_code == 302
    assert (
        client.post(url, {"member": f.cast.member_record.pk, "amount": "120.5"}).status_code == 302
    )
    line = Donation.objects.get(activity=activity)
    assert str(line.amount) == "120.50"  # one line per member: recorded again, changed
    page = client.get(f"/rectification/activities/{activity.pk}/").content.decode()
    assert "120.50" in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "捐助金额须大于 0 元。"),
        ("-5", "捐助金额须大于 0 元。"),
        ("12.345", "金额最多保留两位小数（到分）。"),
        ("100000000", "捐助金额不能超过 99,999,999.99 元。"),
        ("十元", "请填写金额，例如 100 或 12.50。"),
    ],
)
def test_an_amount_is_refused_with_a_clear_message(client, f, amount, message):
    activity = fa.donation_activity(f)
    client.force_login(f.cast.secretary)
    page = client.post(
        f"/rectification/activities/{activity.pk}/donations/",
        {"member": f.cast.member_record.pk, "amount": amount},
    )
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not Donation.objects.filter(activity=activity).exists()


def test_a_donor_must_be_a_member_of_the_branch(client, f):
    activity = fa.donation_activity(f)
    client.force_login(f.cast.secretary)
    page = client.post(
        f"/rectification/activities/{activity.pk}/donations/",
        {"member": f.cast.other_member_record.pk, "amount": "10"},
    )
    assert page.status_code == 200
    assert not Donation.objects.filter(activity=activity).exists()


def test_the_keeper_removes_a_line_and_the_member_cannot(client, f):
    line = fa.member_line(f)
    client.force_login(f.cast.member)
    assert client.post(f"/rectification/donations/{line.pk}/remove/").status_code == 403
    client.force_login(f.cast.secretary)
    assert client.post(f"/rectification/donations/{line.pk}/remove/").status_code == 302
    assert not Donation.objects.filter(pk=line.pk).exists()


def test_the_audit_trail_never_holds_an_amount(client, f):
    activity = fa.donation_activity(f)
    client.force_login(f.cast.secretary)
    url = f"/rectification/activities/{activity.pk}/donations/"
    client.post(url, {"member": f.cast.member_record.pk, "amount": "271.50"})
    client.post(url, {"member": f.cast.member_record.pk, "amount": "386.25"})
    line = Donation.objects.get(activity=activity)
    client.post(f"/rectification/donations/{line.pk}/remove/")
    rows = AuditEntry.objects.filter(object_type="rectification.donation")
    assert rows.count() == 3  # written, changed, removed: each recorded
    for row in rows:
        written = f"{row.before} {row.after} {row.object_repr} {row.note}"
        assert fa.amounts_written(written, "271.50", "386.25") == []


def test_the_list_shows_each_activity_with_its_total(client, f):
    fa.member_line(f)
    fa.ideas_activity(f)
    client.force_login(f.cast.member)
    page = client.get(f"/rectification/c/{fa.campaign(f).pk}/activities/").content.decode()
    assert fa.DONATION_TITLE in page and fa.IDEAS_TITLE in page and TOTAL in page
    assert MEMBER not in page
    client.force_login(f.cast.other_member)
    page = client.get(f"/rectification/c/{fa.campaign(f).pk}/activities/").content.decode()
    assert fa.DONATION_TITLE not in page


def test_the_kind_stays_while_lines_depend_on_it(client, f):
    line = fa.member_line(f)
    client.force_login(f.cast.secretary)
    page = client.post(
        f"/rectification/activities/{line.activity_id}/edit/",
        {"kind": "other", "title": "改个名字"},
    )
    assert page.status_code == 200
    assert "已有捐助记录" in page.content.decode()
    assert Activity.objects.get(pk=line.activity_id).kind == "donation"
