"""Candidate examples (典型事例) for the report's 主要做法和经验, drawn from branch records
the person drafting the report reads: the branches' rectification activities (the
special Party dues, the golden ideas, an initiative), branches whose every plan was
approved, branches whose every member did what the study phase asked, a further round
of opinion-gathering, the exemplary reading notes the supervision chose, and meetings
worth telling. The committee ticks which go in (`models.ReportSelection`).

Each candidate is a short paragraph drawn from the record. It never names who gave an
opinion or an idea, who gave how much, or how anyone voted: a donation by its public
total, ideas by their numbers, an exemplar's author only when they consented to be
named, and the minutes of an appraisal, a grading or a party-group meeting are not
quoted at all (only that it was held, and how many attended)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.access import Person
from vanguard.campaigns.models import Campaign, Phase
from vanguard.materials.figures import Figures
from vanguard.materials.meeting_book.selectors import end_text
from vanguard.meetings import access as meetings_access
from vanguard.meetings.models import Meeting
from vanguard.meetings.selectors import with_counts
from vanguard.opinions.models import OpinionRound
from vanguard.opinions.sorting.selectors import sorting_units
from vanguard.rectification.activities.selectors import campaign_activities
from vanguard.rectification.models import Activity
from vanguard.supervision import access as supervision_access
from vanguard.supervision.notes.selectors import exemplar_card

EXCERPT = 160  # characters of a record's text quoted in a paragraph

ACTIVITY = "activity"
PLANS = "plans"
STUDY = "study"
ROUND = "round"
EXEMPLAR = "exemplar"
MEETING = "meeting"
KINDS = (ACTIVITY, PLANS, STUDY, ROUND, EXEMPLAR, MEETING)

# Meetings worth a paragraph (the branches' many mobilisation meetings and the leading
# group's own are counted in the figures instead).
MEETING_KINDS = (
    Meeting.Kind.ALL_MEMBER,
    Meeting.Kind.SECRETARY,
    Meeting.Kind.DEMOCRATIC_APPRAISAL,
    Meeting.Kind.GRADE_RATING,
    Meeting.Kind.PARTY_GROUP,
    Meeting.Kind.SYMPOSIUM,
)
# Meetings whose minutes may tell how members were graded or voted: never quoted.
UNQUOTED_MINUTES = (
    Meeting.Kind.DEMOCRATIC_APPRAISAL,
    Meeting.Kind.GRADE_RATING,
    Meeting.Kind.PARTY_GROUP,
)


def kind_labels() -> dict[str, str]:
    return {
        ACTIVITY: _("整改活动"),
        PLANS: _("整改计划全部审批"),
        STUDY: _("学习全员完成"),
        ROUND: _("再次征求意见"),
        EXEMPLAR: _("优秀读书笔记"),
        MEETING: _("会议"),
    }


@dataclass(frozen=True)
class Candidate:
    kind: str
    ref: str  # the record, "<kind>:<id>" (never an opinion's key)
    title: str
    branch: str  # the unit it happened in ("" when not told)
    text: str  # the paragraph the draft carries

    @property
    def key(self) -> str:
        return self.ref

    @property
    def kind_label(self) -> str:
        return kind_labels().get(self.kind, self.kind)


def excerpt(text: Any, limit: int = EXCERPT) -> str:
    """The first `limit` characters of a record's text on one line, cut after the last
    full stop inside them when there is one, else marked as cut (……)."""
    flat = " ".join(str(text or "").split())
    if len(flat) <= limit:
        return flat
    head = flat[:limit]
    stop = max(head.rfind(mark) for mark in "。！？；")
    return head[: stop + 1] if stop >= limit // 2 else head + "……"


def _date(value: Any) -> str:
    if value is None:
        return ""
    day = timezone.localtime(value).date() if hasattr(value, "hour") else value
    return _("%(month)d月%(day)d日") % {"month": day.month, "day": day.day}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？；…" else text + "。"


def _activities(user: Person, campaign: Campaign) -> list[Candidate]:
    found = []
    for activity in campaign_activities(user, campaign):
        parts = [
            _("%(date)s，%(branch)s开展“%(title)s”活动。")
            % {
                "date": _date(activity.held_on),
                "branch": activity.branch.name,
                "title": activity.title,
            }
            if activity.held_on
            else _("%(branch)s开展“%(title)s”活动。")
            % {"branch": activity.branch.name, "title": activity.title},
            _sentence(excerpt(activity.description)),
        ]
        if activity.outcomes:
            parts.append(_sentence(excerpt(activity.outcomes)))
        elif activity.kind == Activity.Kind.DONATION and activity.total:  # type: ignore[attr-defined]
            parts.append(_("共捐款%(total)s元。") % {"total": activity.total})  # type: ignore[attr-defined]
        elif activity.kind == Activity.Kind.IDEAS and activity.idea_count:  # type: ignore[attr-defined]
            parts.append(_("共收到金点子%(n)d条。") % {"n": activity.idea_count})  # type: ignore[attr-defined]
        found.append(
            Candidate(
                ACTIVITY,
                f"{ACTIVITY}:{activity.pk}",
                activity.title,
                activity.branch.name,
                "".join(part for part in parts if part),
            )
        )
    return found


def _plans(figures: Figures) -> list[Candidate]:
    found = []
    for branch in figures.branches:
        tally = figures.rectification.get(branch.id)
        if tally is None or not tally.members:
            continue
        if tally.approved < tally.members or tally.branch_plans_approved < 1:
            continue
        text = _(
            "%(branch)s%(members)d名党员的整改计划和支部整改计划全部经审批，"
            "共列出整改事项%(items)d项，已完成%(finished)d项。"
        ) % {
            "branch": branch.name,
            "members": tally.members,
            "items": tally.items,
            "finished": tally.finished,
        }
        found.append(
            Candidate(PLANS, f"{PLANS}:{branch.id}", _("整改计划全部审批"), branch.name, text)
        )
    return found


def _study(figures: Figures) -> list[Candidate]:
    """Branches whose every member met the study phase's own requirements (judged
    against that phase, whatever phase the branch is in now: that phase's run)."""
    progress = next((run for phase, run in figures.by_phase if phase.key == Phase.Key.STUDY), None)
    if progress is None:
        return []
    found = []
    for branch in progress.branches:
        member_results = [result for result in branch.results if result.is_member_scope]
        if not branch.members or not member_results or not branch.met:
            continue
        asked = _("、").join(result.label for result in member_results)
        text = _("%(branch)s%(members)d名党员全部完成了学习阶段的要求（%(asked)s）。") % {
            "branch": branch.name,
            "members": len(branch.members),
            "asked": asked,
        }
        found.append(Candidate(STUDY, f"{STUDY}:{branch.id}", _("学习全员完成"), branch.name, text))
    return found


def _rounds(user: Person, campaign: Campaign) -> list[Candidate]:
    rounds = (
        OpinionRound.objects.filter(
            campaign=campaign, number__gt=1, branch__in=sorting_units(user, campaign)
        )
        .select_related("branch")
        .order_by("branch__path", "number")
    )
    return [
        Candidate(
            ROUND,
            f"{ROUND}:{opinion_round.pk}",
            _("第%(n)d轮征求意见") % {"n": opinion_round.number},
            opinion_round.branch.name,
            _("%(branch)s开展第%(n)d轮征求意见：%(reason)s")
            % {
                "branch": opinion_round.branch.name,
                "n": opinion_round.number,
                "reason": _sentence(excerpt(opinion_round.reason)),
            },
        )
        for opinion_round in rounds
    ]


def _exemplars(user: Person, campaign: Campaign) -> list[Candidate]:
    exemplars = (
        supervision_access.visible_exemplars(user)
        .filter(campaign=campaign, withdrawn_at__isnull=True)
        .order_by("note_type__order", "note_type__pk", "-published_at", "-pk")
    )
    found = []
    for exemplar in exemplars:
        card = exemplar_card(exemplar)  # an anonymised one carries no author, no branch
        who = (
            _("%(branch)s%(author)s同志的") % {"branch": card.branch, "author": card.author}
            if card.author and card.branch
            else ""
        )
        text = _("督查组选出%(who)s读书笔记“%(title)s”作为%(type)s笔记的示范。%(comment)s") % {
            "who": who,
            "title": card.title,
            "type": card.note_type or _("优秀"),
            "comment": _sentence(excerpt(card.comment)),
        }
        found.append(
            Candidate(EXEMPLAR, f"{EXEMPLAR}:{card.pk}", card.title, card.branch or "", text)
        )
    return found


def _meetings(user: Person, campaign: Campaign) -> list[Candidate]:
    meetings = with_counts(
        meetings_access.visible_meetings(user)
        .filter(campaign=campaign, kind__in=MEETING_KINDS)
        .select_related("unit")
    ).order_by("held_at", "pk")
    found = []
    for meeting in meetings:
        ends = getattr(meeting, "ends_at", None)  # the meeting book's end time, when kept
        when = _date(meeting.held_at)
        if ends is not None:
            when = _("%(date)s%(start)s至%(end)s") % {
                "date": when,
                "start": timezone.localtime(meeting.held_at).strftime("%H:%M"),
                "end": end_text(meeting.held_at, ends),  # "次日 00:30" past midnight
            }
        text = _(
            "%(when)s，%(unit)s召开%(kind)s“%(title)s”，应到%(expected)d人，实到%(present)d人。"
        ) % {
            "when": when,
            "unit": meeting.unit.name,
            "kind": meeting.get_kind_display(),
            "title": meeting.title,
            "expected": meeting.expected_count,  # type: ignore[attr-defined]
            "present": meeting.present_count,  # type: ignore[attr-defined]
        }
        if meeting.kind not in UNQUOTED_MINUTES:
            text += _sentence(excerpt(meeting.minutes))
        found.append(
            Candidate(MEETING, f"{MEETING}:{meeting.pk}", meeting.title, meeting.unit.name, text)
        )
    return found


def report_candidates(user: Person, campaign: Campaign, *, figures: Figures) -> list[Candidate]:
    """Every candidate the person may put in the report, by kind (`KINDS`) then as each
    kind orders them. `figures` are the report's own (`materials.figures`)."""
    return [
        *_activities(user, campaign),
        *_plans(figures),
        *_study(figures),
        *_rounds(user, campaign),
        *_exemplars(user, campaign),
        *_meetings(user, campaign),
    ]
