"""Sections a higher app adds to the member appraisal registration form (党员评议登记表).

The form is grading's, but some of what an office writes on it belongs to apps that
stand above grading (rectification: the member's rectification plan, 整改计划). Such
an app registers a source here from its own `apps.py` (as it registers requirement
kinds), and the form's selector asks every source once for all the members it builds
— a branch's bundle included — so a source answers in bulk, in a fixed number of
queries, never one per member. A source leaves out a member it has nothing for.

Sections are plain text, a few lines each: the form is one page per member, and a
source keeps to the room the form has (it says so when it shortens).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from vanguard.campaigns.models import Campaign


@dataclass(frozen=True)
class FormSection:
    """A ruled row of the form: a label (a few characters, e.g. 整改计划) and its lines."""

    label: str
    lines: tuple[str, ...]


class SectionSource(Protocol):
    def __call__(
        self, *, member_ids: Sequence[int], campaign: Campaign
    ) -> Mapping[int, FormSection]: ...


# key → source, in the order registered (the order the sections print in).
REGISTRY: dict[str, SectionSource] = {}


def register(key: str, source: SectionSource) -> SectionSource:
    """Add `source` to every member's form under `key` (registering a key again
    replaces its source, in place)."""
    REGISTRY[key] = source
    return source


def extra_sections(member_ids: Sequence[int], campaign: Campaign) -> dict[int, list[FormSection]]:
    """member id → the registered sections for that member, in registration order."""
    found: dict[int, list[FormSection]] = {}
    if not member_ids:
        return found
    for source in REGISTRY.values():
        for member_id, section in source(member_ids=member_ids, campaign=campaign).items():
            found.setdefault(member_id, []).append(section)
    return found
