"""Sorting (梳理) pages: the secretary attaches, tags, merges and sets aside opinions
of their branch; nothing is deleted; the audit trail says who did it and never
where the opinion came from; supervisors and observers read without sources; and
nobody reaches an opinion about themself."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vanguard.audit.models import AuditEntry
from vanguard.opinions.intake.services import aspects_for
from vanguard.opinions.models import EmailMessage, Opinion, OpinionRecord
from vanguard.opinions.sorting import services as services_sorting
from vanguard.opinions.tests.sorting_data import DAY, about_secretary, campaign, opinion

pytestmark = pytest.mark.django_db

CONTACT = "13912345678"
SOURCE = "与退休的周老师个别交谈"


@pytest.fixture
def f(org, cast):
    from types import SimpleNamespace

    return SimpleNamespace(org=org, cast=cast)


def _sort(client, o, **fields):
    data = {f"o{o.pk}-{name}": value for name, value in fields.items()}
    return client.post(reverse("opinions:sorting_sort", args=[o.pk]), data)


def test_secretary_sorts_an_opinion_onto_a_member_and_the_trail_names_them_not_the_source(
    f, client
):
    o = opinion(f, contact=CONTACT, source=SOURCE)
    aspect = aspects_for(o.campaign)[2]
    client.force_login(f.cast.secretary)
    response = _sort(
        client,
        o,
        subject=f"member:{f.cast.colleague_record.pk}",
        aspect=aspect.pk,
        kind="suggestion",
    )
    assert response.status_code == 302
    o.refresh_from_db()
    assert o.status == "sorted"
    assert o.subject_member == f.cast.colleague_record
    assert (o.aspect, o.kind) == (aspect, "suggestion")
    entries = AuditEntry.objects.filter(object_type="opinions.opinion", object_id=str(o.pk))
    assert [e.actor_name for e in entries] == ["secretary"]
    dumped = json.dumps(
        [[e.before, e.after, e.object_repr, e.note] for e in entries], ensure_ascii=False
    )
    assert CONTACT not in dumped and SOURCE not in dumped
    assert "contact" not in entries[0].after and "source" not in entries[0].after


def test_the_opinion_page_shows_who_sorted_it(f, client):
    o = opinion(f)
    client.force_login(f.cast.branch_committee)
    _sort(client, o, subject=f"branch:{f.org.branch_a1.pk}", kind="criticism")
    page = client.get(reverse("opinions:sorting_detail", args=[o.pk])).content.decode()
    assert "处理记录" in page and "zhiwei" in page and "已梳理" in page


def test_htmx_sort_answers_with_the_card_only(f, client):
    o = opinion(f)
    client.force_login(f.cast.secretary)
    response = client.post(
        reverse("opinions:sorting_sort", args=[o.pk]),
        {f"o{o.pk}-subject": "committee", f"o{o.pk}-kind": "suggestion"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith("<article") and "<html" not in page
    assert f'id="opinion-{o.pk}"' in page and "信息学院党委" in page
    o.refresh_from_db()
    assert o.subject_kind == "committee" and o.subject_unit == f.org.committee


def test_a_member_outside_the_branch_cannot_be_the_subject_and_nothing_changes(f):
    o = opinion(f)
    with pytest.raises(ValidationError) as caught:
        services_sorting.opinion_sort(
            opinion=o,
            subject_kind="member",
            subject_member=f.cast.other_member_record,
            kind="praise",
        )
    assert "光学工程教工第一党支部" in caught.value.message_dict["subject_member"][0]
    o.refresh_from_db()
    assert (o.status, o.subject_kind, o.kind) == ("new", "unassigned", "unsorted")


def test_a_form_without_a_kind_is_refused_with_a_message(f, client):
    o = opinion(f)
    client.force_login(f.cast.secretary)
    response = _sort(client, o, subject=f"member:{f.cast.colleague_record.pk}")
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    o.refresh_from_db()
    assert o.status == "new"


def test_setting_aside_needs_a_reason_and_keeps_the_opinion(f, client):
    o = opinion(f)
    client.force_login(f.cast.secretary)
    url = reverse("opinions:sorting_set_aside", args=[o.pk])
    refused = client.post(url, {f"a{o.pk}-reason": "  "})
    assert refused.status_code == 200
    o.refresh_from_db()
    assert o.status == "new"
    client.post(url, {f"a{o.pk}-reason": "与本次活动无关"})
    o.refresh_from_db()
    assert (o.status, o.set_aside_reason) == ("set_aside", "与本次活动无关")
    assert Opinion.objects.filter(pk=o.pk).exists()
    # Sorting it again brings it back.
    services_sorting.opinion_sort(opinion=o, subject_kind="committee", kind="suggestion")
    assert (o.status, o.set_aside_reason) == ("sorted", "")


def test_merging_keeps_both_texts_and_points_the_duplicate_at_the_survivor(f, client):
    survivor = opinion(f, text="希望在指导研究生方面多花些时间")
    duplicate = opinion(f, text="指导研究生的时间太少了")
    client.force_login(f.cast.secretary)
    response = client.post(
        reverse("opinions:sorting_merge", args=[duplicate.pk]), {"into": survivor.pk}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == ("merged", survivor.pk)
    assert duplicate.text == "指导研究生的时间太少了"
    assert Opinion.objects.count() == 2
    page = client.get(reverse("opinions:sorting_detail", args=[survivor.pk])).content.decode()
    assert "指导研究生的时间太少了" in page
    # A merged opinion is not sorted again.
    with pytest.raises(ValidationError):
        services_sorting.opinion_sort(opinion=duplicate, subject_kind="committee", kind="praise")


def test_merging_refuses_opinions_of_another_branch(f):
    here = opinion(f)
    elsewhere = opinion(f, branch=f.org.branch_b1)
    with pytest.raises(ValidationError):
        services_sorting.opinion_merge(survivor=here, duplicates=[elsewhere])
    elsewhere.refresh_from_db()
    assert elsewhere.status == "new"


def _sourced_opinion(f) -> Opinion:
    c = campaign(f)
    mail = EmailMessage.objects.create(
        campaign=c, message_id_hash="x" * 64, sender="zhou@example.cn", received_on=DAY
    )
    record = OpinionRecord.objects.create(
        campaign=c,
        branch=f.org.branch_a1,
        kind="symposium",
        held_on=DAY,
        participants="周老师、吴同学",
    )
    o = opinion(f, text="实验室安全管理需要加强", contact=CONTACT, source=SOURCE)
    o.email, o.record = mail, record
    o.save()
    return o


@pytest.mark.parametrize("role", ["supervisor", "observer"])
def test_supervisors_and_observers_read_opinions_without_any_source(f, client, role):
    o = _sourced_opinion(f)
    client.force_login(getattr(f.cast, role))
    for url in (
        reverse("opinions:sorting") + "?status=all",
        reverse("opinions:sorting_detail", args=[o.pk]),
    ):
        page = client.get(url).content.decode()
        assert "实验室安全管理需要加强" in page
        for secret in (CONTACT, SOURCE, "zhou@example.cn", "周老师、吴同学"):
            assert secret not in page, (url, secret)
        assert "保存梳理结果" not in page and "搁置这条意见" not in page


def test_a_sorter_above_the_branch_sees_the_sources_of_its_opinions(f, client):
    o = _sourced_opinion(f)
    client.force_login(f.cast.gb_secretary)
    page = client.get(reverse("opinions:sorting_detail", args=[o.pk])).content.decode()
    for secret in (CONTACT, SOURCE, "zhou@example.cn", "周老师、吴同学"):
        assert secret in page
    # The branch's own secretary sorts it too, but may be its subject: no source.
    client.force_login(f.cast.secretary)
    page = client.get(reverse("opinions:sorting_detail", args=[o.pk])).content.decode()
    assert o.text in page and "保存梳理结果" in page
    for secret in (CONTACT, SOURCE, "zhou@example.cn", "周老师、吴同学"):
        assert secret not in page


def test_the_secretary_never_reaches_an_opinion_about_themself(f, client):
    mine = about_secretary(f)
    other = opinion(f, text="支部学习活动组织得好")
    client.force_login(f.cast.secretary)
    page = client.get(reverse("opinions:sorting") + "?status=all").content.decode()
    assert "支部学习活动组织得好" in page
    assert mine.text not in page and "支部座谈会" not in page
    assert client.get(reverse("opinions:sorting_detail", args=[mine.pk])).status_code == 404
    # …while the committee member of the same branch sorts it.
    client.force_login(f.cast.branch_committee)
    assert client.get(reverse("opinions:sorting_detail", args=[mine.pk])).status_code == 200
    assert other.pk


def test_the_list_filters_by_status_channel_and_round(f, client):
    opinion(f, text="信箱里的意见", channel="email")
    opinion(f, text="第二轮的意见", channel="symposium", round_number=2)
    opinion(f, text="已经梳理的意见", status="sorted", kind="praise", about=f.cast.colleague_record)
    client.force_login(f.cast.secretary)
    url = reverse("opinions:sorting")
    new = client.get(url).content.decode()
    assert "信箱里的意见" in new and "已经梳理的意见" not in new
    by_channel = client.get(url, {"status": "all", "channel": "email"}).content.decode()
    assert "信箱里的意见" in by_channel and "第二轮的意见" not in by_channel
    by_round = client.get(url, {"status": "all", "round": "2"}).content.decode()
    assert "第二轮的意见" in by_round and "信箱里的意见" not in by_round
    sorted_ = client.get(url, {"status": "sorted", "subject": "member"}).content.decode()
    assert "已经梳理的意见" in sorted_ and "信箱里的意见" not in sorted_


def test_the_sorting_list_costs_the_same_queries_whatever_the_number_of_cards(f, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(f.cast.gb_secretary)
    url = reverse("opinions:sorting")
    for _n in range(2):
        opinion(f)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _n in range(12):
        opinion(f)
        opinion(f, branch=f.org.branch_a2, channel="email")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
