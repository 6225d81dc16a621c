"""The live turn screen, made to be projected."""

from __future__ import annotations

from dataclasses import replace
from datetime import tzinfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from circle.core.clock import Clock
from circle.core.durations import format_duration
from circle.core.errors import CircleError
from circle.core.localtime import moment
from circle.core.names import clean_name
from circle.engine import CommandRejected, Session
from circle.games.reciprocity.ledger import compute
from circle.sessions import heartbeat_due
from circle.store import Store, StoreError
from circle.tui.screens.dialogs import AskText, ConfirmDialog, HelpDialog, ManyDialog, PairDialog, PickOne
from circle.tui.widgets.groups_grid import GroupsGrid
from circle.tui.widgets.roster import Roster
from circle.tui.widgets.turn_clock import TurnClock
from circle.tui.widgets.typed_line import TypedLine
from circle.views.live import LiveView, live_view

TICK = 0.2  # seconds between checks; widgets change only when the shown second does
STALLED = "The clock stopped at the last moment saved; it goes on once circle can write again."


class LiveScreen(Screen[None]):
    CSS_PATH = "live.tcss"
    AUTO_FOCUS = ""  # nothing has focus: every key is the wall's until / opens the note line
    BINDINGS = [
        Binding("space", "toggle", "Go/pause", id="toggle", key_display="space"),
        Binding("n", "next", "Next", id="next"),
        Binding("p", "pass_turn", "Pass", id="pass"),
        Binding("b", "back", "Back", id="back"),
        Binding("plus,equals_sign", "adjust(30)", "+30s", id="more", key_display="+"),
        Binding("minus", "adjust(-30)", "-30s", id="less", key_display="-"),
        Binding("a", "add_person", "Add", id="add"),
        Binding("e", "end", "End", id="end"),
        Binding("question_mark", "help", "Help", id="help", key_display="?"),
        Binding("q", "follow", "Phones", id="follow"),
        Binding("slash", "note", "Note", id="note", key_display="/", show=False),
        Binding("s", "script", "Script", id="script", show=False),
        Binding("r", "remove_person", "Remove someone", id="remove", show=False),
        Binding("k", "skip_step", "Skip step", id="skip", show=False),
        # Breakouts: active while the room sits in groups.
        Binding("g", "regroup", "Regroup", id="regroup"),
        Binding("v", "move_person", "Move someone", id="move"),
        # Reciprocity Game: active on the level they belong to, listed above the points panel.
        Binding("l", "listened", "Everyone listened", id="listened", show=False),
        Binding("o", "offer", "Offer", id="offer", show=False),
        Binding("i", "ask", "Ask", id="ask", show=False),
        Binding("c", "conflict", "Conflict", id="conflict", show=False),
        Binding("w", "co_owners", "Co-owners", id="co-owners", show=False),
        Binding("u", "undo_record", "Undo record", id="undo", show=False),
    ]
    LEVEL_KEYS = {
        1: "l listened · u undo",
        2: "o offer · i ask · u undo",
        3: "a meeting: attendance counts",
        4: "c conflict · u undo",
        5: "w co-owners · u undo",
    }
    RECIPROCITY_ACTIONS = {
        "listened": {1},
        "offer": {2},
        "ask": {2},
        "conflict": {4},
        "co_owners": {5},
        "undo_record": {1, 2, 4, 5},
    }

    def __init__(self, session: Session, store: Store, clock: Clock, tz: tzinfo | None = None):
        super().__init__()
        self.session = session
        self.store = store
        self.clock = clock
        self.tz = tz
        self._shown: tuple | None = None
        self._last_phase = ""
        self._last_touch = 0.0  # when the heartbeat was last tried
        self._saved_at = 0.0  # the last moment the store has heard of
        self._stalled_at: float | None = None  # writes fail: the wall stays at the last moment saved
        self._stall_reason = ""
        self._texts: dict[str, object] = {}  # what each widget shows now
        self._first_note: list[str] = []  # a line above the points (level 5 played with no earlier levels)

    BREAKOUT_ACTIONS = {"regroup", "move_person"}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the note line has focus, letters are typing: hide the keys from the footer.
        if isinstance(self.focused, Input):
            return False
        if action in self.BREAKOUT_ACTIONS:
            return self._in_breakout()
        if action == "pass_turn":  # only a person's turn can be passed
            slot = self.session.state.current
            return slot is None or slot.speaker is not None
        levels = self.RECIPROCITY_ACTIONS.get(action)
        return levels is None or self._level() in levels

    def _level_five_note(self) -> list[str]:
        """Level 5 comes after a few rounds of the earlier levels: say so if the crew has none (never refuse)."""
        state = self.session.state
        if self._level() != 5 or state.group is None:
            return []
        try:
            played = compute(self.store, self.app.rules, self.tz).levels_played(state.group["id"])
        except StoreError:
            return []
        if played & {1, 2, 3, 4}:
            return []
        return [f"{state.group['name']} has no earlier levels recorded; the game suggests a few rounds of 1-4 first"]

    def _in_breakout(self) -> bool:
        run = self.session.state.run
        return run is not None and bool(run.rounds) and run.ended_at is None and not self.session.state.ended

    def _level(self) -> int | None:
        protocol = self.session.state.protocol
        return protocol.reciprocity_level if protocol else None

    # -- layout ----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Static(id="step-line")
            yield Static(id="wall-clock")
        yield Static(id="prompt")
        yield Static(id="script")
        with Horizontal(id="main"):
            with Vertical(id="stage"):
                yield from self.stage_widgets()
            with Vertical(id="side"):
                yield Roster()
                yield Static(id="records")
        yield from self.bottom_widgets()

    def stage_widgets(self) -> ComposeResult:
        """Who speaks, the countdown, who is next: shared with the agenda screen."""
        yield Static(id="caption")
        yield Static(id="speaker")
        with Horizontal(id="clock-row"):
            yield TurnClock()
            yield GroupsGrid()
        yield Static(id="next-line")
        yield Static(id="groups")
        yield Static(id="message")

    def bottom_widgets(self) -> ComposeResult:
        yield TypedLine(
            placeholder="/ to type a note (the timer keeps running); enter saves it",
            id="note-input",
            on_enter=self._save_note,
            on_escape=self._leave_note,
            joins_lines=True,
        )
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._first_note = self._level_five_note()
        self.refresh_view()
        self.set_interval(TICK, self._tick)

    # -- rendering ---------------------------------------------------------------
    def now(self) -> float:
        """The moment the wall shows: the clock's, or while nothing can be saved the last one saved."""
        return self._stalled_at if self._stalled_at is not None else self.clock.now()

    def refresh_view(self) -> None:
        now = self.now()
        view = live_view(self.session.state, now, self.app.rules)
        if self._stalled_at is not None:
            view = replace(view, message=f"Not saving: {self._stall_reason} {STALLED}")
        minute = self._wall(self.clock.now())
        key = (view, minute)
        if key == self._shown:
            return
        self._shown = key
        self._paint(view, minute)
        self.app.update_followers(self.session, now)
        if view.phase == "overtime" and self._last_phase in ("running", "warning"):
            self.app.bell()  # the turn just ran out
        self._last_phase = view.phase

    def _paint(self, view: LiveView, minute: str) -> None:
        # Names and protocol texts are shown as plain text, never parsed as markup.
        texts = {
            "#step-line": view.step_line,
            "#wall-clock": minute,
            "#prompt": view.prompt,
            "#script": view.script or "(no script for this step)",
            "#caption": view.caption,
            "#speaker": view.speaker,
            "#next-line": view.next_line,
            "#groups": "\n".join(view.groups),
            "#message": view.message,
        }
        for selector, text in texts.items():
            if self._texts.get(selector) != text:  # repaint only what changed
                self._texts[selector] = text
                self.query_one(selector, Static).update(Content(text))
        self.query_one("#groups").display = bool(view.groups)
        self.set_class(bool(view.cards), "-breakout")
        self.query_one(GroupsGrid).show(view.cards)
        slot = self.session.state.current
        keys = (bool(view.cards), slot is None or slot.speaker is not None)
        if self._texts.get("keys") != keys:  # pass, regroup and move come and go with the step
            self._texts["keys"] = keys
            self.refresh_bindings()
        clock = self.query_one(TurnClock)
        clock.show(view.phase, view.seconds, view.allotted, view.elapsed, view.over)
        clock.display = bool(view.speaker)
        if self._texts.get("roster") != (view.roster, view.roster_title):
            self._texts["roster"] = (view.roster, view.roster_title)
            self.query_one(Roster).show(view.roster, view.roster_title)
        if self._texts.get("records") != (view.records, view.attendance):
            self._texts["records"] = (view.records, view.attendance)
            records = self.query_one("#records", Static)
            # The attendance, then the latest moments, oldest first as in the summary and exports.
            lines = [*([view.attendance] if view.attendance else []), *self._first_note, *view.records[-5:]]
            records.update(Content("\n".join(lines) or "nothing recorded yet"))
            # A crew's meeting (any protocol that serves as one) shows its attendance as level 3 does.
            records.border_title = self.LEVEL_KEYS.get(self._level() or (3 if view.attendance else 0), "")
            records.display = self._level() is not None or bool(view.attendance)
        self.set_class(view.over, "-overtime")

    def _wall(self, now: float) -> str:
        return moment(now, self.tz).strftime("%H:%M")

    def _tick(self) -> None:
        now = self.clock.now()
        # The heartbeat before the paint: the countdown never shows a second the store has not heard
        # of, so a crash gives back at most the few ticks since (see circle.sessions.heartbeat_due).
        if self.session.state.running and heartbeat_due(now, self._last_touch, TICK):
            self._last_touch = now
            try:
                self.store.touch(self.session.state.session_id or "", now)
            except StoreError as exc:  # the disk is full, say: the clock stops where it was saved
                self._stall(exc)
            else:
                self._saved_at = now
                if self._stalled_at is not None:
                    self._unstall()
        self.refresh_view()
        self.app.update_followers(self.session, self.now())  # a fresh clock for phones every few seconds

    def _stall(self, exc: StoreError) -> None:
        """Writes fail while the clock runs: the wall shows the last moment saved, and says why."""
        if self._stalled_at is None and self.session.state.running:
            state = self.session.state
            self._stalled_at = max(self._saved_at, state.last_at or 0.0)
            self._stall_reason = str(exc).split(";")[0].rstrip(".") + "."

    def _unstall(self) -> None:
        """Saving works again: the time it could not save counts as paused, as after a crash."""
        since, self._stalled_at = self._stalled_at, None
        try:
            self.session.recover(since=since)
        except (CommandRejected, StoreError) as exc:
            self._stall(exc if isinstance(exc, StoreError) else StoreError(str(exc)))
            return
        self.notify("saving again; the time it could not save counts as paused: space carries on", timeout=10)

    # -- commands ------------------------------------------------------------------
    def _do(self, command, *args) -> bool:
        if self._stalled_at is not None:  # first the time that could not be saved, as a pause
            self._unstall()
            if self._stalled_at is not None:
                self.notify(f"not saved, so not done: {self._stall_reason}", severity="error", timeout=10)
                return False
        try:
            command(*args)
        except CommandRejected as exc:
            self.notify(str(exc), severity="warning", timeout=4)
            return False
        except StoreError as exc:
            self.notify(f"not saved, so not done: {exc}", severity="error", timeout=10)
            self._stall(exc)
            return False
        self._saved_at = self.clock.now()
        self.refresh_view()
        return True

    def action_toggle(self) -> None:
        self._do(self.session.toggle)

    def action_next(self) -> None:
        self._do(self.session.next)

    def action_pass_turn(self) -> None:
        self._do(self.session.pass_turn)

    def action_back(self) -> None:
        self._do(self.session.back)

    def action_adjust(self, seconds: int) -> None:
        if self._do(self.session.adjust, seconds):
            sign = "+" if seconds > 0 else "-"
            self.notify(f"{sign}{abs(seconds)}s for this turn", timeout=2)

    def action_skip_step(self) -> None:
        """Skip the rest of this step; one that is fixed, or has more than a minute left, asks first."""
        from circle.engine.agenda import still_needed

        state = self.session.state
        run = state.run
        if run is None or run.ended_at is not None or state.ended:
            self._do(self.session.skip_step)  # the engine says why not
            return
        left = still_needed(state, run, self.clock.now())
        if not run.step.fixed and left <= 60:
            self._skip()
            return
        why = "It is a fixed block. " if run.step.fixed else ""
        detail = f"{why}{format_duration(left)} of it is still to run. b right after brings it back where it stopped."

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._skip()

        self.app.push_screen(ConfirmDialog(f"Skip {run.step.title}?", detail), confirmed)

    def _skip(self) -> None:
        title = self.session.state.run.step.title if self.session.state.run else ""
        if self._do(self.session.skip_step):
            self.notify(f"skipped {title}; b brings it back", timeout=4)

    def action_script(self) -> None:
        self.toggle_class("-show-script")

    def action_note(self) -> None:
        self._open_note()

    def typing_key(self, event) -> bool:
        """ "/" opens the note line at once, so every key after it is the note's (see TypedLine)."""
        if getattr(event, "key", None) != "slash" or isinstance(self.focused, Input):
            return False
        if self.check_action("note", ()) is False:
            return False
        self._open_note()
        return True

    def _open_note(self) -> None:
        self.set_focus(self.query_one("#note-input", TypedLine))  # now, not after the next keys

    def _save_note(self, text: str) -> None:
        line = self.query_one("#note-input", TypedLine)
        if text.strip() and self._do(self.session.note, text):
            line.clear()
            self.notify("note saved", timeout=2)
        self.set_focus(None)  # the very next key is the wall's

    def _leave_note(self) -> None:
        self.set_focus(None)

    def key_escape(self) -> None:
        self.set_focus(None)

    def action_add_person(self) -> None:
        def added(name: str | None) -> None:
            if not (name or "").strip():
                return
            try:
                name = clean_name(name or "")  # the one rule for names, as everywhere else
                person = self.store.people_named([name])[0]  # the same person across sessions
            except CircleError as exc:
                self.notify(str(exc), severity="error")
                return
            if self._do(self.session.add_person, name, person.id):
                self.notify(f"welcome, {name}", timeout=3)

        self.app.push_screen(AskText("Who has arrived?", "a name"), added)

    def action_remove_person(self) -> None:
        state = self.session.state
        choices = [(p.id, p.name) for p in state.people_present()]

        def removed(person_id: str | None) -> None:
            if person_id:
                self._do(self.session.remove_person, person_id)

        self.app.push_screen(PickOne("Who is leaving?", choices), removed)

    # -- follow along ----------------------------------------------------------------
    async def action_follow(self) -> None:
        """Serve the follow-along page and put its QR code on the wall."""
        from circle.tui.screens.follow import FollowDialog  # and with it the QR code maker

        url = await self.app.start_following(self.session.state.session_id)
        if url is None:
            return
        self.app.update_followers(self.session)

        async def closed(choice: str | None) -> None:
            if choice == "stop":
                await self.app.stop_following()
                self.notify("phones no longer follow along", timeout=4)

        def followers() -> int:
            return self.app.follow.followers if self.app.follow else 0

        self.app.push_screen(FollowDialog(url, followers), closed)

    async def share_again(self) -> None:
        """A resumed session that was shared: phones find it again at the address they had."""
        if await self.app.start_following(self.session.state.session_id):
            self.app.update_followers(self.session)
            self.notify("phones follow along again, at the same address", timeout=6)

    # -- breakouts ------------------------------------------------------------------
    def action_regroup(self) -> None:
        state = self.session.state
        slot = state.current

        def regroup(yes: bool | None = True) -> None:
            if yes and self._do(self.session.reshuffle):
                self.notify("new groups from this round on", timeout=3)

        if slot is not None and (slot.spent > 0 or state.running):  # people are already sitting together
            detail = "This round is under way: everyone moves to a new group now."
            self.app.push_screen(ConfirmDialog("Mix new groups now?", detail), regroup)
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

            self.app.push_screen(PickOne(f"Move {state.name(person_id)} to", targets), moved)

        self.app.push_screen(PickOne("Who moves?", people), chosen)

    def action_end(self) -> None:
        async def confirmed(yes: bool | None) -> None:
            if yes and self._do(self.session.end):
                self.app.update_followers(self.session)  # phones see that it has ended
                await self.app.stop_following()
                self.app.show_summary(self.session)

        state = self.session.state
        detail = "" if state.finished else "Steps not yet run will be marked as not reached."
        self.app.push_screen(ConfirmDialog("End this session?", detail), confirmed)

    def action_help(self) -> None:
        # The keys that work here and now: reciprocity keys on their level, breakout keys in a breakout.
        rows = [
            (b.key_display or b.key, b.description)
            for b in self.BINDINGS
            if self.check_action(b.action.split("(")[0], ()) is not False
        ]
        rows.append(("escape", "leave the note line"))
        self.app.push_screen(HelpDialog(rows))

    # -- Reciprocity Game --------------------------------------------------------
    def _present(self) -> list[tuple[str, str]]:
        return [(p.id, p.name) for p in self.session.state.people_present()]

    def _recorded(self, command, *args, note: str = "recorded") -> None:
        if self._do(command, *args):
            self.notify(note, timeout=4 if note != "recorded" else 2)

    def _pair(self, title: str, first: str, second: str, command, label: str, note: str = "recorded") -> None:
        def done(result: tuple[str, str, str] | None) -> None:
            if result:
                self._recorded(command, *result, note=note)

        self.app.push_screen(PairDialog(title, first, second, self._present(), label), done)

    def _money_note(self, points: int, what: str) -> str:
        bonus = self.app.rules.level(2).respect_bonus
        note = f"recorded: +{points} for {what}"
        return note + (f", +{bonus} respect bonus for talking and listening with mutual respect" if bonus else "")

    def action_offer(self) -> None:
        note = self._money_note(self.app.rules.level(2).offer, "the offer")
        self._pair("Record an offer", "Who offers?", "To whom?", self.session.record_offer, "what is offered", note)

    def action_ask(self) -> None:
        note = self._money_note(self.app.rules.level(2).ask, "asking")
        self._pair("Record an ask", "Who asks?", "Of whom?", self.session.record_ask, "what is asked for", note)

    def action_listened(self) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self._recorded(self.session.record_listened)

        detail = f"Each of the {len(self.session.state.present)} people here earns a point."
        self.app.push_screen(ConfirmDialog("Has everyone listened to everyone?", detail), confirmed)

    def action_conflict(self) -> None:
        state = self.session.state
        group = state.group["id"] if state.group else None
        here = set(state.present)
        ledger = compute(self.store, self.app.rules)
        open_ones = [c for c in ledger.open_conflicts() if (c.group == group if group else set(c.between) <= here)]
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

        self.app.push_screen(PickOne("Conflict", choices), chosen)

    def _close_conflict(self, conflict_id: str, between: list[str]) -> None:
        rules = self.app.rules.level(4)
        outcomes = [
            ("yes", f"Resolved: apology, amends, forgiveness ({rules.resolved:+d} each)"),
            ("no", f"No agreeable resolution ({rules.unresolved:+d} each)"),
        ]

        def decided(outcome: str | None) -> None:
            if outcome:
                self._recorded(self.session.resolve_conflict, conflict_id, between, outcome == "yes")

        self.app.push_screen(PickOne("How did it end?", outcomes), decided)

    def action_co_owners(self) -> None:
        def done(result: tuple[list[str], str] | None) -> None:
            if not result:
                return
            people, label = result
            if not people:
                self.notify("tick who co-owns it first (space)", severity="warning")
                return
            names = ", ".join(self.session.state.name(pid) for pid in people)
            points = self.app.rules.level(5).co_owner

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._recorded(self.session.record_co_owners, people, label)

            venture = f" of {label}" if label.strip() else ""
            detail = f"{names}: +{points} each, as co-owners{venture}."
            self.app.push_screen(ConfirmDialog("Do they now formally share its ownership?", detail), confirmed)

        self.app.push_screen(ManyDialog("Who now co-owns the venture?", self._present(), "the venture"), done)

    def action_undo_record(self) -> None:
        view = live_view(self.session.state, self.clock.now(), self.app.rules)
        if not view.records:
            self.notify("there is nothing to undo", severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._recorded(self.session.undo_record)

        self.app.push_screen(ConfirmDialog("Undo the last record?", view.records[-1]), confirmed)

    def pause_for_quit(self) -> None:
        """Quitting on purpose pauses the turn, so the time away is not counted."""
        try:
            if not self.session.state.ended:
                self.session.pause()
        except (CommandRejected, StoreError):
            pass
