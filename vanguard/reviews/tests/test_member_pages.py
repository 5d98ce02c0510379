"""The member's editor, the history page and the version comparison, as a member
and their reviewers see them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from vanguard.reviews import services
from vanguard.reviews.models import SelfAnalysis, SubmittedVersion
from vanguard.reviews.tests import factories_member as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def fx(org, cast):
    f.campaign(org)
    return SimpleNamespace(org=org, cast=cast)


def _login(client, user):
    client.force_login(user)
    return client


def _post(client, data, action="save"):
    return client.post(reverse("reviews:mine"), {**data, "action": action})


def test_the_editor_shows_four_sections_with_guidance_not_a_limit(client, fx):
    response = _login(client, fx.cast.member).get(reverse("reviews:mine"))
    page = response.content.decode()
    assert response.status_code == 200
    for label in ("查找问题", "剖析根源", "明确努力方向", "个人总结"):
        assert label in page
    assert "通常约 3000 字" in page
    assert "我的意见反馈" in page and "我的学习笔记" in page
    assert "maxlength" not in page


def test_a_long_text_is_saved_without_complaint(client, fx):
    _login(client, fx.cast.member)
    response = _post(client, {**f.TEXT, "problems": "字" * 9000, "base_version": 0})
    assert response.status_code == 302
    assert SelfAnalysis.objects.get().problems == "字" * 9000


def test_member_without_campaign_is_told_so(client, org, cast):
    response = _login(client, cast.member).get(reverse("reviews:mine"))
    assert "目前没有进行中的活动" in response.content.decode()


def test_save_then_submit_without_javascript(client, fx):
    _login(client, fx.cast.member)
    assert _post(client, {**f.TEXT, "base_version": 0}).status_code == 302
    response = _post(client, {**f.TEXT, "base_version": 1}, action="submit")
    assert response.status_code == 302
    doc = SelfAnalysis.objects.get()
    assert doc.state == SelfAnalysis.State.SUBMITTED
    page = client.get(reverse("reviews:mine")).content.decode()
    assert "正在等支部审阅" in page
    assert 'data-testid="readonly-document"' in page
    assert "<textarea" not in page


def test_a_double_submit_makes_one_version(client, fx):
    _login(client, fx.cast.member)
    data = {**f.TEXT, "base_version": 0}
    first = _post(client, data, action="submit")
    second = _post(client, data, action="submit")
    assert (first.status_code, second.status_code) == (302, 302)
    assert SubmittedVersion.objects.count() == 1


def test_submitting_an_empty_section_is_refused_and_named(client, fx):
    _login(client, fx.cast.member)
    response = _post(client, {**f.TEXT, "direction": "", "base_version": 0}, action="submit")
    assert response.status_code == 422
    assert "“明确努力方向”还是空的" in response.content.decode()
    assert not SubmittedVersion.objects.exists()
    assert SelfAnalysis.objects.get().state == SelfAnalysis.State.DRAFT


def test_a_returned_document_shows_the_reasons_and_feedback(client, fx):
    doc, version = f.submitted(fx)
    services.branch_review(
        document=doc,
        version=version,
        reviewer=fx.cast.secretary,
        criteria=f.ALL_OK,
        verdict="return",
        reasons="问题找得不准；根源剖析不深",
        achievements="态度认真",
        directions="联系教学实际",
    )
    page = _login(client, fx.cast.member).get(reverse("reviews:mine")).content.decode()
    assert "退回给您修改" in page
    assert "问题找得不准；根源剖析不深" in page
    assert "态度认真" in page and "联系教学实际" in page
    assert "<textarea" in page


def test_committee_guidance_comes_down_to_the_member(client, fx):
    doc = f.with_committee(fx)
    services.committee_respond(
        document=doc, text="请进一步联系思想实际", user=fx.cast.committee_admin
    )
    page = _login(client, fx.cast.member).get(reverse("reviews:mine")).content.decode()
    assert "党委的意见" in page and "请进一步联系思想实际" in page
    assert "第2轮" in page or "第 2 轮" in page


def test_history_lists_versions_reviews_and_verdicts(client, fx):
    doc, version = f.submitted(fx)
    services.branch_review(
        document=doc,
        version=version,
        reviewer=fx.cast.secretary,
        criteria=f.ALL_OK,
        verdict="return",
        reasons="要具体",
    )
    page = (
        _login(client, fx.cast.gb_secretary)
        .get(reverse("reviews:history", args=[doc.pk]))
        .content.decode()
    )
    assert "第 1 版" in page
    assert "退回修改" in page and "要具体" in page
    assert "secretary" in page
    assert "问题是否找准" in page


def test_compare_marks_the_revision(client, fx):
    doc, version = f.submitted(fx)
    services.branch_review(
        document=doc,
        version=version,
        reviewer=fx.cast.secretary,
        criteria=f.ALL_OK,
        verdict="return",
        reasons="要具体",
    )
    doc.refresh_from_db()
    doc = services.draft_save(
        document=doc,
        data={"problems": "理论学习不够系统，联系实际不够。"},
        base_version=doc.draft_version,
        user=fx.cast.member,
    )
    services.document_submit(document=doc, base_version=doc.draft_version, user=fx.cast.member)
    page = (
        _login(client, fx.cast.secretary)
        .get(reverse("reviews:compare", args=[doc.pk]), {"a": 1, "b": 2})
        .content.decode()
    )
    assert "<del>学习时间不足</del>" in page
    assert "<ins>联系实际不够</ins>" in page
    assert "无改动" in page  # the other sections


def test_compare_with_an_unknown_version_falls_back_with_a_message(client, fx):
    doc, _v = f.submitted(fx)
    page = (
        _login(client, fx.cast.member)
        .get(reverse("reviews:compare", args=[doc.pk]), {"a": "x"})
        .content.decode()
    )
    assert "至少要有两个提交的版本" in page


def test_others_cannot_open_the_history(client, fx):
    doc, _v = f.submitted(fx)
    for user in (fx.cast.other_member, fx.cast.group_leader):
        client.logout()
        response = _login(client, user).get(reverse("reviews:history", args=[doc.pk]))
        assert response.status_code == 404
