"""The draw of a note sample (抽查), as pure functions: the same inputs give the same
members on any machine, so anyone can recompute a stored sample from its recorded
seed, method and population, by hand or with a few lines of Python.

Method "stratified-v1": the strata are the branches, taken in the order of their
path. In each branch, the ids of its eligible members (active members who wrote a
reading note in the campaign) sorted ascending; n of them. The branch's sample size
is k = min(n, max(minimum, ceil(share × n))). The members drawn are
`random.Random(f"{seed}:{branch_id}").sample(ids, k)`, in the order drawn.
Python's `random.Random` seeded with a string hashes it with SHA-512 (version 2
seeding), which is the same on every platform and every Python 3 version.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

STRATIFIED_V1 = "stratified-v1"
SEED_BITS = 63  # fits a signed 64-bit column


@dataclass(frozen=True)
class Stratum:
    """One branch's eligible members: the input of its draw."""

    branch_id: int
    member_ids: tuple[int, ...]  # ascending


@dataclass(frozen=True)
class Drawn:
    """One branch's draw: the members in the order drawn."""

    branch_id: int
    population: int
    member_ids: tuple[int, ...]


def stratum_size(n: int, *, share: Decimal, minimum: int) -> int:
    """k = min(n, max(minimum, ceil(share × n))); the product is exact (Decimal)."""
    if n <= 0:
        return 0
    return min(n, max(minimum, math.ceil(Decimal(share) * n)))


def draw_stratified_v1(
    strata: Sequence[Stratum], *, seed: int, share: Decimal, minimum: int
) -> list[Drawn]:
    found = []
    for stratum in strata:
        ids = sorted(stratum.member_ids)
        k = stratum_size(len(ids), share=share, minimum=minimum)
        chosen = random.Random(f"{seed}:{stratum.branch_id}").sample(ids, k)  # noqa: S311
        found.append(Drawn(stratum.branch_id, len(ids), tuple(chosen)))
    return found


METHODS: dict[str, Callable[..., list[Drawn]]] = {STRATIFIED_V1: draw_stratified_v1}


def draw(
    method: str, strata: Sequence[Stratum], *, seed: int, share: Decimal, minimum: int
) -> list[Drawn]:
    """The members a method draws from the strata (given in the order of their path)."""
    return METHODS[method](strata, seed=seed, share=share, minimum=minimum)


def new_seed() -> int:
    """A fresh random seed, from the operating system's secure source."""
    return secrets.randbits(SEED_BITS)
