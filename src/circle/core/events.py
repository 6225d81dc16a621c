"""What the log is made of: events and the people they name.

Kept apart from the engine so the store (and the start of the app) can use
them without loading the protocol models.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    kind: str
    at: float
    data: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(frozen=True)
class Person:
    id: str
    name: str
