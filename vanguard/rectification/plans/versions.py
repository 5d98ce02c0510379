"""A plan as it stood when a reviewer decided on it, and what changed since.

The self-analysis review loop freezes each submitted version; a plan does the same
through its decisions: `plan_snapshot` is written on each `PlanDecision` (its summary
and its items' five clarities and tags — never what an item links, so no opinion's
text is copied), and `changes_since` compares the last return's snapshot with the
plan as resubmitted, with `vanguard.lib.textdiff`, the review loop's diff.

A snapshot is plain JSON: {"summary": str, "items": [{"id", "problem", "measure",
"responsible", "standard", "deadline", "tags"}]} with the responsible person's name
and the deadline as an ISO date, as they read on the day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from vanguard.lib.people import person_name
from vanguard.lib.textdiff import TextDiff, compare
from vanguard.rectification.models import Item, Plan, PlanDecision, Tag

# The item's texts in the order the plan's page shows them.
ITEM_FIELDS = ("problem", "measure", "responsible", "standard", "deadline", "tags")


def _field_labels() -> dict[str, str]:
    return {
        "problem": _("存在问题"),
        "measure": _("整改措施"),
        "responsible": _("责任人"),
        "standard": _("完成标准"),
        "deadline": _("完成时限"),
        "tags": _("关联"),
    }


def item_texts(item: Item) -> dict[str, Any]:
    """An item's entry in `plan_snapshot`, but its id (the demo's bulk writes use it too)."""
    return {
        "problem": item.problem,
        "measure": item.measure,
        "responsible": item.responsible.name if item.responsible else "",
        "standard": item.standard,
        "deadline": item.deadline.isoformat() if item.deadline else "",
        "tags": list(item.tags or []),
    }


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """The plan's texts now, as JSON to keep on a decision."""
    items = plan.items.select_related("responsible").order_by("order", "pk")
    return {
        "summary": plan.summary,
        "items": [{"id": item.pk, **item_texts(item)} for item in items],
    }


def _text(entry: dict[str, Any], name: str) -> str:
    value = entry.get(name)
    if name == "tags":
        labels = dict(Tag.choices)
        return _("、").join(str(labels.get(t, t)) for t in value or [])
    return str(value or "")


@dataclass(frozen=True)
class ItemChange:
    """One item's changes: added, removed, or its changed texts."""

    number: int  # its place in the plan (for a removed item, where it was)
    problem: str
    kind: str  # "added" | "removed" | "changed"
    texts: list[TextDiff] = field(default_factory=list)  # a changed item's changed texts
    removed: list[tuple[str, str]] = field(default_factory=list)  # (label, text) it had


@dataclass(frozen=True)
class PlanChanges:
    decision: PlanDecision  # the return the plan was revised after
    returned_by: str
    summary: TextDiff | None  # None when the summary did not change
    items: list[ItemChange]
    unchanged: list[int]  # the places of the items that did not change

    @property
    def any(self) -> bool:
        return self.summary is not None or bool(self.items)


ADDED, REMOVED, CHANGED = "added", "removed", "changed"


def compare_snapshots(
    old: dict[str, Any], new: dict[str, Any]
) -> tuple[TextDiff | None, list[ItemChange], list[int]]:
    """The summary's diff (None when unchanged), each added, removed or changed item
    with its changed texts, and the places of the unchanged items."""
    labels = _field_labels()
    summary = compare(_("整改思路"), str(old.get("summary") or ""), str(new.get("summary") or ""))
    before = {entry.get("id"): entry for entry in old.get("items") or []}
    changes: list[ItemChange] = []
    unchanged: list[int] = []
    seen = set()
    for number, entry in enumerate(new.get("items") or [], start=1):
        key = entry.get("id")
        seen.add(key)
        previous = before.get(key)
        texts = [
            compare(
                labels[name],
                _text(previous or {}, name),
                _text(entry, name),
                name=f"item-{number}-{name}",
            )
            for name in ITEM_FIELDS
        ]
        if previous is None:  # read in full in the plan's list of items
            changes.append(ItemChange(number, _text(entry, "problem"), ADDED))
        elif any(t.changed for t in texts):
            changes.append(
                ItemChange(
                    number, _text(entry, "problem"), CHANGED, [t for t in texts if t.changed]
                )
            )
        else:
            unchanged.append(number)
    for number, entry in enumerate(old.get("items") or [], start=1):
        if entry.get("id") not in seen:
            kept = [(labels[name], _text(entry, name)) for name in ITEM_FIELDS]
            removed = [(label, text) for label, text in kept if text]
            changes.append(ItemChange(number, _text(entry, "problem"), REMOVED, removed=removed))
    return (summary if summary.changed else None), changes, unchanged


def last_return(plan: Plan) -> PlanDecision | None:
    """The decision that returned the plan, when it has been submitted again since."""
    if plan.pk is None or plan.status != Plan.Status.SUBMITTED:
        return None
    decision = plan.decisions.select_related("reviewer").order_by("-at", "-pk").first()
    if decision is None or decision.verdict != PlanDecision.Verdict.RETURN:
        return None
    return decision


def changes_since_return(plan: Plan) -> PlanChanges | None:
    """What changed in a resubmitted plan since it was returned; None for a plan never
    returned, not resubmitted, or returned before decisions kept a snapshot."""
    decision = last_return(plan)
    if decision is None or not decision.snapshot:
        return None
    summary, items, unchanged = compare_snapshots(decision.snapshot, plan_snapshot(plan))
    return PlanChanges(
        decision=decision,
        returned_by=person_name(decision.reviewer),
        summary=summary,
        items=items,
        unchanged=unchanged,
    )
