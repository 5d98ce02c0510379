"""The navigation's facts about the person: which links the base layout shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix
from django.urls import reverse as django_reverse
from django.utils.translation import gettext as _

from vanguard.accounts import access
from vanguard.campaigns import access as campaigns_access
from vanguard.materials import access as materials_access
from vanguard.opinions import access as opinions_access
from vanguard.organization import access as organization_access
from vanguard.rectification import access as rectification_access
from vanguard.reviews import access as reviews_access
from vanguard.supervision import access as supervision_access


def roles(request: HttpRequest) -> dict[str, Any]:
    """The person's facts and the top menu they make."""
    facts = _roles(request)
    return {**facts, "main_menu": _menu(request, facts)}


def _roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set(), "current_member": None}
    return {
        "user_roles": access.roles(user),
        "current_member": organization_access.member_of(user),
        "is_committee_admin": access.is_committee_admin(user),
        "manages_roster": organization_access.manages_any_roster(user),
        "reads_opinions": opinions_access.reads_opinions(user),
        "reviews_branch": reviews_access.reviews_branches(user),
        # One page reads it (the opinions' sorting list): asked there, not on every page.
        "sorts_opinions": _Asked(lambda: campaigns_access.record_units(user).exists()),
        "reads_supervision": supervision_access.reads_supervision(user),
        "reads_materials": materials_access.reads_materials(user),
        # From the scopes already read above: no query of its own.
        "reads_ledgers": rectification_access.reads_ledgers(user),
    }


class _Asked:
    """A fact found the first time a template reads it (the template language calls a
    callable value), then kept for the rest of the page."""

    def __init__(self, find: Callable[[], Any]) -> None:
        self._find = find
        self._found: list[Any] = []

    def __call__(self) -> Any:
        if not self._found:
            self._found.append(self._find())
        return self._found[0]


def reverse(name: str, args: list[Any] | None = None) -> str:
    """`django.urls.reverse`, kept per script prefix: the menu asks for the same twenty
    addresses on every page, and an address changes only with the prefix it sits under."""
    return _reverse(get_script_prefix(), name, tuple(args or ()))


@lru_cache(maxsize=4096)
def _reverse(_prefix: str, name: str, args: tuple[Any, ...]) -> str:
    return django_reverse(name, args=args)


@dataclass
class MenuItem:
    label: str
    url: str
    current: bool = False
    key: str = ""  # "notices": the template adds the unread count


@dataclass
class MenuGroup:
    """One entry of the top menu: a link when it holds one item, else a fold-out list."""

    label: str
    items: list[MenuItem] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(item.current for item in self.items)

    @property
    def single(self) -> MenuItem | None:
        return self.items[0] if len(self.items) == 1 else None


def _menu(request: HttpRequest, facts: dict[str, Any]) -> list[MenuGroup]:
    """The top menu, grouped by the campaign's kinds of work so that a phone shows it
    in two rows: each group a link when it holds one page, else a fold-out list."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    member = facts["current_member"]
    officer = bool(facts["user_roles"])
    admin = facts["is_committee_admin"]
    match = request.resolver_match
    here = match.view_name if match else ""
    path = request.path

    def item(label: str, url: str, current: bool, key: str = "") -> MenuItem:
        return MenuItem(label=label, url=url, current=current, key=key)

    feedback_url = reverse("opinions:feedback")
    groups = {
        "study": MenuGroup(_("学习")),
        "opinions": MenuGroup(_("意见")),
        "appraisal": MenuGroup(_("评议")),
        "rectification": MenuGroup(_("整改")),
        "supervision": MenuGroup(_("督查")),
        "records": MenuGroup(_("资料")),
        "notices": MenuGroup(_("通知")),
        "me": MenuGroup(_("我的")),
    }
    home = MenuGroup(_("首页"), [item(_("首页"), reverse("home"), here == "home")])

    groups["study"].items += [
        item(_("学习"), reverse("study:home"), path.startswith("/study/")),
        item(_("会议"), reverse("meetings:list"), path.startswith("/meetings/")),
    ]
    if member:
        groups["opinions"].items.append(item(_("我的反馈"), feedback_url, path == feedback_url))
    if facts["reads_opinions"]:
        groups["opinions"].items.append(
            item(
                _("征求意见"),
                reverse("opinions:sorting"),
                path.startswith("/opinions/") and path != feedback_url,
            )
        )
    if member:
        url = reverse("reviews:mine")
        groups["appraisal"].items.append(item(_("我的党性分析"), url, path == url))
    if facts["reviews_branch"]:
        url = reverse("reviews:queue")
        groups["appraisal"].items.append(item(_("材料审阅"), url, path == url))
    elif admin:
        url = reverse("reviews:committee")
        groups["appraisal"].items.append(item(_("材料审阅"), url, path == url))
    if member or officer:
        groups["appraisal"].items += [
            item(_("民主评议"), reverse("ballots:list"), path.startswith("/ballots/")),
            item(_("评议等级"), reverse("grading:home"), path.startswith("/grading/")),
        ]
    ledger = here.startswith("rectification:ledger") or here == "rectification:said_did"
    if member:
        groups["rectification"].items.append(
            item(
                _("我的整改计划"),
                reverse("rectification:my_plan"),
                path.startswith("/rectification/") and not ledger,
            )
        )
    if facts["reads_ledgers"] or member:
        label = _("整改台账") if facts["reads_ledgers"] else _("你们提的，我们改的")
        groups["rectification"].items.append(
            item(label, reverse("rectification:ledger_index"), ledger)
        )
    if facts["reads_supervision"]:
        groups["supervision"].items.append(
            item(_("督查"), reverse("supervision:index"), path.startswith("/supervision/"))
        )
    manage = path.startswith("/campaigns/manage/")
    groups["records"].items.append(
        item(
            _("活动进展"),
            reverse("campaigns:dashboard"),
            path.startswith("/campaigns/") and not manage,
        )
    )
    if admin:
        groups["records"].items.append(
            item(_("活动管理"), reverse("campaigns:manage_list"), manage)
        )
    if officer:
        groups["records"].items.append(
            item(
                _("组织机构"),
                reverse("organization:browse"),
                here in ("organization:browse", "organization:unit_detail"),
            )
        )
    if facts["reads_materials"]:
        groups["records"].items.append(
            item(_("材料与统计"), reverse("materials:index"), path.startswith("/materials/"))
        )
    if facts["manages_roster"]:
        url = reverse("organization:roster_import")
        groups["records"].items.append(item(_("花名册导入"), url, path == url))
    groups["notices"].items.append(
        item(_("通知"), reverse("notices:inbox"), path.startswith("/notices/"), key="notices")
    )
    if member:
        url = reverse("organization:member_detail", args=[member.pk])
        mine = (
            match is not None
            and here == "organization:member_detail"
            and match.kwargs.get("pk") == member.pk
        )
        groups["me"].items.append(item(_("我的信息"), url, bool(mine)))
    groups["me"].items.append(
        item(
            _("修改密码"),
            reverse("accounts:password_change"),
            here == "accounts:password_change",
        )
    )
    if admin:
        groups["me"].items.append(item(_("后台管理"), reverse("admin:index"), False))
    return [home, *(group for group in groups.values() if group.items)]
