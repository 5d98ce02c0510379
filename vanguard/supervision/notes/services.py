"""Writes of the note workflow: drawing a sample (frozen once drawn), assessing a
member's reading notes by content (never by length), naming note types, publishing
and withdrawing exemplars.

Access is the caller's (`supervision.access`); these functions enforce the domain's
rules with messages for the user. Single rows are saved with `save()` so the audit
trail records who did what; the sampled members are written in one batch and
recorded in the trail, and the population they were drawn from is kept on the sample."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.models import User
from vanguard.audit.models import AuditEntry
from vanguard.audit.services import audit_record_many, snapshot
from vanguard.campaigns.models import Campaign
from vanguard.notices.services import Message, notify_many, site_language
from vanguard.organization.models import Member, Unit
from vanguard.study.models import StudyWork
from vanguard.supervision.models import (
    Criterion,
    Exemplar,
    NoteAssessment,
    NoteType,
    Round,
    Sample,
    SampledMember,
)
from vanguard.supervision.notes import sampling, selectors
from vanguard.supervision.selectors import campaign_branches

MAX_TITLE = 120
MAX_MINIMUM = 100
MAX_COMMENT = 2000
MAX_TYPE_NAME = 40
MAX_TYPE_DESCRIPTION = 500


def _share(value: object) -> Decimal:
    try:
        share = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({"share": _("抽查比例应在 0.01 到 1 之间。")}) from error
    if not (Decimal("0.01") <= share <= Decimal("1")) or share != share.quantize(Decimal("0.01")):
        raise ValidationError({"share": _("抽查比例应在 0.01 到 1 之间，最多两位小数。")})
    return share


@transaction.atomic
def sample_draw(
    *,
    campaign: Campaign,
    title: str,
    actor: User,
    share: Decimal | str = Decimal("0.50"),
    minimum_per_branch: int = 1,
    seed: int | None = None,
    round: Round | None = None,  # noqa: A002 (the model's field)
) -> Sample:
    """Draw a stratified random sample of the members who wrote reading notes, per
    branch of the campaign (or of the round), and freeze it: the members drawn are
    stored and never drawn again; the population and seed are recorded."""
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("请填写抽查名称。")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("抽查名称不能超过 %(n)d 个字。") % {"n": MAX_TITLE}
    try:
        share = _share(share)
    except ValidationError as error:
        errors["share"] = error.message_dict["share"][0]
    if not 0 <= minimum_per_branch <= MAX_MINIMUM:
        errors["minimum_per_branch"] = _("每支部至少抽取的人数应在 0 到 %(n)d 之间。") % {
            "n": MAX_MINIMUM
        }
    if seed is None:
        seed = sampling.new_seed()
    if not 0 <= seed < 2**sampling.SEED_BITS:
        errors["seed"] = _("随机种子应是 0 到 2^63−1 之间的整数。")
    if round is not None and round.campaign_id != campaign.pk:
        errors["round"] = _("所选督查轮次不属于本次活动。")
    if campaign.status != Campaign.Status.ACTIVE:
        errors["campaign"] = _("活动不在进行中，不能抽查。")
    if errors:
        raise ValidationError(errors)

    if round is not None:
        branches = list(round.branches.filter(kind=Unit.Kind.BRANCH, is_active=True))
    else:
        branches = list(campaign_branches(campaign))
    strata = selectors.sample_population(campaign, branches)
    if not strata:
        raise ValidationError({"campaign": _("抽查范围内还没有党员提交读书笔记，无法抽查。")})
    method = sampling.STRATIFIED_V1
    drawn = sampling.draw(
        method, strata, seed=seed, share=Decimal(share), minimum=minimum_per_branch
    )
    sample = Sample(
        campaign=campaign,
        round=round,
        title=title,
        share=share,
        minimum_per_branch=minimum_per_branch,
        seed=seed,
        method=method,
        strata=selectors.population_record(strata),
        population=sum(len(s.member_ids) for s in strata),
        size=sum(len(d.member_ids) for d in drawn),
        drawn_by=actor,
    )
    sample.save()
    sample.branches.set(branches)
    rows = [
        SampledMember(sample=sample, member_id=member_id, branch_id=d.branch_id, position=n)
        for d in drawn
        for n, member_id in enumerate(d.member_ids, start=1)
    ]
    SampledMember.objects.bulk_create(rows)
    stored = list(SampledMember.objects.filter(sample=sample))
    audit_record_many(
        action=AuditEntry.Action.CREATE,
        changes=[(row, None, snapshot(row)) for row in stored],
        actor=actor,
    )
    return sample


def _criterion(value: str, field: str, errors: dict[str, str]) -> None:
    if value not in Criterion.values:
        errors[field] = _("请选择：好、一般或差。")


@transaction.atomic
def assessment_save(
    *,
    campaign: Campaign,
    member: Member,
    level: str,
    books: str,
    content: str,
    practice: str,
    attitude: str,
    grade: str,
    actor: User,
    note_type: NoteType | None = None,
    comment: str = "",
    sampled: SampledMember | None = None,
) -> tuple[NoteAssessment, bool]:
    """Record (or change) the assessment of a member's reading notes at a level, by
    content: the books, the content, the link to practice, the attitude, a grade and a
    type. The college reads the members sampled; the general branch reads them all.
    Returns the assessment and whether it is new."""
    errors: dict[str, str] = {}
    for value, name in (
        (books, "books"),
        (content, "content"),
        (practice, "practice"),
        (attitude, "attitude"),
    ):
        _criterion(value, name, errors)
    if grade not in NoteAssessment.Grade.values:
        errors["grade"] = _("请选择质量等级：优、良、合格或需补课。")
    if level not in NoteAssessment.Level.values:
        errors["level"] = _("评阅层级无效。")
    if note_type is not None and note_type.campaign_id != campaign.pk:
        errors["note_type"] = _("所选笔记类型不属于本次活动。")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("评语不能超过 %(n)d 个字。") % {"n": MAX_COMMENT}
    if level == NoteAssessment.Level.COLLEGE:
        if sampled is None or sampled.member_id != member.pk:
            errors["sampled"] = _("学院督查组评阅的是抽中党员的笔记，该党员不在抽查名单中。")
        elif sampled.sample.campaign_id != campaign.pk:
            errors["sampled"] = _("该抽查不属于本次活动。")
    elif sampled is not None:
        errors["sampled"] = _("党总支评阅全体党员的笔记，不按抽查名单。")
    if not selectors.member_notes(campaign, member).exists():
        errors["member"] = _("该党员在本次活动中还没有提交读书笔记。")
    if errors:
        raise ValidationError(errors)
    assessment = NoteAssessment.objects.filter(
        campaign=campaign, member=member, level=level
    ).first()
    created = assessment is None
    if assessment is None:
        assessment = NoteAssessment(campaign=campaign, member=member, level=level)
    assessment.sampled = sampled if sampled is not None else assessment.sampled
    assessment.books = books
    assessment.content = content
    assessment.practice = practice
    assessment.attitude = attitude
    assessment.grade = grade
    assessment.note_type = note_type
    assessment.comment = comment
    assessment.assessed_by = actor
    assessment.save()
    return assessment, created


# --- Note types ---------------------------------------------------------------------------


def _check_type(
    *, campaign: Campaign, name: str, description: str, exclude: int | None = None
) -> tuple[str, str]:
    errors: dict[str, str] = {}
    name = (name or "").strip()
    description = (description or "").strip()
    same_name = NoteType.objects.filter(campaign=campaign, name=name)
    if not name:
        errors["name"] = _("请填写类型名称。")
    elif len(name) > MAX_TYPE_NAME:
        errors["name"] = _("类型名称不能超过 %(n)d 个字。") % {"n": MAX_TYPE_NAME}
    elif same_name.exclude(pk=exclude or 0).exists():
        errors["name"] = _("本次活动已有名为“%(name)s”的笔记类型。") % {"name": name}
    if len(description) > MAX_TYPE_DESCRIPTION:
        errors["description"] = _("特点不能超过 %(n)d 个字。") % {"n": MAX_TYPE_DESCRIPTION}
    if errors:
        raise ValidationError(errors)
    return name, description


@transaction.atomic
def note_type_add(
    *, campaign: Campaign, name: str, description: str = "", order: int | None = None
) -> NoteType:
    """A new note type of the campaign, last in order unless an order is given."""
    name, description = _check_type(campaign=campaign, name=name, description=description)
    if order is None:
        last = NoteType.objects.filter(campaign=campaign).aggregate(m=Max("order"))["m"]
        order = (last or 0) + 1
    note_type = NoteType(campaign=campaign, name=name, description=description, order=order)
    note_type.save()
    return note_type


@transaction.atomic
def note_type_update(*, note_type: NoteType, name: str, description: str, order: int) -> NoteType:
    """Rename, describe or reorder a note type (the assessments keep it)."""
    name, description = _check_type(
        campaign=note_type.campaign, name=name, description=description, exclude=note_type.pk
    )
    if not 0 <= order <= 999:
        raise ValidationError({"order": _("顺序应在 0 到 999 之间。")})
    note_type.name = name
    note_type.description = description
    note_type.order = order
    note_type.save(update_fields=["name", "description", "order"])
    return note_type


# --- Exemplars ----------------------------------------------------------------------------


@transaction.atomic
def exemplar_publish(
    *,
    campaign: Campaign,
    work: StudyWork,
    consent: str,
    comment: str,
    actor: User,
    note_type: NoteType | None = None,
) -> Exemplar:
    """Publish an assessed reading note to the campaign's members as an exemplar (范例):
    signed with the author's consent recorded, or anonymised (neither the author nor
    their branch is ever shown)."""
    errors: dict[str, str] = {}
    if work.campaign_id != campaign.pk or work.kind != StudyWork.Kind.READING_NOTE:
        errors["work"] = _("只能发布本次活动的读书笔记。")
    elif not NoteAssessment.objects.filter(campaign=campaign, member_id=work.member_id).exists():
        errors["work"] = _("这篇笔记还没有评阅，评阅后才能作为范例发布。")
    elif Exemplar.objects.filter(work=work, withdrawn_at__isnull=True).exists():
        errors["work"] = _("这篇笔记已经作为范例发布。")
    if consent not in Exemplar.Consent.values:
        errors["consent"] = _("请选择署名方式：本人同意署名或匿名展示。")
    if note_type is not None and note_type.campaign_id != campaign.pk:
        errors["note_type"] = _("所选笔记类型不属于本次活动。")
    comment = (comment or "").strip()
    if not comment:
        errors["comment"] = _("请写明推荐理由。")
    elif len(comment) > MAX_COMMENT:
        errors["comment"] = _("推荐理由不能超过 %(n)d 个字。") % {"n": MAX_COMMENT}
    if errors:
        raise ValidationError(errors)
    exemplar = Exemplar(
        campaign=campaign,
        work=work,
        note_type=note_type,
        consent=consent,
        comment=comment,
        published_by=actor,
    )
    exemplar.save()
    _notify_exemplar(exemplar, actor)
    return exemplar


def _notify_exemplar(exemplar: Exemplar, actor: User) -> None:
    """Every member of the campaign's branches who logs in learns of the new exemplar,
    in one batch (the author is never named: an anonymised one stays anonymous)."""
    campaign = exemplar.campaign
    users = (
        Member.objects.filter(
            branch__in=campaign_branches(campaign),
            is_active=True,
            user__isnull=False,
            user__is_active=True,
        )
        .exclude(user_id=actor.pk)
        .values_list("user_id", flat=True)
    )
    with site_language():
        if exemplar.note_type is not None:
            text = _("%(campaign)s发布了一篇“%(type)s”读书笔记范例，供学习参考。") % {
                "campaign": campaign.name,
                "type": exemplar.note_type.name,
            }
        else:
            text = _("%(campaign)s发布了一篇读书笔记范例，供学习参考。") % {
                "campaign": campaign.name
            }
    url = reverse("supervision:exemplar_detail", args=[exemplar.pk])
    notify_many(
        Message(user_id=pk, text=text, url=url, key=f"exemplar:{exemplar.pk}")
        for pk in sorted(set(users))
    )


@transaction.atomic
def exemplar_withdraw(*, exemplar: Exemplar) -> Exemplar:
    if exemplar.withdrawn_at is not None:
        raise ValidationError({"exemplar": _("这篇范例已经撤回。")})
    exemplar.withdrawn_at = timezone.now()
    exemplar.save(update_fields=["withdrawn_at"])
    return exemplar
