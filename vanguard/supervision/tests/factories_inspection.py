"""Small builders for the inspection tests and access rows: the cast's education
campaign (in the committee), a supervision group over branch A1, an open round over
all three branches with a check per branch, and A1's check."""

from __future__ import annotations

import datetime
from typing import Any

from vanguard.campaigns.models import Campaign, Phase
from vanguard.meetings.tests.factories import education_campaign
from vanguard.supervision.inspection import services
from vanguard.supervision.models import Check, CheckItem, Round, SupervisionGroup

STUDY_ITEMS = [
    CheckItem.STUDY_PLAN,
    CheckItem.STUDY_RECORDS,
    CheckItem.STUDY_MATERIALS,
    CheckItem.NOTES,
]
DAY = datetime.date(2026, 4, 20)


def campaign(f: Any) -> Campaign:
    return education_campaign(f.org.committee)


def study_phase(f: Any) -> Phase:
    return campaign(f).phases.get(key=Phase.Key.STUDY)


def a_round(
    f: Any,
    *,
    title: str = "中期全面检查",
    status: str = Round.Status.OPEN,
    items: list[str] | None = None,
) -> Round:
    """A round over every branch (A1, A2, B1), opened: a check per branch."""
    found = Round.objects.filter(campaign=campaign(f), title=title).first()
    if found is not None:
        return found
    made = Round.objects.create(
        campaign=campaign(f),
        phase=study_phase(f),
        title=title,
        items=list(items or STUDY_ITEMS),
        starts_on=DAY,
        due_on=DAY + datetime.timedelta(days=3),
    )
    made.branches.set([f.org.branch_a1, f.org.branch_a2, f.org.branch_b1])
    if status != Round.Status.PLANNED:
        for branch in (f.org.branch_a1, f.org.branch_a2, f.org.branch_b1):
            Check.objects.create(round=made, branch=branch)
        made.status = status
        made.save(update_fields=["status"])
    return made


def planned_round(f: Any) -> Round:
    return a_round(f, title="分析评议阶段检查", status=Round.Status.PLANNED)


def a1_check(f: Any) -> Check:
    return Check.objects.get(round=a_round(f), branch=f.org.branch_a1)


def b1_check(f: Any) -> Check:
    return Check.objects.get(round=a_round(f), branch=f.org.branch_b1)


def group(f: Any) -> SupervisionGroup:
    """A group over branch A1 whose member is the cast's supervisor."""
    found = SupervisionGroup.objects.filter(campaign=campaign(f), name="第一督查组").first()
    if found is not None:
        return found
    made = SupervisionGroup.objects.create(
        campaign=campaign(f), name="第一督查组", leader=f.cast.supervisor, formed_on=DAY
    )
    made.members.set([f.cast.supervisor])
    made.branches.set([f.org.branch_a1])
    return made


def check_data(check: Check, *, finding: str = "good", done: bool = True) -> dict[str, Any]:
    """The check page's POST: every item judged `finding`."""
    data: dict[str, Any] = {
        "version": check.version,
        "summary": "计划、记录齐全",
        "action": "done" if done else "save",
    }
    for item in check.round.items:
        data[f"{item}-finding"] = finding
        data[f"{item}-note"] = ""
    return data


def findings_all(check: Check, finding: str = "good") -> dict[str, services.ItemFinding]:
    return {item: services.ItemFinding(finding) for item in check.round.items}
