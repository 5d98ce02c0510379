"""Make-up work (补课) and face-to-face guidance (面对面指导).

An order goes open → reported (what was done) → verified, or reopened (sent back with
a note) and reported again. Whoever is told at each step is asked of access
(`supervisors_of`, `holders`); who may act is the caller's to check through
`supervision.access` (`can_order_makeup`, `can_report_order`, `can_verify_order`,
`can_record_guidance`). Writes go through `save()` under `acting_as(actor)`, so the
audit trail records each step with its author.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.access import grants_over, holders
from vanguard.accounts.models import Role, User
from vanguard.audit.context import acting_as
from vanguard.campaigns.models import Campaign
from vanguard.lib.text import checked_text
from vanguard.notices.services import Message, notify_many, site_language
from vanguard.organization.models import Member, Unit
from vanguard.supervision import access
from vanguard.supervision.models import Check, GuidanceSession, NoteAssessment, RemediationOrder

TEXT_MAX = 2000
NAME_MAX = 100
ATTENDEES_MAX = 200
# The officers of a branch who may be made responsible for its make-up work.
OFFICER_ROLES = (Role.BRANCH_SECRETARY, Role.BRANCH_COMMITTEE)
Status = RemediationOrder.Status


def responsible_choices(branch: Unit, member: Member | None = None) -> list[User]:
    """Who may be responsible for an order: the branch's officers (its secretaries
    first) and the member it is for, if they log in."""
    grants = (
        grants_over([branch.pk], OFFICER_ROLES)
        .select_related("user")
        .order_by("role", "user__username")
    )
    ordered = sorted(grants, key=lambda g: (g.role != Role.BRANCH_SECRETARY, g.user.username))
    found: list[User] = []
    login = member.user if member is not None else None
    if login is not None and login.is_active:
        found.append(login)
    for grant in ordered:
        if all(user.pk != grant.user_id for user in found):
            found.append(grant.user)
    return found


def default_responsible(branch: Unit, member: Member | None = None) -> User | None:
    """The member's login for a member's order, else the branch's secretary."""
    login = member.user if member is not None else None
    if login is not None and login.is_active:
        return login
    secretary = (
        grants_over([branch.pk], {Role.BRANCH_SECRETARY})
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return secretary.user if secretary is not None else None


def _order_url(order: RemediationOrder) -> str:
    return reverse("supervision:order_detail", args=[order.pk])


def _tell(users: Iterable[int | None], text: str, url: str, key: str, actor: User) -> None:
    ids = sorted({pk for pk in users if pk is not None and pk != actor.pk})
    notify_many(Message(user_id=pk, text=text, url=url, key=key) for pk in ids)


def _secretaries(branch: Unit) -> list[int]:
    return list(holders(branch, {Role.BRANCH_SECRETARY}).values_list("pk", flat=True))


@transaction.atomic
def order_create(
    *,
    campaign: Campaign,
    branch: Unit,
    reason: str,
    deadline: datetime.date | None,
    actor: User,
    member: Member | None = None,
    check: Check | None = None,
    assessment: NoteAssessment | None = None,
    responsible: User | None = None,
) -> RemediationOrder:
    """Order make-up work for a branch, or for one of its members. The branch's
    secretaries (and the member) are told."""
    errors: dict[str, str] = {}
    if branch.kind != Unit.Kind.BRANCH or not branch.path.startswith(campaign.unit.path):
        errors["branch"] = _("所选支部不在本次活动范围内。")
    if member is not None and (member.branch_id != branch.pk or not member.is_active):
        errors["member"] = _("所选党员不在%(branch)s。") % {"branch": branch.name}
    if check is not None and (
        check.branch_id != branch.pk or check.round.campaign_id != campaign.pk
    ):
        errors["check_record"] = _("所选检查不是对这个支部的检查。")
    if assessment is not None and (
        assessment.campaign_id != campaign.pk or member is None or assessment.member_id != member.pk
    ):
        errors["assessment"] = _("所选笔记评阅不是对这名党员的评阅。")
    try:
        reason = checked_text(reason, "reason", _("补课原因"), required=True, limit=TEXT_MAX)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if deadline is None:
        errors["deadline"] = _("请填写完成期限。")
    elif deadline < timezone.localdate():
        errors["deadline"] = _("完成期限不能早于今天。")
    if not errors:
        if responsible is None:
            responsible = default_responsible(branch, member)
        elif responsible.pk not in {u.pk for u in responsible_choices(branch, member)}:
            errors["responsible"] = _("责任人须是本支部的支部委员或该党员本人。")
    if errors or deadline is None:
        raise ValidationError(errors)
    with acting_as(actor):
        order = RemediationOrder(
            campaign=campaign,
            branch=branch,
            member=member,
            check_record=check,
            assessment=assessment,
            reason=reason,
            deadline=deadline,
            responsible=responsible,
            ordered_by=actor,
        )
        order.save()
    with site_language():
        if member is not None:
            text = _("%(branch)s收到补课通知（%(member)s），请于 %(deadline)s 前完成。") % {
                "branch": branch.name,
                "member": member.name,
                "deadline": deadline,
            }
        else:
            text = _("%(branch)s收到补课通知，请于 %(deadline)s 前完成。") % {
                "branch": branch.name,
                "deadline": deadline,
            }
    told = [*_secretaries(branch), responsible.pk if responsible else None]
    if member is not None:
        told.append(member.user_id)
    _tell(told, text, _order_url(order), f"order-new:{order.pk}", actor)
    return order


def _locked(order: RemediationOrder) -> RemediationOrder:
    current = RemediationOrder.objects.select_for_update().get(pk=order.pk)
    # Keep what the caller joined (branch, member …) for the notifications.
    order.status, order.version = current.status, current.version
    return order


@transaction.atomic
def order_report(*, order: RemediationOrder, report: str, actor: User) -> RemediationOrder:
    """Report what was done; the branch's supervisors (and whoever ordered it) are told
    so that they re-check it."""
    order = _locked(order)
    if order.status not in (Status.OPEN, Status.REOPENED):
        raise ValidationError({"status": _("这项补课已报告完成，等待复查。")})
    report = checked_text(report, "report", _("完成情况"), required=True, limit=TEXT_MAX)
    with acting_as(actor):
        order.report = report
        order.status = Status.REPORTED
        order.reported_at = timezone.now()
        order.reported_by = actor
        order.version += 1
        order.save(update_fields=["report", "status", "reported_at", "reported_by", "version"])
    with site_language():
        text = _("%(branch)s报告补课已完成，请复查。") % {"branch": order.branch.name}
    told = [*access.supervisors_of(order.branch).values_list("pk", flat=True), order.ordered_by_id]
    _tell(told, text, _order_url(order), f"order-reported:{order.pk}:{order.version}", actor)
    return order


@transaction.atomic
def order_verify(
    *, order: RemediationOrder, passed: bool, note: str, actor: User
) -> RemediationOrder:
    """Re-check reported work: verified (everyone involved is told), or reopened with a
    note saying what is still missing (the person responsible is told)."""
    order = _locked(order)
    if order.status != Status.REPORTED:
        raise ValidationError({"status": _("这项补课还没有报告完成，不能复查。")})
    note = checked_text(note, "note", _("复查意见"), required=not passed, limit=TEXT_MAX)
    with acting_as(actor):
        order.status = Status.VERIFIED if passed else Status.REOPENED
        order.verify_note = note
        order.verified_at = timezone.now()
        order.verified_by = actor
        order.version += 1
        order.save(update_fields=["status", "verify_note", "verified_at", "verified_by", "version"])
    with site_language():
        if passed:
            text = _("%(branch)s的补课已复查通过。") % {"branch": order.branch.name}
        else:
            text = _("%(branch)s的补课复查未通过：%(note)s") % {
                "branch": order.branch.name,
                "note": note,
            }
    if passed:
        told = [
            *_secretaries(order.branch),
            order.responsible_id,
            order.member.user_id if order.member is not None else None,
            order.ordered_by_id,
            order.reported_by_id,
        ]
    else:
        told = [order.responsible_id, order.reported_by_id]
    _tell(told, text, _order_url(order), f"order-{order.status}:{order.pk}:{order.version}", actor)
    return order


@transaction.atomic
def guidance_record(
    *,
    campaign: Campaign,
    branch: Unit,
    held_on: datetime.date | None,
    given_by: str,
    agreed: str,
    actor: User,
    attendees: str = "",
    report: str = "",
    instructions: str = "",
    lagging: bool = False,
) -> GuidanceSession:
    """Record face-to-face guidance given to a branch committee."""
    errors: dict[str, str] = {}
    if branch.kind != Unit.Kind.BRANCH or not branch.path.startswith(campaign.unit.path):
        errors["branch"] = _("所选支部不在本次活动范围内。")
    if held_on is None:
        errors["held_on"] = _("请填写指导日期。")
    elif held_on > timezone.localdate():
        errors["held_on"] = _("指导日期不能晚于今天。")
    cleaned: dict[str, str] = {}
    for field, label, value, required, limit in (
        ("given_by", _("指导人"), given_by, True, NAME_MAX),
        ("attendees", _("参加人员"), attendees, False, ATTENDEES_MAX),
        ("report", _("支部汇报"), report, False, TEXT_MAX),
        ("instructions", _("传达的要求"), instructions, False, TEXT_MAX),
        ("agreed", _("商定的措施"), agreed, True, TEXT_MAX),
    ):
        try:
            cleaned[field] = checked_text(value, field, label, required=required, limit=limit)
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors or held_on is None:
        raise ValidationError(errors)
    with acting_as(actor):
        session = GuidanceSession(
            campaign=campaign,
            branch=branch,
            held_on=held_on,
            lagging=lagging,
            recorded_by=actor,
            **cleaned,
        )
        session.save()
    return session
