"""The events a page promises to tell someone about (a self-analysis returned or
passed by the branch, the committee's guidance, grades approved, make-up orders,
deadlines) each tell exactly the people concerned once, in the app and by e-mail as
each chose; nothing told carries what anyone wrote or anything of a ballot."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from vanguard.campaigns.models import Phase
from vanguard.campaigns.tests.access_table_manage import education_campaign
from vanguard.grading import services as grading
from vanguard.grading.tests.factories import held_vote
from vanguard.grading.tests.test_grading import propose_all
from vanguard.notices import services
from vanguard.notices.models import NoticePreference, Notification
from vanguard.reviews import services as reviews
from vanguard.reviews.tests import factories_member as docs
from vanguard.supervision.remediation import services as remediation
from vanguard.supervision.tests import factories_remediation as orders

pytestmark = pytest.mark.django_db

REASONS = "剖析不深-秘密标记RZ41"
GUIDANCE = "请结合意见箱中学生反映的调课问题深入剖析-秘密标记GD77"
WANG = "wangxm@example.edu.cn"


@pytest.fixture
def fx(org, cast):
    cast.member_record.email = WANG
    cast.member_record.save()
    return SimpleNamespace(org=org, cast=cast)


def prefer(user, choice: str) -> None:
    services.notice_preference_set(user=user, email=choice)


def told(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def others(fx, *concerned) -> list[str]:
    """The texts anyone not concerned got."""
    ids = {u.pk for u in concerned}
    return list(Notification.objects.exclude(user_id__in=ids).values_list("text", flat=True))


def returned(fx, capture):
    document, version = docs.submitted(fx)
    with capture(execute=True):
        reviews.branch_review(
            document=document,
            version=version,
            reviewer=fx.cast.secretary,
            criteria=docs.ALL_OK,
            verdict="return",
            reasons=REASONS,
        )
    return document


# --- The self-analysis: the branch's verdict and the committee's guidance -------------


def test_a_returned_self_analysis_tells_its_member_once_in_the_app_and_by_mail(
    fx, django_capture_on_commit_callbacks
):
    returned(fx, django_capture_on_commit_callbacks)
    (text,) = told(fx.cast.member)
    assert "第1轮" in text and "退回修改" in text
    assert others(fx, fx.cast.member) == []
    (sent,) = mail.outbox
    assert sent.to == [WANG]
    assert "退回修改" in sent.subject
    # The branch's reasons are read on the member's page, never in what is sent.
    assert REASONS not in text + sent.subject + sent.body
    assert "/reviews/mine/" in sent.body


def test_the_review_reminder_does_not_repeat_a_return_already_told(
    fx, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    returned(fx, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("review_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(told(fx.cast.member)) == 1
    assert len(mail.outbox) == 1


def test_a_pass_tells_the_member_it_went_up_to_the_committee(
    fx, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        docs.with_committee(fx)
    assert [t for t in told(fx.cast.member) if "已通过支部审阅" in t] == [
        "您的党性分析材料（第1轮）已通过支部审阅，已报党委。"
    ]
    assert others(fx, fx.cast.member) == []


def test_committee_guidance_tells_the_member_without_its_words(
    fx, django_capture_on_commit_callbacks
):
    document = docs.with_committee(fx)
    before = Notification.objects.count()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reviews.committee_respond(document=document, text=GUIDANCE, user=fx.cast.committee_admin)
    new = Notification.objects.order_by("pk")[before:]
    assert [(n.user_id, n.url) for n in new] == [(fx.cast.member.pk, "/reviews/mine/")]
    assert "指导意见已下达" in new[0].text and "第2轮" in new[0].text
    (sent,) = mail.outbox
    assert sent.to == [WANG]
    assert GUIDANCE not in new[0].text + sent.subject + sent.body
    assert "意见箱" not in new[0].text + sent.body  # nor the source it names


# --- Grades approved, make-up orders ---------------------------------------------------


def test_approved_grades_tell_each_graded_member_once_and_no_one_else(
    fx, django_capture_on_commit_callbacks
):
    campaign = education_campaign(fx.org)
    branch = fx.org.branch_a1
    sheet = grading.grading_start(campaign=campaign, branch=branch)
    held_vote(branch, [{}] * 3)
    propose_all(sheet, fx.cast.secretary, 王小明="basically_qualified")
    grading.grading_submit(grading=sheet, explanation="", user=fx.cast.secretary)
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        grading.grading_decide(grading=sheet, approve=True, reason="", user=fx.cast.committee_admin)
    new = list(Notification.objects.order_by("pk")[before:])
    # 李书记 (the secretary) and 王小明 log in; 张丽 does not.
    assert sorted(n.user_id for n in new) == sorted([fx.cast.member.pk, fx.cast.secretary.pk])
    for n in new:
        assert "已经党委审批" in n.text
        # Neither the grade nor anything of the vote.
        assert not any(word in n.text for word in ("基本合格", "合格", "票", "优秀"))
    assert [m.to for m in mail.outbox] == [[WANG]]  # the secretary has no address
    assert "基本合格" not in mail.outbox[0].body


def test_a_make_up_order_tells_the_branch_secretary_and_the_member(
    fx, django_capture_on_commit_callbacks
):
    fx.cast.secretary.email = "li@example.edu.cn"
    fx.cast.secretary.save()
    with django_capture_on_commit_callbacks(execute=True):
        remediation.order_create(
            campaign=orders.campaign(fx),
            branch=fx.org.branch_a1,
            member=fx.cast.member_record,
            reason=orders.ORDER_REASON,
            deadline=orders.in_days(10),
            actor=fx.cast.supervisor,
        )
    assert len(told(fx.cast.member)) == 1
    assert len(told(fx.cast.secretary)) == 1
    assert others(fx, fx.cast.member, fx.cast.secretary) == []
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.edu.cn", WANG]


# --- The person's choice ---------------------------------------------------------------


def test_digest_and_none_keep_the_notice_in_the_app_but_send_no_mail_at_once(
    fx, django_capture_on_commit_callbacks
):
    prefer(fx.cast.member, NoticePreference.Email.DIGEST)
    returned(fx, django_capture_on_commit_callbacks)
    assert len(told(fx.cast.member)) == 1
    assert mail.outbox == []
    prefer(fx.cast.member, NoticePreference.Email.NONE)
    document = returned_again(fx, django_capture_on_commit_callbacks)
    assert document.state == "returned"
    assert len(told(fx.cast.member)) == 2
    assert mail.outbox == []


def returned_again(fx, capture):
    document = reviews.document_for_member(member=fx.cast.member_record)
    reviews.document_submit(
        document=document, base_version=document.draft_version, user=fx.cast.member
    )
    return returned(fx, capture)


def test_deadline_reminders_follow_the_choice_too(fx, django_capture_on_commit_callbacks):
    start = timezone.localdate() - datetime.timedelta(days=68)
    campaign = education_campaign(fx.org, start_on=start)
    campaign.phases.filter(key="study").update(status=Phase.Status.OPEN)
    prefer(fx.cast.member, NoticePreference.Email.NONE)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send()
    assert any("截止" in t for t in told(fx.cast.member))
    assert WANG not in [m.to[0] for m in mail.outbox]


def test_nothing_is_mailed_inside_mail_off(fx, django_capture_on_commit_callbacks):
    with services.mail_off():
        returned(fx, django_capture_on_commit_callbacks)
    assert len(told(fx.cast.member)) == 1
    assert mail.outbox == []


# --- The daily digest ------------------------------------------------------------------


def test_the_digest_lists_the_days_notices_in_one_mail_sent_once(
    fx, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    prefer(fx.cast.member, NoticePreference.Email.DIGEST)
    returned(fx, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        remediation.order_create(
            campaign=orders.campaign(fx),
            branch=fx.org.branch_a1,
            member=fx.cast.member_record,
            reason=orders.ORDER_REASON,
            deadline=orders.in_days(10),
            actor=fx.cast.supervisor,
        )
    assert mail.outbox == []
    out = open("/dev/null", "w")  # noqa: SIM115
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notice_digest", stdout=out)
    (digest,) = mail.outbox
    assert digest.to == [WANG]
    assert "每日提醒摘要" in digest.subject
    assert "2 条新提醒" in digest.body
    assert "退回修改" in digest.body and "补课通知" in digest.body
    assert timezone.localdate().isoformat() in digest.body
    assert REASONS not in digest.body and orders.ORDER_REASON not in digest.body
    # A second run the same day sends nothing, even with a new notice since.
    with django_capture_on_commit_callbacks(execute=True):
        returned_again(fx, django_capture_on_commit_callbacks)
        call_command("notice_digest", stdout=out)
    assert len(mail.outbox) == 1
    # The next day's digest lists only what the first did not.
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notice_digest", f"--today={tomorrow}", stdout=out)
    assert len(mail.outbox) == 2
    assert "1 条新提醒" in mail.outbox[1].body


def test_the_digest_goes_only_to_those_who_chose_it(fx, django_capture_on_commit_callbacks):
    fx.cast.other_member.email = "chen@example.edu.cn"
    fx.cast.other_member.save()
    prefer(fx.cast.other_member, NoticePreference.Email.NONE)
    services.notify_many(
        [
            services.Message(fx.cast.member.pk, "提醒一", "", "t:1"),
            services.Message(fx.cast.other_member.pk, "提醒二", "", "t:2"),
        ]
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notice_digest_send() == 0
    assert mail.outbox == []


# --- The page ----------------------------------------------------------------------------


def test_a_person_sets_their_choice_on_the_notices_page(client, fx):
    client.force_login(fx.cast.member)
    page = client.get("/notices/").content.decode()
    assert "每条提醒都发一封邮件" in page
    response = client.post("/notices/preferences/", {"email": "digest"})
    assert response.status_code == 302
    assert NoticePreference.objects.get(user=fx.cast.member).email == "digest"
    assert "每天一封摘要邮件" in client.get("/notices/").content.decode()
    form = client.get("/notices/preferences/").content.decode()
    (checked,) = re.findall(r"<input[^>]* checked[^>]*>", form)
    assert 'value="digest"' in checked
    assert client.post("/notices/preferences/", {"email": "pigeon"}).status_code == 200
    assert NoticePreference.objects.get(user=fx.cast.member).email == "digest"


# --- Make-up orders' deadlines -------------------------------------------------------------


def test_an_order_near_its_deadline_and_past_it_reminds_once_each(
    fx, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from vanguard.supervision.models import RemediationOrder

    order = orders.member_order(fx)  # 王小明 responsible, due in ten days
    out = open("/dev/null", "w")  # noqa: SIM115
    call_command("order_reminders", stdout=out)
    assert Notification.objects.count() == 0  # not near yet
    RemediationOrder.objects.filter(pk=order.pk).update(deadline=orders.in_days(2))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("order_reminders", stdout=out)
        call_command("order_reminders", stdout=out)
    (mine,) = told(fx.cast.member)
    assert "到期" in mine and orders.in_days(2).isoformat() in mine
    assert len(told(fx.cast.secretary)) == 1
    assert others(fx, fx.cast.member, fx.cast.secretary) == []
    assert orders.ORDER_REASON not in mine
    assert [m.to for m in mail.outbox] == [[WANG]]
    later = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    call_command("order_reminders", f"--today={later}", stdout=out)
    assert any("已过完成期限" in t for t in told(fx.cast.member))
    assert len(told(fx.cast.member)) == 2
    order.status = RemediationOrder.Status.REPORTED
    order.save()
    RemediationOrder.objects.filter(pk=order.pk).update(deadline=orders.in_days(1))
    call_command("order_reminders", stdout=out)
    assert len(told(fx.cast.member)) == 2  # reported done: no more reminders


def test_mails_carry_whole_links_under_the_site_address(
    fx, settings, django_capture_on_commit_callbacks
):
    """A mail client cannot follow "/reviews/mine/": with VANGUARD_SITE_URL set, the
    mail and the digest link the page in full; the notice in the app keeps its path."""
    from django.core.management import call_command

    settings.SITE_URL = "https://vanguard.example.edu.cn"
    returned(fx, django_capture_on_commit_callbacks)
    (sent,) = mail.outbox
    assert "https://vanguard.example.edu.cn/reviews/mine/" in sent.body
    assert Notification.objects.get(user=fx.cast.member).url.startswith("/reviews/mine/")

    mail.outbox.clear()
    prefer(fx.cast.member, NoticePreference.Email.DIGEST)
    returned_again(fx, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notice_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
    (digest,) = mail.outbox
    assert "  https://vanguard.example.edu.cn/reviews/mine/" in digest.body
