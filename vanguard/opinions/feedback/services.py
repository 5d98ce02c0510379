"""Writes of the feedback sheet (反馈): the member acknowledges their sheet and notes
how they will respond. One acknowledgement per member and campaign; acknowledging
again updates the response (the self-analysis and rectification workflows read
`FeedbackAcknowledgement.response`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.campaigns.models import Campaign
from vanguard.opinions.models import FeedbackAcknowledgement
from vanguard.organization.models import Member

RESPONSE_MAX_LENGTH = 5000


def feedback_acknowledge(
    *, member: Member, campaign: Campaign, response: str = ""
) -> FeedbackAcknowledgement:
    """Record that the member has read their sheet, with how they will respond.
    A response longer than the limit is refused whole, changing nothing."""
    response = (response or "").replace("\r\n", "\n").strip()
    if len(response) > RESPONSE_MAX_LENGTH:
        raise ValidationError(
            {
                "response": _("“如何回应”最多 %(max)d 字，现在是 %(count)d 字。")
                % {"max": RESPONSE_MAX_LENGTH, "count": len(response)}
            }
        )
    if "\x00" in response:
        raise ValidationError({"response": _("“如何回应”含有无法保存的字符。")})
    with transaction.atomic():
        acknowledgement, _created = FeedbackAcknowledgement.objects.update_or_create(
            campaign=campaign, member=member, defaults={"response": response}
        )
    return acknowledgement
