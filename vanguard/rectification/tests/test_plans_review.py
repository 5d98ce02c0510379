"""Reviewing plans as the self-analysis review loop does: each decision freezes the plan
as it was decided on; after a return the reviewer reads what changed, side by side
(the review loop's diff, `lib.textdiff`); the writers read the reason and the history
of decisions; returns and verification tell the people concerned."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from vanguard.notices.models import Notification
from vanguard.rectification.models import Item, Plan, PlanDecision
from vanguard.rectification.plans import services, versions
from vanguard.rectification.tests import factories_plans as fp

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _notes(user, prefix: str) -> list[str]:
    return list(
        Notification.objects.filter(user=user, key__startswith=prefix)
        .order_by("pk")
        .values_list("text", flat=True)
    )


def _returned_then_revised(f) -> tuple[Plan, Item, Item]:
    """The cast member's plan with two items, returned by the secretary, then revised:
    the first item's measure rewritten, the second removed, a third added, the summary
    changed; then submitted again."""
    plan = fp.member_plan(f)
    first = plan.items.get()
    first.measure = "每周读一章"
    first.save()
    second = fp.factories.item(plan, problem="服务学生不够主动", order=2)
    services.plan_submit(plan=plan, summary="以学促改", actor=f.cast.member)
    services.plan_review(plan=plan, approve=False, reason="措施不够具体", actor=f.cast.secretary)
    plan.refresh_from_db()
    services.item_change(
        item=first,
        problem=first.problem,
        measure="每周读两章并写读书笔记",
        standard=first.standard,
        deadline=first.deadline,
        actor=f.cast.member,
    )
    services.item_delete(item=second, actor=f.cast.member)
    third = services.item_create(
        plan=plan,
        problem="与学生谈心少",
        measure="每月与两名学生谈心",
        standard="谈心记录六次",
        deadline=fp.in_days(60),
        actor=f.cast.member,
    )
    services.plan_submit(plan=plan, summary="以学促改，边学边改", actor=f.cast.member)
    plan.refresh_from_db()
    return plan, first, third


def test_a_decision_keeps_the_plan_as_it_was_decided_on(f):
    plan = fp.member_plan(f)
    opinion = fp.member_opinion(f)
    item = plan.items.get()
    item.links.create(target="opinion", opinion=opinion)
    item.tags = ["teaching"]
    item.save()
    services.plan_submit(plan=plan, summary="以学促改", actor=f.cast.member)
    decision = services.plan_review(
        plan=plan, approve=False, reason="措施不够具体", actor=f.cast.secretary
    )
    decision.refresh_from_db()
    assert decision.snapshot == {
        "summary": "以学促改",
        "items": [
            {
                "id": item.pk,
                "problem": fp.PROBLEM,
                "measure": item.measure,
                "responsible": "王小明",
                "standard": item.standard,
                "deadline": item.deadline.isoformat(),
                "tags": ["teaching"],
            }
        ],
    }
    # What an item answers is a reference, never copied: no opinion's text or source.
    assert fp.OPINION_TEXT not in str(decision.snapshot)
    assert "张三" not in str(decision.snapshot)


def test_after_a_return_the_reviewer_reads_what_changed_side_by_side(f):
    plan, first, _third = _returned_then_revised(f)
    page = _client(f.cast.secretary).get(f"/rectification/plans/{plan.pk}/").content.decode()
    assert "退回后的修改" in page and "措施不够具体" in page
    assert "css/textdiff.css" in page
    # The summary and the rewritten measure, marked as the review loop marks them.
    assert "以学促改<ins>，边学边改</ins>" in page
    assert "每周读<del>一章</del>" in page and "每周读<ins>两章并写读书笔记</ins>" in page
    assert 'class="doc-text diff-old"' in page and 'class="doc-text diff-new"' in page
    assert 'data-testid="change-changed-1"' in page
    assert 'data-testid="change-added-2"' in page and "新增第 2 条事项" in page
    assert 'data-testid="change-removed-2"' in page and "<del>服务学生不够主动</del>" in page
    # The first item's unchanged texts are not repeated as changes.
    assert 'data-testid="diff-item-1-standard"' not in page
    assert 'data-testid="diff-item-1-measure"' in page


def test_unchanged_items_are_named_and_an_unrevised_plan_says_so(f):
    plan = fp.member_plan(f)
    services.plan_submit(plan=plan, summary="", actor=f.cast.member)
    services.plan_review(plan=plan, approve=False, reason="再想想", actor=f.cast.secretary)
    plan.refresh_from_db()
    services.plan_submit(plan=plan, summary="", actor=f.cast.member)
    plan.refresh_from_db()
    changes = versions.changes_since_return(plan)
    assert changes is not None and not changes.any and changes.unchanged == [1]
    page = _client(f.cast.secretary).get(f"/rectification/plans/{plan.pk}/").content.decode()
    assert "都没有改动" in page


def test_no_comparison_before_a_return_nor_for_the_writer(f):
    plan = fp.member_plan(f)
    services.plan_submit(plan=plan, summary="", actor=f.cast.member)
    page = _client(f.cast.secretary).get(f"/rectification/plans/{plan.pk}/").content.decode()
    assert "退回后的修改" not in page and "textdiff.css" not in page

    plan, _first, _third = _returned_then_revised(f)
    mine = _client(f.cast.member).get("/rectification/plans/mine/").content.decode()
    assert "退回后的修改" not in mine
    # A decision written before snapshots were kept compares nothing, and fails nothing.
    PlanDecision.objects.filter(plan=plan).update(snapshot={})
    assert versions.changes_since_return(plan) is None
    page = _client(f.cast.secretary).get(f"/rectification/plans/{plan.pk}/")
    assert page.status_code == 200 and "退回后的修改" not in page.content.decode()


def test_the_writer_reads_the_reason_and_the_history_of_decisions(f):
    plan, _first, _third = _returned_then_revised(f)
    services.plan_review(plan=plan, approve=True, reason="", actor=f.cast.branch_committee)
    page = _client(f.cast.member).get("/rectification/plans/mine/").content.decode()
    history = page[page.index("审阅记录") :]
    assert history.index("退回修改") < history.index("审核通过")
    assert "措施不够具体" in history
    assert "secretary" in history and "zhiwei" in history  # who decided (their login names)
    assert history.count("<li>") == 2


def test_the_reason_is_shown_while_returned(f):
    plan = fp.member_plan(f)
    services.plan_submit(plan=plan, summary="", actor=f.cast.member)
    services.plan_review(plan=plan, approve=False, reason="问题要找准", actor=f.cast.secretary)
    page = _client(f.cast.member).get("/rectification/plans/mine/").content.decode()
    assert "退回理由" in page and "问题要找准" in page


def test_a_return_tells_the_writers_with_the_reason(f):
    plan = fp.member_plan(f)
    services.plan_submit(plan=plan, summary="", actor=f.cast.member)
    services.plan_review(plan=plan, approve=False, reason="措施不够具体", actor=f.cast.secretary)
    assert _notes(f.cast.member, "plan-returned") == ["整改计划被退回修改：措施不够具体"]
    assert not _notes(f.cast.secretary, "plan-returned")  # not the reviewer themself

    branch = fp.branch_plan(f)
    fp.factories.item(branch, responsible=f.cast.colleague_record, deadline=fp.in_days(20))
    services.plan_submit(plan=branch, summary="", actor=f.cast.secretary)
    services.plan_review(
        plan=branch, approve=False, reason="要有时限", actor=f.cast.committee_admin
    )
    for officer in (f.cast.secretary, f.cast.branch_committee):
        assert _notes(officer, "plan-returned") == ["整改计划被退回修改：要有时限"]


def test_a_resubmission_tells_the_reviewers_it_was_revised(f):
    _returned_then_revised(f)
    texts = _notes(f.cast.secretary, "plan-submitted")
    assert len(texts) == 2 and "重新提交" in texts[-1] and "王小明" in texts[-1]


def _branch_item_done(f) -> Item:
    """An item of the branch's plan the cast member is responsible for, done."""
    branch = fp.branch_plan(f)
    item = fp.factories.item(branch, responsible=f.cast.member_record, deadline=fp.in_days(20))
    Plan.objects.filter(pk=branch.pk).update(status=Plan.Status.SUBMITTED)
    branch.refresh_from_db()
    services.plan_review(plan=branch, approve=True, reason="", actor=f.cast.committee_admin)
    services.item_set_status(item=item, status=Item.Status.DONE, actor=f.cast.member)
    item.refresh_from_db()
    return item


def test_verification_tells_the_person_responsible_and_the_writers(f):
    item = _branch_item_done(f)
    assert _notes(f.cast.committee_admin, "item-done")  # the reviewers are asked to verify
    services.item_verify(item=item, passed=True, note="", actor=f.cast.committee_admin)
    for person in (f.cast.member, f.cast.secretary, f.cast.branch_committee):
        texts = _notes(person, "item-verified")
        assert len(texts) == 1 and texts[0] == "整改计划第1项已验收。"
    assert not _notes(f.cast.committee_admin, "item-verified")


def test_verification_sent_back_tells_them_what_is_missing(f):
    item = _branch_item_done(f)
    services.item_verify(item=item, passed=False, note="缺谈心记录", actor=f.cast.committee_admin)
    for person in (f.cast.member, f.cast.secretary, f.cast.branch_committee):
        assert _notes(person, "item-in_progress") == ["整改事项验收未通过：缺谈心记录"]


def test_a_member_plan_verification_tells_the_member_once(f):
    item = fp.done_item(f)  # the member writes the plan and is responsible
    services.item_verify(item=item, passed=False, note="缺记录", actor=f.cast.secretary)
    assert _notes(f.cast.member, "item-") == ["整改事项验收未通过：缺记录"]
