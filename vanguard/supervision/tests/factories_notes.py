"""Builders for the note workflow's tests and access rows, on the cast's organisation:
the education campaign over the committee, reading notes by the cast's members
(王小明 and 张丽 in branch A1, 陈刚 in branch B1), a sample drawing all of them, a
note type, an assessment and an anonymised exemplar. Each builder returns the same
row every time within a test."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from vanguard.campaigns.models import Campaign
from vanguard.meetings.tests.factories import education_campaign
from vanguard.organization.models import Member, Unit
from vanguard.study.models import StudyWork
from vanguard.supervision.models import (
    Exemplar,
    NoteAssessment,
    NoteType,
    Sample,
    SampledMember,
)
from vanguard.supervision.notes import services

SEED = 20260510
NOTE_BODY = "<p>学习党章第二章，联系教学科研实际，查找自身差距。</p>"


def campaign(f: Any) -> Campaign:
    return education_campaign(f.org.committee)


def note(
    f: Any, member: Member, *, title: str = "学习党章的体会", body: str = NOTE_BODY
) -> StudyWork:
    found = StudyWork.objects.filter(campaign=campaign(f), member=member, title=title).first()
    return found or StudyWork.objects.create(
        campaign=campaign(f),
        member=member,
        kind=StudyWork.Kind.READING_NOTE,
        title=title,
        material="《中国共产党章程》",
        body=body,
    )


def cast_notes(f: Any) -> None:
    for member in (f.cast.member_record, f.cast.colleague_record, f.cast.other_member_record):
        note(f, member)


def member_in(branch: Unit, number: str, name: str = "") -> Member:
    return Member.objects.create(
        name=name or f"党员{number}",
        number=number,
        branch=branch,
        category=Member.Category.FACULTY,
    )


def sample(f: Any, *, share: str = "1.00") -> Sample:
    """A sample of everyone with notes (share 1), drawn by the committee admin."""
    found = Sample.objects.filter(campaign=campaign(f), title="期中抽查").first()
    if found is not None:
        return found
    cast_notes(f)
    return services.sample_draw(
        campaign=campaign(f),
        title="期中抽查",
        share=Decimal(share),
        seed=SEED,
        actor=f.cast.committee_admin,
    )


def sampled(f: Any, member: Member | None = None) -> SampledMember:
    member = member or f.cast.member_record
    return SampledMember.objects.get(sample=sample(f), member=member)


def a1_sampled(f: Any) -> SampledMember:
    return sampled(f, f.cast.member_record)


def b1_sampled(f: Any) -> SampledMember:
    return sampled(f, f.cast.other_member_record)


def note_type(f: Any, name: str = "心得型") -> NoteType:
    found = NoteType.objects.filter(campaign=campaign(f), name=name).first()
    return found or services.note_type_add(campaign=campaign(f), name=name, description="谈体会")


def assessment(f: Any, *, grade: str = NoteAssessment.Grade.GOOD) -> NoteAssessment:
    """The college's assessment of 王小明's notes."""
    row = a1_sampled(f)
    found = NoteAssessment.objects.filter(
        campaign=campaign(f), member=row.member, level=NoteAssessment.Level.COLLEGE
    ).first()
    if found is not None:
        return found
    made, _created = services.assessment_save(
        campaign=campaign(f),
        member=row.member,
        level=NoteAssessment.Level.COLLEGE,
        sampled=row,
        books="good",
        content="good",
        practice="fair",
        attitude="good",
        grade=grade,
        note_type=note_type(f),
        comment="联系实际还可以更具体",
        actor=f.cast.supervisor,
    )
    return made


def exemplar(f: Any, *, consent: str = Exemplar.Consent.ANONYMISED) -> Exemplar:
    """王小明's note published as an exemplar (anonymised unless asked)."""
    work = note(f, f.cast.member_record)
    found = Exemplar.objects.filter(work=work, withdrawn_at__isnull=True).first()
    if found is not None:
        return found
    assessment(f)
    return services.exemplar_publish(
        campaign=campaign(f),
        work=work,
        note_type=note_type(f),
        consent=consent,
        comment="结合教学实际，条理清楚",
        actor=f.cast.committee_admin,
    )
