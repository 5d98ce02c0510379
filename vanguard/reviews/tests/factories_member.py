"""Test helpers for self-analysis documents: the cast's campaign, a filled draft,
and documents walked to a given point of the state machine through the services."""

from __future__ import annotations

from typing import Any

from vanguard.meetings.tests.factories import education_campaign
from vanguard.reviews import services
from vanguard.reviews.models import CRITERIA, SelfAnalysis, SubmittedVersion

TEXT = {
    "problems": "理论学习不够系统，学习时间不足。",
    "roots": "思想上重业务、轻学习。",
    "direction": "每周安排固定时间学习，联系实际。",
    "summary": "一年来认真完成教学科研任务。",
}
ALL_OK = {name: {"ok": True, "comment": "好"} for name, _label in CRITERIA}


def campaign(org: Any):
    return education_campaign(org.committee)


def document(fx: Any) -> SelfAnalysis:
    """王小明's document (the cast's member) in the cast's campaign."""
    campaign(fx.org)
    return services.document_for_member(member=fx.cast.member_record)


def filled(fx: Any, text: dict | None = None) -> SelfAnalysis:
    doc = document(fx)
    if doc.state in services.EDITABLE_STATES and not doc.problems:
        doc = services.draft_save(
            document=doc, data=text or TEXT, base_version=doc.draft_version, user=fx.cast.member
        )
    return doc


def submitted(fx: Any) -> tuple[SelfAnalysis, SubmittedVersion]:
    doc = filled(fx)
    if doc.state in services.EDITABLE_STATES:
        services.document_submit(document=doc, base_version=doc.draft_version, user=fx.cast.member)
    doc.refresh_from_db()
    return doc, doc.versions.order_by("-number").first()


def with_committee(fx: Any) -> SelfAnalysis:
    doc, version = submitted(fx)
    if doc.state == SelfAnalysis.State.SUBMITTED:
        services.branch_review(
            document=doc,
            version=version,
            reviewer=fx.cast.secretary,
            criteria=ALL_OK,
            verdict="pass",
        )
    doc.refresh_from_db()
    return doc
