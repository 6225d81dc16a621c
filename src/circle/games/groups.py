"""Kinds of group and the sizes each is meant for.

The seeds: a partnership is two people, a crew 3-8 (small enough for one dinner
table), a congregation 30-200. Both a partnership and a crew meet monthly in the
Reciprocity Game's level 3.
"""

from __future__ import annotations

GROUP_KINDS = ("crew", "partnership", "congregation", "community")
SIZES = {"partnership": (2, 2), "crew": (3, 8), "congregation": (30, 200)}


def kind_for(count: int) -> str:
    """The kind a new group is saved as when none is given: two people are a partnership."""
    return "partnership" if count == 2 else "crew"


def size_warning(kind: str, count: int) -> str | None:
    """A gentle note when a group is outside the size its kind works best at (allowed anyway)."""
    if kind not in SIZES:
        return None
    low, high = SIZES[kind]
    if low <= count <= high:
        return None
    if kind == "crew" and count == 2:
        return "two people make a partnership, not a crew; change its kind to partnership"
    if kind == "partnership":
        return f"a partnership is two people; this one has {count}" + ("; a crew is 3-8" if count > 2 else "")
    return f"a {kind} usually has {low}-{high} people; this one has {count}"
