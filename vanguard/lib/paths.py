"""Materialised unit paths ("/1/4/17/": the primary keys from the root down to the
unit, each followed by a slash) — the one place they are taken apart."""

from __future__ import annotations


def path_ids(path: str) -> list[int]:
    """The primary keys along a path, root first: "/1/4/17/" → [1, 4, 17]."""
    return [int(part) for part in path.strip("/").split("/") if part]


def path_prefixes(path: str) -> list[str]:
    """The paths of the unit and every unit above it, root first:
    "/1/4/17/" → ["/1/", "/1/4/", "/1/4/17/"]."""
    ids = path_ids(path)
    return ["/" + "/".join(str(i) for i in ids[: n + 1]) + "/" for n in range(len(ids))]
