"""What a follower's phone is told: the wall's words and timings, nothing else.

Circles often agree that what is said stays in the room, so this is an allow-list:
the step, its prompt, who speaks and who is next, the clock, and (in a breakout)
the groups by display name. The facilitator's notes, the script, points and ids
are never part of it. Pure: no web server, no terminal UI.
"""

from __future__ import annotations

from circle.engine import State
from circle.protocol import GroupsStep, RoundStep, SilenceStep


def follow_state(state: State, now: float) -> dict:
    """The state a follower's page shows, with the clock as it stands at ``now``.

    ``remaining`` is seconds left at ``now`` (negative in overtime); while
    ``running`` the page counts down from it by itself, so updates are needed only
    when something changes, not every second.
    """
    protocol, run, slot = state.protocol, state.run, state.current
    if protocol is None or run is None:
        return {"title": "", "phase": "waiting"}
    step = run.step
    out: dict = {
        "title": protocol.title,
        "step": f"Step {run.index + 1} of {len(protocol.steps)} · {step.title}",
        "prompt": step.prompt,
        "phase": state.phase(now),
        "speaker": "",
        "next": "",
        "remaining": 0.0,
        "allotted": 0,
        "warn": 0,
        "running": False,
        "groups": [],
        "people": sorted(p.name for p in state.people_present()),
    }
    if slot is not None:
        out.update(
            speaker="Silence" if isinstance(step, SilenceStep) else slot.label,
            next=state.next_up(),
            remaining=round(state.remaining(now), 2),
            allotted=slot.allotted,
            warn=slot.warn,
            running=state.running,
        )
        if isinstance(step, RoundStep):
            out["caption"] = "speaking now"
    if isinstance(step, GroupsStep):
        word = "Pair" if step.size == "pairs" else "Group"
        out["groups"] = [
            {"name": f"{word} {i}", "members": [state.name(pid) for pid in group]}
            for i, group in enumerate(state.breakout_groups(), start=1)
        ]
    return out
