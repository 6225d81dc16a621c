"""The speaking queue's keys on the wall: h raises a hand for someone, d a direct response, H
lowers or moves one. Each is the engine's command, as a phone's request is."""

from __future__ import annotations

from textual.binding import Binding

from circle.core.names import name_key
from circle.engine import Session
from circle.sessions.ticker import Ticker
from circle.tui.following import Following
from circle.tui.screens.dialogs import ConfirmDialog, PickOne, PickPerson

QUEUE_ACTIONS = {"hand", "respond", "hands"}


class HandKeys:
    """Keys of a queue step, for the live screen (which gives ``session``, ``_do`` and ``acknowledge``)."""

    BINDINGS = [
        Binding("h", "hand", "Hand", id="hand"),
        Binding("d", "respond", "Respond", id="respond", show=False),
        Binding("H", "hands", "Lower or move a hand", id="hands", show=False),
    ]
    session: Session
    ticker: Ticker
    following: Following
    _asks: list[str]  # names a second phone asks for, waiting for the wall to be free to ask

    def _do(self, command, *args) -> bool: ...  # the live screen's

    def acknowledge(self, text: str) -> None: ...  # the live screen's

    def refresh_view(self) -> None: ...  # the live screen's

    # -- hands from phones (circle.follow.hands) ---------------------------------------------
    def take_phone_hands(self) -> None:
        self._asks = []
        self.following.take_hands(self.phone_hand, self.phone_asks)

    def phone_hand(self, name: str, action: str) -> str | None:
        """A phone's hand, as the wall's command with its source; None when done, else why not."""
        state = self.session.state
        if state.queue is None:
            return "hands are taken while the wall runs a speaking queue"
        person = next((p.id for p in state.people_present() if name_key(p.name) == name_key(name)), None)
        if person is None:
            return f"{name} is not in the room"
        if action == "claim":
            return None
        if action == "lower":
            refused = self.ticker.attempt(self.session.lower_hand, person, "phone")
        else:
            refused = self.ticker.attempt(self.session.raise_hand, person, action == "respond", "phone")
        if refused is not None:
            return refused.message
        self.refresh_view()
        return None

    def phone_asks(self, name: str) -> None:
        """A second phone asks to be ``name``: the facilitator says yes or no, when the wall is free."""
        if name not in self._asks:
            self._asks.append(name)
        self.ask_next_phone()

    def ask_next_phone(self) -> None:
        if not self._asks or self.app.screen is not self:  # type: ignore[attr-defined]
            return
        name = self._asks.pop(0)

        def decided(yes: bool | None) -> None:
            self.following.decide(name, bool(yes))
            self.ask_next_phone()

        detail = f"y: it raises and lowers {name}'s hand (the first phone no longer can) · n: it cannot"
        question = ConfirmDialog(f"A second phone asks to be {name}", detail, docked=True)
        self.app.push_screen(question, decided)  # type: ignore[attr-defined]

    def in_queue(self) -> bool:
        return self.session.state.queue is not None

    def _pick(self, question: str, respond: bool) -> None:
        state = self.session.state
        queue = state.queue
        if queue is None:
            return
        waiting = {h.person for h in queue.waiting() if h.respond == respond}
        people = [(p.id, p.name) for p in state.people_present() if p.id not in waiting]

        def picked(person: str | None) -> None:
            if person and self._do(self.session.raise_hand, person, respond):
                queue = self.session.state.queue
                place = next(
                    (n for n, h in enumerate(queue.waiting(), 1) if h.person == person and not h.respond), None
                )
                said = "responds first" if respond else "'s hand is up" + (f", number {place}" if place else "")
                self.acknowledge(f"{state.name(person)}{' ' if respond else ''}{said}")

        self.app.push_screen(PickPerson(question, people), picked)  # type: ignore[attr-defined]

    def action_hand(self) -> None:
        self._pick("Whose hand is up?", respond=False)

    def action_respond(self) -> None:
        self._pick("Who responds to this point?", respond=True)

    def action_hands(self) -> None:
        state = self.session.state
        queue = state.queue
        if queue is None or not queue.waiting():
            self.acknowledge("no hands are up")
            return
        hands = [
            (h.person, f"{n}. {state.name(h.person)}" + (" (responds)" if h.respond else ""))
            for n, h in enumerate(queue.waiting(), start=1)
        ]

        def chosen(person: str | None) -> None:
            if not person:
                return
            what = [("lower", "lower the hand"), ("up", "move up one place"), ("down", "move down one place")]

            def done(choice: str | None) -> None:
                if choice == "lower":
                    self._do(self.session.lower_hand, person)
                elif choice in ("up", "down"):
                    self._do(self.session.move_hand, person, -1 if choice == "up" else 1)

            self.app.push_screen(PickOne(state.name(person), what, docked=True), done)  # type: ignore[attr-defined]

        self.app.push_screen(PickOne("Which hand?", hands, docked=True), chosen)  # type: ignore[attr-defined]
