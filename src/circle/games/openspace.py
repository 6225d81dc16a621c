"""Open space: proposals, interest, a grid of time slots and spaces, sign-ups, harvest, projects.

Everything is an event in the session's log (so nothing entered is lost) and
the marketplace is a fold over those events. `OpenSpace` checks each change
and hands it to the session, which makes it durable before it is shown.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from circle.engine import CommandRejected, Event, Session

KINDS = (
    "os_grid",
    "os_proposal",
    "os_interest",
    "os_placed",
    "os_signup",
    "os_harvest",
    "os_project",
    "os_project_crewed",
)


@dataclass(frozen=True)
class Space:
    name: str
    capacity: int


@dataclass
class Proposal:
    id: str
    title: str
    convenor: str
    interest: int = 0
    slot: int | None = None
    space: int | None = None

    @property
    def placed(self) -> bool:
        return self.slot is not None and self.space is not None


@dataclass
class Project:
    id: str
    name: str
    convenor: str
    supporters: list[str]
    needed: str
    offered: str
    next_step: str
    date: str
    crew: str | None = None


@dataclass
class Market:
    slots: list[str] = field(default_factory=list)
    spaces: list[Space] = field(default_factory=list)
    proposals: dict[str, Proposal] = field(default_factory=dict)
    signups: dict[str, dict[int, str]] = field(default_factory=dict)  # person -> slot -> proposal
    harvest: dict[str, list[str]] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)

    def at(self, slot: int, space: int) -> Proposal | None:
        return next((p for p in self.proposals.values() if (p.slot, p.space) == (slot, space)), None)

    def attendees(self, proposal_id: str) -> list[str]:
        return [person for person, chosen in self.signups.items() if proposal_id in chosen.values()]

    def ranked(self) -> list[Proposal]:
        """Most wanted first; ties keep the order they were proposed in."""
        order = list(self.proposals)
        return sorted(self.proposals.values(), key=lambda p: (-p.interest, order.index(p.id)))

    def grid_problem(self) -> str | None:
        places = len(self.slots) * len(self.spaces)
        if not places:
            return "set up the grid first: time slots and spaces (press G)"
        if len(self.proposals) > places:
            return (
                f"{len(self.proposals)} proposals but only {places} places "
                f"({len(self.slots)} slots x {len(self.spaces)} spaces): add a slot or a space, or merge proposals"
            )
        return None


def fold_market(events: Iterable[Event]) -> Market:
    market = Market()
    for e in events:
        d = e.data
        if e.kind == "os_grid":
            market.slots = list(d["slots"])
            market.spaces = [Space(s["name"], s["capacity"]) for s in d["spaces"]]
        elif e.kind == "os_proposal":
            market.proposals[d["id"]] = Proposal(d["id"], d["title"], d["convenor"])
        elif e.kind == "os_interest":
            market.proposals[d["proposal"]].interest = d["count"]
        elif e.kind == "os_placed":
            for pid, slot, space in d["placements"]:
                market.proposals[pid].slot, market.proposals[pid].space = slot, space
        elif e.kind == "os_signup":
            proposal = market.proposals[d["proposal"]]
            if proposal.slot is not None:  # always: OpenSpace.sign_up refuses a proposal with no place
                market.signups.setdefault(d["person"], {})[proposal.slot] = proposal.id  # moving replaces
        elif e.kind == "os_harvest":
            market.harvest.setdefault(d["proposal"], []).append(d["text"])
        elif e.kind == "os_project":
            market.projects[d["id"]] = Project(**{k: d[k] for k in Project.__dataclass_fields__ if k in d})
        elif e.kind == "os_project_crewed":
            market.projects[d["project"]].crew = d["group"]
    return market


def auto_fill(market: Market) -> list[tuple[str, int, int]]:
    """Placements for every proposal: the most wanted get the largest spaces.

    No convenor is put in two places in the same slot. Proposals already
    placed keep their place; any that cannot be placed are left out.
    """
    taken = {(p.slot, p.space) for p in market.proposals.values() if p.placed}
    busy = {(p.convenor.casefold(), p.slot) for p in market.proposals.values() if p.placed}
    cells = sorted(
        ((slot, space) for slot in range(len(market.slots)) for space in range(len(market.spaces))),
        key=lambda c: (-market.spaces[c[1]].capacity, c[0]),
    )
    placements = []
    for proposal in market.ranked():
        if proposal.placed:
            continue
        for slot, space in cells:
            if (slot, space) in taken or (proposal.convenor.casefold(), slot) in busy:
                continue
            taken.add((slot, space))
            busy.add((proposal.convenor.casefold(), slot))
            placements.append((proposal.id, slot, space))
            break
    return placements


class OpenSpace:
    """The commands of the marketplace, checked, then logged through the session."""

    def __init__(self, session: Session):
        self.session = session

    @property
    def market(self) -> Market:
        return fold_market(self.session.state.records_of(KINDS))

    def _log(self, kind: str, **data) -> None:
        self.session.log(kind, data)

    def set_grid(self, slots: list[str], spaces: list[tuple[str, int]]) -> None:
        slots = [s.strip() for s in slots if s.strip()]
        if not slots or not spaces:
            raise CommandRejected("the grid needs at least one time slot and one space")
        names = [name.casefold() for name, _ in spaces]
        if len(set(names)) < len(names):
            raise CommandRejected("two spaces have the same name")
        proposals = self.market.proposals.values()
        places = [(p.slot, p.space) for p in proposals if p.slot is not None and p.space is not None]  # the placed
        if any(slot >= len(slots) or space >= len(spaces) for slot, space in places):
            raise CommandRejected("a placed session would fall off the new grid; move it first")
        self._log("os_grid", slots=slots, spaces=[{"name": n, "capacity": c} for n, c in spaces])

    def propose(self, title: str, convenor: str) -> str:
        title, convenor = " ".join(title.split()), " ".join(convenor.split())
        if not title:
            raise CommandRejected("a proposal needs a title")
        if not convenor:
            raise CommandRejected(f"who convenes '{title}'? type it as: title / convenor")
        pid = str(uuid.uuid4())
        self._log("os_proposal", id=pid, title=title, convenor=convenor)
        return pid

    def set_interest(self, proposal_id: str, count: int) -> None:
        self._proposal(proposal_id)
        self._log("os_interest", proposal=proposal_id, count=max(0, count))

    def _proposal(self, proposal_id: str) -> Proposal:
        proposal = self.market.proposals.get(proposal_id)
        if proposal is None:
            raise CommandRejected("no such proposal")
        return proposal

    def fill(self) -> int:
        market = self.market
        problem = market.grid_problem()
        if problem and not market.slots:
            raise CommandRejected(problem)
        placements = auto_fill(market)
        if placements:
            self._log("os_placed", placements=[list(p) for p in placements])
        return len(placements)

    def place(self, proposal_id: str, slot: int, space: int) -> None:
        market = self.market
        proposal = self._proposal(proposal_id)
        if not (0 <= slot < len(market.slots) and 0 <= space < len(market.spaces)):
            raise CommandRejected("that place is off the grid")
        other = market.at(slot, space)
        if other is not None and other.id != proposal_id:
            raise CommandRejected(
                f"'{other.title}' already meets in {market.spaces[space].name} at {market.slots[slot]}; "
                "choose another space or slot"
            )
        for p in market.proposals.values():
            if p.id != proposal_id and p.slot == slot and p.convenor.casefold() == proposal.convenor.casefold():
                raise CommandRejected(f"{proposal.convenor} already convenes '{p.title}' at {market.slots[slot]}")
        self._log("os_placed", placements=[[proposal_id, slot, space]])

    def sign_up(self, person: str, proposal_id: str) -> None:
        proposal = self._proposal(proposal_id)
        if not proposal.placed:
            raise CommandRejected(f"'{proposal.title}' has no place on the grid yet")
        self._log("os_signup", person=person, proposal=proposal_id)

    def harvest(self, proposal_id: str, text: str) -> None:
        self._proposal(proposal_id)
        if not text.strip():
            raise CommandRejected("the harvest note is empty")
        self._log("os_harvest", proposal=proposal_id, text=text.strip())

    def record_project(
        self, name: str, convenor: str, supporters: list[str], needed: str, offered: str, next_step: str, date: str
    ) -> str:
        if not name.strip() or not convenor.strip():
            raise CommandRejected("a project needs a name and a convenor")
        pid = str(uuid.uuid4())
        self._log(
            "os_project",
            id=pid,
            name=name.strip(),
            convenor=convenor.strip(),
            supporters=[s.strip() for s in supporters if s.strip()],
            needed=needed.strip(),
            offered=offered.strip(),
            next_step=next_step.strip(),
            date=date.strip(),
        )
        return pid

    def crewed(self, project_id: str, group_name: str) -> None:
        self._log("os_project_crewed", project=project_id, group=group_name)


def parse_spaces(text: str) -> list[tuple[str, int]]:
    """'Hall 40, Garden 15' -> [("Hall", 40), ("Garden", 15)]; a space without a number holds 20."""
    spaces: list[tuple[str, int]] = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        if words[-1].isdigit():
            spaces.append((" ".join(words[:-1]) or f"Space {len(spaces) + 1}", int(words[-1])))
        else:
            spaces.append((" ".join(words), 20))
    return spaces


def grid_text(market: Market, max_width: int = 80) -> str:
    """Slots down, spaces across; cells shrink so the grid fits ``max_width`` columns."""
    if not market.slots or not market.spaces:
        return "no grid yet: press G to set time slots and spaces"
    headers = [f"{s.name} ({s.capacity})" for s in market.spaces]
    titles = [p.title for p in market.proposals.values() if p.placed]
    fits = max(6, (max_width - 7) // len(market.spaces) - 1)
    width = min(20, fits, max(8, *map(len, headers), *map(len, titles)))
    lines = [" " * 7 + "".join(h[:width].ljust(width + 1) for h in headers).rstrip()]
    for i, slot in enumerate(market.slots):
        cells = []
        for j in range(len(market.spaces)):
            p = market.at(i, j)
            cells.append((p.title if p else "·")[:width].ljust(width + 1))
        lines.append((f"{slot[:6]:<7}" + "".join(cells)).rstrip())
    waiting = [p.title for p in market.proposals.values() if not p.placed]
    if waiting:
        lines.append(f"waiting: {', '.join(waiting)}")
    return "\n".join(lines)


def harvest_text(market: Market) -> str:
    lines = []
    for p in market.ranked():
        for note in market.harvest.get(p.id, []):
            lines.append(f"{p.title}: {note}")
    for project in market.projects.values():
        crew = f" (crew: {project.crew})" if project.crew else ""
        lines.append(
            f"→ {project.name}, {project.convenor}{crew}: next {project.next_step or '?'} by {project.date or '?'}"
        )
    return "\n".join(lines) or "nothing harvested yet: h on a session, p for a project"
