"""Reads of the note workflow: the population a sample is drawn from, the recorded
population a stored sample is checked against, the reading queues, the exemplars as
they may be shown, and the figures (notes read, by grade and type, per branch).

Callers pass what access has already limited (the campaign, the branches, the
person); these functions count and join, a handful of queries per page."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from vanguard.accounts.access import Person
from vanguard.campaigns.models import Campaign
from vanguard.organization.models import Member, Unit
from vanguard.study.models import StudyWork
from vanguard.supervision import access
from vanguard.supervision.models import (
    Exemplar,
    NoteAssessment,
    NoteType,
    Sample,
    SampledMember,
)
from vanguard.supervision.notes import sampling


def reading_notes(campaign: Campaign) -> QuerySet[StudyWork]:
    return StudyWork.objects.filter(campaign=campaign, kind=StudyWork.Kind.READING_NOTE)


def sample_population(campaign: Campaign, branches: Iterable[Unit]) -> list[sampling.Stratum]:
    """The strata of a draw: per branch (in the order of its path), the ids of its
    active members who wrote a reading note in the campaign, ascending. Branches
    without such members are left out (they draw nobody)."""
    ordered = sorted(branches, key=lambda unit: unit.path)
    rows = (
        reading_notes(campaign)
        .filter(member__is_active=True, member__branch__in=[b.pk for b in ordered])
        .order_by()
        .values_list("member__branch_id", "member_id")
        .distinct()
    )
    by_branch: dict[int, set[int]] = defaultdict(set)
    for branch_id, member_id in rows:
        by_branch[branch_id].add(member_id)
    return [
        sampling.Stratum(b.pk, tuple(sorted(by_branch[b.pk]))) for b in ordered if by_branch[b.pk]
    ]


def population_record(strata: Iterable[sampling.Stratum]) -> list[list[Any]]:
    return [[s.branch_id, list(s.member_ids)] for s in strata]


def recorded_population(sample: Sample) -> list[sampling.Stratum] | None:
    """The strata recorded when the sample was drawn (None if none were)."""
    if not sample.strata:
        return None
    return [
        sampling.Stratum(int(branch_id), tuple(int(i) for i in ids))
        for branch_id, ids in sample.strata
    ]


def stored_draw(sample: Sample) -> dict[int, tuple[int, ...]]:
    """The stored members of a sample per branch, in the order drawn."""
    found: dict[int, list[int]] = defaultdict(list)
    for branch_id, member_id in (
        SampledMember.objects.filter(sample=sample)
        .order_by("branch_id", "position")
        .values_list("branch_id", "member_id")
    ):
        found[branch_id].append(member_id)
    return {branch_id: tuple(ids) for branch_id, ids in found.items()}


@dataclass
class Verification:
    recorded: bool  # the population was recorded when drawn
    matches: bool
    recomputed: list[sampling.Drawn] = field(default_factory=list)


def sample_verify(sample: Sample) -> Verification:
    """Draw the sample again from its recorded seed, method and population and compare
    with the members stored."""
    strata = recorded_population(sample)
    if strata is None or sample.method not in sampling.METHODS:
        return Verification(recorded=False, matches=False)
    again = sampling.draw(
        sample.method,
        strata,
        seed=sample.seed,
        share=Decimal(sample.share),
        minimum=sample.minimum_per_branch,
    )
    expected = {d.branch_id: d.member_ids for d in again if d.member_ids}
    return Verification(recorded=True, matches=expected == stored_draw(sample), recomputed=again)


@dataclass
class StratumRow:
    branch: Unit
    population: int
    drawn: list[SampledMember]
    eligible_ids: tuple[int, ...]
    names_shown: bool


def sample_strata(user: Person, sample: Sample) -> list[StratumRow]:
    """Per branch of the sample: how many members were eligible, who was drawn (by
    name where the person reads the branch's findings; by id for the others)."""
    strata = recorded_population(sample) or []
    eligible = {s.branch_id: s.member_ids for s in strata}
    drawn: dict[int, list[SampledMember]] = defaultdict(list)
    for row in SampledMember.objects.filter(sample=sample).select_related("member", "branch"):
        drawn[row.branch_id].append(row)
    branch_ids = set(eligible) | set(drawn)
    rows = []
    for branch in Unit.objects.filter(pk__in=branch_ids).order_by("path"):
        members = sorted(drawn.get(branch.pk, []), key=lambda r: r.position)
        rows.append(
            StratumRow(
                branch=branch,
                population=len(eligible.get(branch.pk, ())),
                drawn=members,
                eligible_ids=eligible.get(branch.pk, ()),
                names_shown=access.can_read_findings(user, branch),
            )
        )
    return rows


# --- Reading queues --------------------------------------------------------------------


def member_notes(campaign: Campaign, member: Member) -> QuerySet[StudyWork]:
    return reading_notes(campaign).filter(member=member).order_by("submitted_at", "pk")


@dataclass
class QueueRow:
    member: Member
    branch: Unit
    sampled: SampledMember | None
    assessment: NoteAssessment | None


def _assessments(campaign: Campaign, level: str, member_ids: Iterable[int]) -> dict[int, Any]:
    return {
        a.member_id: a
        for a in NoteAssessment.objects.filter(
            campaign=campaign, level=level, member_id__in=list(member_ids)
        ).select_related("note_type")
    }


def college_queue(
    user: Person, campaign: Campaign, *, sample: Sample | None = None
) -> list[QueueRow]:
    """The sampled members of the person's branches (each once), unassessed first."""
    sampled = (
        access.assessment_queue(user)
        .filter(sample__campaign=campaign)
        .order_by("branch__path", "sample__drawn_at", "position", "pk")
    )
    if sample is not None:
        sampled = sampled.filter(sample=sample)
    seen: dict[int, SampledMember] = {}
    for row in sampled:
        seen.setdefault(row.member_id, row)
    done = _assessments(campaign, NoteAssessment.Level.COLLEGE, seen)
    rows = [QueueRow(s.member, s.branch, s, done.get(m)) for m, s in seen.items()]
    return sorted(rows, key=lambda r: r.assessment is not None)


def general_branch_queue(user: Person, campaign: Campaign) -> list[QueueRow]:
    """Every member of the person's general branch who wrote a reading note in the
    campaign, unassessed first."""
    wrote = reading_notes(campaign).filter(member=OuterRef("pk"))
    members = list(
        access.general_branch_members(user)
        .filter(Exists(wrote), branch__path__startswith=campaign.unit.path)
        .order_by("branch__path", "name", "pk")
    )
    done = _assessments(campaign, NoteAssessment.Level.GENERAL_BRANCH, (m.pk for m in members))
    rows = [QueueRow(m, m.branch, None, done.get(m.pk)) for m in members]
    return sorted(rows, key=lambda r: r.assessment is not None)


def next_unassessed(rows: list[QueueRow], *, after_member: int) -> QueueRow | None:
    return next(
        (r for r in rows if r.assessment is None and r.member.pk != after_member),
        None,
    )


# --- Exemplars ----------------------------------------------------------------------------


@dataclass
class ExemplarCard:
    """An exemplar as it may be shown: an anonymised one carries neither its author nor
    their branch, so no template or API answer can show them."""

    pk: int
    title: str
    material: str
    body: str
    note_type: str
    comment: str
    consent: str
    consent_display: str
    author: str | None
    branch: str | None
    published_at: Any
    withdrawn_at: Any
    work_pk: int | None


def exemplar_card(exemplar: Exemplar) -> ExemplarCard:
    work = exemplar.work
    shown = exemplar.consent == Exemplar.Consent.CONSENTED
    return ExemplarCard(
        pk=exemplar.pk,
        title=work.title,
        material=work.material,
        body=work.body,
        note_type=exemplar.note_type.name if exemplar.note_type else "",
        comment=exemplar.comment,
        consent=exemplar.consent,
        consent_display=str(exemplar.get_consent_display()),
        author=work.member.name if shown else None,
        branch=work.member.branch.name if shown else None,
        published_at=exemplar.published_at,
        withdrawn_at=exemplar.withdrawn_at,
        work_pk=work.pk if shown else None,
    )


def exemplars_by_type(user: Person, campaign: Campaign) -> list[tuple[str, list[ExemplarCard]]]:
    """The campaign's exemplars the person sees, grouped by note type (in its order)."""
    exemplars = (
        access.visible_exemplars(user)
        .filter(campaign=campaign)
        .order_by("note_type__order", "note_type__pk", "-published_at", "-pk")
    )
    groups: dict[str, list[ExemplarCard]] = {}
    for exemplar in exemplars:
        card = exemplar_card(exemplar)
        groups.setdefault(card.note_type, []).append(card)
    return list(groups.items())


def exemplar_candidates(campaign: Campaign) -> QuerySet[StudyWork]:
    """Reading notes that may be published: of members whose notes were assessed."""
    assessed = NoteAssessment.objects.filter(campaign=campaign).values("member_id")
    return (
        reading_notes(campaign)
        .filter(member_id__in=assessed)
        .select_related("member__branch")
        .order_by("member__branch__path", "member__name", "pk")
    )


def note_types(campaign: Campaign) -> QuerySet[NoteType]:
    return NoteType.objects.filter(campaign=campaign).order_by("order", "pk")


# --- Figures ---------------------------------------------------------------------------------


@dataclass
class NoteFigures:
    """Notes read at the college level, by grade and by type, and notes sampled over
    members with notes: for one branch, or for all the branches given together."""

    name: str
    members_with_notes: int = 0
    sampled: int = 0
    read: int = 0
    by_grade: dict[str, int] = field(default_factory=dict)  # Grade value -> count
    by_type: dict[str, int] = field(default_factory=dict)  # type name ("" untyped) -> count

    @property
    def grade_rows(self) -> list[tuple[str, str, int]]:
        return [
            (value, str(label), self.by_grade.get(value, 0))
            for value, label in NoteAssessment.Grade.choices
        ]


def note_figures(campaign: Campaign, branches: Iterable[Unit]) -> dict[str, Any]:
    """Plain data: {"college": NoteFigures, "branches": [NoteFigures per branch, by path],
    "types": [type names in order]}. Counts are of members: a member's notes are read
    and assessed together."""
    ordered = sorted(branches, key=lambda unit: unit.path)
    ids = [b.pk for b in ordered]
    per = {b.pk: NoteFigures(b.name) for b in ordered}
    college = NoteFigures(str(campaign.unit.name))

    with_notes = Counter(
        branch_id
        for branch_id, _member in reading_notes(campaign)
        .filter(member__branch_id__in=ids, member__is_active=True)
        .order_by()  # the model's ordering would make every note distinct
        .values_list("member__branch_id", "member_id")
        .distinct()
    )
    sampled = Counter(
        branch_id
        for branch_id, _member in SampledMember.objects.filter(
            sample__campaign=campaign, branch_id__in=ids
        )
        .order_by()
        .values_list("branch_id", "member_id")
        .distinct()
    )
    assessments = NoteAssessment.objects.filter(
        campaign=campaign, level=NoteAssessment.Level.COLLEGE, member__branch_id__in=ids
    ).values_list("member__branch_id", "grade", "note_type__name")
    for branch_id in ids:
        per[branch_id].members_with_notes = with_notes.get(branch_id, 0)
        per[branch_id].sampled = sampled.get(branch_id, 0)
    for branch_id, grade, type_name in assessments:
        for figures in (per[branch_id], college):
            figures.read += 1
            figures.by_grade[grade] = figures.by_grade.get(grade, 0) + 1
            key = type_name or ""
            figures.by_type[key] = figures.by_type.get(key, 0) + 1
    college.members_with_notes = sum(with_notes.values())
    college.sampled = sum(sampled.values())
    return {
        "college": college,
        "branches": [per[i] for i in ids],
        "types": list(note_types(campaign).values_list("name", flat=True)),
    }
