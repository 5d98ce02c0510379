"""Forms of inspection: a supervision group (people found by a search, branches ticked
under their general branches), a round (from a template, over all branches, whole
general branches or picked ones), a check (a finding and a note per item), and a
sign-off."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign, Phase
from vanguard.lib.forms import query_int
from vanguard.organization.models import Unit
from vanguard.supervision.inspection import selectors, services
from vanguard.supervision.models import Check, CheckItem, Finding, Round, SupervisionGroup
from vanguard.supervision.selectors import campaign_branches

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _listed(data: Any, name: str) -> list[str]:
    """A bound form's values for a name given many times (ticked boxes)."""
    return list(data.getlist(name)) if hasattr(data, "getlist") else list(data.get(name) or [])


def _phase_choices(campaign: Campaign, *, blank: Any) -> list[tuple[str, Any]]:
    choices = [(str(p.pk), p.name) for p in campaign.phases.order_by("order")]
    return ([("", blank)] if blank is not None else []) + choices


def _phase(campaign: Campaign, raw: str | None) -> Phase | None:
    if not raw:
        return None
    return campaign.phases.filter(pk=raw).first()


def _branches_chosen(
    campaign: Campaign, branch_pks: list[str], general_pks: list[str]
) -> list[Unit]:
    """The ticked branches, and every branch of each ticked general branch."""
    wanted = {query_int(pk) for pk in branch_pks} - {None}
    whole = {query_int(pk) for pk in general_pks} - {None}
    return [b for b in campaign_branches(campaign) if b.pk in wanted or b.parent_id in whole]


class GroupForm(forms.Form):
    name = forms.CharField(label=_("督查组名称"), max_length=60)
    phase = forms.ChoiceField(label=_("阶段"), required=False)
    formed_on = forms.DateField(label=_("成立日期"), required=False, widget=DATE)
    remit = forms.CharField(
        label=_("工作要求"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    members = forms.MultipleChoiceField(label=_("成员"), required=False)
    leader = forms.ChoiceField(label=_("组长"), required=False)
    branches = forms.MultipleChoiceField(label=_("负责的支部"), required=False)
    all_of = forms.MultipleChoiceField(label=_("整个党总支"), required=False)
    q = forms.CharField(label=_("查找党员"), required=False, max_length=50)

    def __init__(
        self, *args: Any, campaign: Campaign, group: SupervisionGroup | None = None, **kwargs: Any
    ) -> None:
        if group is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": group.name,
                "phase": str(group.phase_id or ""),
                "formed_on": group.formed_on,
                "remit": group.remit,
                "members": [str(u.pk) for u in group.members.all()],
                "leader": str(group.leader_id or ""),
                "branches": [str(b.pk) for b in group.branches.all()],
            }
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.group = group
        self.fields["phase"].choices = _phase_choices(campaign, blank=_("— 整个活动 —"))  # type: ignore[attr-defined]
        self.by_general_branch = selectors.branches_by_general_branch(campaign)
        branch_choices = [(str(b.pk), b.name) for g in self.by_general_branch for b in g.branches]
        self.fields["branches"].choices = branch_choices  # type: ignore[attr-defined]
        self.fields["all_of"].choices = [  # type: ignore[attr-defined]
            (str(g.general_branch.pk), g.general_branch.name)
            for g in self.by_general_branch
            if g.general_branch is not None
        ]
        # The people the form may name: the campaign's, and the group's own (one who
        # has since left the unit can still be taken off it).
        raw = _listed(self.data, "members") if self.is_bound else self.initial.get("members", [])
        raw_leader = self.data.get("leader") if self.is_bound else self.initial.get("leader")
        pks = {query_int(str(pk)) for pk in [*raw, raw_leader or ""]} - {None}
        people = list(selectors.people_of(campaign).filter(pk__in=pks))
        if group is not None:
            seen = {u.pk for u in people}
            people += [u for u in group.members.all() if u.pk in pks and u.pk not in seen]
        self.chosen_people = people
        self.fields["members"].choices = [(str(u.pk), str(u)) for u in people]  # type: ignore[attr-defined]
        self.fields["leader"].choices = [("", "")] + [(str(u.pk), str(u)) for u in people]  # type: ignore[attr-defined]
        query = self.data.get("q", "") if self.is_bound else ""
        self.found = selectors.search_people(campaign, query, exclude=[u.pk for u in people])

    def chosen(self) -> dict[str, Any]:
        data = self.cleaned_data
        people = {str(u.pk): u for u in self.chosen_people}
        return {
            "name": data["name"],
            "phase": _phase(self.campaign, data.get("phase")),
            "formed_on": data.get("formed_on"),
            "remit": data.get("remit", ""),
            "members": [people[pk] for pk in data.get("members", []) if pk in people],
            "leader": people.get(data.get("leader") or ""),
            "branches": _branches_chosen(
                self.campaign, data.get("branches", []), data.get("all_of", [])
            ),
        }

    def ticked(self) -> set[str]:
        if self.is_bound:
            return set(_listed(self.data, "branches"))
        return set(self.initial.get("branches", []))

    def members_ticked(self) -> set[str]:
        if self.is_bound:
            return set(_listed(self.data, "members"))
        return set(self.initial.get("members", []))

    def leader_ticked(self) -> str:
        if self.is_bound:
            return self.data.get("leader", "")
        return self.initial.get("leader", "")


def person_label(user: User) -> str:
    member = getattr(user, "member", None)
    if member is None:
        return user.get_username()
    return f"{member.name} · {member.number} · {member.branch.name}"


class RoundForm(forms.Form):
    SCOPES = (
        ("all", _("本活动的全部党支部")),
        ("general_branch", _("按党总支")),
        ("picked", _("逐个选择")),
    )

    title = forms.CharField(label=_("检查名称"), max_length=120)
    phase = forms.ChoiceField(label=_("阶段"))
    items = forms.MultipleChoiceField(
        label=_("检查项目"), choices=CheckItem.choices, widget=forms.CheckboxSelectMultiple
    )
    scope = forms.ChoiceField(
        label=_("检查范围"), choices=SCOPES, widget=forms.RadioSelect, initial="all"
    )
    general_branches = forms.MultipleChoiceField(
        label=_("党总支"), required=False, widget=forms.CheckboxSelectMultiple
    )
    branches = forms.MultipleChoiceField(label=_("党支部"), required=False)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    due_on = forms.DateField(label=_("完成期限"), widget=DATE)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    # What an opened round keeps as it is: only its title, dates and note change.
    FIXED_ONCE_OPEN = ("phase", "items", "scope", "general_branches", "branches")

    def __init__(
        self,
        *args: Any,
        campaign: Campaign,
        template: str = "",
        round: Round | None = None,
        **kwargs: Any,
    ) -> None:
        if round is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": round.title,
                "phase": str(round.phase_id),
                "items": list(round.items),
                "scope": "picked",
                "branches": [str(pk) for pk in round.branches.values_list("pk", flat=True)],
                "starts_on": round.starts_on,
                "due_on": round.due_on,
                "note": round.note,
            }
        elif template in services.TEMPLATES and "initial" not in kwargs:
            title, items = services.TEMPLATES[template]
            kwargs["initial"] = {"title": str(title), "items": list(items), "scope": "all"}
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.round = round
        self.fields["phase"].choices = _phase_choices(campaign, blank=None)  # type: ignore[attr-defined]
        self.by_general_branch = selectors.branches_by_general_branch(campaign)
        self.fields["general_branches"].choices = [  # type: ignore[attr-defined]
            (str(g.general_branch.pk), g.general_branch.name)
            for g in self.by_general_branch
            if g.general_branch is not None
        ]
        self.fields["branches"].choices = [  # type: ignore[attr-defined]
            (str(b.pk), b.name) for g in self.by_general_branch for b in g.branches
        ]
        # Before it is opened, a round's scope, items and phase may change.
        self.scoped = round is None or round.status == Round.Status.PLANNED
        if not self.scoped:
            for name in self.FIXED_ONCE_OPEN:
                del self.fields[name]

    def chosen_branches(self) -> list[Unit]:
        data = self.cleaned_data
        scope = data.get("scope")
        if scope == "all":
            return list(campaign_branches(self.campaign))
        if scope == "general_branch":
            return _branches_chosen(self.campaign, [], data.get("general_branches", []))
        return _branches_chosen(self.campaign, data.get("branches", []), [])

    def chosen_phase(self) -> Phase | None:
        return _phase(self.campaign, self.cleaned_data.get("phase"))

    def ticked(self) -> set[str]:
        if self.is_bound:
            return set(_listed(self.data, "branches"))
        return set(self.initial.get("branches", []))


class CheckForm(forms.Form):
    """A finding and a note for each item of the round, the summary, and the version
    the form was built from."""

    summary = forms.CharField(
        label=_("检查情况"),
        required=False,
        max_length=services.MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, check: Check, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            stored = {f.item: f for f in check.findings.all()}
            initial: dict[str, Any] = {"summary": check.summary, "version": check.version}
            for item in check.round.items:
                if item in stored:
                    initial[f"{item}-finding"] = stored[item].finding
                    initial[f"{item}-note"] = stored[item].note
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.items = [i for i in check.round.items if i in CheckItem.values]
        for item in self.items:
            self.fields[f"{item}-finding"] = forms.ChoiceField(
                label=CheckItem(item).label,
                choices=Finding.choices,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"{item}-note"] = forms.CharField(
                label=_("具体情况"),
                required=False,
                max_length=services.MAX_NOTE,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def findings(self) -> dict[str, services.ItemFinding]:
        data = self.cleaned_data
        return {
            item: services.ItemFinding(
                finding=data.get(f"{item}-finding") or "", note=data.get(f"{item}-note") or ""
            )
            for item in self.items
        }

    def item_fields(self) -> list[tuple[str, Any, Any]]:
        return [(item, self[f"{item}-finding"], self[f"{item}-note"]) for item in self.items]


class SignoffForm(forms.Form):
    phase = forms.ChoiceField(label=_("阶段"))
    note = forms.CharField(
        label=_("意见"),
        required=False,
        max_length=services.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["phase"].choices = _phase_choices(campaign, blank=None)  # type: ignore[attr-defined]

    def chosen_phase(self) -> Phase | None:
        return _phase(self.campaign, self.cleaned_data.get("phase"))
