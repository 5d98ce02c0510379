"""The self-analysis state machine: what each step allows, and every refusal says
why in Chinese and writes nothing. Who may take each step is `reviews.access`'s
(the callers fetch the document with the capability they need): checked here too."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from vanguard.audit.models import AuditEntry
from vanguard.reviews import access, services
from vanguard.reviews.models import (
    BranchReview,
    CommitteeResponse,
    ReviewRound,
    SelfAnalysis,
    SubmittedVersion,
)
from vanguard.reviews.tests import factories_member as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def fx(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _counts():
    return (
        SubmittedVersion.objects.count(),
        BranchReview.objects.count(),
        CommitteeResponse.objects.count(),
        ReviewRound.objects.count(),
        list(SelfAnalysis.objects.values_list("state", "draft_version", "current_round")),
    )


def test_first_open_creates_a_draft_in_round_one(fx):
    doc = f.document(fx)
    assert doc.state == SelfAnalysis.State.DRAFT
    assert doc.current_round == 1
    assert list(doc.rounds.values_list("number", flat=True)) == [1]
    assert services.document_for_member(member=fx.cast.member_record).pk == doc.pk


def test_no_active_campaign_means_no_document(fx):
    assert services.document_for_member(member=fx.cast.member_record) is None


def test_a_save_moves_the_draft_version_on(fx):
    doc = f.document(fx)
    saved = services.draft_save(
        document=doc, data={"problems": "新的问题"}, base_version=0, user=fx.cast.member
    )
    assert saved.draft_version == 1
    assert saved.problems == "新的问题"
    assert saved.draft_saved_at is not None
    assert AuditEntry.objects.filter(object_id=str(doc.pk), actor_id=fx.cast.member.pk).exists()


def test_a_stale_save_is_refused_and_carries_the_saved_text(fx):
    doc = f.document(fx)
    services.draft_save(
        document=doc, data={"problems": "甲的文字"}, base_version=0, user=fx.cast.member
    )
    with pytest.raises(services.StaleDraft) as refused:
        services.draft_save(
            document=doc, data={"problems": "乙的文字"}, base_version=0, user=fx.cast.member
        )
    assert refused.value.current.problems == "甲的文字"
    assert refused.value.current_version == 1
    assert "另一次保存" in str(refused.value)
    doc.refresh_from_db()
    assert doc.problems == "甲的文字"


def test_only_the_author_saves(fx):
    doc = f.document(fx)
    with pytest.raises(PermissionDenied):
        access.get_self_analysis_for_user(
            fx.cast.secretary, doc.pk, need=access.can_edit_self_analysis
        )
    doc.refresh_from_db()
    assert doc.problems == "" and doc.draft_version == 0


def test_submitting_an_empty_section_names_it_and_writes_nothing(fx):
    doc = f.document(fx)
    doc = services.draft_save(
        document=doc, data={**f.TEXT, "roots": "  "}, base_version=0, user=fx.cast.member
    )
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.document_submit(document=doc, base_version=doc.draft_version, user=fx.cast.member)
    assert "剖析根源" in refused.value.message_dict["roots"][0]
    assert _counts() == before


def test_submit_freezes_a_version_and_a_double_click_makes_one(fx):
    doc = f.filled(fx)
    first = services.document_submit(
        document=doc, base_version=doc.draft_version, user=fx.cast.member
    )
    again = services.document_submit(
        document=doc, base_version=doc.draft_version, user=fx.cast.member
    )
    assert first.pk == again.pk
    assert SubmittedVersion.objects.filter(document=doc).count() == 1
    assert first.number == 1 and first.round == 1
    assert first.problems == f.TEXT["problems"]
    doc.refresh_from_db()
    assert doc.state == SelfAnalysis.State.SUBMITTED


def test_no_saving_while_submitted(fx):
    doc, _version = f.submitted(fx)
    with pytest.raises(ValidationError) as refused:
        services.draft_save(
            document=doc,
            data={"problems": "改"},
            base_version=doc.draft_version,
            user=fx.cast.member,
        )
    assert "不能修改" in refused.value.messages[0]
    doc.refresh_from_db()
    assert doc.problems == f.TEXT["problems"]


def test_reviewing_outside_ones_branch_is_refused(fx, cast, org):
    from conftest import make_member, make_user
    from vanguard.accounts.models import Role, RoleAssignment

    doc, _version = f.submitted(fx)
    stranger = make_user("b1secretary")
    RoleAssignment.objects.create(user=stranger, role=Role.BRANCH_SECRETARY, unit=org.branch_b1)
    make_member(name="外支部书记", number="S0009", branch=org.branch_b1, user=stranger)
    with pytest.raises(Http404):  # another branch's secretary does not see it
        access.get_self_analysis_for_user(stranger, doc.pk, need=access.can_branch_review)
    for reviewer in (cast.gb_secretary, cast.member, cast.observer):
        with pytest.raises(PermissionDenied) as refused:
            access.get_self_analysis_for_user(reviewer, doc.pk, need=access.can_branch_review)
        assert "支部" in str(refused.value)


def test_returning_without_a_reason_is_refused(fx):
    doc, version = f.submitted(fx)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.branch_review(
            document=doc,
            version=version,
            reviewer=fx.cast.secretary,
            criteria=f.ALL_OK,
            verdict="return",
            reasons="   ",
        )
    assert refused.value.message_dict["reasons"] == ["退回修改时必须写明退回理由。"]
    assert _counts() == before


def test_every_criterion_needs_a_yes_or_no(fx):
    doc, version = f.submitted(fx)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.branch_review(
            document=doc,
            version=version,
            reviewer=fx.cast.secretary,
            criteria={"problem_found": {"ok": True}},
            verdict="pass",
        )
    assert "认识是否清楚" in refused.value.message_dict["understanding_clear"][0]
    assert _counts() == before


def test_returned_then_resubmitted_then_passed(fx):
    doc, version = f.submitted(fx)
    review = services.branch_review(
        document=doc,
        version=version,
        reviewer=fx.cast.secretary,
        criteria=f.ALL_OK,
        verdict="return",
        reasons="问题找得不准",
        problems="要具体",
    )
    doc.refresh_from_db()
    assert doc.state == SelfAnalysis.State.RETURNED
    assert review.round.number == 1 and review.reasons == "问题找得不准"
    doc = services.draft_save(
        document=doc,
        data={"problems": "改写后的问题"},
        base_version=doc.draft_version,
        user=fx.cast.member,
    )
    second = services.document_submit(
        document=doc, base_version=doc.draft_version, user=fx.cast.member
    )
    assert second.number == 2 and second.round == 1
    services.branch_review(
        document=doc,
        version=second,
        reviewer=fx.cast.branch_committee,
        criteria=f.ALL_OK,
        verdict="pass",
    )
    doc.refresh_from_db()
    assert doc.state == SelfAnalysis.State.WITH_COMMITTEE


def test_only_the_latest_version_is_reviewed(fx):
    doc, version = f.submitted(fx)
    services.branch_review(
        document=doc,
        version=version,
        reviewer=fx.cast.secretary,
        criteria=f.ALL_OK,
        verdict="return",
        reasons="再改",
    )
    doc.refresh_from_db()
    services.document_submit(document=doc, base_version=doc.draft_version, user=fx.cast.member)
    with pytest.raises(ValidationError) as refused:
        services.branch_review(
            document=doc,
            version=version,
            reviewer=fx.cast.secretary,
            criteria=f.ALL_OK,
            verdict="pass",
        )
    assert "最新" in refused.value.messages[0]


def test_committee_cannot_respond_before_the_branch_passed(fx):
    doc, _version = f.submitted(fx)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.committee_respond(document=doc, text="指导意见", user=fx.cast.committee_admin)
    assert "支部尚未通过" in refused.value.messages[0]
    assert _counts() == before


def test_only_the_committee_responds(fx):
    doc = f.with_committee(fx)
    for user in (fx.cast.secretary, fx.cast.gb_secretary, fx.cast.observer):
        with pytest.raises(PermissionDenied):
            access.get_self_analysis_for_user(user, doc.pk, need=access.can_committee_respond)
    assert not CommitteeResponse.objects.exists()


def test_three_rounds_up_and_down_to_approval(fx):
    doc = f.with_committee(fx)
    services.committee_respond(document=doc, text="第一轮指导意见", user=fx.cast.committee_admin)
    doc.refresh_from_db()
    assert (doc.state, doc.current_round) == (SelfAnalysis.State.DRAFT, 2)
    assert doc.rounds.get(number=1).closed_at is not None

    for number in (2, 3):
        version = services.document_submit(
            document=doc, base_version=doc.draft_version, user=fx.cast.member
        )
        assert version.round == number
        with pytest.raises(ValidationError) as refused:  # grade facts first
            services.branch_review(
                document=doc,
                version=version,
                reviewer=fx.cast.secretary,
                criteria=f.ALL_OK,
                verdict="pass",
            )
        assert "评议与等级情况" in refused.value.message_dict["grade_fact"][0]
        services.round_note_record(
            round=doc.rounds.get(number=number), text="评议在系统外进行", user=fx.cast.secretary
        )
        services.branch_review(
            document=doc,
            version=version,
            reviewer=fx.cast.secretary,
            criteria=f.ALL_OK,
            verdict="pass",
        )
        services.committee_respond(
            document=doc, text=f"第{number}轮意见", user=fx.cast.committee_admin
        )
        doc.refresh_from_db()

    assert doc.state == SelfAnalysis.State.APPROVED
    assert doc.current_round == 3
    assert CommitteeResponse.objects.filter(round__document=doc).count() == 3
    with pytest.raises(ValidationError):
        services.committee_respond(document=doc, text="再批一次", user=fx.cast.committee_admin)


def test_a_note_is_refused_for_round_one_and_by_the_member(fx):
    doc = f.document(fx)
    with pytest.raises(ValidationError):
        services.round_note_record(round=doc.rounds.get(number=1), text="x", user=fx.cast.secretary)
    round_two = ReviewRound.objects.create(document=doc, number=2)
    with pytest.raises(ValidationError):
        services.round_note_record(round=round_two, text="长" * 301, user=fx.cast.secretary)
    with pytest.raises(PermissionDenied):
        access.get_self_analysis_for_user(fx.cast.member, doc.pk, need=access.can_record_grade_fact)
    round_two.refresh_from_db()
    assert round_two.note == ""
