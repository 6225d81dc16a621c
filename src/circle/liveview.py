"""What the live screen shows, worked out from engine state (no Textual here).

Keeping this apart from the screen means the words on the wall are unit-tested
and the screen only copies fields into widgets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from circle.engine import State, countdown_seconds, live_records
from circle.protocol import GroupsStep, PairsStep, RoundStep, SilenceStep
from circle.scoring import ScoringRules
from circle.wall_text import wall_text


@dataclass(frozen=True)
class LiveView:
    step_line: str
    prompt: str
    script: str
    caption: str
    speaker: str
    next_line: str
    phase: str
    seconds: int
    allotted: int
    elapsed: int  # whole seconds, so the view changes (and repaints) once a second
    roster_title: str
    roster: list[tuple[str, str]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # a pairs step's pairs, one line each
    cards: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # a breakout's groups
    message: str = ""
    records: list[str] = field(default_factory=list)


def record_lines(state: State, rules: ScoringRules) -> list[str]:
    """This session's reciprocity moments, newest first, with the points each is worth."""
    name = state.name
    money, conflict = rules.level(2), rules.level(4)
    lines = []
    for e in reversed(live_records(state)):
        d = e.data
        label = f": {d['label']}" if d.get("label") else ""
        match e.kind:
            case "listened":
                lines.append(f"everyone listened  +{rules.level(1).listened} each")
            case "offer" | "ask":
                points = (money.offer if e.kind == "offer" else money.ask) + money.respect_bonus
                verb = "offered" if e.kind == "offer" else "asked"
                lines.append(f"{name(d['by'])} {verb} {name(d['to'])}{label}  +{points}")
            case "conflict_opened":
                lines.append(f"conflict named: {' & '.join(map(name, d['between']))}{label}")
            case "conflict_resolved":
                points = conflict.resolved if d["resolved"] else conflict.unresolved
                outcome = "resolved" if d["resolved"] else "not resolved"
                lines.append(f"conflict {outcome}: {' & '.join(map(name, d['between']))}  {points:+d} each")
            case "co_owned":
                lines.append(f"co-owners: {', '.join(map(name, d['people']))}{label}  +{rules.level(5).co_owner} each")
    if state.group is not None:
        away = [name(pid) for pid in state.absent if pid not in state.present]
        lines.append(
            f"{state.group['name']}: {len(state.present)} here" + (f", absent: {', '.join(away)}" if away else "")
        )
    return lines


def _card_lines(names: list[str]) -> tuple[str, ...]:
    """A pair on one line (a card of pairs stays small); a group's names one a line."""
    return (" & ".join(names),) if len(names) == 2 else tuple(names)


def repeats_line(repeats: int, fewest: int) -> str:
    """How well a breakout mixes the room, in words for the wall."""
    if repeats <= 0:
        return "no one meets anyone twice"
    words = "1 pair meets again" if repeats == 1 else f"{repeats} repeat meetings"
    return f"{words} (as few as can be)" if repeats <= fewest else words


def live_view(state: State, now: float, rules: ScoringRules | None = None) -> LiveView:
    protocol = state.protocol
    run = state.run
    assert protocol is not None and run is not None
    phase = state.phase(now)
    slot = state.current
    step = run.step
    step_line = f"Step {run.index + 1} of {len(protocol.steps)} · {step.title}"

    if isinstance(step, RoundStep):
        caption = "speaking now"
        roster_title = "Round"
        roster = [(s.label, s.status) for s in run.slots]
    else:
        caption = {"pairs": "in pairs", "open": "open to everyone"}.get(step.kind, "")
        roster_title = f"Here ({len(state.present)})"
        roster = [(p.name, "todo") for p in state.people_present()]
    groups, cards = [], []
    next_line = f"next: {state.next_up()}" if slot else ""
    if isinstance(step, GroupsStep):
        caption = "in pairs" if step.size == "pairs" else f"in groups of {step.people_per_group}"
        word = "Pair" if step.size == "pairs" else "Group"
        cards = [
            (f"{word} {i}", _card_lines([state.name(pid) for pid in group]))
            for i, group in enumerate(state.breakout_groups(), start=1)
        ]
        mixed = repeats_line(run.repeats, run.fewest)
        if len(state.present) <= step.people_per_group:
            mixed = f"{len(state.present)} here, not enough for two groups: everyone together"
        next_line = " · ".join(part for part in (next_line, mixed) if part)
    if isinstance(step, PairsStep):
        groups = [
            f"{i}. " + " & ".join(state.name(pid) for pid in group) for i, group in enumerate(run.groups, start=1)
        ]

    message = ""
    if phase == "ended":
        message = "This session has ended."
    elif phase == "finished":
        message = "All steps are done. Press e to end and see the summary, or b to go back."
    speaker = slot.label if slot else ""
    if isinstance(step, SilenceStep) and slot:
        speaker = "Silence"
    # Names and protocol text as typed may hold emoji whose width terminals disagree on.
    w = wall_text
    return LiveView(
        step_line=w(step_line),
        prompt=w(step.prompt),
        script=w(step.script),
        caption=caption if slot else "",
        speaker=w(speaker),
        next_line=w(next_line),
        phase=phase,
        seconds=countdown_seconds(state.remaining(now)) if slot else 0,
        allotted=slot.allotted if slot else 0,
        elapsed=int(state.elapsed(now)),
        roster_title=roster_title,
        roster=[(w(label), status) for label, status in roster],
        groups=[w(line) for line in groups],
        cards=[(title, tuple(map(w, names))) for title, names in cards],
        message=message,
        records=[w(line) for line in record_lines(state, rules)] if rules and protocol.reciprocity_level else [],
    )
