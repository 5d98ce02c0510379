"""Individual talks (个人交谈) and symposia (座谈会): a branch committee member records
one and enters each opinion heard in it separately; the participants and the person
who raised an opinion stay hidden from the member it concerns."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from vanguard.audit.models import AuditEntry
from vanguard.opinions.intake import services as services_intake
from vanguard.opinions.models import Aspect, Opinion, OpinionRecord, OpinionRound
from vanguard.opinions.tests import access_table_intake as intake

PARTICIPANTS = "群众代表赵六、钱七"
SOURCE = "钱七"


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _record(client, f, *, kind="talk", held_on="2026-04-20", **extra):
    intake.campaign(f)
    data = {
        "branch": f.org.branch_a1.pk,
        "kind": kind,
        "held_on": held_on,
        "place": "三楼会议室",
        "participants": PARTICIPANTS,
        "notes": "谈了支部工作。",
        **extra,
    }
    return client.post(reverse("opinions:record_create"), data)


def test_committee_member_records_a_talk_with_two_opinions(client, f):
    client.force_login(f.cast.branch_committee)
    response = _record(client, f)
    assert response.status_code == 302
    record = OpinionRecord.objects.get()
    assert response["Location"] == reverse("opinions:record_detail", args=[record.pk])
    assert record.kind == OpinionRecord.Kind.TALK and record.recorded_by == f.cast.branch_committee
    assert record.participants == PARTICIPANTS

    colleague = f.cast.colleague_record
    work = Aspect.objects.get(campaign=record.campaign, key="work")
    add = reverse("opinions:record_add_opinion", args=[record.pk])
    first = client.post(
        add,
        {
            "about": f"member:{colleague.pk}",
            "aspect": work.pk,
            "text": "教学认真，科研偏少。",
            "source": SOURCE,
        },
    )
    second = client.post(
        add, {"about": "branch", "aspect": "", "text": "支部活动可以更活泼。", "source": ""}
    )

    assert first.status_code == 302 and second.status_code == 302
    about_member, about_branch = Opinion.objects.order_by("pk")
    assert about_member.channel == Opinion.Channel.TALK and about_member.record == record
    assert about_member.subject_member == colleague and about_member.aspect == work
    assert about_member.source == SOURCE
    assert about_member.received_on == datetime.date(2026, 4, 20)
    assert about_member.branch == f.org.branch_a1 and about_member.round == 1
    assert about_branch.subject_kind == Opinion.SubjectKind.BRANCH
    assert about_branch.subject_unit == f.org.branch_a1
    page = client.get(reverse("opinions:record_detail", args=[record.pk])).content.decode()
    assert "教学认真，科研偏少。" in page and "支部活动可以更活泼。" in page
    assert PARTICIPANTS in page  # the recorder sees who took part

    # The audit trail names the recorder, never the participants or the source.
    entries = AuditEntry.objects.filter(
        object_type__in=["opinions.opinion", "opinions.opinionrecord"]
    )
    assert entries.count() == 3
    assert set(entries.values_list("actor_id", flat=True)) == {f.cast.branch_committee.pk}
    for entry in entries:
        assert PARTICIPANTS not in str(entry.after) and SOURCE not in str(entry.after)


def test_a_symposium_gives_symposium_opinions(client, f):
    client.force_login(f.cast.secretary)
    _record(client, f, kind="symposium")
    record = OpinionRecord.objects.get()
    client.post(
        reverse("opinions:record_add_opinion", args=[record.pk]),
        {"about": "committee", "text": "希望党委多到支部来。"},
    )
    opinion = Opinion.objects.get()
    assert opinion.channel == Opinion.Channel.SYMPOSIUM
    assert opinion.subject_kind == Opinion.SubjectKind.COMMITTEE
    assert opinion.subject_unit == f.org.committee


def test_a_record_in_the_future_is_refused(client, f):
    client.force_login(f.cast.branch_committee)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _record(client, f, held_on=tomorrow.isoformat())
    assert response.status_code == 200
    assert "日期不能晚于今天" in response.content.decode()
    assert not OpinionRecord.objects.exists()


def test_a_record_for_a_branch_outside_ones_scope_is_refused(client, f):
    client.force_login(f.cast.branch_committee)
    response = _record(client, f, branch=f.org.branch_b1.pk)
    assert "不能为这个支部记录" in response.content.decode()
    assert not OpinionRecord.objects.exists()


def test_bad_opinions_are_refused_with_a_message_and_nothing_written(client, f):
    client.force_login(f.cast.branch_committee)
    _record(client, f)
    add = reverse("opinions:record_add_opinion", args=[OpinionRecord.objects.get().pk])
    too_long = client.post(add, {"about": "branch", "text": "长" * 10_000})
    assert too_long.status_code == 400
    assert "意见内容最多 2000 字，现在有 10000 字" in too_long.content.decode()
    stranger = client.post(
        add, {"about": f"member:{f.cast.other_member_record.pk}", "text": "意见"}
    )
    assert "请选择意见涉及的对象" in stranger.content.decode()
    assert not Opinion.objects.exists()


def test_script_and_emoji_are_shown_escaped(client, f):
    client.force_login(f.cast.branch_committee)
    _record(client, f)
    record = OpinionRecord.objects.get()
    text = "<script>alert(1)</script>很好👍"
    client.post(
        reverse("opinions:record_add_opinion", args=[record.pk]), {"about": "branch", "text": text}
    )
    assert Opinion.objects.get().text == text
    page = client.get(reverse("opinions:record_detail", args=[record.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;很好👍" in page


def test_a_recorder_does_not_see_opinions_about_themself_nor_who_gave_them(client, f):
    # The secretary (李书记) is a member of A1: a talk about them is recorded by a colleague.
    record = intake.record(SimpleNamespace(org=f.org, cast=f.cast))
    OpinionRecord.objects.filter(pk=record.pk).update(participants=PARTICIPANTS)
    secretary_member = f.cast.secretary.member
    services_intake.record_add_opinion(
        record=record,
        about=f"member:{secretary_member.pk}",
        text="书记应多听群众意见。",
        source=SOURCE,
    )
    client.force_login(f.cast.secretary)
    page = client.get(reverse("opinions:record_detail", args=[record.pk])).content.decode()
    assert "书记应多听群众意见。" not in page
    assert PARTICIPANTS not in page and SOURCE not in page
    # Their colleague on the committee sees it all.
    client.force_login(f.cast.branch_committee)
    page = client.get(reverse("opinions:record_detail", args=[record.pk])).content.decode()
    assert "书记应多听群众意见。" in page and PARTICIPANTS in page and SOURCE in page


def test_records_and_their_opinions_take_the_current_round(client, f):
    campaign = intake.campaign(f)
    OpinionRound.objects.create(
        campaign=campaign, branch=f.org.branch_a1, number=2, reason="表扬多"
    )
    client.force_login(f.cast.branch_committee)
    _record(client, f)
    record = OpinionRecord.objects.get()
    client.post(
        reverse("opinions:record_add_opinion", args=[record.pk]),
        {"about": "branch", "text": "第二轮"},
    )
    assert record.round == 2 and Opinion.objects.get().round == 2


def test_the_list_shows_records_of_ones_branches_only(client, f):
    client.force_login(f.cast.branch_committee)
    _record(client, f)
    listing = client.get(reverse("opinions:record_list")).content.decode()
    assert "2026-04-20" in listing
    client.force_login(f.cast.other_member)
    listing = client.get(reverse("opinions:record_list")).content.decode()
    assert "2026-04-20" not in listing
