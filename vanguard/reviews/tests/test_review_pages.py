"""The reviewers' pages: the branch queue and review form, the grade facts of rounds 2
and 3, the committee's guidance (one document or several), and who may do what."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from conftest import make_member, make_user
from vanguard.reviews import services
from vanguard.reviews.models import CRITERIA, BranchReview, CommitteeResponse, SelfAnalysis
from vanguard.reviews.tests import factories_member as docs

pytestmark = pytest.mark.django_db


@pytest.fixture
def fx(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def submit_for(member, user, fx) -> SelfAnalysis:
    campaign = docs.campaign(fx.org)
    document = services.document_for_member(member=member, campaign=campaign)
    document = services.draft_save(
        document=document, data=docs.TEXT, base_version=document.draft_version, user=user
    )
    services.document_submit(document=document, base_version=document.draft_version, user=user)
    document.refresh_from_db()
    return document


def review_post(verdict: str, *, reasons: str = "", version: int = 1, ok: str = "yes") -> dict:
    data = {"version": version, "verdict": verdict, "reasons": reasons}
    for name, _label in CRITERIA:
        data[f"{name}_ok"] = ok
        data[f"{name}_comment"] = "基本做到"
    data["achievements"] = "态度端正"
    data["problems"] = "剖析不够深"
    data["directions"] = "联系岗位实际"
    return data


def test_secretary_sees_submitted_document_in_queue_with_every_members_state(client, fx):
    document, _version = docs.submitted(fx)
    client.force_login(fx.cast.secretary)
    page = client.get(reverse("reviews:queue")).content.decode()
    assert reverse("reviews:review", args=[document.pk]) in page
    assert "王小明" in page
    assert "张丽" in page  # no document yet: shown as not started
    assert "尚未开始" in page


def test_review_page_shows_four_sections_criteria_and_both_buttons(client, fx):
    document, _version = docs.submitted(fx)
    client.force_login(fx.cast.secretary)
    page = client.get(reverse("reviews:review", args=[document.pk])).content.decode()
    for text in docs.TEXT.values():
        assert text in page
    for label in ("问题是否找准", "认识是否清楚", "整改方向是否明确", "通过，报党委", "退回修改"):
        assert label in page


def test_return_without_reason_is_refused_and_changes_nothing(client, fx):
    document, _version = docs.submitted(fx)
    client.force_login(fx.cast.secretary)
    response = client.post(reverse("reviews:review", args=[document.pk]), review_post("return"))
    assert response.status_code == 400
    assert "退回修改时必须写明退回理由。" in response.content.decode()
    document.refresh_from_db()
    assert document.state == SelfAnalysis.State.SUBMITTED
    assert not BranchReview.objects.exists()


def test_missing_criterion_answer_is_refused(client, fx):
    document, _version = docs.submitted(fx)
    client.force_login(fx.cast.secretary)
    data = review_post("pass")
    del data["problem_found_ok"]
    response = client.post(reverse("reviews:review", args=[document.pk]), data)
    assert response.status_code == 400
    assert "请对“问题是否找准”选择“是”或“否”。" in response.content.decode()
    assert not BranchReview.objects.exists()


def test_secretary_returns_with_two_reasons_and_member_is_back_to_revising(client, fx):
    document, _version = docs.submitted(fx)
    client.force_login(fx.cast.secretary)
    reasons = "1. 问题查找不具体\n2. 整改措施缺少时限"
    response = client.post(
        reverse("reviews:review", args=[document.pk]), review_post("return", reasons=reasons)
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.state == SelfAnalysis.State.RETURNED
    review = BranchReview.objects.get()
    assert review.reasons == reasons
    assert review.criteria["problem_found"] == {"ok": True, "comment": "基本做到"}
    assert review.achievements == "态度端正"
    page = client.get(reverse("reviews:review", args=[document.pk])).content.decode()
    assert "整改措施缺少时限" in page


def test_reviewing_a_document_outside_ones_branch_is_not_found(client, fx):
    other = submit_for(fx.cast.other_member_record, fx.cast.other_member, fx)
    client.force_login(fx.cast.secretary)
    url = reverse("reviews:review", args=[other.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, review_post("pass")).status_code == 404
    other.refresh_from_db()
    assert other.state == SelfAnalysis.State.SUBMITTED


def test_secretary_cannot_review_own_document_but_branch_committee_can(client, fx):
    own = submit_for(fx.cast.secretary.member, fx.cast.secretary, fx)
    client.force_login(fx.cast.secretary)
    queue = client.get(reverse("reviews:queue")).content.decode()
    assert f'href="{reverse("reviews:review", args=[own.pk])}" role="button"' not in queue
    page = client.get(reverse("reviews:review", args=[own.pk])).content.decode()
    assert 'value="pass"' not in page
    assert (
        client.post(reverse("reviews:review", args=[own.pk]), review_post("pass")).status_code
        == 403
    )
    own.refresh_from_db()
    assert own.state == SelfAnalysis.State.SUBMITTED

    client.force_login(fx.cast.branch_committee)
    response = client.post(reverse("reviews:review", args=[own.pk]), review_post("pass"))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.state == SelfAnalysis.State.WITH_COMMITTEE


def test_observer_reads_the_document_but_gets_no_form_and_cannot_post(client, fx):
    document, _version = docs.submitted(fx)
    client.force_login(fx.cast.observer)
    page = client.get(reverse("reviews:review", args=[document.pk])).content.decode()
    assert docs.TEXT["problems"] in page
    assert 'value="pass"' not in page
    assert (
        client.post(reverse("reviews:review", args=[document.pk]), review_post("pass")).status_code
        == 403
    )
    assert client.get(reverse("reviews:queue")).status_code == 403
    assert client.get(reverse("reviews:committee")).status_code == 403


def test_reviewing_an_older_version_is_refused(client, fx):
    document, _version = docs.submitted(fx)
    client.force_login(fx.cast.secretary)
    response = client.post(
        reverse("reviews:review", args=[document.pk]), review_post("pass", version=7)
    )
    assert response.status_code == 400
    assert "只能审阅最新提交的版本" in response.content.decode()


def _to_round_two(fx) -> SelfAnalysis:
    document = docs.with_committee(fx)
    services.committee_respond(document=document, text="指导意见", user=fx.cast.committee_admin)
    document.refresh_from_db()
    document = services.draft_save(
        document=document,
        data={"problems": "修改后的问题"},
        base_version=document.draft_version,
        user=fx.cast.member,
    )
    services.document_submit(
        document=document, base_version=document.draft_version, user=fx.cast.member
    )
    document.refresh_from_db()
    return document


def test_round_two_shows_the_systems_facts_and_asks_for_none_of_them(client, fx):
    document = _to_round_two(fx)
    client.force_login(fx.cast.secretary)
    page = client.get(reverse("reviews:review", args=[document.pk])).content.decode()
    assert "第2轮评议与等级情况" in page
    assert "尚未投票" in page and "尚未初评" in page
    # The stale "recorded by hand until the data is connected" text is gone, and the
    # only field about the facts is the optional note.
    assert "数据接入之前" not in page
    assert 'name="grade_fact"' not in page
    assert 'name="note"' in page


def test_round_two_pass_needs_the_systems_facts_or_a_note(client, fx):
    document = _to_round_two(fx)
    assert document.current_round == 2
    latest = document.versions.order_by("-number").first().number
    client.force_login(fx.cast.secretary)
    url = reverse("reviews:review", args=[document.pk])
    response = client.post(url, review_post("pass", version=latest))
    assert response.status_code == 400
    assert "系统中须有本轮的评议与等级情况" in response.content.decode()
    document.refresh_from_db()
    assert document.state == SelfAnalysis.State.SUBMITTED

    response = client.post(
        reverse("reviews:grade_fact", args=[document.pk]), {"note": "评议会在系统外用纸质选票进行"}
    )
    assert response.status_code == 302
    assert document.rounds.get(number=2).note == "评议会在系统外用纸质选票进行"
    assert client.post(url, review_post("pass", version=latest)).status_code == 302
    document.refresh_from_db()
    assert document.state == SelfAnalysis.State.WITH_COMMITTEE


def test_an_empty_note_is_allowed_and_a_long_one_refused(client, fx):
    document = _to_round_two(fx)
    client.force_login(fx.cast.secretary)
    url = reverse("reviews:grade_fact", args=[document.pk])
    assert client.post(url, {"note": ""}).status_code == 302
    response = client.post(url, {"note": "长" * 301})
    assert response.status_code == 400
    assert document.rounds.get(number=2).note == ""


def test_committee_response_before_the_branch_passed_is_refused(client, fx):
    document, _version = docs.submitted(fx)
    client.force_login(fx.cast.committee_admin)
    response = client.post(
        reverse("reviews:committee_respond", args=[document.pk]), {"text": "同意"}
    )
    assert response.status_code == 400
    assert "支部尚未通过本轮材料" in response.content.decode()
    assert not CommitteeResponse.objects.exists()
    document.refresh_from_db()
    assert document.state == SelfAnalysis.State.SUBMITTED


def test_committee_guidance_comes_back_down_to_the_branch_queue(client, fx):
    document = docs.with_committee(fx)
    client.force_login(fx.cast.committee_admin)
    listing = client.get(reverse("reviews:committee")).content.decode()
    assert "王小明" in listing
    page = client.get(reverse("reviews:review", args=[document.pk])).content.decode()
    assert "党委指导意见" in page
    response = client.post(
        reverse("reviews:committee_respond", args=[document.pk]),
        {"text": "请联系本职工作深化剖析。"},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.current_round, document.state) == (2, SelfAnalysis.State.DRAFT)

    client.force_login(fx.cast.secretary)
    assert "请联系本职工作深化剖析。" in client.get(reverse("reviews:queue")).content.decode()


def test_committee_list_filters_by_round_and_unit(client, fx):
    docs.with_committee(fx)
    client.force_login(fx.cast.committee_admin)
    url = reverse("reviews:committee")
    assert "王小明" in client.get(url, {"round": 1, "unit": fx.org.gb_a.pk}).content.decode()
    assert "王小明" not in client.get(url, {"round": 2}).content.decode()
    assert "王小明" not in client.get(url, {"unit": fx.org.gb_b.pk}).content.decode()


def _second_member_with_committee(fx) -> SelfAnalysis:
    user = make_user("zhaoqiang")
    member = make_member(name="赵强", number="T0009", branch=fx.org.branch_a1, user=user)
    document = submit_for(member, user, fx)
    services.branch_review(
        document=document,
        version=document.versions.get(),
        reviewer=fx.cast.secretary,
        criteria=docs.ALL_OK,
        verdict="pass",
    )
    document.refresh_from_db()
    return document


def test_committee_answers_several_documents_at_once(client, fx):
    first = docs.with_committee(fx)
    second = _second_member_with_committee(fx)
    client.force_login(fx.cast.committee_admin)
    response = client.post(
        reverse("reviews:committee_bulk"),
        {"documents": [first.pk, second.pk], "text": "同意支部意见。"},
    )
    assert response.status_code == 302
    assert CommitteeResponse.objects.filter(text="同意支部意见。").count() == 2
    for document in (first, second):
        document.refresh_from_db()
        assert document.current_round == 2


def test_bulk_answer_with_a_document_no_longer_waiting_changes_nothing(client, fx):
    first = docs.with_committee(fx)
    other, _version = (submit_for(fx.cast.secretary.member, fx.cast.secretary, fx), None)
    client.force_login(fx.cast.committee_admin)
    response = client.post(
        reverse("reviews:committee_bulk"), {"documents": [first.pk, other.pk], "text": "同意。"}
    )
    assert response.status_code == 400
    assert "已不在待党委意见状态" in response.content.decode()
    assert not CommitteeResponse.objects.exists()


def test_bulk_answer_without_text_is_refused(client, fx):
    first = docs.with_committee(fx)
    client.force_login(fx.cast.committee_admin)
    response = client.post(reverse("reviews:committee_bulk"), {"documents": [first.pk], "text": ""})
    assert response.status_code == 400
    assert "请填写党委意见。" in response.content.decode()
    assert not CommitteeResponse.objects.exists()


def test_compare_link_appears_once_there_are_two_versions(client, fx):
    document, _version = docs.submitted(fx)
    client.force_login(fx.cast.secretary)
    client.post(
        reverse("reviews:review", args=[document.pk]), review_post("return", reasons="不具体")
    )
    document.refresh_from_db()
    document = services.draft_save(
        document=document,
        data={"problems": "具体的问题"},
        base_version=document.draft_version,
        user=fx.cast.member,
    )
    services.document_submit(
        document=document, base_version=document.draft_version, user=fx.cast.member
    )
    page = client.get(reverse("reviews:review", args=[document.pk])).content.decode()
    assert f"{reverse('reviews:compare', args=[document.pk])}?a=1&amp;b=2" in page
