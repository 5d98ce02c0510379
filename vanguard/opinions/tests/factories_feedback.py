"""Opinions, surveys and records for the feedback-sheet and secrecy tests, made
directly (the intake and sorting pages are tested by their own modules). Every
source carries a distinctive marker, so a test can look for it in anything the
subject receives."""

from __future__ import annotations

import datetime
from typing import Any

from vanguard.campaigns.models import Campaign
from vanguard.meetings.tests.factories import education_campaign
from vanguard.opinions.models import (
    DEFAULT_ASPECTS,
    Aspect,
    EmailMessage,
    Opinion,
    OpinionRecord,
    Survey,
    SurveyAnswer,
)
from vanguard.organization.models import Member

# The sources of opinions: none of them may ever reach the member they concern.
CONTACT = "source-marker-13900000000"
SENDER = "whistle@example.com"
PARTICIPANTS = "参与人甲乙"
SOURCE_NOTE = "source-note-来自张三的谈话"
MARKERS = (CONTACT, SENDER, PARTICIPANTS, SOURCE_NOTE)
# A received date no sheet shows (the day or the month).
RECEIVED = datetime.date(2026, 4, 17)


def campaign(org: Any) -> Campaign:
    return education_campaign(org.committee)


def aspect(campaign: Campaign, key: str) -> Aspect:
    names = dict(DEFAULT_ASPECTS)
    order = [k for k, _n in DEFAULT_ASPECTS].index(key) + 1 if key in names else 99
    return Aspect.objects.get_or_create(
        campaign=campaign, key=key, defaults={"name": str(names.get(key, key)), "order": order}
    )[0]


def opinion(
    campaign: Campaign,
    member: Member,
    text: str,
    *,
    channel: str = Opinion.Channel.SUGGESTION_BOX,
    kind: str = Opinion.Kind.CRITICISM,
    aspect_key: str | None = "style",
    status: str = Opinion.Status.SORTED,
    sender: str = SENDER,
    participants: str = PARTICIPANTS,
    **extra: Any,
) -> Opinion:
    """A sorted opinion about `member`, gathered by their branch, with every source
    field its channel would fill (the markers above unless given)."""
    fields: dict[str, Any] = {"contact": CONTACT, "source": SOURCE_NOTE}
    if channel == Opinion.Channel.EMAIL:
        fields["email"] = EmailMessage.objects.create(
            campaign=campaign,
            message_id_hash=f"{member.pk}-{text}"[:64],
            subject="意见",
            sender=sender,
            received_on=RECEIVED,
        )
        fields["source"] = sender
    if channel in (Opinion.Channel.TALK, Opinion.Channel.SYMPOSIUM):
        fields["record"] = OpinionRecord.objects.create(
            campaign=campaign,
            branch=member.branch,
            kind=channel,
            held_on=RECEIVED,
            place="党员活动室",
            participants=participants,
            # `notes` is not a source field of the model (only `participants` is).
            notes="谈话记录",
        )
        fields["source"] = participants
    fields.update(extra)
    fields.setdefault("branch", member.branch)
    return Opinion.objects.create(
        campaign=campaign,
        channel=channel,
        text=text,
        received_on=RECEIVED,
        subject_kind=Opinion.SubjectKind.MEMBER,
        subject_member=member,
        aspect=aspect(campaign, aspect_key) if aspect_key else None,
        kind=kind,
        status=status,
        **fields,
    )


def every_channel(campaign: Campaign, member: Member, prefix: str = "") -> list[Opinion]:
    """One sorted opinion about `member` through each channel that lists opinions."""
    return [
        opinion(campaign, member, f"{prefix}意见箱：工作作风需改进", channel="suggestion_box"),
        opinion(campaign, member, f"{prefix}邮件：批评与自我批评不够", channel="email"),
        opinion(campaign, member, f"{prefix}谈话：联系群众不够", channel="talk", kind="suggestion"),
        opinion(campaign, member, f"{prefix}座谈：备课认真", channel="symposium", kind="praise"),
    ]


def survey(
    campaign: Campaign,
    member: Member,
    answers: list[tuple[dict[str, str], dict[str, str]]],
    *,
    is_open: bool = False,
    title: str = "书面调查",
    round: int = 1,  # noqa: A002
) -> Survey:
    """A survey of the member's branch with the given (ratings, comments) answers
    about `member`."""
    result = Survey.objects.create(
        campaign=campaign, branch=member.branch, title=title, round=round, is_open=is_open
    )
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(survey=result, subject_member=member, ratings=r, comments=c)
        for r, c in answers
    )
    return result
