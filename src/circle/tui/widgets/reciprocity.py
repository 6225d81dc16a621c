"""The Reciprocity Game beside the roster: what was recorded, the level's keys, and those keys.

A level's keys (offer, ask, conflict, ...) belong to this panel. Textual makes a widget's keys
active while it has focus, so at a level with keys the panel holds the wall's focus (it types
nothing: the wall's keys still run at once, see ``WallFocus``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from circle.core.clock import Clock
from circle.engine import Session
from circle.games.reciprocity.ledger import compute
from circle.games.reciprocity.scoring import ScoringRules
from circle.store import Store, StoreError
from circle.tui.screens.dialogs import ConfirmDialog, ManyDialog, PairDialog, PickOne
from circle.tui.widgets.typed_line import WallFocus
from circle.views.live import LiveView, live_view

# Gives a command to the session as the wall does (said when refused; repainted when done).
Run = Callable[..., bool]

ROWS = 6  # the panel's rows inside its border (#records in live.tcss: max-height 8)
LEVEL_KEYS = {
    1: "l listened · u undo",
    2: "o offer i ask u undo",  # 20 cells: the whole title fits the panel at 80 columns
    3: "attendance counts",
    4: "c conflict · u undo",
    5: "w co-owners · u undo",
}
ACTIONS = {  # each key on the level it belongs to
    "listened": {1},
    "offer": {2},
    "ask": {2},
    "conflict": {4},
    "co_owners": {5},
    "undo_record": {1, 2, 4, 5},
}


class ReciprocityPanel(WallFocus, Static, can_focus=True):
    """The points recorded in this session (the latest five), under the keys of its level."""

    BINDINGS = [
        Binding("l", "listened", "Everyone listened", id="listened", show=False),
        Binding("o", "offer", "Offer", id="offer", show=False),
        Binding("i", "ask", "Ask", id="ask", show=False),
        Binding("c", "conflict", "Conflict", id="conflict", show=False),
        Binding("w", "co_owners", "Co-owners", id="co-owners", show=False),
        Binding("u", "undo_record", "Undo record", id="undo", show=False),
    ]

    def __init__(
        self,
        session: Session,
        store: Store,
        clock: Clock,
        tz: tzinfo | None,
        *,
        rules: ScoringRules,
        run: Run,
        acknowledge: Callable[[str], None],
    ):
        super().__init__(id="records")
        self.session, self.store, self.clock, self.tz, self.rules = session, store, clock, tz, rules
        self.run = run
        self.acknowledge = acknowledge  # the wall's status line: a toast would cover the countdown
        self._first_note: list[str] = []  # a line above the points (level 5 played with no earlier levels)
        self._shown: tuple | None = None

    @property
    def level(self) -> int | None:
        protocol = self.session.state.protocol
        return protocol.reciprocity_level if protocol else None

    @property
    def has_keys(self) -> bool:
        """A level with keys of its own: the panel holds the wall's focus then."""
        return any(self.level in levels for levels in ACTIONS.values())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        levels = ACTIONS.get(action)
        return levels is None or self.level in levels

    def on_mount(self) -> None:
        self._first_note = self._level_five_note()

    def _level_five_note(self) -> list[str]:
        """Level 5 comes after a few rounds of the earlier levels: say so if the crew has none (never refuse)."""
        state = self.session.state
        if self.level != 5 or state.group is None:
            return []
        try:
            played = compute(self.store, self.rules, self.tz).levels_played(state.group["id"])
        except StoreError:
            return []
        if played & {1, 2, 3, 4}:
            return []
        return ["levels 1-4 come first (none on record)"]

    def show(self, view: LiveView) -> None:
        if self._shown == (view.records, view.attendance, self.content_region.width):
            return
        self._shown = (view.records, view.attendance, self.content_region.width)
        # The attendance, then the latest moments, oldest first as in the summary and exports.
        # The level-5 advice is for before the first record; then the records need its rows.
        head = [*([view.attendance] if view.attendance else []), *([] if view.records else self._first_note)]
        lines = head + self._latest(view.records, ROWS - self._rows(head))
        self.update(Content("\n".join(lines) or "nothing recorded yet"))
        # A crew's meeting (any protocol that serves as one) shows its attendance as level 3 does.
        self.border_title = LEVEL_KEYS.get(self.level or (3 if view.attendance else 0), "")
        self.display = self.level is not None or bool(view.attendance)

    def _rows(self, lines: list[str]) -> int:
        width = self.content_region.width
        return sum(len(Content(line).wrap(width)) if width > 0 else 1 for line in lines)

    def _latest(self, records: list[str], rows: int) -> list[str]:
        """The newest moments whole in ``rows`` rows, said when earlier ones do not fit (the summary
        and the exports have them all): a wrapped line cut at the panel's foot would hide the newest."""
        shown: list[str] = []
        for record in reversed(records):
            earlier = len(records) - len(shown) - 1
            reserve = 1 if earlier else 0  # the "earlier" line
            if self._rows([record, *shown]) + reserve > rows:
                break
            shown.insert(0, record)
        earlier = len(records) - len(shown)
        return ([f"… {earlier} earlier" if shown else f"{earlier} recorded"] if earlier else []) + shown

    def on_resize(self) -> None:
        if self._shown is not None:  # the same moments, wrapped again to the new width
            self.show(live_view(self.session.state, self.clock.now(), self.rules))

    # -- the keys --------------------------------------------------------------------------
    def _present(self) -> list[tuple[str, str]]:
        return [(p.id, p.name) for p in self.session.state.people_present()]

    def _recorded(self, command: Callable[..., object], *args: object, note: str = "recorded") -> None:
        if self.run(command, *args):
            self.acknowledge(note)

    def _pair(self, title: str, first: str, second: str, command, label: str, note: str = "recorded") -> None:
        def done(result: tuple[str, str, str] | None) -> None:
            if result:
                self._recorded(command, *result, note=note)

        self.app.push_screen(PairDialog(title, first, second, self._present(), label, docked=True), done)

    def _money_note(self, points: int, what: str) -> str:
        bonus = self.rules.level(2).respect_bonus
        note = f"recorded: +{points} for {what}"
        return note + (f", +{bonus} respect bonus for talking and listening with mutual respect" if bonus else "")

    def action_offer(self) -> None:
        note = self._money_note(self.rules.level(2).offer, "the offer")
        self._pair("Record an offer", "Who offers?", "To whom?", self.session.record_offer, "what is offered", note)

    def action_ask(self) -> None:
        note = self._money_note(self.rules.level(2).ask, "asking")
        self._pair("Record an ask", "Who asks?", "Of whom?", self.session.record_ask, "what is asked for", note)

    def action_listened(self) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self._recorded(self.session.record_listened)

        detail = f"Each of the {len(self.session.state.present)} people here earns a point."
        self.app.push_screen(ConfirmDialog("Has everyone listened to everyone?", detail, docked=True), confirmed)

    def action_conflict(self) -> None:
        state = self.session.state
        group = state.group["id"] if state.group else None
        ledger = compute(self.store, self.rules)
        open_ones = ledger.closable_conflicts(group, state.present)
        choices = [("new", "Name a new conflict")] + [
            (c.id, f"Close: {' & '.join(ledger.names.get(p, '?') for p in c.between)} ({c.label or 'no label'})")
            for c in open_ones
        ]

        def chosen(choice: str | None) -> None:
            if choice == "new":
                self._pair(
                    "Name a conflict", "Who was hurt?", "Who caused it?", self.session.open_conflict, "a short label"
                )
            elif choice:
                conflict = next(c for c in open_ones if c.id == choice)
                self._close_conflict(conflict.id, list(conflict.between))

        self.app.push_screen(PickOne("Conflict", choices, docked=True), chosen)

    def _close_conflict(self, conflict_id: str, between: list[str]) -> None:
        rules = self.rules.level(4)
        outcomes = [
            ("yes", f"Resolved: apology, amends, forgiveness ({rules.resolved:+d} each)"),
            ("no", f"No agreeable resolution ({rules.unresolved:+d} each)"),
        ]

        def decided(outcome: str | None) -> None:
            if outcome:
                self._recorded(self.session.resolve_conflict, conflict_id, between, outcome == "yes")

        self.app.push_screen(PickOne("How did it end?", outcomes, docked=True), decided)

    def action_co_owners(self) -> None:
        def done(result: tuple[list[str], str] | None) -> None:
            if not result:
                return
            people, label = result
            if not people:
                self.notify("tick who co-owns it first (space)", severity="warning")
                return
            names = ", ".join(self.session.state.name(pid) for pid in people)
            points = self.rules.level(5).co_owner

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._recorded(self.session.record_co_owners, people, label)

            venture = f" of {label}" if label.strip() else ""
            detail = f"{names}: +{points} each, as co-owners{venture}."
            self.app.push_screen(
                ConfirmDialog("Do they now formally share its ownership?", detail, docked=True), confirmed
            )

        self.app.push_screen(ManyDialog("Who now co-owns the venture?", self._present(), "the venture"), done)

    def action_undo_record(self) -> None:
        view = live_view(self.session.state, self.clock.now(), self.rules)
        if not view.records:
            self.notify("there is nothing to undo", severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._recorded(self.session.undo_record)

        self.app.push_screen(ConfirmDialog("Undo the last record?", view.records[-1], docked=True), confirmed)
