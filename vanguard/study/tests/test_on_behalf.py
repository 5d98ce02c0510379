"""Study work entered on a member's behalf (代录): an officer who keeps the branch's
records enters an elderly member's handwritten note; it is marked with who entered it,
counts for the member's requirement, and the member sees it as theirs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vanguard.campaigns.progress import member_progress
from vanguard.study.models import StudyWork

NEW = "study:work_create_for_member"

pytestmark = pytest.mark.django_db


def enter(client, member, **overrides):
    data = {
        "member": member.pk,
        "kind": "reading_note",
        "title": "学习党章的体会",
        "material": "《中国共产党章程》",
        "body": "手写稿照录：全心全意为人民服务。",
    }
    data.update(overrides)
    return client.post(reverse(NEW), data)


def test_a_secretary_enters_a_note_for_a_member_and_it_is_marked(client, cast, campaign):
    client.force_login(cast.secretary)
    response = enter(client, cast.colleague_record)
    work = StudyWork.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("study:work_detail", args=[work.pk])
    assert (work.member, work.campaign, work.entered_by) == (
        cast.colleague_record,
        campaign,
        cast.secretary,
    )
    page = client.get(response["Location"]).content.decode()
    assert f"由支部书记{cast.secretary}代录" in page
    listed = client.get(reverse("study:work_list")).content.decode()
    assert f"由支部书记{cast.secretary}代录" in listed


def test_the_member_sees_the_entered_work_in_their_list_and_it_counts(client, cast, campaign):
    client.force_login(cast.secretary)
    enter(client, cast.member_record, title="第一篇")
    _, before = member_progress(campaign=campaign, member=cast.member_record)
    assert before is not None and not before.complete  # two notes are asked for
    enter(client, cast.member_record, title="第二篇")
    _, after = member_progress(campaign=campaign, member=cast.member_record)
    assert after is not None and after.complete

    client.force_login(cast.member)
    home = client.get(reverse("study:home")).content.decode()
    assert "第一篇" in home and "第二篇" in home
    assert home.count(f"由支部书记{cast.secretary}代录") == 2
    work = StudyWork.objects.get(title="第一篇")
    assert client.get(reverse("study:work_detail", args=[work.pk])).status_code == 200


def test_the_entering_officer_and_the_member_may_correct_it_until_reviewed(client, cast, campaign):
    client.force_login(cast.secretary)
    enter(client, cast.member_record)
    work = StudyWork.objects.get()
    edit = reverse("study:work_edit", args=[work.pk])
    assert client.get(edit).status_code == 200
    changed = client.post(
        edit,
        {
            "kind": "reading_note",
            "title": "改过的标题",
            "material": "党章",
            "body": "x",
            "version": work.version,
        },
    )
    assert changed.status_code == 302
    work.refresh_from_db()
    assert work.title == "改过的标题"
    assert work.entered_by == cast.secretary  # still marked as entered on behalf
    client.force_login(cast.member)
    assert client.get(edit).status_code == 200
    # Another officer of the branch, who did not enter it, may not change it.
    client.force_login(cast.branch_committee)
    assert client.get(edit).status_code == 403


def test_only_members_of_branches_one_keeps_are_offered_and_accepted(client, cast, campaign):
    client.force_login(cast.secretary)
    form = client.get(reverse(NEW)).context["form"]
    offered = {m.name for m in form.fields["member"].queryset}
    assert offered == {"王小明", "张丽"}  # not the secretary themselves, not another branch
    refused = enter(client, cast.other_member_record)
    assert refused.status_code == 200
    assert refused.context["form"].errors["member"] == ["不能为这位党员代录：他不在您负责的支部。"]
    assert not StudyWork.objects.exists()


def test_a_general_branch_secretary_enters_in_their_own_role(client, cast, campaign):
    client.force_login(cast.gb_secretary)
    enter(client, cast.colleague_record)
    assert StudyWork.objects.get().entered_on_behalf_text == f"由党总支书记{cast.gb_secretary}代录"


@pytest.mark.parametrize("who", ["member", "supervisor", "observer", "group_leader"])
def test_who_keeps_no_branch_records_may_not_enter_for_others(client, cast, campaign, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse(NEW)).status_code == 403
    assert enter(client, cast.colleague_record).status_code == 403
    assert not StudyWork.objects.exists()


def test_a_members_own_work_is_not_marked(client, cast, campaign):
    client.force_login(cast.member)
    client.post(
        reverse("study:work_create"),
        {"kind": "reading_note", "title": "自己写的", "material": "党章", "body": "体会"},
    )
    work = StudyWork.objects.get()
    assert not work.is_entered_on_behalf
    assert "代录" not in client.get(reverse("study:work_detail", args=[work.pk])).content.decode()


def test_the_api_tells_the_member_who_entered_their_work(client, cast, campaign):
    client.force_login(cast.secretary)
    enter(client, cast.member_record)
    client.force_login(cast.member)
    works = client.get("/api/v1/study/works").json()
    items = works["items"] if isinstance(works, dict) else works
    assert [w["entered_by_role"] for w in items] == ["branch_secretary"]
