"""Small builders for the sorting, dashboard and API tests and access rows: the cast's
education campaign (in the committee) and opinions gathered by branch A1."""

from __future__ import annotations

import datetime
from typing import Any

from vanguard.meetings.tests.factories import education_campaign
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Member, Unit

DAY = datetime.date(2026, 5, 10)


def campaign(f: Any):
    return education_campaign(f.org.committee)


def opinion(
    f: Any,
    *,
    text: str = "希望在指导研究生方面多花些时间",
    branch: Unit | None = None,
    channel: str = Opinion.Channel.SUGGESTION_BOX,
    about: Member | None = None,
    kind: str = Opinion.Kind.UNSORTED,
    status: str = Opinion.Status.NEW,
    contact: str = "",
    source: str = "",
    round_number: int = 1,
) -> Opinion:
    return Opinion.objects.create(
        campaign=campaign(f),
        branch=branch or f.org.branch_a1,
        channel=channel,
        text=text,
        received_on=DAY,
        contact=contact,
        source=source,
        subject_kind=Opinion.SubjectKind.MEMBER if about else Opinion.SubjectKind.UNASSIGNED,
        subject_member=about,
        kind=kind,
        status=status,
        round=round_number,
    )


def a1_opinion(f: Any) -> Opinion:
    """One new opinion in branch A1 (the same row every time within a test)."""
    found = Opinion.objects.filter(branch=f.org.branch_a1, text="工作作风扎实，服务热情").first()
    return found or opinion(f, text="工作作风扎实，服务热情", contact="13800000000")


def about_secretary(f: Any) -> Opinion:
    """An opinion in branch A1 about its secretary (李书记), who must never reach it."""
    secretary = Member.objects.get(user=f.cast.secretary)
    found = Opinion.objects.filter(subject_member=secretary).first()
    return found or opinion(
        f,
        text="书记开会时间太长",
        about=secretary,
        kind=Opinion.Kind.CRITICISM,
        status=Opinion.Status.SORTED,
        source="支部座谈会",
    )
