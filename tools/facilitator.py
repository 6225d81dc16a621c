"""A facilitator at the live screen, played at random: the commands its keys give, and the pauses
between them. The crash trials drive sessions with it; no Textual here."""

from __future__ import annotations

import random
from collections.abc import Callable

from circle.core.clock import FakeClock
from circle.engine import CommandRejected, GroupsStep, Session
from circle.engine.agenda import proposal_for, standing
from circle.games.openspace import OpenSpace
from circle.games.reciprocity.ledger import compute
from circle.games.reciprocity.scoring import ScoringRules
from circle.protocol.models import BlockStep
from circle.store import Store, StoreError

NAMES = [
    "Ana", "Ben", "Caro", "Dee", "Emeka", "Fatima", "Gus", "Hana", "Ivo", "Jun", "Kalinda", "Lars",
    "Mbali", "Noor", "Ola", "Pía", "Quentin", "Rosa", "Sven", "Tomás", "Uma", "Vik", "Wen", "Yusuf",
    "Zoë", "Ana María", "[b]Bold[/b]", "O'Neil",
]  # fmt: skip
NOTES = ["Ana named a hard week", "ask about the venue", "  ", "", "[red]not markup[/red]", "café ☕ at 11", "x" * 300]


class Facilitator:
    """Gives the commands a facilitator can give from the live screen, at random."""

    def __init__(self, session: Session, store: Store, clock: FakeClock, rng: random.Random, rules: ScoringRules):
        self.session, self.store, self.clock, self.rng, self.rules = session, store, clock, rng, rules
        self.given = 0
        self.rejected = 0
        self.crashes: list[str] = []  # commands that raised something other than CommandRejected

    def _choices(self) -> list[tuple[float, Callable[[], object]]]:
        s, rng, state = self.session, self.rng, self.session.state
        protocol = state.protocol
        assert protocol is not None
        present = list(state.present)
        choices: list[tuple[float, Callable[[], object]]] = [
            (6, s.toggle),
            (4, s.next),
            (1.5, s.pass_turn),
            (1.5, s.back),
            (1, lambda: s.adjust(30)),
            (1, lambda: s.adjust(-30)),
            (1, self._add),
            (1, lambda: s.remove_person(rng.choice(present))),
            (1.5, lambda: s.note(rng.choice(NOTES))),
            (0.3, s.skip_step),
        ]
        run = state.run
        if run is not None and isinstance(run.step, GroupsStep):
            choices += [(1.5, s.reshuffle), (1.5, self._move)]
        level = protocol.reciprocity_level
        two = lambda: rng.sample(present, 2) if len(present) > 1 else present * 2  # noqa: E731
        if level == 1:
            choices.append((1, s.record_listened))
        elif level == 2:
            choices += [(1.5, lambda: s.record_offer(*two(), "soup")), (1.5, lambda: s.record_ask(*two(), "a lift"))]
        elif level == 4:
            choices += [(1.5, lambda: s.open_conflict(*two(), "the rota")), (1.5, self._close_conflict)]
        elif level == 5:
            choices.append((1, lambda: s.record_co_owners(rng.sample(present, rng.randint(1, len(present))), "Co")))
        if level in (1, 2, 4, 5):
            choices.append((0.7, s.undo_record))
        if any(isinstance(step, BlockStep) for step in protocol.steps):  # an agenda: rebalance to end on time
            choices.append((0.7, self._fit))
        if any(getattr(step, "kind", "") == "open_space" for step in protocol.steps):
            market = OpenSpace(s)
            choices += [
                (0.5, lambda: market.propose(rng.choice(["Soil", "Kids", "Bikes"]), rng.choice([*present, ""]))),
                (0.3, lambda: market.set_grid(["10:00", "11:00"], [("Hall", 20), ("Garden", 6)])),
                (0.3, market.fill),
            ]
        return choices

    def _add(self) -> None:
        name = self.rng.choice(NAMES)
        person = self.store.people_named([name])[0]  # as the live screen does: the same person across sessions
        self.session.add_person(name, person.id)

    def _move(self) -> None:
        groups = self.session.state.breakout_groups()
        people = [pid for group in groups for pid in group]
        if not people:
            raise CommandRejected("no one to move")
        self.session.move_person(self.rng.choice(people), self.rng.randrange(len(groups)))

    def _close_conflict(self) -> None:
        """As the live screen offers them: conflicts still open, of this group or between people here."""
        state = self.session.state
        group = state.group["id"] if state.group else None
        ledger = compute(self.store, self.rules)
        open_ones = ledger.closable_conflicts(group, state.present)
        if not open_ones:
            raise CommandRejected("no conflict is open")
        conflict = self.rng.choice(open_ones)
        self.session.resolve_conflict(conflict.id, list(conflict.between), self.rng.random() < 0.5)

    def _fit(self) -> None:
        """The agenda's rebalance, accepted."""
        where = standing(self.session.state, self.clock.now())
        proposal = proposal_for(where)
        if not proposal or not proposal.lengths:
            raise CommandRejected("nothing to rebalance")
        self.session.adjust_plan(proposal.lengths)

    def act(self) -> bool:
        """One command; one the engine refuses is skipped, as the facilitator would see a notice.
        True when it was done (the screen repaints then)."""
        choices = self._choices()
        command = self.rng.choices([c for _, c in choices], weights=[w for w, _ in choices])[0]
        self.given += 1
        try:
            command()
        except (CommandRejected, StoreError):  # refused, or not saved so not done (a full disk)
            self.rejected += 1
            return False
        except Exception as exc:  # the live screen would not catch it: the app would die here
            self.rejected += 1
            self.crashes.append(f"live: {getattr(command, '__name__', 'a command')} raised {type(exc).__name__}: {exc}")
            return False
        return True

    def pause(self) -> float:
        """How long the facilitator waits before the next command."""
        roll = self.rng.random()
        if roll < 0.6:
            return self.rng.uniform(0, 15)
        if roll < 0.9:
            return self.rng.uniform(15, 120)
        return self.rng.uniform(120, 900)


def finish(session: Session, clock: FakeClock, rng: random.Random) -> bool:
    """Run every remaining turn and step to the end, then end the session."""
    for _ in range(10_000):
        state = session.state
        if state.current is None:
            break
        if not state.running:
            session.start()
        clock.advance(rng.uniform(1, 200))
        session.next()
    session.end()
    return session.state.ended
