"""The Reciprocity Game's point rules, as data (data/reciprocity.yaml)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from circle.core.resources import bundled_dir, user_dir
from circle.protocol.loader import load_model


class _Level(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    level: int = Field(ge=1, le=5)
    name: str = Field(min_length=1)
    listened: int = 0
    offer: int = 0
    ask: int = 0
    respect_bonus: int = 0
    meeting_points: list[int] = Field(default_factory=list)
    missed_meeting: int = 0
    resolved: int = 0
    unresolved: int = 0
    co_owner: int = 0


class ScoringRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    levels: list[_Level] = Field(min_length=5, max_length=5)

    @model_validator(mode="after")
    def _one_of_each(self) -> ScoringRules:
        numbers = [lv.level for lv in self.levels]
        if sorted(numbers) != [1, 2, 3, 4, 5]:
            raise ValueError(f"levels must be 1 to 5, once each; found {numbers}")
        if not self.level(3).meeting_points:
            raise ValueError("level 3 needs meeting_points, e.g. [1, 3, 5]")
        return self

    def level(self, number: int) -> _Level:
        return next(lv for lv in self.levels if lv.level == number)

    def meeting(self, nth: int) -> int:
        """Points for attending a group's ``nth`` meeting (1-based); the last value repeats."""
        points = self.level(3).meeting_points
        return points[min(nth, len(points)) - 1]

    @property
    def names(self) -> dict[int, str]:
        return {lv.level: lv.name for lv in self.levels}


def rules_path() -> Path:
    """The user's own copy of the rules if there is one, else the bundled file."""
    own = user_dir() / "reciprocity.yaml"
    return own if own.is_file() else bundled_dir("data") / "reciprocity.yaml"


def load_rules(path: Path | None = None) -> ScoringRules:
    return load_model(ScoringRules, path or rules_path())
