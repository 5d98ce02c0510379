"""Reads for the branch meeting record book (支部大会记录本): a branch's meetings of one
campaign, in date order, each as the paper book's ruled page wants it, with the
campaign's required meetings (必开会议) marked and those not held named.

Everything comes from what Vanguard already holds; nothing is entered twice:

* a meeting's attendance is its own record (应到 / 实到 / 缺席, and who was absent with
  the reason), or, for a democratic appraisal meeting (民主评议会) recorded without
  attendance, the door roll of the vote held at it (`Attendance.source` says which);
* a democratic appraisal meeting's result is its vote's tally as the ballots app
  publishes it (`ballots.services.compute_tally`, the one rule of publication): the
  number of ballots, and counts per candidate and grade only when the tally is
  published (at least the secrecy minimum, quorum met). Nothing says who voted how,
  nor in what order; who voted by logging in is not read either;
* a vote is the meeting's when the session names the meeting, else when it was opened
  on the day of a democratic appraisal meeting of the branch; a closed vote with no
  meeting recorded is a page of its own, said to come from the vote alone.

The data is read in a fixed number of queries whatever the number of meetings,
members or attendance rows, plus `compute_tally`'s own few for each closed vote (a
branch votes once, or once per party group).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.ballots import services as ballots
from vanguard.ballots.models import AppraisalSession, Grade, RollEntry
from vanguard.campaigns.models import Campaign, Phase, Requirement
from vanguard.lib.paths import path_ids
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.organization.models import Unit

Kind = Meeting.Kind
# Where a meeting's attendance on the page comes from.
FROM_MEETING = "meeting"
FROM_VOTE = "vote"
NOT_RECORDED = "none"


@dataclass(frozen=True)
class Absence:
    name: str
    reason: str  # "" when the record gives none (the vote's roll never does)


@dataclass(frozen=True)
class Attendance:
    expected: int  # 应到
    present: int  # 实到
    absent: int  # 缺席
    absences: list[Absence]
    source: str  # FROM_MEETING, FROM_VOTE or NOT_RECORDED


@dataclass(frozen=True)
class CandidateResult:
    name: str
    counts: list[int]  # per grade, in Grade order
    blank: int  # confirmed paper ballots that left the candidate ungraded (未评定)


@dataclass(frozen=True)
class VoteResult:
    """One closed vote's tally as the ballots app publishes it."""

    unit_name: str  # the branch, or the party group that voted
    opened_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    voters: int  # on the roll
    present: int  # ticked present at the door (到会)
    ballots: int  # electronic + confirmed paper ballots counted
    published: bool
    withheld_reason: str  # why there are no per-candidate counts ("" when published)
    candidates: list[CandidateResult]  # empty unless published
    not_graded: list[str]  # probationary members: they vote, 不定等次
    has_blank: bool  # some paper ballot left a candidate ungraded (a 未评定 column)


@dataclass(frozen=True)
class BookMeeting:
    """One meeting's page of the book."""

    kind: str
    kind_label: str
    title: str
    held_on: datetime.date
    starts: str  # "18:00", or "" for a page from a vote alone
    ends: str  # "23:00", "次日 00:30", or "" when not recorded
    place: str
    host: str
    recorder: str
    agenda: str
    minutes: str
    decisions: str
    attendance: Attendance
    required: bool  # one of the campaign's required meetings (必开会议)
    votes: list[VoteResult] = field(default_factory=list)
    from_vote_only: bool = False  # no meeting recorded: the page is the vote's


@dataclass(frozen=True)
class RequiredMeeting:
    kind: str
    label: str  # the kind's name: 支部动员会 …
    requirement: str  # the campaign's wording: 召开支部动员会
    held: bool
    from_vote_only: bool = False  # only a vote shows it was held: no meeting recorded


@dataclass(frozen=True)
class MeetingBook:
    campaign_name: str
    years: str  # "2026", or "2025—2026" for a campaign across a new year
    branch_name: str
    general_branch_name: str  # "" for a branch directly under the committee
    committee_name: str
    meetings: list[BookMeeting]
    required: list[RequiredMeeting]

    @property
    def missing(self) -> list[RequiredMeeting]:
        return [r for r in self.required if not r.held]


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value)


def time_text(value: datetime.datetime) -> str:
    return f"{_local(value):%H:%M}"


def end_text(start: datetime.datetime, end: datetime.datetime | None) -> str:
    """The end time as the book prints it: "23:00", or "次日 00:30" past midnight."""
    if end is None:
        return ""
    if _local(end).date() != _local(start).date():
        return _("次日 %(time)s") % {"time": time_text(end)}
    return time_text(end)


def required_kinds(campaign: Campaign) -> list[tuple[str, str]]:
    """[(meeting kind, the requirement's wording)] of the campaign's required branch
    meetings (the `branch_meeting` requirements of its phases: 支部动员会, 民主评议会,
    等级评定会 in the blueprints), in phase and requirement order, each kind once."""
    found: dict[str, str] = {}
    for params, label in (
        Requirement.objects.filter(phase__campaign=campaign, kind="branch_meeting")
        .order_by("phase__order", "order", "pk")
        .values_list("params", "label")
    ):
        kind = (params or {}).get("kind")
        if kind in Kind.values and kind not in found:
            found[kind] = label
    return list(found.items())


def _years(campaign: Campaign, phases: list[Phase]) -> str:
    if not phases:
        return str(campaign.year)
    first = min(p.starts_on.year for p in phases)
    last = max(p.ends_on.year for p in phases)
    return str(first) if first == last else f"{first}—{last}"


def _own_attendance(rows: list[MeetingAttendance]) -> Attendance:
    present = sum(1 for r in rows if r.status == MeetingAttendance.Status.PRESENT)
    absences = [
        Absence(r.member.name, r.reason)
        for r in rows
        if r.status == MeetingAttendance.Status.ABSENT
    ]
    return Attendance(len(rows), present, len(absences), absences, FROM_MEETING)


def _roll_attendance(entries: list[RollEntry]) -> Attendance:
    """The door roll of the vote (到会 ticked as members drew their cards)."""
    present = sum(1 for e in entries if e.present)
    absences = [Absence(e.member.name, "") for e in entries if not e.present]
    return Attendance(len(entries), present, len(absences), absences, FROM_VOTE)


NO_ATTENDANCE = Attendance(0, 0, 0, [], NOT_RECORDED)


def _vote_result(session: AppraisalSession, roll: list[RollEntry]) -> VoteResult:
    tally = ballots.compute_tally(session=session)
    grades = list(Grade.values)
    candidates = (
        [
            CandidateResult(c.name, [c.counts.get(g, 0) for g in grades], c.blank)
            for c in tally.candidates
        ]
        if tally.published
        else []
    )
    return VoteResult(
        unit_name=session.unit.name,
        opened_at=session.opened_at,
        closed_at=session.closed_at,
        voters=tally.voters_on_roll,
        present=sum(1 for e in roll if e.present),
        ballots=tally.total_ballots,
        published=tally.published,
        withheld_reason=tally.withheld_reason,
        candidates=candidates,
        not_graded=[m.name for m in tally.not_graded],
        has_blank=any(c.blank for c in candidates),
    )


def branches_with_meetings(branches: QuerySet[Unit], campaign: Campaign) -> QuerySet[Unit]:
    """The branches in tree order, each with `meetings_held`: its meetings of the
    campaign held so far (one query for any number of branches)."""
    held = Count(
        "meetings",
        filter=Q(meetings__campaign=campaign, meetings__held_at__lte=timezone.now()),
    )
    return branches.select_related("parent").annotate(meetings_held=held).order_by("path")


def meeting_book(*, campaign: Campaign, branch: Unit) -> MeetingBook:
    """The book of `branch` in `campaign` (callers fetch both through
    `materials.access`)."""
    now = timezone.now()
    phases = list(Phase.objects.filter(campaign=campaign).order_by("order"))
    required = required_kinds(campaign)
    required_set = {kind for kind, _label in required}
    above = {
        u.pk: u for u in Unit.objects.filter(pk__in=path_ids(branch.path)[:-1]).only("name", "kind")
    }
    general = next((u for u in above.values() if u.kind == Unit.Kind.GENERAL_BRANCH), None)
    nearest_first = [above[pk] for pk in reversed(path_ids(branch.path)) if pk in above]
    committee = next((u for u in nearest_first if u.kind == Unit.Kind.COMMITTEE), None)

    meetings = list(
        Meeting.objects.filter(campaign=campaign, unit=branch, held_at__lte=now).order_by(
            "held_at", "pk"
        )
    )
    attendance: dict[int, list[MeetingAttendance]] = defaultdict(list)
    for row in (
        MeetingAttendance.objects.filter(meeting__in=[m.pk for m in meetings])
        .select_related("member")
        .order_by("member__number", "pk")
    ):
        attendance[row.meeting_id].append(row)

    sessions = list(
        AppraisalSession.objects.filter(
            campaign=campaign,
            unit__path__startswith=branch.path,
            status=AppraisalSession.Status.CLOSED,
        )
        .select_related("unit", "campaign")
        .order_by("opened_at", "pk")
    )
    roll: dict[int, list[RollEntry]] = defaultdict(list)
    for entry in (
        RollEntry.objects.filter(session__in=[s.pk for s in sessions])
        .select_related("member")
        .order_by("member__number", "pk")
    ):
        roll[entry.session_id].append(entry)

    # Each vote to its meeting: the one it names, else an appraisal meeting that day.
    appraisal_days: dict[datetime.date, Meeting] = {}
    for m in meetings:
        if m.kind == Kind.DEMOCRATIC_APPRAISAL:
            appraisal_days.setdefault(_local(m.held_at).date(), m)
    known = {m.pk for m in meetings}
    votes_of: dict[int, list[AppraisalSession]] = defaultdict(list)
    alone: list[AppraisalSession] = []
    for session in sessions:
        when = session.opened_at or session.closed_at
        if session.meeting_id in known:
            votes_of[session.meeting_id].append(session)
        elif (
            session.meeting_id is None
            and when is not None
            and ((found := appraisal_days.get(_local(when).date())) is not None)
        ):
            votes_of[found.pk].append(session)
        else:
            alone.append(session)

    pages: list[tuple[datetime.datetime, int, BookMeeting]] = []
    for m in meetings:
        own = attendance.get(m.pk, [])
        held_votes = votes_of.get(m.pk, [])
        if own:
            seen = _own_attendance(own)
        elif held_votes:
            seen = _roll_attendance([e for s in held_votes for e in roll[s.pk]])
        else:
            seen = NO_ATTENDANCE
        page = BookMeeting(
            kind=m.kind,
            kind_label=str(m.get_kind_display()),
            title=m.title,
            held_on=_local(m.held_at).date(),
            starts=time_text(m.held_at),
            ends=end_text(m.held_at, m.ends_at),
            place=m.place,
            host=m.host,
            recorder=m.recorder,
            agenda=m.agenda,
            minutes=m.minutes,
            decisions=m.decisions,
            attendance=seen,
            required=m.kind in required_set,
            votes=[_vote_result(s, roll[s.pk]) for s in held_votes],
        )
        pages.append((m.held_at, 0, page))
    for session in alone:
        when = session.opened_at or session.closed_at or session.created_at
        pages.append(
            (
                when,
                1,
                BookMeeting(
                    kind=Kind.DEMOCRATIC_APPRAISAL,
                    kind_label=str(Kind.DEMOCRATIC_APPRAISAL.label),
                    title=_("%(unit)s民主评议会") % {"unit": session.unit.name},
                    held_on=_local(when).date(),
                    starts="",
                    ends="",
                    place="",
                    host="",
                    recorder="",
                    agenda="",
                    minutes="",
                    decisions="",
                    attendance=_roll_attendance(roll[session.pk]),
                    required=Kind.DEMOCRATIC_APPRAISAL in required_set,
                    votes=[_vote_result(session, roll[session.pk])],
                    from_vote_only=True,
                ),
            )
        )
    pages.sort(key=lambda item: (item[0], item[1]))
    book_pages = [page for _when, _order, page in pages]

    recorded = {m.kind for m in meetings}
    voted = bool(alone)
    return MeetingBook(
        campaign_name=campaign.name,
        years=_years(campaign, phases),
        branch_name=branch.name,
        general_branch_name=general.name if general is not None else "",
        committee_name=committee.name if committee is not None else "",
        meetings=book_pages,
        required=[
            RequiredMeeting(
                kind=kind,
                label=str(Kind(kind).label),
                requirement=label,
                held=kind in recorded or (kind == Kind.DEMOCRATIC_APPRAISAL and voted),
                from_vote_only=kind not in recorded and kind == Kind.DEMOCRATIC_APPRAISAL and voted,
            )
            for kind, label in required
        ],
    )
