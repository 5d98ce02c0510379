"""Data of the supervision journey in the browser: the cast's education campaign and
reading notes by four members of branch A1 (王小明 and three colleagues, each with a
login), so the committee's sample has a population to draw from. Only branch A1 has
notes, and the cast's supervisor checks branch A1: whoever the draw picks is theirs."""

from __future__ import annotations

from conftest import Cast, Org, make_member, make_user
from vanguard.campaigns.models import Campaign
from vanguard.meetings.tests.factories import education_campaign
from vanguard.organization.models import Member
from vanguard.study.models import StudyWork

NOTE_BODY = "<p>学习党章第二章，联系教学科研实际，查找自身差距。</p>"

# The note writers besides the cast's member: (name, number, login).
WRITERS = [
    ("刘洋", "T0101", "liuyang"),
    ("赵敏", "T0102", "zhaomin"),
    ("孙伟", "T0103", "sunwei"),
]


def campaign(org: Org) -> Campaign:
    return education_campaign(org.committee)


def note(campaign: Campaign, member: Member, title: str) -> StudyWork:
    return StudyWork.objects.create(
        campaign=campaign,
        member=member,
        kind=StudyWork.Kind.READING_NOTE,
        title=title,
        material="《中国共产党章程》",
        body=NOTE_BODY,
    )


def note_writers(org: Org, cast: Cast) -> dict[str, str]:
    """Each A1 member with a note, by name: their login."""
    found = campaign(org)
    logins = {cast.member_record.name: cast.member.username}
    note(found, cast.member_record, "学习党章的体会")
    for name, number, login in WRITERS:
        member = make_member(name=name, number=number, branch=org.branch_a1, user=make_user(login))
        note(found, member, f"{name}的学习笔记")
        logins[name] = login
    return logins
