"""The live turn screen, made to be projected."""

from __future__ import annotations

from dataclasses import replace
from datetime import tzinfo
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from circle.core.clock import Clock
from circle.core.durations import format_duration
from circle.core.errors import CircleError
from circle.core.localtime import moment
from circle.core.names import clean_name
from circle.engine import CommandRejected, Session
from circle.games.reciprocity.scoring import ScoringRules
from circle.protocol.models import BlockStep
from circle.sessions.ticker import TICK, Notice, Ticker
from circle.store import Store, StoreError
from circle.tui.host import ShowSummary
from circle.tui.keys import show_help
from circle.tui.screens.breakout_keys import BREAKOUT_ACTIONS, BreakoutKeys
from circle.tui.screens.dialogs import AskText, ConfirmDialog, PickOne
from circle.tui.screens.hands import QUEUE_ACTIONS, HandKeys
from circle.tui.screens.remote_keys import RemoteKeys
from circle.tui.widgets.groups_grid import GroupsGrid
from circle.tui.widgets.keys_footer import KeysFooter
from circle.tui.widgets.reciprocity import ReciprocityPanel
from circle.tui.widgets.roster import Roster
from circle.tui.widgets.turn_clock import TurnClock
from circle.tui.widgets.typed_line import TypedLine
from circle.views.live import LiveView, live_view

if TYPE_CHECKING:
    from circle.tui.following import Following

__all__ = ["TICK", "LiveScreen"]  # TICK: the screen's tick, in circle.sessions.ticker
NOTE_PLACEHOLDER = "/ to type a note (the timer keeps running); enter saves it"
DRAFT_PLACEHOLDER = "draft note kept (/ to finish it)"
ADJUST = Binding.Group("±30s")
STATUS_SECONDS = 8.0  # how long the status line under the clock says what was just done


class LiveScreen(BreakoutKeys, HandKeys, RemoteKeys, Screen[None]):
    CSS_PATH = "live.tcss"
    # Nothing has focus (or the game panel, for its keys): every key is the wall's until / opens the note line.
    AUTO_FOCUS = ""
    BINDINGS = [
        Binding("space", "toggle", "Go/pause", id="toggle", key_display="space"),
        Binding("n", "next", "Next", id="next"),
        Binding("p", "pass_turn", "Pass", id="pass"),
        Binding("b", "back", "Back", id="back"),
        # One footer entry for the pair ("+ - ±30s"): with the breakout keys the footer fills 80 columns.
        Binding("plus,equals_sign", "adjust(30)", "+30s", id="more", key_display="+", group=ADJUST),
        Binding("minus", "adjust(-30)", "-30s", id="less", key_display="-", group=ADJUST),
        Binding("a", "add_person", "Add", id="add"),
        Binding("e", "end", "End", id="end"),
        Binding("question_mark", "help", "Help", id="help", key_display="?"),
        Binding("q", "follow", "Phones", id="follow"),
        # The facilitator's own phone as a remote: asks first whether the wall is private.
        Binding("ctrl+r", "remote", "Remote", id="remote", show=False),
        Binding("slash", "note", "Note", id="note", key_display="/", show=False),
        Binding("s", "script", "Script", id="script", show=False),
        Binding("r", "remove_person", "Remove someone", id="remove", show=False),
        Binding("k", "skip_step", "Skip step", id="skip", show=False),
        # Breakouts: active while the room sits in groups (short words: the footer is 80 columns).
        Binding("g", "regroup", "Mix", id="regroup"),
        Binding("v", "move_person", "Move", id="move"),
        # The Reciprocity Game's keys are its panel's (circle.tui.widgets.reciprocity).
        *HandKeys.BINDINGS,  # a speaking queue's (circle.tui.screens.hands)
    ]

    def __init__(
        self,
        session: Session,
        store: Store,
        clock: Clock,
        tz: tzinfo | None = None,
        *,
        rules: ScoringRules,
        following: Following,
    ):
        super().__init__()
        self.session = session
        self.store = store
        self.clock = clock
        self.tz = tz
        self.rules = rules
        self.following = following  # phones following along
        self.ticker = Ticker(session, store, clock, say=self._say)  # the heartbeat, and the stall
        self._shown: tuple | None = None
        self._last_phase = ""
        self._texts: dict[str, object] = {}  # what each widget shows now
        self._draft = ""  # a note left half typed with escape: kept, off the wall
        self._adjusted: tuple[object, int] | None = None  # the turn last given + or -, and by how much in all
        self._said: str | None = None
        self._status_timer: Timer | None = (
            None  # the last refusal the ticker said (a remote's command is answered with it)
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the note line has focus, letters are typing: hide the keys from the footer.
        if isinstance(self.focused, Input):
            return False
        if action in BREAKOUT_ACTIONS:
            return self.in_breakout()
        if action in QUEUE_ACTIONS:
            return self.in_queue()
        if action == "pass_turn":  # only a person's turn can be passed (in a queue, the one called)
            queue = self.session.state.queue
            if queue is not None:
                return queue.speaking is not None
            slot = self.session.state.current
            return slot is None or slot.speaker is not None
        return True

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
                yield self.game_panel()
        yield from self.bottom_widgets()

    def stage_widgets(self) -> ComposeResult:
        """Who speaks, the countdown, who is next: shared with the agenda screen."""
        yield Static(id="caption")
        yield Static(id="speaker")
        with Horizontal(id="clock-row"):
            yield TurnClock()
            yield GroupsGrid()
        # Small acknowledgements (+30s, note saved, welcome): one line under the clock, replaced by
        # the next, where a stack of toasts would cover the digits the room reads.
        yield Static(id="status-line")
        yield Static(id="next-line")
        yield Static(id="groups")
        yield Static(id="message")

    def game_panel(self) -> ReciprocityPanel:
        """The points recorded, under the keys of the level: shared with the agenda screen."""
        return ReciprocityPanel(
            self.session, self.store, self.clock, self.tz, rules=self.rules, run=self._do, acknowledge=self.acknowledge
        )

    def bottom_widgets(self) -> ComposeResult:
        yield TypedLine(
            placeholder=NOTE_PLACEHOLDER,
            id="note-input",
            on_enter=self._save_note,
            on_escape=self._leave_note,
            joins_lines=True,
        )
        yield KeysFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.refresh_view()
        self._rest()
        self.take_phone_hands()
        self.set_interval(TICK, self._tick)
        self.following.commander = self.remote_command  # the facilitator's remote runs this screen's keys

    def on_unmount(self) -> None:
        if self.following.commander == self.remote_command:
            self.following.commander = None

    def _rest(self) -> None:
        """Focus back on the wall: the game's panel at a level with keys (so they are active), else nothing."""
        panel = self.query_one(ReciprocityPanel)
        self.set_focus(panel if panel.has_keys else None, scroll_visible=False)

    def _say(self, notice: Notice) -> None:
        self._said = notice.message
        self.notify(notice.message, severity=notice.severity, timeout=notice.timeout)

    def acknowledge(self, text: str) -> None:
        """Say that a small change was made, in the status line (a toast would cover the clock)."""
        self._adjusted = None
        self._show_status(text)

    def _show_status(self, text: str) -> None:
        # A few seconds, then gone: an old "skipped ..." or "hand is up" would mislead the room.
        line = self.query_one("#status-line", Static)
        line.update(Content(text))
        if self._status_timer is not None:
            self._status_timer.stop()
        self._status_timer = self.set_timer(STATUS_SECONDS, lambda: line.update(""))

    # -- rendering ---------------------------------------------------------------
    def now(self) -> float:
        """The moment the wall shows: the clock's, or while nothing can be saved the last one saved."""
        return self.ticker.now()

    def refresh_view(self) -> None:
        now = self.now()
        view = live_view(self.session.state, now, self.rules)
        stalled = self.ticker.stalled_message()
        if stalled is not None:
            view = replace(view, message=stalled)
        minute = self._wall(self.clock.now())
        key = (view, minute)
        if key == self._shown:
            return
        self._shown = key
        self._paint(view, minute)
        self.following.update(self.session, now)
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
            "#next-line": " · ".join(part for part in (view.next_line, view.block) if part),
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
        queue = self.session.state.queue
        keys = (bool(view.cards), slot is None or slot.speaker is not None, queue and queue.speaking is not None)
        if self._texts.get("keys") != keys:  # pass, regroup and move come and go with the step
            self._texts["keys"] = keys
            self.refresh_bindings()
        clock = self.query_one(TurnClock)
        clock.show(view.phase, view.seconds, view.allotted, view.elapsed, view.over)
        clock.display = bool(view.speaker)
        if self._texts.get("roster") != (view.roster, view.roster_title):
            self._texts["roster"] = (view.roster, view.roster_title)
            self.query_one(Roster).show(view.roster, view.roster_title)
        self.query_one(ReciprocityPanel).show(view)
        self.set_class(view.over, "-overtime")

    def _wall(self, now: float) -> str:
        # Labelled: beside the mm:ss countdown a bare "16:36" reads as a second timer.
        return moment(now, self.tz).strftime("now %H:%M")

    def _tick(self) -> None:
        self.ticker.tick()  # the heartbeat before the paint (circle.sessions.ticker)
        self.refresh_view()
        self.ask_next_phone()  # a phone's question waits while a dialog is open
        self.following.update(self.session, self.now())  # a fresh clock for phones every few seconds

    # -- commands ------------------------------------------------------------------
    def _do(self, command, *args) -> bool:
        if not self.ticker.run(command, *args):
            return False
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
        if not self._do(self.session.adjust, seconds):
            return
        state = self.session.state
        slot, run = state.current, state.run
        turn = (run.index if run else None, slot.label if slot else None)
        # Presses in a row for one turn add up on one line ("+2m for this turn"), not one line each.
        total = seconds + (self._adjusted[1] if self._adjusted and self._adjusted[0] == turn else 0)
        self._adjusted = (turn, total)
        what = "block" if isinstance(run.step if run else None, BlockStep) else "turn"  # a meal, a break: a block
        left = state.remaining(self.now())
        after = f"{format_duration(left)} left" if left >= 0 else f"{format_duration(-left)} over"
        sign = "+" if total >= 0 else "-"
        self._show_status(f"{sign}{format_duration(abs(total))} for this {what} · {after}")

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

        self.app.push_screen(ConfirmDialog(f"Skip {run.step.title}?", detail, docked=True), confirmed)

    def _skip(self) -> None:
        title = self.session.state.run.step.title if self.session.state.run else ""
        if self._do(self.session.skip_step):
            self.acknowledge(f"skipped {title}; b brings it back")

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
        line = self.query_one("#note-input", TypedLine)
        if self._draft:  # back to the draft, where it was left
            line.value, self._draft = self._draft, ""
            line.cursor_position = len(line.value)
            line.placeholder = NOTE_PLACEHOLDER
        self.set_focus(line)  # now, not after the next keys

    def _save_note(self, text: str) -> None:
        line = self.query_one("#note-input", TypedLine)
        if self._note(text):
            line.clear()
        self._rest()  # the very next key is the wall's

    def _note(self, text: str) -> bool:
        """Save a note (from the note line, or the facilitator's remote)."""
        if text.strip() and self._do(self.session.note, text):
            self.acknowledge("note saved")
            return True
        return False

    def _leave_note(self) -> None:
        # The room reads the note line too: a half-typed note is kept as a draft, not left on the wall.
        line = self.query_one("#note-input", TypedLine)
        if line.value.strip():
            self._draft = line.value
            line.clear()
            line.placeholder = DRAFT_PLACEHOLDER
        self._rest()

    def key_escape(self) -> None:
        self._rest()

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
                self.acknowledge(f"welcome, {name}")

        self.app.push_screen(AskText("Who has arrived?", "a name", docked=True), added)

    def action_remove_person(self) -> None:
        state = self.session.state
        choices = [(p.id, p.name) for p in state.people_present()]

        def removed(person_id: str | None) -> None:
            if person_id:
                self._do(self.session.remove_person, person_id)

        self.app.push_screen(PickOne("Who is leaving?", choices, docked=True), removed)

    # -- follow along ----------------------------------------------------------------
    async def action_follow(self) -> None:
        """Serve the follow-along page and put its QR code on the wall."""
        from circle.tui.screens.follow import FollowDialog  # and with it the QR code maker

        url = await self.following.start(self.session.state.session_id)
        if url is None:
            return
        self.following.update(self.session)

        async def closed(choice: str | None) -> None:
            if choice == "stop":
                await self.following.stop()
                self.acknowledge("phones no longer follow along")

        self.app.push_screen(FollowDialog(url, lambda: self.following.followers, self.clock_line), closed)

    def clock_line(self) -> str:
        """The countdown as one line, as the big digits show it (for a dialog that covers them)."""
        return self.query_one(TurnClock).line(str(self._texts.get("#speaker", "")))

    async def share_again(self) -> None:
        """A resumed session that was shared: phones find it again at the address they had."""
        if await self.following.start(self.session.state.session_id):
            self.following.update(self.session)
            self.acknowledge("phones follow along again, at the same address")

    def action_end(self) -> None:
        async def confirmed(yes: bool | None) -> None:
            if yes and self._draft:  # never dropped unasked
                self.app.push_screen(ConfirmDialog("Save the draft note first?", self._draft, docked=True), save_draft)
            elif yes:
                await end()

        async def save_draft(yes: bool | None) -> None:
            if yes is None:  # escape: neither saved nor dropped, and the session goes on
                return
            draft, self._draft = self._draft, ""
            if yes and not self._do(self.session.note, draft):
                self._draft = draft  # refused (the store): kept, and the session goes on
                return
            self.query_one("#note-input", TypedLine).placeholder = NOTE_PLACEHOLDER
            await end()

        async def end() -> None:
            if self._do(self.session.end):
                self.following.update(self.session)  # phones see that it has ended
                await self.following.stop()
                self.post_message(ShowSummary(self.session))

        state = self.session.state
        detail = "" if state.finished else "Steps not yet run will be marked as not reached."
        self.app.push_screen(ConfirmDialog("End this session?", detail, docked=True), confirmed)

    def action_help(self) -> None:
        # The keys that work here and now (reciprocity keys on their level, breakout keys in a
        # breakout), as Textual has them active, and escape, which the screen handles itself.
        show_help(self, extra=[("escape", "leave the note line")], clock=self.clock_line)

    def pause_for_quit(self) -> None:
        """Quitting on purpose pauses the turn, so the time away is not counted."""
        try:
            if not self.session.state.ended:
                self.session.pause()
        except (CommandRejected, StoreError):
            pass
