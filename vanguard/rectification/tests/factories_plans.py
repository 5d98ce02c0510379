"""Builders for the plans workflow's tests and access rows: the cast's member (王小明,
branch A1) with a plan in the committee's education campaign, its items, an update
with a photo as evidence, the branch's plan, opinions about the member. Each builder
returns the same row when called again within a test."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from vanguard.meetings.tests.factories import education_campaign
from vanguard.rectification.models import Item, Plan, Update
from vanguard.rectification.tests import factories

PROBLEM = "理论学习不够系统，联系实际不够"
OPINION_TEXT = "希望王老师多和学生谈心-要点标记PT42"


def campaign(f: Any):
    return education_campaign(f.org.committee)


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def member_plan(f: Any, *, status: str = Plan.Status.DRAFT) -> Plan:
    """The cast member's plan, with one item they are responsible for."""
    found = Plan.objects.filter(member=f.cast.member_record).first()
    if found is None:
        found = factories.member_plan(campaign(f), f.cast.member_record)
        factories.item(
            found, problem=PROBLEM, responsible=f.cast.member_record, deadline=in_days(30)
        )
    if found.status != status:
        found.status = status
        found.submitted_at = timezone.now() if status != Plan.Status.DRAFT else None
        if status == Plan.Status.APPROVED:
            found.approved_at = timezone.now()
        found.save()
    return found


def submitted_plan(f: Any) -> Plan:
    return member_plan(f, status=Plan.Status.SUBMITTED)


def plan_item(f: Any) -> Item:
    return member_plan(f).items.order_by("pk").first()  # type: ignore[return-value]


def done_item(f: Any) -> Item:
    found = member_plan(f, status=Plan.Status.APPROVED).items.order_by("pk").first()
    assert found is not None
    if found.status != Item.Status.DONE:
        found.status, found.done_at = Item.Status.DONE, timezone.now()
        found.save()
    return found


def evidence_update(f: Any) -> Update:
    item = plan_item(f)
    found = item.updates.exclude(evidence="").first()
    if found is not None:
        return found
    update = Update(item=item, on=timezone.localdate(), text="读完第一章", upload_token="tok-test")
    update.evidence.save("tok-test.png", ContentFile(png_bytes()), save=False)
    update.evidence_name = "读书照片.png"
    update.evidence_type = "png"
    update.save()
    return update


def member_opinion(f: Any, **extra: Any):
    """A sorted opinion about the cast member, with a source the sheet never shows."""
    fields: dict[str, Any] = {"text": OPINION_TEXT}
    fields.update(extra)
    return factories.opinion(campaign(f), f.org.branch_a1, about=f.cast.member_record, **fields)


def branch_plan(f: Any) -> Plan:
    found = Plan.objects.filter(unit=f.org.branch_a1).first()
    return found or factories.unit_plan(campaign(f), f.org.branch_a1)
