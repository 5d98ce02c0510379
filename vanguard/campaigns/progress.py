"""Progress against phase requirements (owned by the progress helper; stub contract).

Contract used by phase gating:
    branch_requirements_met(*, campaign, branch, phase) -> tuple[bool, list[str]]
returns whether every requirement of `phase` is met for `branch` (and all its
members), and the labels of those that are not.
"""

from __future__ import annotations

from typing import Any


def branch_requirements_met(*, campaign: Any, branch: Any, phase: Any) -> tuple[bool, list[str]]:
    raise NotImplementedError
