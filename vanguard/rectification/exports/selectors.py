"""What a member's plan export holds (党员整改计划及落实情况): the member's facts, the
plan's summary and status, each item with its five clarities, what it answers (as
`selectors.link_shown` shows it — never a source), its tags, its latest progress and
its verification, and every update. Read in a fixed number of queries through
`plans.selectors.plan_items`, the same reading the plan's page shows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.lib.people import person_name
from vanguard.rectification.models import Item, Plan, Tag, Update
from vanguard.rectification.plans import selectors as plan_selectors
from vanguard.rectification.selectors import LinkShown


@dataclass(frozen=True)
class UpdateRow:
    item_number: int
    on: datetime.date
    text: str
    evidence: list[str]  # "佐证材料：照片.jpg", "会议：……" — what the update points at


@dataclass(frozen=True)
class ItemRow:
    number: int
    problem: str
    links: list[LinkShown]
    measure: str
    responsible: str
    standard: str
    deadline: datetime.date
    status: str
    overdue: bool
    tags: list[str]  # the labels: 年度考核, 聘岗 …
    done_on: datetime.date | None
    verified_on: datetime.date | None
    verified_by: str
    verify_note: str
    latest: UpdateRow | None


@dataclass(frozen=True)
class PlanExport:
    plan_id: int
    name: str
    number: str
    branch: str
    party_group: str
    campaign: str
    year: int
    status: str
    submitted_on: datetime.date | None
    approved_on: datetime.date | None
    summary: str
    items: list[ItemRow]
    updates: list[UpdateRow]
    counts: list[tuple[str, int]]  # (status label, items), every status in order
    overdue: int
    tag_counts: list[tuple[str, int]]  # (tag label, items), the tags used
    made_on: datetime.date


def _day(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value is not None else None


def tag_labels(tags: list[str]) -> list[str]:
    labels = dict(Tag.choices)
    return [str(labels[tag]) for tag in tags if tag in labels]


def update_evidence(update: Update) -> list[str]:
    """What an update points at, in words (its file by the name the page shows)."""
    found = []
    if update.evidence:
        found.append(_("佐证材料：%(name)s") % {"name": update.evidence_name or _("文件")})
    if update.meeting is not None:
        found.append(_("会议：%(title)s") % {"title": update.meeting.title})
    if update.study_session is not None:
        found.append(_("学习活动：%(title)s") % {"title": update.study_session.topic})
    if update.activity is not None:
        found.append(_("整改活动：%(title)s") % {"title": update.activity.title})
    return found


def _update_row(number: int, update: Update) -> UpdateRow:
    return UpdateRow(number, update.on, update.text, update_evidence(update))


def plan_export(plan: Plan) -> PlanExport:
    """The export of a member's plan (`plan.member` set)."""
    member = plan.member
    assert member is not None
    views = plan_selectors.plan_items(plan)
    items: list[ItemRow] = []
    updates: list[UpdateRow] = []
    statuses = dict.fromkeys(Item.Status.values, 0)
    tags: dict[str, int] = {}
    for number, view in enumerate(views, start=1):
        item = view.item
        rows = [_update_row(number, update) for update in view.updates]
        updates.extend(rows)
        statuses[item.status] += 1
        for tag in item.tags:
            tags[tag] = tags.get(tag, 0) + 1
        items.append(
            ItemRow(
                number=number,
                problem=item.problem,
                links=view.links,
                measure=item.measure,
                responsible=item.responsible.name if item.responsible else "",
                standard=item.standard,
                deadline=item.deadline,
                status=str(item.get_status_display()),
                overdue=view.overdue,
                tags=tag_labels(item.tags),
                done_on=_day(item.done_at),
                verified_on=_day(item.verified_at),
                verified_by=person_name(item.verified_by) if item.verified_at else "",
                verify_note=item.verify_note,
                latest=rows[-1] if rows else None,
            )
        )
    return PlanExport(
        plan_id=plan.pk,
        name=member.name,
        number=member.number,
        branch=member.branch.name,
        party_group=member.party_group.name if member.party_group else "",
        campaign=plan.campaign.name,
        year=plan.campaign.year,
        status=str(plan.get_status_display()),
        submitted_on=_day(plan.submitted_at),
        approved_on=_day(plan.approved_at) if plan.status == Plan.Status.APPROVED else None,
        summary=plan.summary,
        items=items,
        updates=updates,
        counts=[(str(label), statuses[value]) for value, label in Item.Status.choices],
        overdue=sum(1 for row in items if row.overdue),
        tag_counts=[(str(label), tags[value]) for value, label in Tag.choices if value in tags],
        made_on=timezone.localdate(),
    )
