"""Reading and assessing notes: the supervisor's queue of A1's sampled members, the
read page (the notes themselves, assessed by content, never by length), save and
next, the link to order make-up work (补课), and the general branch reading all its
members first."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vanguard.campaigns.models import Campaign
from vanguard.supervision.models import NoteAssessment, NoteType
from vanguard.supervision.notes import services
from vanguard.supervision.tests import factories_notes as data

pytestmark = pytest.mark.django_db

GOOD = {"books": "good", "content": "good", "practice": "fair", "attitude": "good"}


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def test_the_supervisor_queue_lists_their_branch_members_unassessed_first(f, client):
    data.assessment(f)  # 王小明 read already
    client.force_login(f.cast.supervisor)
    page = client.get(f"/supervision/c/{data.campaign(f).pk}/queue/").content.decode()
    assert "张丽" in page and "王小明" in page
    assert page.index("张丽") < page.index("王小明")  # unassessed first
    assert "陈刚" not in page  # B1 is not theirs


def test_the_read_page_shows_the_notes_and_never_a_length(f, client):
    work = data.note(f, f.cast.member_record)
    client.force_login(f.cast.supervisor)
    page = client.get(f"/supervision/sampled/{data.a1_sampled(f).pk}/").content.decode()
    assert work.title in page
    assert "《中国共产党章程》" in page
    assert "<p>学习党章第二章" in page  # the sanitised body as HTML
    for criterion in ("书目", "内容", "联系实际", "态度", "需补课"):
        assert criterion in page
    assert "字数" not in page


def test_save_and_next_writes_the_assessment_and_opens_the_next_member(f, client):
    row = data.a1_sampled(f)
    colleague = data.sampled(f, f.cast.colleague_record)
    kind = data.note_type(f)
    client.force_login(f.cast.supervisor)
    response = client.post(
        f"/supervision/sampled/{row.pk}/",
        {**GOOD, "grade": "excellent", "note_type": kind.pk, "comment": "好", "then": "next"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/sampled/{colleague.pk}/"
    saved = NoteAssessment.objects.get(member=f.cast.member_record)
    assert (saved.level, saved.grade, saved.note_type, saved.sampled) == (
        "college",
        "excellent",
        kind,
        row,
    )
    assert saved.assessed_by == f.cast.supervisor

    # The last one: back to the queue, everything read.
    response = client.post(
        f"/supervision/sampled/{colleague.pk}/", {**GOOD, "grade": "pass", "then": "next"}
    )
    assert response["Location"] == f"/supervision/c/{data.campaign(f).pk}/queue/"


def test_changing_an_assessment_keeps_one_row(f, client):
    row = data.a1_sampled(f)
    client.force_login(f.cast.supervisor)
    for grade in ("good", "pass"):
        client.post(f"/supervision/sampled/{row.pk}/", {**GOOD, "grade": grade, "then": "stay"})
    assert list(NoteAssessment.objects.values_list("grade", flat=True)) == ["pass"]


def test_an_insufficient_note_offers_the_make_up_order(f, client):
    row = data.a1_sampled(f)
    client.force_login(f.cast.supervisor)
    client.post(f"/supervision/sampled/{row.pk}/", {**GOOD, "grade": "insufficient"})
    assessment = NoteAssessment.objects.get(member=f.cast.member_record)
    page = client.get(f"/supervision/sampled/{row.pk}/").content.decode()
    order = reverse("supervision:order_new", args=[data.campaign(f).pk])
    member = f.cast.member_record
    assert (
        f"{order}?branch={member.branch_id}&amp;member={member.pk}&amp;assessment={assessment.pk}"
        in page
    )


def test_a_missing_criterion_is_refused_with_a_message(f, client):
    row = data.a1_sampled(f)
    client.force_login(f.cast.supervisor)
    response = client.post(f"/supervision/sampled/{row.pk}/", {"books": "good", "grade": "good"})
    assert response.status_code == 200
    assert "aria-invalid" in response.content.decode()
    assert not NoteAssessment.objects.exists()


def test_the_general_branch_reads_all_its_members_first(f, client):
    data.cast_notes(f)
    campaign = data.campaign(f)
    client.force_login(f.cast.gb_secretary)
    page = client.get(f"/supervision/c/{campaign.pk}/queue/?level=general_branch").content.decode()
    assert "王小明" in page and "张丽" in page
    assert "陈刚" not in page  # the other general branch's

    url = f"/supervision/c/{campaign.pk}/members/{f.cast.member_record.pk}/assess/"
    response = client.post(url, {**GOOD, "grade": "insufficient", "then": "next"})
    assessment = NoteAssessment.objects.get(member=f.cast.member_record)
    assert (assessment.level, assessment.sampled) == ("general_branch", None)
    assert response["Location"] == (
        f"/supervision/c/{campaign.pk}/members/{f.cast.colleague_record.pk}/assess/"
    )


def test_the_college_reader_sees_what_the_general_branch_found(f, client):
    campaign = data.campaign(f)
    data.cast_notes(f)
    services.assessment_save(
        campaign=campaign,
        member=f.cast.member_record,
        level="general_branch",
        grade="insufficient",
        actor=f.cast.gb_secretary,
        **GOOD,
    )
    client.force_login(f.cast.supervisor)
    page = client.get(f"/supervision/sampled/{data.a1_sampled(f).pk}/").content.decode()
    assert "党总支评阅：需补课" in page


def test_the_rules_of_an_assessment(f):
    campaign = data.campaign(f)
    row = data.a1_sampled(f)
    elsewhere = Campaign.objects.create(
        name="另一次活动", kind=Campaign.Kind.EDUCATION, unit=f.org.committee, year=2025
    )
    foreign = NoteType.objects.create(campaign=elsewhere, name="摘录型")
    base = {"campaign": campaign, "member": row.member, "actor": f.cast.supervisor, **GOOD}
    with pytest.raises(ValidationError) as raised:
        services.assessment_save(
            level="college", sampled=row, grade="good", note_type=foreign, **base
        )
    assert "note_type" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        services.assessment_save(level="college", grade="good", **base)
    assert "sampled" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        services.assessment_save(level="college", sampled=row, grade="perfect", **base)
    assert "grade" in raised.value.message_dict
    without_notes = data.member_in(f.org.branch_a1, "X001")
    with pytest.raises(ValidationError) as raised:
        services.assessment_save(
            **{**base, "member": without_notes}, level="general_branch", grade="good"
        )
    assert "member" in raised.value.message_dict
    assert not NoteAssessment.objects.exists()
