"""A member's plan on a phone, from their feedback sheet's points to a verified item:
what the member, their branch's officers and the committee notice."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vanguard.accounts.models import User
from vanguard.notices.models import Notification
from vanguard.rectification.models import Item, Plan, PlanDecision
from vanguard.rectification.plans import selectors, services
from vanguard.rectification.tests import factories_plans as fp

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _item_data(f, **extra):
    data = {
        "campaign": str(fp.campaign(f).pk),
        "problem": "联系群众不够",
        "measure": "每月与两名学生谈心",
        "standard": "谈心记录六次",
        "deadline": fp.in_days(60).isoformat(),
    }
    data.update(extra)
    return data


@pytest.fixture
def f(org, cast):
    class F:
        pass

    found = F()
    found.org, found.cast = org, cast  # type: ignore[attr-defined]
    return found


def test_member_sees_sheet_points_and_writes_an_item_for_one(f):
    fp.member_opinion(f)
    member = _client(f.cast.member)
    page = member.get("/rectification/plans/mine/")
    body = page.content.decode()
    assert page.status_code == 200
    assert fp.OPINION_TEXT in body
    assert "针对这条写整改事项" in body
    plan = selectors.member_plan_draft(fp.campaign(f), f.cast.member_record)
    token = selectors.sheet_points(plan)[0].points[0].token

    prefilled = member.get(f"/rectification/plans/mine/?point={token}").content.decode()
    assert f'value="o-{token}"' in prefilled and "checked" in prefilled
    assert not Plan.objects.exists()  # reading writes nothing

    response = member.post(
        "/rectification/plans/mine/items/new/",
        _item_data(f, problem=fp.OPINION_TEXT, links=[f"o-{token}"], tags=["teaching"]),
    )
    assert response.status_code == 302
    item = Item.objects.get()
    assert item.plan.member == f.cast.member_record
    assert item.responsible == f.cast.member_record  # themself by default
    assert item.tags == ["teaching"]
    assert item.links.get().opinion.text == fp.OPINION_TEXT
    page = member.get("/rectification/plans/mine/").content.decode()
    assert "已有 1 条事项" in page


def test_a_refused_first_item_starts_no_plan(f):
    member = _client(f.cast.member)
    response = member.post("/rectification/plans/mine/items/new/", _item_data(f, measure=""))
    assert response.status_code == 422
    assert not Plan.objects.exists()


def test_a_forged_point_token_is_refused(f):
    fp.member_opinion(f)
    member = _client(f.cast.member)
    response = member.post(
        "/rectification/plans/mine/items/new/", _item_data(f, links=["o-forged"])
    )
    assert response.status_code == 422
    assert not Item.objects.exists()


def test_member_cannot_link_a_colleagues_opinion(f):
    other = fp.factories.opinion(fp.campaign(f), f.org.branch_a1, about=f.cast.colleague_record)
    plan = fp.member_plan(f)
    keys = [c.key for c in selectors.link_choices(plan)]
    assert f"o-{selectors.point_token(plan, other.pk)}" not in keys


def test_submit_return_with_reason_then_approve(f):
    plan = fp.member_plan(f)
    member, secretary = _client(f.cast.member), _client(f.cast.secretary)
    assert (
        member.post(f"/rectification/plans/{plan.pk}/submit/", {"summary": ""}).status_code == 302
    )
    plan.refresh_from_db()
    assert plan.status == Plan.Status.SUBMITTED
    assert Notification.objects.filter(
        user=f.cast.secretary, key__startswith="plan-submitted"
    ).exists()
    queue = secretary.get(f"/rectification/c/{plan.campaign_id}/plans/").content.decode()
    assert "待审阅的整改计划" in queue and f.cast.member_record.name in queue
    # Locked while submitted.
    response = member.post(f"/rectification/plans/{plan.pk}/items/new/", _item_data(f))
    assert response.status_code == 422 and plan.items.count() == 1

    refused = secretary.post(f"/rectification/plans/{plan.pk}/review/", {"verdict": "return"})
    assert refused.status_code == 422  # a return needs a reason
    secretary.post(
        f"/rectification/plans/{plan.pk}/review/", {"verdict": "return", "reason": "措施不够具体"}
    )
    plan.refresh_from_db()
    assert plan.status == Plan.Status.RETURNED
    assert Notification.objects.filter(user=f.cast.member, text__contains="措施不够具体").exists()
    page = member.get("/rectification/plans/mine/").content.decode()
    assert "措施不够具体" in page and "退回理由" in page

    member.post(f"/rectification/plans/{plan.pk}/submit/", {"summary": "改好了"})
    secretary.post(f"/rectification/plans/{plan.pk}/review/", {"verdict": "approve"})
    plan.refresh_from_db()
    assert plan.status == Plan.Status.APPROVED and plan.approved_by == f.cast.secretary
    assert list(plan.decisions.values_list("verdict", flat=True)) == [
        PlanDecision.Verdict.RETURN,
        PlanDecision.Verdict.APPROVE,
    ]


def test_an_empty_plan_cannot_be_submitted(f):
    plan = fp.member_plan(f)
    plan.items.all().delete()
    response = _client(f.cast.member).post(f"/rectification/plans/{plan.pk}/submit/", {})
    assert response.status_code == 422
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT


def test_update_with_a_photo_then_done_then_verified(f, settings):
    plan = fp.member_plan(f, status=Plan.Status.APPROVED)
    item = plan.items.get()
    member, secretary = _client(f.cast.member), _client(f.cast.secretary)
    photo = SimpleUploadedFile("我的照片 GPS.png", fp.png_bytes(), content_type="image/png")
    response = member.post(
        f"/rectification/items/{item.pk}/updates/new/",
        {"on": fp.in_days(0).isoformat(), "text": "与两名学生谈心", "evidence": photo},
    )
    assert response.status_code == 302
    update = item.updates.get()
    assert update.evidence.name.endswith(".png") and "GPS" not in update.evidence.name
    item.refresh_from_db()
    assert item.status == Item.Status.IN_PROGRESS  # the first update starts it
    served = member.get(f"/rectification/updates/{update.pk}/evidence/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert (
        _client(f.cast.other_member)
        .get(f"/rectification/updates/{update.pk}/evidence/")
        .status_code
        == 404
    )

    member.post(f"/rectification/items/{item.pk}/status/", {"status": "done"})
    item.refresh_from_db()
    assert item.status == Item.Status.DONE
    assert Notification.objects.filter(user=f.cast.secretary, key__startswith="item-done").exists()
    # The member never verifies their own item.
    assert (
        member.post(f"/rectification/items/{item.pk}/verify/", {"outcome": "verified"}).status_code
        == 403
    )
    secretary.post(f"/rectification/items/{item.pk}/verify/", {"outcome": "verified", "note": "好"})
    item.refresh_from_db()
    assert item.status == Item.Status.VERIFIED and item.verified_by == f.cast.secretary
    assert Notification.objects.filter(user=f.cast.member, key__startswith="item-verified").exists()
    assert "已验收" in member.get("/rectification/plans/mine/").content.decode()


def test_a_refused_file_stores_nothing(f):
    item = fp.member_plan(f, status=Plan.Status.APPROVED).items.get()
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 10, content_type="image/png")
    response = _client(f.cast.member).post(
        f"/rectification/items/{item.pk}/updates/new/",
        {"on": fp.in_days(0).isoformat(), "evidence": bad},
    )
    assert response.status_code == 422
    assert "没有保存" in response.content.decode()
    assert not item.updates.exists()


def test_verification_not_passed_sends_it_back_with_a_note(f):
    item = fp.done_item(f)
    secretary = _client(f.cast.secretary)
    assert (
        secretary.post(
            f"/rectification/items/{item.pk}/verify/", {"outcome": "reopened"}
        ).status_code
        == 422
    )  # a note is needed
    secretary.post(
        f"/rectification/items/{item.pk}/verify/", {"outcome": "reopened", "note": "缺谈心记录"}
    )
    item.refresh_from_db()
    assert item.status == Item.Status.IN_PROGRESS and item.verify_note == "缺谈心记录"


def test_edit_and_delete_while_draft(f):
    item = fp.plan_item(f)
    member = _client(f.cast.member)
    assert member.get(f"/rectification/items/{item.pk}/edit/").status_code == 200
    member.post(f"/rectification/items/{item.pk}/edit/", _item_data(f, measure="每周读一章"))
    item.refresh_from_db()
    assert item.measure == "每周读一章"
    member.post(f"/rectification/items/{item.pk}/delete/")
    assert not Item.objects.filter(pk=item.pk).exists()


def test_branch_officers_start_and_write_the_branch_plan(f):
    secretary = _client(f.cast.secretary)
    campaign = fp.campaign(f)
    response = secretary.post(
        f"/rectification/c/{campaign.pk}/plans/start/", {"unit": str(f.org.branch_a1.pk)}
    )
    plan = Plan.objects.get(unit=f.org.branch_a1)
    assert response.status_code == 302 and plan.level == Plan.Level.BRANCH
    opinion = fp.factories.opinion(
        campaign,
        f.org.branch_a1,
        subject_kind="branch",
        subject_unit=f.org.branch_a1,
        text="支部组织生活不够规范",
    )
    key = f"o-{selectors.point_token(plan, opinion.pk)}"
    page = secretary.get(f"/rectification/plans/{plan.pk}/").content.decode()
    assert "支部组织生活不够规范" in page and key in page
    secretary.post(
        f"/rectification/plans/{plan.pk}/items/new/",
        _item_data(f, links=[key], responsible=str(f.cast.colleague_record.pk)),
    )
    item = plan.items.get()
    assert item.responsible == f.cast.colleague_record and item.links.get().opinion == opinion
    secretary.post(f"/rectification/plans/{plan.pk}/submit/", {})
    # The committee reviews the branch's plan; the branch's members read it once approved.
    assert _client(f.cast.member).get(f"/rectification/plans/{plan.pk}/").status_code == 404
    _client(f.cast.committee_admin).post(
        f"/rectification/plans/{plan.pk}/review/", {"verdict": "approve"}
    )
    assert _client(f.cast.member).get(f"/rectification/plans/{plan.pk}/").status_code == 200


def test_the_member_named_on_a_branch_item_reads_the_plan_and_reports_on_it(f):
    """The notice of an overdue or verified item leads the person responsible to the
    plan; before the branch's plan is approved it is theirs to read only because an
    item names them."""
    plan = fp.branch_plan(f)
    named = fp.factories.item(plan, problem="组织生活不规范", responsible=f.cast.member_record)
    colleague = User.objects.create_user(username="zhangli", password="x" * 12)
    f.cast.colleague_record.user = colleague
    f.cast.colleague_record.save(update_fields=["user"])
    assert _client(colleague).get(f"/rectification/plans/{plan.pk}/").status_code == 404
    member = _client(f.cast.member)
    page = member.get(f"/rectification/plans/{plan.pk}/")
    assert page.status_code == 200 and "组织生活不规范" in page.content.decode()
    moved = member.post(f"/rectification/items/{named.pk}/status/", {"status": "in_progress"})
    assert moved.status_code == 302
    named.refresh_from_db()
    assert named.status == Item.Status.IN_PROGRESS


def test_a_members_own_plan_names_no_one_else_responsible(f):
    """A member's plan answers what was said about them: no colleague may be named
    (they would read it); the form offers no one, and a forged choice is refused."""
    member = _client(f.cast.member)
    assert 'name="responsible"' not in member.get("/rectification/plans/mine/").content.decode()
    member.post("/rectification/plans/mine/items/new/", _item_data(f))
    plan = Plan.objects.get(member=f.cast.member_record)
    assert plan.items.get().responsible == f.cast.member_record
    with pytest.raises(ValidationError) as refused:
        services.item_create(
            plan=plan,
            problem="p",
            measure="m",
            standard="s",
            deadline=fp.in_days(30),
            responsible=f.cast.colleague_record,
            actor=f.cast.member,
        )
    assert "本人" in refused.value.message_dict["responsible"][0]
    assert plan.items.count() == 1
