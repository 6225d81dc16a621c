"""What the live screen shows, worked out from engine state (no Textual here).

Keeping this apart from the screen means the words on the wall are unit-tested
and the screen only copies fields into widgets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from circle.core.durations import format_clock
from circle.core.wall_text import wall_text
from circle.engine import HandQueue, Phase, SlotStatus, State, again_label, countdown_seconds, live_records
from circle.games.reciprocity.scoring import ScoringRules
from circle.protocol.models import GroupsStep, PairsStep, RoundStep, SilenceStep


@dataclass(frozen=True)
class LiveView:
    step_line: str
    prompt: str
    script: str
    caption: str
    speaker: str
    next_line: str
    phase: Phase
    seconds: int
    allotted: int
    elapsed: int  # whole seconds, so the view changes (and repaints) once a second
    roster_title: str
    roster: list[tuple[str, SlotStatus]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # a pairs step's pairs, one line each
    cards: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # a breakout's groups
    message: str = ""
    records: list[str] = field(default_factory=list)  # this session's points, oldest first
    attendance: str = ""
    over: bool = False  # past the turn's time (running or paused): the clock shows +m:ss in red
    # What the phones are given as well (compare=False: they change every moment, not every second).
    title: str = ""
    next_up: str = ""
    warn: int = 0
    running: bool = False
    remaining: float = field(default=0.0, compare=False)
    members: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # a breakout's groups, by name
    block: str = ""  # a queue step: its own countdown, beside the turn's ("18:13 left in this step")


def record_lines(state: State, rules: ScoringRules, wall: bool = False) -> list[str]:
    """This session's reciprocity moments, oldest first (as every list of moments), with their points.

    On the ``wall`` a conflict shows only who it is between: what it is about stays in the
    log and the exports, where the facilitator typed it.
    """
    name = state.name
    money, conflict = rules.level(2), rules.level(4)
    lines = []
    for e in live_records(state):
        d = e.data
        label = f": {d['label']}" if d.get("label") else ""
        match e.kind:
            case "listened":
                lines.append(f"everyone listened  +{rules.level(1).listened} each")
            case "offer" | "ask":
                points = money.offer if e.kind == "offer" else money.ask
                verb = "offered" if e.kind == "offer" else "asked"
                bonus = f", +{money.respect_bonus} respect bonus" if money.respect_bonus else ""
                lines.append(f"{name(d['by'])} {verb} {name(d['to'])}{label}  +{points}{bonus}")
            case "conflict_opened":
                lines.append(f"conflict named: {' & '.join(map(name, d['between']))}{'' if wall else label}")
            case "conflict_resolved":
                points = conflict.resolved if d["resolved"] else conflict.unresolved
                outcome = "resolved" if d["resolved"] else "not resolved"
                lines.append(f"conflict {outcome}: {' & '.join(map(name, d['between']))}  {points:+d} each")
            case "co_owned":
                lines.append(f"co-owners: {', '.join(map(name, d['people']))}{label}  +{rules.level(5).co_owner} each")
    return lines


def attendance_line(state: State) -> str:
    """Who of a saved group is here (a meeting's attendance scores)."""
    if state.group is None:
        return ""
    away = [state.name(pid) for pid in state.absent if pid not in state.present]
    return f"{state.group['name']}: {len(state.present)} here" + (f", absent: {', '.join(away)}" if away else "")


def _card_lines(names: list[str]) -> tuple[str, ...]:
    """A pair on one line (a card of pairs stays small); a group's names one a line."""
    return (" & ".join(names),) if len(names) == 2 else tuple(names)


def repeats_line(repeats: int, fewest: int) -> str:
    """How well a breakout mixes the room, in words for the wall."""
    if repeats <= 0:
        return "no one meets anyone twice"
    words = "1 pair meets again" if repeats == 1 else f"{repeats} repeat meetings"
    if repeats <= fewest:  # the mixer proved no plan can have fewer
        return f"{words} (the fewest possible)"
    if fewest > 0:
        return f"{words} (at least {fewest} {'is' if fewest == 1 else 'are'} unavoidable)"
    return words


def live_view(state: State, now: float, rules: ScoringRules | None = None) -> LiveView:
    """What the wall shows: names and texts in the form every terminal draws alike."""
    view = seen(state, now, rules)
    w = wall_text  # names and protocol text as typed may hold emoji whose width terminals disagree on
    return replace(
        view,
        step_line=w(view.step_line),
        prompt=w(view.prompt),
        script=w(view.script),
        speaker=w(view.speaker),
        next_line=w(view.next_line),
        roster=[(w(label), status) for label, status in view.roster],
        groups=[w(line) for line in view.groups],
        cards=[(title, tuple(map(w, names))) for title, names in view.cards],
        records=[w(line) for line in view.records],
        attendance=w(view.attendance),
    )


def _queue_seen(state: State, queue: HandQueue, now: float, step_clock: tuple):
    """A queue block: who speaks (their turn's clock), who is next, and the hands in order."""
    waiting = queue.waiting()
    hands = [(state.name(h.person) + (" (responds)" if h.respond else ""), "todo") for h in waiting]
    title = f"Hands ({len(waiting)})"
    first = waiting[0] if waiting else None
    next_up = (state.name(first.person) + (" (responds)" if first.respond else "")) if first else ""
    turn = queue.speaking
    if turn is None:
        return "raise a hand to speak", "Open floor", next_up, title, hands, step_clock
    left = turn.allotted - state.turn_elapsed(turn, now)
    phase = step_clock[0]
    if phase in ("running", "warning", "overtime"):
        phase = "overtime" if left < 0 else "warning" if left <= turn.warn else "running"
    speaking = [(state.name(turn.person), "now")]
    caption = "responding" if turn.respond else "speaking now"
    return (
        caption,
        state.name(turn.person),
        next_up,
        title,
        speaking + hands,
        (
            phase,
            left,
            turn.allotted,
            state.turn_elapsed(turn, now),
            turn.warn,
        ),
    )


def seen(state: State, now: float, rules: ScoringRules | None = None) -> LiveView:
    """What the room sees at ``now``, names as typed: the wall (through live_view) and the phones."""
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
        roster = [(f"{s.label} (again)" if s.again else s.label, s.status) for s in run.slots]
    else:
        caption = {"pairs": "in pairs", "open": "open to everyone"}.get(step.kind, "")
        roster_title = f"Here ({len(state.present)})"
        roster = [(p.name, "todo") for p in state.people_present()]
    if slot is not None and slot.again:
        caption = again_label(slot)
    groups, cards, members = [], [], []
    next_up = state.next_up() if slot else ""
    next_line = f"next: {next_up}" if slot else ""
    if isinstance(step, GroupsStep):
        caption = "in pairs" if step.size == "pairs" else f"in groups of {step.people_per_group}"
        word = "Pair" if step.size == "pairs" else "Group"
        members = [
            (f"{word} {i}", tuple(state.name(pid) for pid in group))
            for i, group in enumerate(state.breakout_groups(), start=1)
            if group  # a group emptied by people leaving keeps its number to itself
        ]
        cards = [(title, _card_lines(list(names))) for title, names in members]
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
    remaining = state.remaining(now) if slot else 0.0
    clock = (phase, remaining, slot.allotted if slot else 0, state.elapsed(now), slot.warn if slot else 0)
    block = ""
    queue = state.queue
    if queue is not None and slot is not None:
        # The turn called is the big clock; the block's own countdown runs beside it, on the next line.
        caption, speaker, next_up, roster_title, roster, clock = _queue_seen(state, queue, now, clock)
        block = f"{format_clock(countdown_seconds(remaining))} {'over' if remaining < 0 else 'left'} in this step"
        next_line = f"next: {next_up}" if next_up else "no hands up"
    phase, remaining, allotted, elapsed, warn = clock
    return LiveView(
        step_line=step_line,
        prompt=step.prompt,
        script=step.script,
        caption=caption if slot else "",
        speaker=speaker,
        next_line=next_line,
        phase=phase,
        seconds=countdown_seconds(remaining) if slot else 0,
        allotted=allotted,
        elapsed=int(elapsed),
        roster_title=roster_title,
        roster=roster,
        groups=groups,
        cards=cards,
        message=message,
        records=record_lines(state, rules, wall=True) if rules and protocol.reciprocity_level else [],
        attendance=attendance_line(state) if protocol.reciprocity_level or protocol.crew_meeting else "",
        over=slot is not None and remaining < 0,
        title=protocol.title,
        next_up=next_up,
        warn=warn,
        running=state.running and slot is not None,
        remaining=remaining,
        members=members,
        block=block,
    )
