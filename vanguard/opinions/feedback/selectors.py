"""The feedback sheet (反馈表): what a member reads about themself, with no source.

What the sheet shows, and why
-----------------------------
- The opinions about the member (`subject_member`, status "sorted" — not set aside,
  not merged into another), grouped by aspect (those without an aspect last), each
  with its kind (praise / criticism / suggestion) and its text. Nothing else of the
  opinion: no contact, no source, no sender, no participants, no date (a date can
  be matched against who was seen where, so not even the month is shown).
- The order inside a group is aspect, then kind, then a keyed hash of the opinion's
  primary key (`salted_hmac` with the site's secret): stable, but it follows
  neither the order of intake nor the order of sorting, so "the last one on the
  sheet is what I told the secretary yesterday" cannot be read off.
- The channel is shown only where it cannot point at a person:
    * suggestion box (意见箱) — anonymous by construction: shown;
    * written survey (书面调查) — only inside a qualifying aggregate: shown;
    * symposium (座谈会) — said in front of a group: shown;
    * e-mail (电子信箱) — one identifiable sender: hidden;
    * individual talk (个人交谈) — a talk is with one named person: hidden.
  Where the channel is hidden nothing is shown in its place (not "hidden"), so a
  blank does not single those opinions out either — every item of a hidden
  channel looks like every other.
- Survey answers (书面调查) are shown only as aggregates: per survey, per aspect,
  the counts of 好 / 较好 / 一般 / 较差 and the comments, shuffled. A survey's
  aggregate appears only when the survey is *closed* and at least N respondents
  (`OpinionSettings.min_respondents`, default 3) answered about this member.
  Closed, because an aggregate that changes in front of the member after one
  known person answered reveals that answer by subtraction. Each survey stands
  alone: answers are never pooled across surveys or rounds (a pooled total next
  to one survey's total would let the member subtract the other), and never split
  by respondents inside or outside the Party (the answers carry no such mark, and
  a split group could be small). A survey below N is not shown at all — neither
  on its own nor folded into anything else. Comments appear only inside a
  qualifying aggregate. Opinion rows whose channel is "survey" are not listed one
  by one for the same reason: a survey's words reach the member only through an
  aggregate.
- Reopening a closed survey hides its aggregate again until it closes; the lead
  should keep "closed" final once an aggregate has been shown (see the report).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign
from vanguard.opinions.models import (
    DEFAULT_ASPECTS,
    Aspect,
    FeedbackAcknowledgement,
    Opinion,
    OpinionSettings,
    SurveyAnswer,
)
from vanguard.organization.models import Member

# Channels whose name cannot lead to the person who gave the opinion.
SHOWN_CHANNELS = frozenset(
    {Opinion.Channel.SUGGESTION_BOX, Opinion.Channel.SURVEY, Opinion.Channel.SYMPOSIUM}
)
# A survey's words reach the member only as an aggregate (see the module docstring).
AGGREGATE_ONLY_CHANNELS = frozenset({Opinion.Channel.SURVEY})

RATINGS = (
    ("good", _("好")),
    ("fair", _("较好")),
    ("average", _("一般")),
    ("poor", _("较差")),
)
DEFAULT_MIN_RESPONDENTS = 3
_KIND_ORDER = {kind: index for index, kind in enumerate(Opinion.Kind.values)}
_KIND_ORDER[Opinion.Kind.UNSORTED] = len(_KIND_ORDER)


def _shuffle_key(salt: str, value: Any) -> str:
    return salted_hmac(f"vanguard.opinions.feedback.{salt}", str(value)).hexdigest()


@dataclass(frozen=True)
class FeedbackItem:
    text: str
    kind: str
    kind_display: str
    channel_display: str  # "" where the channel could identify the source


@dataclass
class AspectGroup:
    name: str  # the aspect, or "其他" for opinions without one
    items: list[FeedbackItem] = field(default_factory=list)


@dataclass
class AspectRatings:
    name: str
    counts: list[tuple[str, int]]  # (rating label, count) in the order 好 较好 一般 较差
    comments: list[str]


@dataclass
class SurveyAggregate:
    title: str
    respondents: int
    aspects: list[AspectRatings]


@dataclass
class FeedbackSheet:
    member: Member
    campaign: Campaign | None
    groups: list[AspectGroup]
    surveys: list[SurveyAggregate]
    min_respondents: int
    surveys_withheld: bool  # a survey about the member exists but is not (yet) shown
    acknowledgement: FeedbackAcknowledgement | None

    @property
    def opinion_count(self) -> int:
        return sum(len(group.items) for group in self.groups)


def min_respondents_for(campaign: Campaign) -> int:
    """Read-only (a sheet being read never creates settings)."""
    value = (
        OpinionSettings.objects.filter(campaign=campaign)
        .values_list("min_respondents", flat=True)
        .first()
    )
    # Fewer than 2 would show single answers; treat 0 and 1 as 2.
    return max(value if value is not None else DEFAULT_MIN_RESPONDENTS, 2)


def _aspect_names(campaign: Campaign) -> tuple[list[tuple[str, str]], dict[str, str]]:
    aspects = list(Aspect.objects.filter(campaign=campaign).order_by("order", "pk"))
    if aspects:
        ordered = [(a.key, a.name) for a in aspects]
    else:
        ordered = [(key, str(name)) for key, name in DEFAULT_ASPECTS]
    return ordered, dict(ordered)


def sheet_opinions(member: Member, campaign: Campaign) -> list[Opinion]:
    """The opinions listed one by one on the member's sheet, in the sheet's order.
    For readers that answer the sheet's points (a rectification plan): they show each
    with `sheet_item` under `sheet_group_name`, never anything else of the opinion."""
    opinions = (
        Opinion.objects.filter(
            campaign=campaign,
            subject_kind=Opinion.SubjectKind.MEMBER,
            subject_member=member,
            status=Opinion.Status.SORTED,
        )
        .exclude(channel__in=AGGREGATE_ONLY_CHANNELS)
        .select_related("aspect")
    )
    return sorted(
        opinions,
        key=lambda o: (
            o.aspect is None,
            (o.aspect.order, o.aspect.pk) if o.aspect else (0, 0),
            _KIND_ORDER.get(o.kind, 99),
            _shuffle_key("opinion", o.pk),
        ),
    )


def sheet_group_name(opinion: Opinion) -> str:
    return opinion.aspect.name if opinion.aspect else str(_("其他"))


def sheet_item(opinion: Opinion) -> FeedbackItem:
    """What the sheet shows of one opinion."""
    return FeedbackItem(
        text=opinion.text,
        kind=opinion.kind,
        kind_display=str(opinion.get_kind_display()),
        channel_display=(
            str(opinion.get_channel_display()) if opinion.channel in SHOWN_CHANNELS else ""
        ),
    )


def _opinion_groups(member: Member, campaign: Campaign) -> list[AspectGroup]:
    groups: list[AspectGroup] = []
    for opinion in sheet_opinions(member, campaign):
        name = sheet_group_name(opinion)
        if not groups or groups[-1].name != name:
            groups.append(AspectGroup(name=name))
        groups[-1].items.append(sheet_item(opinion))
    return groups


def _survey_aggregates(
    member: Member, campaign: Campaign, minimum: int
) -> tuple[list[SurveyAggregate], bool]:
    answers = SurveyAnswer.objects.filter(
        survey__campaign=campaign, subject_member=member
    ).select_related("survey")
    by_survey: dict[int, list[SurveyAnswer]] = defaultdict(list)
    surveys: dict[int, Any] = {}
    for answer in answers:
        by_survey[answer.survey_id].append(answer)
        surveys[answer.survey_id] = answer.survey
    ordered_aspects, names = _aspect_names(campaign)
    result: list[SurveyAggregate] = []
    withheld = False
    for survey_id in sorted(by_survey, key=lambda pk: (surveys[pk].round, pk)):
        survey, group = surveys[survey_id], by_survey[survey_id]
        if survey.is_open or len(group) < minimum:
            withheld = True
            continue
        keys = [key for key, _name in ordered_aspects]
        keys += sorted({k for a in group for k in (*a.ratings, *a.comments)} - set(keys))
        aspects: list[AspectRatings] = []
        for key in keys:
            counts = {value: 0 for value, _label in RATINGS}
            comments: list[tuple[str, str]] = []
            for answer in group:
                rating = (answer.ratings or {}).get(key)
                if rating in counts:
                    counts[rating] += 1
                comment = str((answer.comments or {}).get(key) or "").strip()
                if comment:
                    comments.append((_shuffle_key(f"comment.{survey_id}", answer.pk), comment))
            if not any(counts.values()) and not comments:
                continue
            # A keyed order: follows neither the order of answering nor the text.
            shuffled = [text for _key, text in sorted(comments)]
            aspects.append(
                AspectRatings(
                    name=names.get(key, key),
                    counts=[(str(label), counts[value]) for value, label in RATINGS],
                    comments=shuffled,
                )
            )
        result.append(SurveyAggregate(title=survey.title, respondents=len(group), aspects=aspects))
    return result, withheld


def feedback_sheet(member: Member, campaign: Campaign | None) -> FeedbackSheet:
    if campaign is None:
        return FeedbackSheet(member, None, [], [], DEFAULT_MIN_RESPONDENTS, False, None)
    minimum = min_respondents_for(campaign)
    surveys, withheld = _survey_aggregates(member, campaign, minimum)
    return FeedbackSheet(
        member=member,
        campaign=campaign,
        groups=_opinion_groups(member, campaign),
        surveys=surveys,
        min_respondents=minimum,
        surveys_withheld=withheld,
        acknowledgement=FeedbackAcknowledgement.objects.filter(
            campaign=campaign, member=member
        ).first(),
    )


def acknowledgements(campaign: Campaign, member_ids: list[int]) -> dict[int, Any]:
    """member id -> acknowledgement, for lists of members (one query)."""
    rows = FeedbackAcknowledgement.objects.filter(campaign=campaign, member_id__in=member_ids)
    return {row.member_id: row for row in rows}
