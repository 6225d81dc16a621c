"""Kinds of group and the sizes each is meant for (seeds: crews of 3-8, congregations of 30-200)."""

from __future__ import annotations

GROUP_KINDS = ("crew", "congregation", "community")
SIZES = {"crew": (3, 8), "congregation": (30, 200)}


def size_warning(kind: str, count: int) -> str | None:
    """A gentle note when a group is outside the size its kind works best at (allowed anyway)."""
    if kind not in SIZES:
        return None
    low, high = SIZES[kind]
    if low <= count <= high:
        return None
    return f"a {kind} usually has {low}-{high} people; this one has {count}"
