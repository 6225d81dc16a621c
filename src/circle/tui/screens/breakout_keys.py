"""The breakout keys on the wall: g mixes new groups from this round on, v moves or swaps someone."""

from __future__ import annotations

from circle.engine import Session
from circle.tui.screens.dialogs import ConfirmDialog, PickOne

BREAKOUT_ACTIONS = {"regroup", "move_person"}


class BreakoutKeys:
    """Keys of a breakout, for the live screen (which gives ``session``, ``_do`` and ``acknowledge``)."""

    session: Session

    def _do(self, command, *args) -> bool: ...  # the live screen's

    def acknowledge(self, text: str) -> None: ...  # the live screen's

    def in_breakout(self) -> bool:
        run = self.session.state.run
        return run is not None and bool(run.rounds) and run.ended_at is None and not self.session.state.ended

    def action_regroup(self) -> None:
        state = self.session.state
        slot = state.current

        def regroup(yes: bool | None = True) -> None:
            if yes and self._do(self.session.reshuffle):
                self.acknowledge("new groups from this round on")

        if slot is not None and (slot.spent > 0 or state.running):  # people are already sitting together
            detail = "This round is under way: everyone moves to a new group now."
            self.app.push_screen(ConfirmDialog("Mix new groups now?", detail, docked=True), regroup)
        else:
            regroup()

    def action_move_person(self) -> None:
        state = self.session.state
        groups = state.breakout_groups()
        word = "pair" if len(groups[0] if groups else []) == 2 else "group"
        place = {pid: i for i, group in enumerate(groups) for pid in group}
        people = [(pid, f"{state.name(pid)}  ({word} {place[pid] + 1})") for pid in state.present if pid in place]

        def chosen(person_id: str | None) -> None:
            if not person_id:
                return
            mine = place[person_id]
            # Joining another group leaves at least two behind, or it is a swap (always, in pairs).
            targets = [
                (f"group:{i}", f"{word.capitalize()} {i + 1}: " + ", ".join(map(state.name, group)))
                for i, group in enumerate(groups)
                if group and i != mine and len(groups[mine]) > 2
            ]
            targets += [
                (f"swap:{pid}", f"swap with {state.name(pid)} ({word} {place[pid] + 1})")
                for pid in state.present
                if pid in place and place[pid] != mine
            ]

            def moved(target: str | None) -> None:
                if target is None:
                    return
                kind, _, value = target.partition(":")
                if kind == "group":
                    self._do(self.session.move_person, person_id, int(value))
                else:
                    self._do(self.session.swap_people, person_id, value)

            self.app.push_screen(PickOne(f"Move {state.name(person_id)} to", targets, docked=True), moved)

        self.app.push_screen(PickOne("Who moves?", people, docked=True), chosen)
