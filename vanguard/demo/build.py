"""The demo, built step by step in one transaction (`manage.py build_demo`).

The steps, in order, one module per app:

1. `organization` — the demo college 信息学院 (or, for M and L, a university around it),
   its members, the six demo accounts and every role;
2. `campaigns` — 信息学院's education campaign where the seed's stood in May: the study
   phase done (plans, sessions, notes, the meetings), every branch moved on;
3. `opinions` — the opinions gathered in May (征求意见), sorted and fed back;
4. `reviews` — the self-analyses and personal summaries going up and down (三上三下);
5. `grading` — the democratic appraisal's votes and the grade proposals (民主评议、等级评定);
6. `supervision` — the supervision groups, inspections, the notes' sample and its
   reading, make-up work, guidance and the watch list (督查);
7. `rectification` — every member's, branch's and the committee's rectification plan
   (整改计划) and the branches' measures that are activities (整改提高);
8. `materials` — the demo secretary's branch's stage summaries (支部阶段工作小结), the
   one of its three materials (三份材料) that is written rather than read from the data.

This module also knows whether the demo is there (a mark on the demo committee admin's
role assignment), refuses a database that holds a real organisation, and deletes the
demo for `--reset`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.campaigns.models import Campaign, Phase
from vanguard.demo.campaigns import demo_campaign_build
from vanguard.demo.common import DemoError
from vanguard.demo.grading import demo_grading_build
from vanguard.demo.materials import demo_materials_build
from vanguard.demo.opinions import demo_opinions_build
from vanguard.demo.organization import (
    DEMO_MARK,
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    demo_organization_build,
    normalise_size,
)
from vanguard.demo.rectification import demo_rectification_build
from vanguard.demo.reviews import demo_reviews_build
from vanguard.demo.supervision import demo_supervision_build
from vanguard.lib.database import refresh_planner_statistics
from vanguard.notices.services import mail_off
from vanguard.organization.models import Member, Unit


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: str
    scope: str
    password: str = DEMO_PASSWORD


@dataclass
class DemoResult:
    size: str
    built: bool  # False: the demo was already there and nothing changed
    units: int
    branches: int
    members: int
    accounts: list[DemoAccount]
    seconds: float = 0.0


def demo_build(*, size: str = "demo", reset: bool = False) -> DemoResult:
    """Build the demo organisation of the given size, unless it is already there.

    With `reset`, an existing demo is deleted first and built again. Refuses (raises
    DemoError) when the database holds an organisation that is not the demo's.
    """
    size = normalise_size(size)
    started = time.monotonic()
    # The demo's people and addresses are made up: its notifications e-mail nobody.
    with transaction.atomic(), mail_off():
        marker = _marker()
        _check_database_is_ours(marker)
        existing = built_size()
        if marker is not None and not reset:
            return _result(existing or size, built=False)
        if marker is not None:
            _delete_demo(marker)
        demo_organization_build(size)
        # The education campaign of 信息学院, where the seed's stood in May.
        made = demo_campaign_build()
        if made is not None:
            demo_opinions_build(made.campaign)
            demo_reviews_build(made.campaign)
            demo_grading_build(made.campaign)
            demo_supervision_build(made.campaign)
            demo_rectification_build(made.campaign)
            demo_materials_build(made.campaign)
    refresh_planner_statistics()
    result = _result(size, built=True)
    result.seconds = time.monotonic() - started
    return result


def built_size() -> str | None:
    """The size of the demo in the database, or None when there is none."""
    marker = _marker()
    return marker.note.removeprefix(DEMO_MARK) if marker else None


def demo_accounts() -> list[DemoAccount]:
    """The six demo accounts as they are in the database, with their roles and scopes."""
    accounts = []
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    for username in DEMO_USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        held = list(user.role_assignments.select_related("unit").order_by("unit_id"))
        if held:
            role = held[0].get_role_display()
            scope = held[0].unit.name
            if len(held) > 1:
                scope = _("%(first)s 等 %(count)d 个支部") % {"first": scope, "count": len(held)}
        else:
            member = Member.objects.select_related("branch").filter(user=user).first()
            role = str(_("党员"))
            scope = member.branch.name if member else ""
        accounts.append(DemoAccount(username=username, name=str(user), role=str(role), scope=scope))
    return accounts


def _marker() -> RoleAssignment | None:
    return (
        RoleAssignment.objects.select_related("unit")
        .filter(user__username="committee", role=Role.COMMITTEE_ADMIN, note__startswith=DEMO_MARK)
        .first()
    )


def _demo_root(marker: RoleAssignment) -> Unit:
    return marker.unit.ancestors().first() or marker.unit


def _check_database_is_ours(marker: RoleAssignment | None) -> None:
    if marker is None:
        root = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
        if root is not None:
            raise DemoError(
                _(
                    "数据库中已有非演示的组织（%(name)s），演示数据不会写入这里。"
                    "请使用一个空数据库（例如另设 DATABASE_URL）。"
                )
                % {"name": root.name}
            )
        taken = list(
            User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
        )
        if taken:
            raise DemoError(
                _("用户名 %(names)s 已被占用，演示账号无法创建。") % {"names": _("、").join(taken)}
            )
        return
    root = _demo_root(marker)
    other = Unit.objects.filter(parent__isnull=True).exclude(pk=root.pk).first()
    if other is not None:
        raise DemoError(
            _("数据库中除演示组织外还有其他组织（%(name)s），不能重建演示数据。")
            % {"name": other.name}
        )


def _delete_demo(marker: RoleAssignment) -> None:
    """Remove the demo's organisation, members, roles and users. The audit trail is
    append-only (and holds no foreign keys), so it stays as it is."""
    root = _demo_root(marker)
    units = Unit.objects.filter(path__startswith=root.path)
    user_ids = set(RoleAssignment.objects.filter(unit__in=units).values_list("user_id", flat=True))
    with_login = Member.objects.filter(branch__in=units, user__isnull=False)
    user_ids |= set(with_login.values_list("user_id", flat=True))
    user_ids |= set(User.objects.filter(username__in=DEMO_USERNAMES).values_list("pk", flat=True))
    try:
        _delete_protecting_rows(root)
        RoleAssignment.objects.filter(unit__in=units).delete()
        Member.objects.filter(branch__in=units).delete()
        depths = sorted(set(units.values_list("depth", flat=True)), reverse=True)
        for depth in depths:
            Unit.objects.filter(path__startswith=root.path, depth=depth).delete()
        User.objects.filter(pk__in=user_ids, is_superuser=False).delete()
    except ProtectedError as error:
        raise DemoError(
            _("演示数据仍被其他记录引用，无法重建：%(error)s") % {"error": error.args[0]}
        ) from error


def _delete_protecting_rows(root: Unit) -> None:
    """Rows of other models (transfers, import jobs, and whatever later apps add) that
    point at demo units or members and would PROTECT them from deletion. Rows that
    protect a demo campaign (appraisal votes, gradings) go first: the campaign is
    itself one of the rows removed for protecting a unit."""
    skipped = (Unit, Member)
    passes: tuple[dict[Any, str], ...] = (
        # A phase of a demo campaign is protected too (supervision rounds).
        {Campaign: "unit__path__startswith", Phase: "campaign__unit__path__startswith"},
        {Unit: "path__startswith", Member: "branch__path__startswith"},
    )
    for lookups in passes:
        for model in apps.get_models():
            if model in skipped:
                continue
            for model_field in model._meta.get_fields():
                if not isinstance(model_field, models.ForeignKey):
                    continue
                lookup = lookups.get(model_field.related_model)
                if lookup and model_field.remote_field.on_delete is models.PROTECT:
                    where = {f"{model_field.name}__{lookup}": root.path}
                    model._default_manager.filter(**where).delete()


def _result(size: str, *, built: bool) -> DemoResult:
    return DemoResult(
        size=size,
        built=built,
        units=Unit.objects.count(),
        branches=Unit.objects.filter(kind=Unit.Kind.BRANCH).count(),
        members=Member.objects.count(),
        accounts=demo_accounts(),
    )
