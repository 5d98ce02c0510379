"""What the member is told when their self-analysis (党性分析材料) comes back down:
the branch's verdict (the page promises "支部审阅后会通知您") and the committee's
guidance, opinion or approval. Sent the one way everything is sent
(`notices.services.notify_many`: in the app, and e-mailed as the member chose).

The texts name the round and what happened, never what anyone wrote: the branch's
reasons and the committee's words are read on the member's own page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from vanguard.notices.services import Message, notify_many, site_language
from vanguard.reviews.models import BranchReview, CommitteeResponse, SelfAnalysis

LAST_ROUND = 3


def _author(document: SelfAnalysis) -> int | None:
    member = document.member
    user = member.user if member.user_id is not None else None
    if user is None or not user.is_active or not member.is_active:
        return None
    return int(user.pk)


def branch_reviewed(document: SelfAnalysis, review: BranchReview) -> None:
    """The branch passed the round up to the committee, or returned it."""
    user_id = _author(document)
    if user_id is None or user_id == review.reviewer_id:
        return
    number = review.round.number
    with site_language():
        if review.verdict == BranchReview.Verdict.RETURN:
            # The key is the one `review_reminders` uses: its reminder is not a second notice.
            key = f"review-returned:{document.pk}:{review.pk}"
            text = _(
                "您的党性分析材料（第%(round)s轮）已被支部退回修改，请按退回理由修改后重新提交。"
            ) % {"round": number}
            subject = _("【先锋】您的党性分析材料被退回修改")
        else:
            key = f"review-passed:{document.pk}:{review.pk}"
            text = _("您的党性分析材料（第%(round)s轮）已通过支部审阅，已报党委。") % {
                "round": number
            }
            subject = _("【先锋】您的党性分析材料已通过支部审阅")
    notify_many(
        [Message(user_id=user_id, text=text, url=reverse("reviews:mine"), key=key, subject=subject)]
    )


def committee_responded(document: SelfAnalysis, response: CommitteeResponse) -> None:
    """The committee's guidance (round 1), opinion (round 2) or approval (round 3)."""
    user_id = _author(document)
    if user_id is None or user_id == response.author_id:
        return
    number = response.round.number
    with site_language():
        if number >= LAST_ROUND:
            text = _("您的党性分析材料已经党委审定，三上三下完成。")
            subject = _("【先锋】您的党性分析材料已经党委审定")
        elif number == 1:
            text = _("党委对您的党性分析材料（第1轮）的指导意见已下达，请查看后修改，开始第2轮。")
            subject = _("【先锋】党委指导意见已下达")
        else:
            text = _(
                "党委对您的党性分析材料（第%(round)s轮）的意见已下达，请查看后修改，"
                "开始第%(next)s轮。"
            ) % {"round": number, "next": number + 1}
            subject = _("【先锋】党委意见已下达")
    notify_many(
        [
            Message(
                user_id=user_id,
                text=text,
                url=reverse("reviews:mine"),
                key=f"review-committee:{document.pk}:{response.pk}",
                subject=subject,
            )
        ]
    )
