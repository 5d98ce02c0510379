"""Small builders for the reports' tests and access rows, straight on the models (the
workflows that write them are built side by side): the cast's education campaign in the
committee, a round over its branches, checks with findings, make-up orders, a sample and
its assessments, guidance, a watch entry and meetings."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign, Phase
from vanguard.meetings.models import Meeting
from vanguard.meetings.tests.factories import education_campaign
from vanguard.organization.models import Member, Unit
from vanguard.supervision.models import (
    Check,
    CheckFinding,
    CheckItem,
    GuidanceSession,
    NoteAssessment,
    NoteType,
    RemediationOrder,
    Round,
    Sample,
    SampledMember,
    SupervisionGroup,
    Talk,
    WatchEntry,
)

ITEMS = [CheckItem.STUDY_PLAN, CheckItem.STUDY_RECORDS, CheckItem.NOTES]
ROUND_TITLE = "学习阶段中期检查"


def campaign(f: Any) -> Campaign:
    return education_campaign(f.org.committee)


def study_phase(campaign_: Campaign) -> Phase:
    return campaign_.phases.get(key=Phase.Key.STUDY)


def make_round(
    campaign_: Campaign,
    branches: list[Unit],
    *,
    title: str = ROUND_TITLE,
    items: list[str] | None = None,
    status: str = Round.Status.OPEN,
    by: User | None = None,
) -> Round:
    today = timezone.localdate()
    round_ = Round.objects.create(
        campaign=campaign_,
        phase=study_phase(campaign_),
        title=title,
        items=[str(i) for i in (items or ITEMS)],
        starts_on=today - datetime.timedelta(days=3),
        due_on=today + datetime.timedelta(days=4),
        status=status,
        note="检查各支部的学习讨论计划、记录和相关材料",
        created_by=by,
    )
    round_.branches.set(branches)
    for branch in branches:
        Check.objects.create(round=round_, branch=branch)
    return round_


def a_round(f: Any) -> Round:
    """The cast's round over all three branches (the same row every time in a test)."""
    found = Round.objects.filter(campaign=campaign(f), title=ROUND_TITLE).first()
    return found or make_round(
        campaign(f), [f.org.branch_a1, f.org.branch_a2, f.org.branch_b1], by=f.cast.committee_admin
    )


def make_group(
    campaign_: Campaign, name: str, *, leader: User, branches: list[Unit]
) -> SupervisionGroup:
    group = SupervisionGroup.objects.create(
        campaign=campaign_, name=name, leader=leader, formed_on=timezone.localdate()
    )
    group.members.set([leader])
    group.branches.set(branches)
    return group


def do_check(
    round_: Round,
    branch: Unit,
    findings: dict[str, tuple[str, str]],
    *,
    by: User | None = None,
    group: SupervisionGroup | None = None,
    summary: str = "",
) -> Check:
    """The check of the branch in the round done, with each item's (finding, note)."""
    check, _created = Check.objects.get_or_create(round=round_, branch=branch)
    for item, (finding, note) in findings.items():
        CheckFinding.objects.update_or_create(
            check_record=check, item=item, defaults={"finding": finding, "note": note}
        )
    check.status = Check.Status.DONE
    check.checked_by = by
    check.checked_on = timezone.localdate()
    check.group = group
    check.summary = summary
    check.save()
    return check


def make_order(
    campaign_: Campaign,
    branch: Unit,
    *,
    reason: str = "读书笔记内容单薄，需补写",
    member: Member | None = None,
    check: Check | None = None,
    status: str = RemediationOrder.Status.OPEN,
    deadline_in: int = 7,
    ordered_days_ago: int = 0,
    verified_days_ago: int | None = None,
    responsible: User | None = None,
    by: User | None = None,
) -> RemediationOrder:
    order = RemediationOrder.objects.create(
        campaign=campaign_,
        branch=branch,
        member=member,
        check_record=check,
        reason=reason,
        deadline=timezone.localdate() + datetime.timedelta(days=deadline_in),
        responsible=responsible,
        status=status,
        ordered_by=by,
    )
    now = timezone.now()
    RemediationOrder.objects.filter(pk=order.pk).update(
        ordered_at=now - datetime.timedelta(days=ordered_days_ago),
        verified_at=(
            now - datetime.timedelta(days=verified_days_ago)
            if verified_days_ago is not None
            else None
        ),
    )
    order.refresh_from_db()
    return order


def make_sample(
    campaign_: Campaign, members: list[Member], *, round_: Round | None = None
) -> list[SampledMember]:
    sample = Sample.objects.create(
        campaign=campaign_,
        round=round_,
        title="读书笔记抽查",
        share=Decimal("0.50"),
        seed=20260510,
        method="stratified_v1",
        size=len(members),
    )
    return [
        SampledMember.objects.create(sample=sample, member=m, branch=m.branch, position=index)
        for index, m in enumerate(members, start=1)
    ]


def note_type(campaign_: Campaign, name: str = "联系实际型") -> NoteType:
    found, _created = NoteType.objects.get_or_create(campaign=campaign_, name=name)
    return found


def assess(
    campaign_: Campaign,
    member: Member,
    *,
    level: str = NoteAssessment.Level.COLLEGE,
    sampled: SampledMember | None = None,
    grade: str = NoteAssessment.Grade.GOOD,
    type_: NoteType | None = None,
    by: User | None = None,
) -> NoteAssessment:
    return NoteAssessment.objects.create(
        campaign=campaign_,
        member=member,
        level=level,
        sampled=sampled,
        books="good",
        content="good",
        practice="fair",
        attitude="good",
        grade=grade,
        note_type=type_,
        assessed_by=by,
    )


def guidance(campaign_: Campaign, branch: Unit, *, lagging: bool = False) -> GuidanceSession:
    return GuidanceSession.objects.create(
        campaign=campaign_,
        branch=branch,
        held_on=timezone.localdate(),
        given_by="学院党委书记",
        agreed="逐一听取汇报，深化自我剖析",
        lagging=lagging,
    )


def watch_person(campaign_: Campaign, member: Member, *, talk: bool = True) -> WatchEntry:
    entry = WatchEntry.objects.create(
        campaign=campaign_,
        kind=WatchEntry.Kind.PERSON,
        branch=member.branch,
        member=member,
        reason="认识上疑虑较重",
    )
    if talk:
        Talk.objects.create(
            entry=entry,
            held_on=timezone.localdate(),
            talked_by="第一责任人",
            gist="帮助提高认识，搞好学习",
        )
    return entry


def meeting(campaign_: Campaign, unit: Unit, kind: str, title: str = "会议") -> Meeting:
    return Meeting.objects.create(
        campaign=campaign_, unit=unit, kind=kind, title=title, held_at=timezone.now()
    )
