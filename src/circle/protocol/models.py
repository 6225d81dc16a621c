"""Protocol and step models: what a circle format is, as data.

A protocol is a YAML file; these pydantic models validate it, and the JSON Schema that
editors use is generated from them (:mod:`circle.protocol.schema`). Loading (with line and
column for every problem) lives in :mod:`circle.protocol.loader`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from circle.core.durations import MAX_SECONDS, format_duration, parse_duration
from circle.core.errors import shown

# What parse_duration reads, for editors: whole seconds, or hours, minutes and seconds in that
# order, each at most once, minutes and seconds up to 59 after a larger unit. [0-9], as the
# parser has it: \d would take other digits in some engines. A week's limit is left to circle.
_AFTER = r"0*[0-5]?[0-9]\s*"
DURATION_PATTERN = (
    r"^\s*(?:[0-9]+"
    rf"|[0-9]+\s*[hH]\s*(?:{_AFTER}[mM]\s*)?(?:{_AFTER}[sS]\s*)?"
    rf"|[0-9]+\s*[mM]\s*(?:{_AFTER}[sS]\s*)?"
    r"|[0-9]+\s*[sS])\s*$"
)
DURATION_HELP = "Seconds, or a length like 90s, 2m or 1h30m (at most a week)."

Duration = Annotated[
    int,
    BeforeValidator(parse_duration),
    # One schema of two types rather than a choice of two, so an editor's message for "soonish"
    # is the one below, not "Expected integer" from the branch it did not take.
    WithJsonSchema(
        {
            "type": ["number", "string"],
            "minimum": 0,
            "maximum": MAX_SECONDS,
            "pattern": DURATION_PATTERN,
            "patternErrorMessage": "Not a length: write it like 90s, 2m or 1h30m "
            "(hours, minutes, seconds in that order; after hours or minutes, up to 59).",
            "description": DURATION_HELP,
            "examples": ["90s", "2m", "1h30m"],
        }
    ),
]

TWO_LOOPS_STAGES = ("name", "connect", "nourish", "illuminate", "influence", "hospice", "compost")
# The seeds call the step after Nourish "Amplify"; it is the stage shown as "Illuminate and amplify".
STAGE_ALIASES = {"amplify": "illuminate"}


def stage_id(value: object) -> object:
    """A Two Loops stage as written (any case, or by its other name) to its id."""
    if isinstance(value, str):
        value = value.strip().lower()
        return STAGE_ALIASES.get(value, value)
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Day(_Strict):
    """Where a day of a multi-day agenda begins, and how much time that day has."""

    title: str = Field(min_length=1, description="The day's name, shown on the timeline: Friday, Day 2.")
    length: Duration = Field(description="The time the day has, from its first block to its end.")


class _StepBase(_Strict):
    title: str = Field(min_length=1, description="Shown large at the top of the screen.")
    prompt: str = Field("", description="The question or invitation shown to the room.")
    script: str = Field("", description="What the facilitator may say; shown on a toggle.")
    warn_at: Duration | None = Field(
        None,
        description="Time left when the timer turns to the warning colour (default: a fifth of the turn, at most 30s).",
    )
    fixed: bool = Field(False, description="In an agenda: this block keeps its length when the plan is rebalanced.")
    min: Duration | None = Field(
        None, description="In an agenda: the shortest this block may become (default: half its planned length)."
    )
    materials: list[str] = Field(default_factory=list, description="What to have ready for this block.")
    day: Day | None = Field(
        None,
        description="In an agenda: this block opens a day (the first block opens the first). The night "
        "before a day is not counted; each day keeps its own time, and rebalancing stays within it.",
    )

    @model_validator(mode="after")
    def _timed(self) -> _StepBase:
        """A turn (or block) of nothing starts in overtime, and a warning at or past its length never shows."""
        field = "turn" if getattr(self, "turn", None) is not None else "duration"
        length = getattr(self, field, None)
        if length is None:
            return self
        if length == 0:
            raise ValueError(f"{field}: 0s starts in overtime at once; give it a length, like 2m")
        if self.warn_at is not None and self.warn_at >= length:
            what = "each turn" if field == "turn" else "each round" if hasattr(self, "rounds") else "the step"
            raise ValueError(
                f"warn_at: {format_duration(self.warn_at)} is not shorter than {what} "
                f"({format_duration(length)}); the warning would never show"
            )
        return self


class RoundStep(_StepBase):
    """Each person speaks in turn."""

    kind: Literal["round"]
    turn: Duration = Field(description="Time for each person.")
    order: Literal["seating", "random"] = Field(
        "seating", description="seating: in the order names were given; random: shuffled."
    )
    allow_pass: bool = Field(True, description="Whether a person may pass.")
    return_to_passed: bool = Field(
        False, description="At the end of the round, come back once to each person who passed."
    )


QUEUE_TURN = 120  # seconds each person called from a queue has, unless the step says


class OpenStep(_StepBase):
    """One timed block for everyone: open conversation, discussion, a game. With ``queue``, people
    raise a hand to speak and are called in turn, each for a timed turn, while the block runs."""

    kind: Literal["open"]
    duration: Duration
    queue: Literal["arrival", "progressive"] | None = Field(
        None,
        description="A speaking queue: people raise a hand (from the wall or a phone) and n calls the next. "
        "arrival: first come, first called; progressive: who has spoken least in this session first "
        "(ties by arrival). A direct response goes before the queue, one at a time.",
    )
    turn: Duration | None = Field(
        None, description="With queue: the time each person called has (default 2m); warn_at warns each turn."
    )

    @model_validator(mode="after")
    def _queue_turns(self) -> OpenStep:
        if self.turn is not None and self.queue is None:
            raise ValueError("turn: an open step has turns only with a queue; add queue: arrival or progressive")
        if self.queue is not None and self.turn is not None and self.turn > self.duration:
            raise ValueError(
                f"turn: {format_duration(self.turn)} is longer than the whole step ({format_duration(self.duration)})"
            )
        return self

    @property
    def queue_turn(self) -> int:
        """Seconds each person called from the queue has."""
        return self.turn if self.turn is not None else QUEUE_TURN


class PairsStep(_StepBase):
    """People meet in pairs (one trio if the count is odd); each partner takes a turn."""

    kind: Literal["pairs"]
    turn: Duration = Field(description="Time for each partner.")


class GroupsStep(_StepBase):
    """Breakouts: the room splits into small groups (or pairs) for one or more rounds,
    mixed so that people meet as many new faces as they can."""

    kind: Literal["groups"]
    size: Annotated[int, Field(ge=2, le=50)] | Literal["pairs"] = Field(
        description="People in each group (2 or more), or pairs. When the room does not divide evenly, "
        "group sizes differ by at most one."
    )
    rounds: int = Field(1, ge=1, le=50, description="How many times the room is mixed into new groups.")
    duration: Duration = Field(description="Time for each round.")
    remember_group: bool = Field(
        True,
        description="When the session is run for a saved group, people who met in its earlier "
        "sessions count as having met (they are not grouped together again if it can be helped).",
    )

    @field_validator("size", mode="before")
    @classmethod
    def _size(cls, value: object) -> object:
        """One clear message for a size that is neither a number of people nor 'pairs'."""
        if value == "pairs" or (isinstance(value, int) and not isinstance(value, bool) and 2 <= value <= 50):
            return value
        raise ValueError(f"people in each group, 2 to 50, or pairs (got {shown(value)})")

    @property
    def people_per_group(self) -> int:
        return 2 if self.size == "pairs" else self.size


class SilenceStep(_StepBase):
    """A timed pause."""

    kind: Literal["silence"]
    duration: Duration


BLOCK_KINDS = ("meal", "break", "performance", "breakout", "method", "open_space")


class BlockStep(_StepBase):
    """A block of an agenda: a meal, a break, a performance, breakout groups, a method, open space."""

    kind: Literal[BLOCK_KINDS]  # type: ignore[valid-type]
    duration: Duration
    method: str = Field("", description="For kind method: an id from the method library (data/methods.yaml).")


Step = Annotated[
    RoundStep | OpenStep | PairsStep | GroupsStep | SilenceStep | BlockStep,
    Field(discriminator="kind"),
]
STEP_MODELS: dict[str, type[_StepBase]] = {
    "round": RoundStep,
    "open": OpenStep,
    "pairs": PairsStep,
    "groups": GroupsStep,
    "silence": SilenceStep,
    **dict.fromkeys(BLOCK_KINDS, BlockStep),
}
STEP_KINDS = tuple(STEP_MODELS)


class GroupSize(_Strict):
    # default= by name: type checkers read a field's default from that keyword only (GroupSize() below).
    min: int = Field(default=1, ge=1)
    max: int | None = Field(default=None, ge=1, description="Leave out for no upper limit.")

    @model_validator(mode="after")
    def _ordered(self) -> GroupSize:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) is smaller than min ({self.min})")
        return self

    def describe(self) -> str:
        if self.max is None:
            return f"{self.min}+"
        if self.max == self.min:
            return str(self.min)
        return f"{self.min}-{self.max}"


class Protocol(_Strict):
    """A circle format: metadata and an ordered list of timed steps."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Short unique name, e.g. feelz-checkin.")
    title: str = Field(min_length=1)
    summary: str = ""
    source: str = Field("", description="Where the format comes from.")
    family: str = Field("", description="Which family of formats it belongs to.")
    group_size: GroupSize = GroupSize()
    tags: list[str] = Field(default_factory=list)
    two_loops_stage: Annotated[
        Literal[TWO_LOOPS_STAGES] | None,  # type: ignore[valid-type]
        BeforeValidator(stage_id),
        Field(description="Where on the Two Loops it helps a community: one of the stages, or amplify."),
    ] = None
    length: Duration | None = Field(
        None, description="For an agenda: the time it has from start to end; rebalancing aims to end within it."
    )
    layout: Literal["circle", "agenda"] = Field(
        "circle", description="agenda: a multi-hour plan of blocks, run on the agenda screen with a timeline."
    )
    reciprocity_level: int | None = Field(
        None, ge=1, le=5, description="Which level of the Reciprocity Game this protocol plays (1-5)."
    )
    crew_meeting: bool = Field(
        False,
        description=(
            "It can serve as a crew's monthly meeting (Reciprocity Game, level 3): run for a saved group, "
            "the session is a meeting of that group, and attendance scores."
        ),
    )
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _fits(self) -> Protocol:
        """An agenda must fit its own fixed blocks and minimums in its length, and each day in its own."""
        opened = [i for i, step in enumerate(self.steps) if step.day is not None]
        if opened and self.layout != "agenda":
            raise ValueError(f"steps.{opened[0]}.day: only an agenda (layout: agenda) is planned in days")
        if opened and opened[0] != 0:
            raise ValueError("steps.0: the first block opens the first day; give it a day as well (day: ...)")
        for day in self.days:
            least = self.least_seconds(day)
            if day.opened and least > day.length:
                raise ValueError(
                    f"steps.{day.first}.day.length: {day.title} needs at least {least // 60} min even at its "
                    f"blocks' minimums, but the day has {day.length // 60} min; lengthen it, or shorten or "
                    "unfix a block"
                )
        if opened:
            total = sum(day.length for day in self.days)
            if self.length is not None and self.length != total:
                raise ValueError(
                    f"length: the days add up to {total // 60} min but the agenda says {self.length // 60} min; "
                    "leave length out (the days say it), or make them agree"
                )
            return self
        if self.length is None:
            return self
        least = self.least_seconds(self.days[0])
        if least > self.length:
            raise ValueError(
                f"length: the blocks need at least {least // 60} min even at their minimums, "
                f"but the agenda has {self.length // 60} min; lengthen it, or shorten or unfix a block"
            )
        return self

    @property
    def days(self) -> list[DaySpan]:
        """The agenda's days in order; one unnamed day when it sets none (its length is the agenda's)."""
        starts = [i for i, step in enumerate(self.steps) if step.day is not None]
        if not starts:
            return [DaySpan(0, "", self.length or 0, 0, len(self.steps), opened=False)]
        ends = [*starts[1:], len(self.steps)]
        return [
            DaySpan(n, step.day.title, step.day.length, first, end, opened=True)
            for n, (first, end) in enumerate(zip(starts, ends, strict=True))
            if (step := self.steps[first]).day is not None
        ]

    def least_seconds(self, day: DaySpan) -> int:
        """The least a day's blocks need even at their minimums (fixed blocks and rounds whole),
        for the group's smallest size: what its length must hold."""
        people = self.group_size.min
        return sum(shortest_seconds(s, planned_step_seconds(s, people)) for s in self.steps[day.first : day.end])

    def day_of(self, index: int) -> int:
        """The number (from 0) of the day a step belongs to."""
        return next(day.number for day in self.days if day.first <= index < day.end)

    @property
    def total_length(self) -> int | None:
        """An agenda's length: its own, or its days' added up."""
        if any(step.day is not None for step in self.steps):
            return sum(day.length for day in self.days)
        return self.length

    def planned_seconds(self, people: int) -> int:
        return sum(planned_step_seconds(step, people) for step in self.steps)

    def length_range(self) -> tuple[int, int]:
        """Planned length for the smallest and the largest group it is meant for (an agenda: its length)."""
        if self.total_length is not None:
            return self.total_length, self.total_length
        low = self.group_size.min
        high = self.group_size.max or max(low, 8)
        return self.planned_seconds(low), self.planned_seconds(high)


@dataclass(frozen=True)
class DaySpan:
    """One day of an agenda: steps ``first`` up to (not including) ``end``."""

    number: int
    title: str
    length: int
    first: int
    end: int
    opened: bool  # named by a block's `day`; False for the one implied day of a plain agenda


def planned_step_seconds(step: Step, people: int) -> int:
    match step:
        case RoundStep():
            return step.turn * people
        case PairsStep():
            return step.turn * (3 if people % 2 and people > 1 else 2)
        case GroupsStep():
            return step.duration * step.rounds
        case OpenStep() | SilenceStep() | BlockStep():
            return step.duration
    raise TypeError(step)  # pragma: no cover


def shortest_seconds(step: Step, planned: int) -> int:
    """The shortest a block may become in a rebalance: fixed blocks and rounds keep their length."""
    if step.fixed or isinstance(step, RoundStep):
        return planned
    if step.min is not None:
        return min(step.min, planned)
    return planned // 2


def warn_seconds(step: Step, allotted: int) -> int:
    if step.warn_at is not None:
        return step.warn_at
    return min(30, allotted // 5)
