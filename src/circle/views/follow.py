"""What a follower's phone is told: the wall's words and timings, nothing else.

Circles often agree that what is said stays in the room, so this is an allow-list:
the step, its prompt, who speaks and who is next, the clock, (in a breakout)
the groups by display name, and (in a speaking queue) who waits, by name. The
facilitator's notes, the script, points and ids are never part of it. Every
figure comes from the same view of the state as the wall's
(:func:`circle.views.live.seen`), so the phone and the wall cannot disagree;
names are kept as typed. Pure: no web server, no terminal UI.
"""

from __future__ import annotations

from circle.engine import State
from circle.views.live import seen


def follow_state(state: State, now: float) -> dict:
    """The state a follower's page shows, with the clock as it stands at ``now``.

    ``remaining`` is seconds left at ``now`` (negative in overtime, running or paused); while
    ``running`` the page counts down from it by itself, so updates are needed only when
    something changes, not every second.
    """
    if state.protocol is None or state.run is None:
        return {"title": "", "phase": "waiting"}
    view = seen(state, now)
    out: dict = {
        "title": view.title,
        "step": view.step_line,
        "prompt": view.prompt,
        "phase": view.phase,
        "speaker": view.speaker,
        "next": view.next_up,
        "remaining": round(view.remaining, 2),
        "allotted": view.allotted,
        "warn": view.warn,
        "running": view.running,
        "groups": [{"name": name, "members": list(members)} for name, members in view.members],
        "people": sorted(p.name for p in state.people_present()),
    }
    if view.caption:
        out["caption"] = view.caption
    queue = state.queue
    if queue is not None and state.current is not None:  # who waits to speak, in the order they will be called
        out["queue"] = [{"name": state.name(h.person), "respond": h.respond} for h in queue.waiting()]
    return out
