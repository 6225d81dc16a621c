"""Who can form a session: a typed roster, checked, and a protocol's size against the room."""

from __future__ import annotations

from collections.abc import Iterable

from circle.core.errors import CircleError
from circle.core.names import NameProblem, clean_name, name_key
from circle.protocol.models import Protocol


class RosterError(CircleError, ValueError):
    """The people given cannot form a session."""


def check_roster(names: Iterable[str]) -> list[str]:
    """Clean a typed list of names (circle.core.names.clean_name); reject an empty roster, a name
    that cannot be kept, and repeated names."""
    try:
        cleaned = [clean_name(name) for name in names]
    except NameProblem as exc:
        raise RosterError(str(exc)) from None
    cleaned = [name for name in cleaned if name]
    if not cleaned:
        raise RosterError("no one is present: type at least one name")
    seen: dict[str, str] = {}
    for name in cleaned:
        key = name_key(name)
        if key in seen:
            raise RosterError(f"'{name}' is named twice; add an initial to tell them apart")
        seen[key] = name
    return cleaned


def size_warning(protocol: Protocol, count: int) -> str | None:
    size = protocol.group_size
    if count < size.min or (size.max is not None and count > size.max):
        return f"{protocol.title} is meant for {size.describe()} people; {count} are here"
    return None
