"""JSON API of the feedback sheet (反馈表): the caller's own sheet and its
acknowledgement, and a member's sheet for those who review them. The same
`FeedbackSheet` as the page and the PDF, so the same hiding rules: no source,
contact, sender, participants or date; the channel only where it cannot identify
the source; survey answers only as qualifying aggregates."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from vanguard.lib.api.errors import ErrorOut
from vanguard.opinions import access
from vanguard.opinions.feedback import selectors, services
from vanguard.opinions.feedback.selectors import FeedbackSheet

router = Router(tags=["opinions"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ItemOut(Schema):
    text: str
    kind: str
    kind_display: str
    channel: str = Field(description="Empty where the channel could identify the source")


class GroupOut(Schema):
    aspect: str
    items: list[ItemOut]


class RatingOut(Schema):
    aspect: str
    counts: dict[str, int]
    comments: list[str]


class SurveyOut(Schema):
    title: str
    respondents: int
    aspects: list[RatingOut]


class AcknowledgementOut(Schema):
    acknowledged_at: datetime.datetime
    response: str


class FeedbackOut(Schema):
    member_id: int
    member_name: str
    campaign_id: int | None
    campaign_name: str | None
    opinions: list[GroupOut]
    surveys: list[SurveyOut]
    min_respondents: int
    acknowledgement: AcknowledgementOut | None


class AcknowledgeIn(Schema):
    response: str = Field("", max_length=services.RESPONSE_MAX_LENGTH)
    campaign_id: int | None = Field(None, description="Default: the campaign of the sheet")


def _out(sheet: FeedbackSheet) -> dict[str, Any]:
    ack = sheet.acknowledgement
    return {
        "member_id": sheet.member.pk,
        "member_name": sheet.member.name,
        "campaign_id": sheet.campaign.pk if sheet.campaign else None,
        "campaign_name": sheet.campaign.name if sheet.campaign else None,
        "opinions": [
            {
                "aspect": group.name,
                "items": [
                    {
                        "text": item.text,
                        "kind": item.kind,
                        "kind_display": item.kind_display,
                        "channel": item.channel_display,
                    }
                    for item in group.items
                ],
            }
            for group in sheet.groups
        ],
        "surveys": [
            {
                "title": survey.title,
                "respondents": survey.respondents,
                "aspects": [
                    {"aspect": a.name, "counts": dict(a.counts), "comments": a.comments}
                    for a in survey.aspects
                ],
            }
            for survey in sheet.surveys
        ],
        "min_respondents": sheet.min_respondents,
        "acknowledgement": (
            {"acknowledged_at": ack.acknowledged_at, "response": ack.response} if ack else None
        ),
    }


@router.get(
    "/feedback",
    response={200: FeedbackOut, **ERRORS},
    summary="The caller's feedback sheet (opinions about them, without sources)",
)
def my_feedback(request: HttpRequest, campaign_id: int | None = None) -> Any:
    member = access.get_own_member(request.user, forbidden=True)
    campaign = access.feedback_campaign(member, campaign_id)
    return _out(selectors.feedback_sheet(member, campaign))


@router.post(
    "/feedback/acknowledgement",
    response={200: AcknowledgementOut, **ERRORS},
    summary="Acknowledge the caller's feedback sheet, with how they will respond",
)
def acknowledge_feedback(request: HttpRequest, payload: AcknowledgeIn) -> Any:
    member = access.get_own_member(request.user, forbidden=True)
    campaign = access.get_feedback_campaign(member, payload.campaign_id)
    return services.feedback_acknowledge(
        member=member, campaign=campaign, response=payload.response
    )


@router.get(
    "/feedback/members/{int:member_id}",
    response={200: FeedbackOut, **ERRORS},
    summary="A member's feedback sheet, for those who review them",
)
def member_feedback(request: HttpRequest, member_id: int, campaign_id: int | None = None) -> Any:
    member = access.get_feedback_member_for_user(request.user, member_id)
    campaign = access.feedback_campaign(member, campaign_id)
    return _out(selectors.feedback_sheet(member, campaign))
