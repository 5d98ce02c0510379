"""Intake of opinions: suggestion box (意见箱), written survey (书面调查), individual
talks (个人交谈) and symposia (座谈会); and each campaign's aspects.

Shared helpers used by the other opinion modules:
`opinion_settings_for(campaign)`, `aspects_for(campaign)`, `current_round(campaign, branch)`.

Secrecy, as the models' docstring sets it out:
- The suggestion box writes with no audit actor and records only the date; the
  rate limit (ratelimit.py) keeps nothing in the database.
- A survey answer is written in the same transaction that marks its invitation
  used, with no audit actor, and carries no token, respondent or time. Closing a
  survey rewrites its answers in random order, with new random keys, so that the
  stored order no longer follows the order of answering.
- Talks and symposia are written by a logged-in recorder and audited; their
  sources (participants, an opinion's `source`) are hidden from the trail.
Callers check permissions first; these functions check the data.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from vanguard.accounts.models import User
from vanguard.audit.context import acting_as
from vanguard.audit.models import AuditEntry
from vanguard.audit.services import audit_record
from vanguard.campaigns.models import Campaign
from vanguard.campaigns.selectors import active_campaign_for_unit
from vanguard.opinions.models import (
    DEFAULT_ASPECTS,
    Aspect,
    Opinion,
    OpinionRecord,
    OpinionRound,
    OpinionSettings,
    SubmissionToken,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
)
from vanguard.organization.models import Member, Unit

RATINGS = ("good", "fair", "average", "poor")  # 好 / 较好 / 一般 / 较差
TEXT_MAX_LENGTH = 2000
COMMENT_MAX_LENGTH = 500

# --- Shared helpers ---------------------------------------------------------------


def opinion_settings_for(campaign: Campaign) -> OpinionSettings:
    """The campaign's opinion settings, created with defaults on first use."""
    settings, _created = OpinionSettings.objects.get_or_create(campaign=campaign)
    return settings


def aspects_for(campaign: Campaign) -> list[Aspect]:
    """The campaign's aspects in order; the 8 defaults are created on first use."""
    aspects = list(Aspect.objects.filter(campaign=campaign).order_by("order", "pk"))
    if aspects:
        return aspects
    # Names are stored in the source language (Chinese), whoever opens the page first.
    with transaction.atomic(), translation.override(django_settings.LANGUAGE_CODE):
        for order, (key, name) in enumerate(DEFAULT_ASPECTS, start=1):
            Aspect.objects.get_or_create(
                campaign=campaign, key=key, defaults={"name": str(name), "order": order}
            )
    return list(Aspect.objects.filter(campaign=campaign).order_by("order", "pk"))


def opinion_once(token: str, create: Callable[[], Opinion]) -> Opinion:
    """`create()`, once for `token`: a form posted again, an API call retried with the
    same Idempotency-Key, or both posts of a double click at the same moment return
    the opinion the first one made. Without a token, simply `create()`."""
    if not token:
        return create()
    first = SubmissionToken.objects.filter(token=token).select_related("opinion").first()
    if first is not None:
        return first.opinion
    try:
        with transaction.atomic():
            opinion = create()
            SubmissionToken.objects.create(token=token, opinion=opinion)
    except IntegrityError:
        # Another post of the same token got there first; its opinion stands, ours is
        # rolled back with the savepoint.
        first = SubmissionToken.objects.filter(token=token).select_related("opinion").first()
        if first is None:
            raise
        return first.opinion
    return opinion


def current_round(campaign: Campaign, branch: Unit) -> int:
    """The branch's current round of solicitation: the highest opened, else 1."""
    number = OpinionRound.objects.filter(campaign=campaign, branch=branch).aggregate(
        n=Max("number")
    )["n"]
    return number or 1


def intake_units(campaign: Campaign) -> list[Unit]:
    """The units under a campaign that gather opinions: its branches (active ones)."""
    return list(
        Unit.objects.filter(
            path__startswith=campaign.unit.path, kind=Unit.Kind.BRANCH, is_active=True
        ).order_by("path")
    )


def branch_members(branch: Unit) -> list[Member]:
    """The members an opinion or survey answer about this branch may concern."""
    return list(Member.objects.filter(branch=branch, is_active=True).order_by("number", "pk"))


def survey_uninvited_members(survey: Survey) -> QuerySet[Member]:
    """The survey branch's members who have no Party-member invitation of theirs yet (by
    name, as invitations are kept), in roster order: those the invitation form offers."""
    invited = survey.invitations.filter(inside_party=True).values("respondent")
    return (
        Member.objects.filter(branch=survey.branch_id, is_active=True)
        .exclude(name__in=invited)
        .order_by("number", "pk")
    )


# --- Suggestion box (意见箱) -------------------------------------------------------

_BOX_SALT = "vanguard.opinions.box"


def box_slug(campaign: Campaign, unit: Unit) -> str:
    """The public, unguessable name of a branch's box in a campaign: signed, not stored."""
    digest = salted_hmac(_BOX_SALT, f"{campaign.pk}:{unit.pk}", algorithm="sha256").hexdigest()
    return f"{campaign.pk}-{unit.pk}-{digest[:22]}"


@dataclass
class Box:
    campaign: Campaign
    branch: Unit


def box_from_slug(slug: str) -> Box | None:
    """The box a slug names, if the signature holds, the branch is active and lies in
    the campaign, and the campaign is running; otherwise None."""
    parts = (slug or "").split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(slug) > 80:
        return None
    campaign = Campaign.objects.select_related("unit").filter(pk=int(parts[0])).first()
    branch = Unit.objects.filter(pk=int(parts[1]), is_active=True).first()
    if (
        campaign is None
        or branch is None
        or not constant_time_compare(slug, box_slug(campaign, branch))
    ):
        return None
    if campaign.status != campaign.Status.ACTIVE or not branch.path.startswith(campaign.unit.path):
        return None
    return Box(campaign=campaign, branch=branch)


def box_for_branch(branch: Unit) -> Box | None:
    campaign = active_campaign_for_unit(branch.path)
    return Box(campaign=campaign, branch=branch) if campaign is not None else None


def _subject(
    *, about: str, branch: Unit, campaign: Campaign, members: Iterable[Member]
) -> dict[str, Any]:
    """The subject fields of an opinion from a choice "member:<pk>", "branch" or "committee"."""
    if about == "branch":
        return {"subject_kind": Opinion.SubjectKind.BRANCH, "subject_unit": branch}
    if about == "committee":
        return {"subject_kind": Opinion.SubjectKind.COMMITTEE, "subject_unit": campaign.unit}
    if about.startswith("member:"):
        wanted = about.removeprefix("member:")
        for member in members:
            if str(member.pk) == wanted:
                return {"subject_kind": Opinion.SubjectKind.MEMBER, "subject_member": member}
    raise ValidationError({"about": _("请选择意见涉及的对象。")})


def box_submit(
    *, box: Box, about: str, text: str, contact: str = "", submission_token: str = ""
) -> Opinion:
    """An opinion left in the suggestion box. Written with no audit actor, dated only.
    The form's one-time `submission_token` makes a double submit leave one opinion."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写意见内容。")})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("意见内容最多 %(max)d 字，现在有 %(n)d 字。")
                % {"max": TEXT_MAX_LENGTH, "n": len(text)}
            }
        )
    subject = _subject(
        about=about, branch=box.branch, campaign=box.campaign, members=branch_members(box.branch)
    )

    def create() -> Opinion:
        return Opinion.objects.create(
            campaign=box.campaign,
            branch=box.branch,
            round=current_round(box.campaign, box.branch),
            channel=Opinion.Channel.SUGGESTION_BOX,
            text=text,
            received_on=timezone.localdate(),
            contact=(contact or "").strip()[:200],
            **subject,
        )

    with acting_as(None), transaction.atomic():
        return opinion_once(submission_token, create)


# --- Written survey (书面调查) -----------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def survey_create(*, branch: Unit, title: str = "") -> Survey:
    campaign = active_campaign_for_unit(branch.path)
    if campaign is None:
        raise ValidationError(
            _("%(branch)s 没有进行中的活动，不能发起书面调查。") % {"branch": branch.name}
        )
    aspects_for(campaign)
    title = (title or "").strip() or _("%(branch)s 征求意见书面调查") % {"branch": branch.name}
    return Survey.objects.create(
        campaign=campaign,
        branch=branch,
        round=current_round(campaign, branch),
        title=title[:200],
    )


@dataclass
class IssuedLink:
    respondent: str
    inside_party: bool
    token: str


def survey_invite(
    *, survey: Survey, inside: Iterable[str] = (), outside: Iterable[str] = ()
) -> list[IssuedLink]:
    """One-time links for the named respondents. The raw tokens are returned once and
    never stored: only their SHA-256 is kept."""
    if not survey.is_open:
        raise ValidationError(_("这次调查已经结束，不能再发出邀请。"))
    wanted = [(name.strip(), True) for name in inside if name.strip()]
    wanted += [(name.strip(), False) for name in outside if name.strip()]
    if not wanted:
        raise ValidationError(_("请至少勾选或填写一名调查对象。"))
    too_long = [name for name, _inside in wanted if len(name) > 100]
    if too_long:
        raise ValidationError(_("姓名过长（最多 100 字）：%(name)s") % {"name": too_long[0][:20]})
    issued: list[IssuedLink] = []
    with transaction.atomic():
        for name, inside_party in wanted:
            token = secrets.token_urlsafe(24)
            SurveyInvitation.objects.create(
                survey=survey,
                token_hash=hash_token(token),
                respondent=name,
                inside_party=inside_party,
            )
            issued.append(IssuedLink(respondent=name, inside_party=inside_party, token=token))
    return issued


class InvitationUnusable(Exception):
    """A forged, used or closed survey link. `reason` is "unknown", "used" or "closed"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def invitation_for_token(token: str) -> SurveyInvitation:
    """The open, unused invitation behind a token, or InvitationUnusable."""
    if not token or len(token) > 100:
        raise InvitationUnusable("unknown")
    invitation = (
        SurveyInvitation.objects.select_related("survey", "survey__branch", "survey__campaign")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationUnusable("unknown")
    if invitation.used:
        raise InvitationUnusable("used")
    if not invitation.survey.is_open:
        raise InvitationUnusable("closed")
    return invitation


@dataclass
class MemberAnswer:
    member: Member
    ratings: dict[str, str]
    comments: dict[str, str]


def check_answers(
    *, data: Mapping[str, Any], members: Iterable[Member], aspects: Iterable[Aspect]
) -> tuple[list[MemberAnswer], dict[str, str]]:
    """Read the answer form: fields `m<member>-<aspect>-rating` and `…-comment`.

    Returns the answers (members with nothing filled in are skipped) and the errors,
    keyed by field name, each naming the member and aspect at fault."""
    answers: list[MemberAnswer] = []
    errors: dict[str, str] = {}
    aspects = list(aspects)
    for member in members:
        ratings: dict[str, str] = {}
        comments: dict[str, str] = {}
        for aspect in aspects:
            prefix = f"m{member.pk}-{aspect.key}"
            rating = str(data.get(f"{prefix}-rating", "") or "")
            comment = str(data.get(f"{prefix}-comment", "") or "").strip()
            if rating:
                if rating not in RATINGS:
                    errors[f"{prefix}-rating"] = _(
                        "%(member)s · %(aspect)s：评价只能是好、较好、一般或较差。"
                    ) % {
                        "member": member.name,
                        "aspect": aspect.name,
                    }
                    continue
                ratings[aspect.key] = rating
            if comment:
                if len(comment) > COMMENT_MAX_LENGTH:
                    errors[f"{prefix}-comment"] = _(
                        "%(member)s · %(aspect)s：意见最多 %(max)d 字，现在有 %(n)d 字。"
                    ) % {
                        "member": member.name,
                        "aspect": aspect.name,
                        "max": COMMENT_MAX_LENGTH,
                        "n": len(comment),
                    }
                    continue
                comments[aspect.key] = comment
        if ratings or comments:
            answers.append(MemberAnswer(member=member, ratings=ratings, comments=comments))
    if not answers and not errors:
        errors["__all__"] = _("请至少评价一名党员。")
    return answers, errors


def _answer_rows(survey: Survey, answers: Iterable[MemberAnswer]) -> list[SurveyAnswer]:
    rows = [
        SurveyAnswer(survey=survey, subject_member=a.member, ratings=a.ratings, comments=a.comments)
        for a in answers
    ]
    # Not even the order of one respondent's answers follows the order of the form.
    random.SystemRandom().shuffle(rows)
    return rows


def survey_answer(*, token: str, answers: list[MemberAnswer]) -> int:
    """Record one respondent's answers and use up their link, in one transaction.

    The invitation is marked used by a conditional UPDATE (… WHERE used = false), so
    a link answers once even when two submissions race. Nothing written carries the
    token, the respondent, the time or an audit actor. Returns the number of answers."""
    token_hash = hash_token(token)
    with acting_as(None), transaction.atomic():
        invitation = SurveyInvitation.objects.filter(token_hash=token_hash).first()
        if invitation is None:
            raise InvitationUnusable("unknown")
        # Locks the survey against a concurrent close (PostgreSQL; SQLite writes serialise).
        survey = Survey.objects.select_for_update().get(pk=invitation.survey_id)
        if not survey.is_open:
            raise InvitationUnusable("closed")
        if SurveyInvitation.objects.filter(pk=invitation.pk, used=False).update(used=True) != 1:
            raise InvitationUnusable("used")
        SurveyAnswer.objects.bulk_create(_answer_rows(survey, answers))
    return len(answers)


def survey_enter_paper(*, survey: Survey, answers: list[MemberAnswer]) -> int:
    """Type in a paper form: answers without any invitation. The audit trail records that
    a paper form was entered into the survey, not the answers (their keys and the time
    of entry would otherwise undo the shuffle at closing)."""
    if not survey.is_open:
        raise ValidationError(_("这次调查已经结束，不能再录入问卷。"))
    with transaction.atomic():
        with acting_as(None):
            SurveyAnswer.objects.bulk_create(_answer_rows(survey, answers))
        audit_record(action=AuditEntry.Action.CREATE, obj=survey, note=_("录入纸质问卷"))
    return len(answers)


def survey_close(*, survey: Survey, rng: random.Random | None = None) -> int:
    """Stop answering and rewrite the answers in random order with new random keys.

    SQLite keeps insertion order in a hidden rowid (PostgreSQL in the physical order
    of the heap), so the rows are copied, deleted and re-inserted shuffled, in one
    transaction. Returns the number of answers."""
    rng = rng or random.SystemRandom()
    with transaction.atomic():
        with acting_as(None):
            Survey.objects.select_for_update().filter(pk=survey.pk).update(is_open=False)
            rows = list(
                SurveyAnswer.objects.filter(survey=survey).values(
                    "subject_member_id", "ratings", "comments"
                )
            )
            rng.shuffle(rows)
            if connection.vendor == "sqlite":
                # Deleted rows are zeroed instead of lingering in free pages of the file.
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA secure_delete = ON")
            SurveyAnswer.objects.filter(survey=survey).delete()
            SurveyAnswer.objects.bulk_create(
                [SurveyAnswer(survey_id=survey.pk, **row) for row in rows]
            )
        survey.is_open = False
        audit_record(action=AuditEntry.Action.UPDATE, obj=survey, note=_("结束书面调查"))
    return len(rows)


# --- Talks and symposia (个人交谈、座谈会) -----------------------------------------

RECORD_FIELDS = ("kind", "held_on", "place", "participants", "notes")


def record_create(*, branch: Unit, recorded_by: User, data: Mapping[str, Any]) -> OpinionRecord:
    campaign = active_campaign_for_unit(branch.path)
    if campaign is None:
        raise ValidationError(
            _("%(branch)s 没有进行中的活动，不能记录谈话或座谈。") % {"branch": branch.name}
        )
    held_on = data["held_on"]
    if isinstance(held_on, datetime.date) and held_on > timezone.localdate():
        raise ValidationError({"held_on": _("日期不能晚于今天。")})
    return OpinionRecord.objects.create(
        campaign=campaign,
        branch=branch,
        recorded_by=recorded_by if getattr(recorded_by, "is_authenticated", False) else None,
        round=current_round(campaign, branch),
        **{name: data[name] for name in RECORD_FIELDS if name in data},
    )


def record_add_opinion(
    *,
    record: OpinionRecord,
    about: str,
    text: str,
    aspect: Aspect | None = None,
    source: str = "",
) -> Opinion:
    """One opinion heard in a talk or symposium, entered on its own."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写意见内容。")})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("意见内容最多 %(max)d 字，现在有 %(n)d 字。")
                % {"max": TEXT_MAX_LENGTH, "n": len(text)}
            }
        )
    if aspect is not None and aspect.campaign_id != record.campaign_id:
        raise ValidationError({"aspect": _("这个方面不属于本次活动。")})
    subject = _subject(
        about=about,
        branch=record.branch,
        campaign=record.campaign,
        members=branch_members(record.branch),
    )
    return Opinion.objects.create(
        campaign=record.campaign,
        branch=record.branch,
        round=record.round,
        channel=record.kind,  # OpinionRecord.Kind values are Opinion.Channel values
        text=text,
        received_on=record.held_on,
        source=(source or "").strip()[:300],
        record=record,
        aspect=aspect,
        **subject,
    )


# --- Aspects (意见方面) -------------------------------------------------------------


def aspect_in_use(aspect: Aspect) -> bool:
    return (
        Opinion.objects.filter(aspect=aspect).exists()
        or SurveyAnswer.objects.filter(survey__campaign_id=aspect.campaign_id)
        .filter(ratings__has_key=aspect.key)
        .exists()
        or SurveyAnswer.objects.filter(survey__campaign_id=aspect.campaign_id)
        .filter(comments__has_key=aspect.key)
        .exists()
    )


@dataclass
class AspectChange:
    pk: int | None  # None: a new aspect
    name: str
    order: int
    remove: bool = False


def aspects_update(*, campaign: Campaign, changes: list[AspectChange]) -> list[Aspect]:
    """Rename, reorder, add and remove (only if unused) the campaign's aspects.
    Everything is checked first; on any error nothing changes."""
    current = {aspect.pk: aspect for aspect in aspects_for(campaign)}
    errors: list[str] = []
    kept_names: list[str] = []
    for row, change in enumerate(changes, start=1):
        name = change.name.strip()
        if change.pk is not None and change.pk not in current:
            errors.append(_("第 %(row)d 行：这个方面不属于本次活动。") % {"row": row})
            continue
        if change.remove:
            if change.pk is not None and aspect_in_use(current[change.pk]):
                errors.append(
                    _("第 %(row)d 行：“%(name)s”已有意见或问卷使用，不能删除，可以改名。")
                    % {"row": row, "name": current[change.pk].name}
                )
            continue
        if not name:
            errors.append(_("第 %(row)d 行：请填写方面名称。") % {"row": row})
        elif len(name) > 30:
            errors.append(_("第 %(row)d 行：方面名称最多 30 字。") % {"row": row})
        elif name in kept_names:
            errors.append(_("第 %(row)d 行：方面“%(name)s”重复了。") % {"row": row, "name": name})
        kept_names.append(name)
    if not kept_names and not errors:
        errors.append(_("至少要保留一个方面。"))
    if errors:
        raise ValidationError(errors)
    used_keys = set(Aspect.objects.filter(campaign=campaign).values_list("key", flat=True))
    with transaction.atomic():
        for change in changes:
            if change.remove:
                if change.pk is not None:
                    current[change.pk].delete()
                continue
            if change.pk is None:
                number = len(used_keys) + 1
                while f"aspect{number}" in used_keys:
                    number += 1
                key = f"aspect{number}"
                used_keys.add(key)
                Aspect.objects.create(
                    campaign=campaign, key=key, name=change.name.strip(), order=change.order
                )
            else:
                aspect = current[change.pk]
                if aspect.name != change.name.strip() or aspect.order != change.order:
                    aspect.name = change.name.strip()
                    aspect.order = change.order
                    aspect.save(update_fields=["name", "order"])
    return list(Aspect.objects.filter(campaign=campaign).order_by("order", "pk"))
