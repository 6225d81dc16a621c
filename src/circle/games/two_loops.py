"""Two Loops: where a community stands, how it got there, and who plays which role.

The model (stages and roles) is data in data/two_loops.yaml. A community's
history is a list of dated group events: stage moves with evidence and who
decided, further evidence, roles given and taken back. Its position is the
last move; nothing is stored that the history could contradict.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from circle.core import markdown as md
from circle.core.resources import bundled_dir
from circle.protocol.loader import load_model
from circle.store import Store, StoreError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z-]*$")
    loop: Literal["emergent", "dominant"]
    title: str = Field(min_length=1)
    at: float = Field(ge=0, le=1, description="Where the stage sits along the drawing, 0 to 1.")
    summary: str = ""
    question: str = Field(min_length=1, description="The next-step question for a community at this stage.")
    also: list[str] = Field(default_factory=list, description="Other names the stage is known by (amplify).")


class Role(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z-]*$")
    name: str = Field(min_length=1)
    summary: str = ""


class TwoLoops(_Strict):
    stages: list[Stage] = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> TwoLoops:
        for what, ids in (("stage", [s.id for s in self.stages]), ("role", [r.id for r in self.roles])):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                raise ValueError(f"{what} ids must be unique; repeated: {', '.join(repeated)}")
        return self

    def stage(self, stage_id: str) -> Stage:
        wanted = stage_id.strip().lower()
        for stage in self.stages:
            if wanted == stage.id or wanted in stage.also:
                return stage
        names = [name for s in self.stages for name in (s.id, *s.also)]
        raise StoreError(f"no stage '{stage_id}'; choose one of: {', '.join(names)}")

    def out_of_order(self, current: str | None, target: str) -> str | None:
        """Why moving from ``current`` to ``target`` breaks the order of a loop's stages, or None.

        Along one loop a community moves to the next stage (or stays); skipping stages or
        going back is allowed, but said. A first placement or a move to the other loop is
        in order: both loops run at once.
        """
        if current is None:
            return None
        now, then = self.stage(current), self.stage(target)
        if now.loop != then.loop:
            return None
        along = sorted((s for s in self.stages if s.loop == now.loop), key=lambda s: s.at)
        step = along.index(then) - along.index(now)
        if step in (0, 1):
            return None
        if step < 0:
            return f"{now.title} back to {then.title} goes against the loop"
        skipped = ", ".join(s.title for s in along[along.index(now) + 1 : along.index(then)])
        return f"{now.title} to {then.title} skips {skipped}"

    def role(self, role_id: str) -> Role:
        for role in self.roles:
            if role.id == role_id.strip().lower():
                return role
        raise StoreError(f"no role '{role_id}'; choose one of: {', '.join(r.id for r in self.roles)}")


def load_loops(path=None) -> TwoLoops:
    return load_model(TwoLoops, path or bundled_dir("data") / "two_loops.yaml")


# -- a community's history -----------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    at: float
    kind: str  # moved | evidence | role | unrole
    stage: str | None
    text: str
    by: str


@dataclass
class History:
    community: dict[str, str]
    stage: str | None = None
    entries: list[Entry] = field(default_factory=list)
    roles: dict[str, set[str]] = field(default_factory=dict)  # person name -> role ids
    sessions: dict[str, int] = field(default_factory=dict)  # stage -> sessions run
    people: dict[str, int] = field(default_factory=dict)  # stage -> distinct people involved


# (stage, people json) for each session run for a community with a protocol that serves a stage:
# the session's first event holds the protocol it ran and who was there.
_STAGE_ACTIVITY = """SELECT json_extract(e.data, '$.protocol.two_loops_stage') AS stage,
           json_extract(e.data, '$.people') AS people
    FROM sessions s JOIN events e ON e.session_id = s.id AND e.kind = 'session_created'
    WHERE s.group_id = ? AND json_valid(e.data) AND stage IS NOT NULL"""


def history(store: Store, community: str, before: float | None = None) -> History:
    """A community's history in the order things happened (a dated entry sits where its day is).

    With ``before``, only what happened up to that moment: where the community stood then.
    """
    group = store.group(community)
    out = History(group)
    for at, kind, data in store.group_events(group["id"]):
        if before is not None and at > before:
            break
        if kind == "stage_moved":
            out.stage = data["stage"]
            out.entries.append(Entry(at, "moved", data["stage"], data.get("evidence", ""), data.get("by", "")))
        elif kind == "evidence_added":
            out.entries.append(Entry(at, "evidence", data.get("stage"), data["note"], data.get("by", "")))
        elif kind == "role_assigned":
            out.roles.setdefault(data["person"], set()).add(data["role"])
            out.entries.append(Entry(at, "role", None, f"{data['person']}: {data['role']}", data.get("by", "")))
        elif kind == "role_removed":
            out.roles.get(data["person"], set()).discard(data["role"])
            out.entries.append(Entry(at, "unrole", None, f"{data['person']}: {data['role']}", data.get("by", "")))
    sessions: dict[str, int] = defaultdict(int)
    people: dict[str, set[str]] = defaultdict(set)
    for stage, present in store.query(_STAGE_ACTIVITY, (group["id"],)):
        sessions[stage] += 1
        people[stage] |= {p["id"] for p in json.loads(present or "[]")}
    out.sessions = dict(sessions)
    out.people = {stage: len(ids) for stage, ids in people.items()}
    out.roles = {person: roles for person, roles in out.roles.items() if roles}
    return out


def parse_date(text: str, now: float, tz=None) -> float:
    """A day a community's history is dated with (YYYY-MM-DD, local), as a moment: noon that day.

    Noon, so the day reads the same in any nearby zone. A day after today is refused: a
    history records what has happened.
    """
    from datetime import date, datetime, time

    from circle.core.localtime import local_zone, moment

    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise StoreError(f"--at {text!r}: give a day as YYYY-MM-DD, like 2024-09-04") from None
    if day > moment(now, tz).date():
        raise StoreError(f"--at {day.isoformat()} is in the future; the history records what has happened")
    return datetime.combine(day, time(12), tzinfo=tz or local_zone()).timestamp()


def move(store: Store, model: TwoLoops, community: str, stage: str, evidence: str, by: str, at=None) -> str | None:
    """Move a community's marker, recording why and who decided; at ``at`` if it happened earlier.

    Says why the move is out of order (see :meth:`TwoLoops.out_of_order`), or None; the
    move is recorded either way; the timeline says it beside the move.
    """
    target = model.stage(stage)
    group = store.group(community)
    if not evidence.strip():
        raise StoreError("say what shows it: a line of evidence for the move")
    note = model.out_of_order(history(store, community, before=at).stage, target.id)
    data = {"stage": target.id, "evidence": evidence.strip(), "by": by.strip()}
    store.append_group_event(group["id"], "stage_moved", data, at)
    return note


def add_evidence(store: Store, community: str, note: str, by: str = "", at=None) -> None:
    group = store.group(community)
    if not note.strip():
        raise StoreError("the evidence is empty")
    current = history(store, community, before=at).stage
    store.append_group_event(group["id"], "evidence_added", {"stage": current, "note": note.strip(), "by": by}, at)


def assign_role(store: Store, model: TwoLoops, community: str, person: str, role: str, remove=False, at=None):
    group = store.group(community)
    chosen = model.role(role)
    person = " ".join(person.split())
    if not person:
        raise StoreError("whose role is it? give a name")
    kind = "role_removed" if remove else "role_assigned"
    store.append_group_event(group["id"], kind, {"person": person, "role": chosen.id}, at)


# -- the drawing -------------------------------------------------------------------

BRAILLE = 0x2800
DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row][col] of a 2x4 cell


def dominant(x: float) -> float:
    """The dominant system: rises to a peak, then declines (0 bottom, 1 top)."""
    return 0.92 * math.exp(-(((x - 0.3) / 0.32) ** 2)) + 0.04


def emergent(x: float) -> float:
    """The emergent system: small beginnings, then a steep rise to influence."""
    return 0.04 + 0.88 / (1 + math.exp(-11 * (x - 0.68)))


def draw(model: TwoLoops, width: int, height: int, marker: str | None = None) -> list[str]:
    """The two loops in braille, ``width`` x ``height`` characters, stages numbered, marker ◉."""
    width, height = max(width, 24), max(height, 8)
    px_w, px_h = width * 2, height * 4
    cells = [[0] * width for _ in range(height)]

    def plot(x: float, y: float) -> None:
        px, py = round(x * (px_w - 1)), round((1 - y) * (px_h - 1))
        if 0 <= px < px_w and 0 <= py < px_h:
            cells[py // 4][px // 2] |= DOTS[py % 4][px % 2]

    steps = px_w * 3
    for i in range(steps + 1):
        x = i / steps
        plot(x, dominant(x))
        if x >= 0.25:
            plot(x, emergent(x))
    lines = [[chr(BRAILLE + c) if c else " " for c in row] for row in cells]
    for number, stage in enumerate(model.stages, start=1):
        curve = emergent if stage.loop == "emergent" else dominant
        col = min(width - 1, round(stage.at * (width - 1)))
        row = min(height - 1, round((1 - curve(stage.at)) * (height - 1)))
        label = "◉" if stage.id == marker else str(number)
        # Labels sit just above the curve, so the line stays visible.
        row = max(0, row - 1)
        lines[row][col] = label
    return ["".join(line).rstrip() for line in lines]


def legend(model: TwoLoops, marker: str | None = None) -> list[str]:
    out = []
    for number, stage in enumerate(model.stages, start=1):
        mark = "◉" if stage.id == marker else str(number)
        out.append(f"{mark} {stage.title} ({stage.loop})")
    return out


def report(model: TwoLoops, hist: History, width: int = 72, height: int = 14, tz=None) -> dict:
    """What `circle loops` prints and exports: the drawing, the timeline, activity, the question."""
    from circle.core.localtime import moment

    when = lambda at: moment(at, tz).strftime("%Y-%m-%d")  # noqa: E731
    stage = model.stage(hist.stage) if hist.stage else None
    timeline = []
    before = None  # the stage each move left, in the order things happened (a dated entry included)
    for e in hist.entries:
        note = ""
        if e.kind == "moved":
            assert e.stage is not None  # history() gives every move the stage it moved to
            line = f"{when(e.at)}  moved to {model.stage(e.stage).title}: {e.text}"
            note, before = model.out_of_order(before, e.stage) or "", e.stage
        elif e.kind == "evidence":
            line = f"{when(e.at)}  evidence: {e.text}"
        else:
            verb = "took on" if e.kind == "role" else "stepped out of"
            person, _, role = e.text.partition(": ")
            line = f"{when(e.at)}  {person} {verb} {model.role(role).name}"
        line += f" (decided by {e.by})" if e.kind == "moved" and e.by else ""
        timeline.append(line + (f"; out of order: {note}" if note else ""))
    activity = [
        f"{s.title}: {hist.sessions.get(s.id, 0)} sessions, {hist.people.get(s.id, 0)} people"
        for s in model.stages
        if hist.sessions.get(s.id)
    ]
    roles = [
        f"{person}: {', '.join(model.role(r).name for r in sorted(ids))}" for person, ids in sorted(hist.roles.items())
    ]
    return {
        "title": f"Two Loops: {hist.community['name']}",
        "where": f"{stage.title} ({stage.loop})" if stage else "not placed yet",
        "question": stage.question if stage else "Where does this community's work sit? Move the marker to begin.",
        "drawing": draw(model, width, height, hist.stage),
        "legend": legend(model, hist.stage),
        "timeline": timeline,
        "activity": activity,
        "roles": roles,
    }


def as_text(rep: dict) -> str:
    lines = [rep["title"], f"Now: {rep['where']}", f"Next step: {rep['question']}", "", *rep["drawing"], ""]
    lines += rep["legend"]
    for heading, key, empty in (
        ("Timeline", "timeline", "no moves yet"),
        ("Activity per stage", "activity", "no sessions for a stage yet"),
        ("Roles", "roles", "no roles given yet"),
    ):
        lines += ["", heading, *(rep[key] or [empty])]
    return "\n".join(lines) + "\n"


def as_markdown(rep: dict) -> str:
    """The report to paste; the community's name, evidence and people escaped, so they show as typed."""
    lines = [f"# {md.heading(rep['title'])}", "", f"**Now:** {md.inline(rep['where'])}  "]
    lines += [f"**Next step:** {md.inline(rep['question'])}", ""]
    lines += ["```", *rep["drawing"], "", *rep["legend"], "```"]  # the model's own words: no fence in them
    for heading, key, empty in (
        ("Timeline", "timeline", "No moves yet."),
        ("Activity per stage", "activity", "No sessions for a stage yet."),
        ("Roles", "roles", "No roles given yet."),
    ):
        lines += ["", f"## {heading}", ""] + ([f"- {md.inline(item)}" for item in rep[key]] or [f"_{empty}_"])
    return "\n".join(lines) + "\n"
