"""The Textual app: wiring only. Screens render engine state and send commands."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable
from datetime import tzinfo
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, ScreenStackError, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from circle.core.clock import Clock, SystemClock
from circle.core.errors import CircleError
from circle.core.localtime import moment
from circle.store import SessionRow, Store, StoreError
from circle.tui.screens.home import HomeScreen
from circle.tui.theme import PROJECTOR
from circle.tui.widgets.typed_line import TypedLine

# The protocol models, the YAML parser and the engine load after the home screen
# has been painted (see CircleApp.load_library): circle appears at once, and the
# protocol list fills in a moment later.
if TYPE_CHECKING:
    from circle.engine import Session
    from circle.follow.server import FollowServer
    from circle.games.reciprocity.scoring import ScoringRules
    from circle.protocol.loader import Library
    from circle.sessions import StartRequest


class CircleApp(App[int]):
    TITLE = "circle"
    # Shown in the footer by the screens that have room for it; always active.
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, show=False)]
    # Home is the bottom of the stack: no blank default screen is painted first.
    MODES = {"home": HomeScreen}
    DEFAULT_MODE = "home"

    def __init__(
        self,
        store: Store,
        library: Library | None,
        clock: Clock,
        start: StartRequest | None = None,
        tz: tzinfo | None = None,
        export_dir: Path | None = None,
        check_resume: bool = True,
        theme: str = "projector",
        rules: ScoringRules | None = None,
        protocol_paths: Iterable[Path | str] = (),
        follow: tuple[str, int] | None = None,
        follow_at_start: bool = False,
    ):
        super().__init__()
        self.store = store
        # Follow-along on phones: where to serve it ("lan" or an address, and a port; 0 picks one).
        self.follow_address = follow or ("lan", 0)
        self.follow_at_start = follow_at_start
        self.follow: FollowServer | None = None
        self.library = library  # None until load_library has run
        self.protocol_paths = list(protocol_paths)
        self.clock = clock
        self.start = start
        self.tz = tz
        self.export_dir = export_dir or Path.cwd()
        self.check_resume = check_resume
        self._rules = rules
        # Set before the first paint, so the screen is not styled twice.
        self.register_theme(PROJECTOR)
        self.theme = theme

    def _handle_exception(self, error: Exception) -> None:
        """The last resort, when something unforeseen breaks: the wall shows one line and where
        the details were written, never Textual's traceback with its locals (which may hold a
        note's text). Textual offers no public hook for this; a test keeps it working."""
        from circle.core import crash_log

        super()._handle_exception(error)  # Textual's bookkeeping: the return code, the exit
        self._exit_renderables.clear()
        self._exit_renderables.append(crash_log.message(error, crash_log.write(error)))

    async def on_event(self, event: events.Event) -> None:
        # Keys for a line being typed are applied here, one at a time in the order they came, so
        # a fast typist never outruns a change of focus (see circle.tui.widgets.typed_line).
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded and await self._taken(event):
            return
        await super().on_event(event)

    async def _taken(self, event: events.Key | events.Paste) -> bool:
        """Handle a key now, in the order the terminal gave it; False leaves it to Textual."""
        try:
            screen = self.screen
        except ScreenStackError:
            return False
        if isinstance(screen.focused, TypedLine):
            return screen.focused.take(event)
        hook = getattr(screen, "typing_key", None)  # a screen whose line is about to have the keys
        if hook is not None and hook(event):
            return True
        if screen.focused is None and isinstance(event, events.Key):
            # The wall's own keys run now too: one that opens a dialog ("a") has it open before
            # the next key ("Zed...") is looked at, so the name is typed, not run as commands.
            active = screen.active_bindings.get(event.key)
            if active is not None and active.enabled and not active.binding.priority:
                await self.run_action(active.binding.action, active.node)
                return True
        return False

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast, always plain text: messages quote what people typed (a name like "Zed [/x]"),
        and markup in them would be parsed, or crash the app. Screens' notify comes here too,
        asking for markup by default; no message of circle's needs it."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    @property
    def rules(self) -> ScoringRules:
        """The Reciprocity Game's point rules, read when first needed."""
        if self._rules is None:
            from circle.games.reciprocity.scoring import load_rules

            self._rules = load_rules()
        return self._rules

    def on_mount(self) -> None:
        # After the first paint of home, either way.
        self.call_after_refresh(self.load_library if self.library is None else self.library_ready)

    @work(thread=True, exclusive=True, group="library")
    def load_library(self) -> None:
        """Read and check the protocol files off the main thread, once home is on screen."""
        from circle.protocol.loader import load_library

        library = load_library(self.protocol_paths)
        self.call_from_thread(self.library_ready, library)

    async def library_ready(self, library: Library | None = None) -> None:
        """The protocols are known: fill home, then start or offer to resume a session."""
        if library is not None:
            self.library = library
        await self.home.show_library(self.library)
        # What exists now (Textual, the models, the library) lives as long as the app. Frozen, it
        # is left out of the collector's full passes, which otherwise stop the wall 50-100 ms.
        gc.freeze()
        for problem in self.library.problems:
            self.notify(f"skipped {problem}", severity="warning", timeout=10)
        if self.store.damaged:
            self.notify(f"{self.store.path} is damaged (cut short): looking only; see `circle check`", severity="error")
        if self.start:
            self.start_session(self.start.protocol_id, self.start.names, self.start.group)
        elif self.check_resume and not self.store.readonly:
            from circle.sessions import resumable

            row = resumable(self.store)
            if row is not None:
                self.offer_resume(row)

    @property
    def home(self) -> HomeScreen:
        return self.screen_stack[0]  # the default screen, under everything else

    # -- navigation ---------------------------------------------------------------
    def start_session(self, protocol_id: str, names: list[str], group: str | None = None) -> bool:
        from circle.engine import size_warning
        from circle.sessions import start_session

        try:
            protocol = self.library.get(protocol_id)
            session = start_session(self.store, protocol, names, self.clock, group=group)
        except KeyError as exc:
            self.notify(str(exc.args[0]), severity="error")
            return False
        except CircleError as exc:
            self.notify(str(exc), severity="error")
            return False
        warning = size_warning(protocol, len(session.state.present))
        if warning:
            self.notify(warning, severity="warning", timeout=6)
        self.show_live(session)
        return True

    def show_live(self, session: Session) -> None:
        self._to_home()
        # Screens load when first shown: a quicker start.
        if session.state.protocol is not None and session.state.protocol.layout == "agenda":
            from circle.tui.screens.agenda import AgendaScreen as screen_class
        else:
            from circle.tui.screens.live import LiveScreen as screen_class
        screen = screen_class(session, self.store, self.clock, self.tz)
        self.push_screen(screen)
        self.call_after_refresh(self._freeze_for_the_session)
        if self.follow_at_start:  # circle run --follow: the code is on the wall from the start
            self.follow_at_start = False
            self.call_after_refresh(screen.run_action, "follow")
        elif session.state.session_id and not self.store.readonly:
            saved = self.store.share(session.state.session_id)
            if saved and saved[2]:  # it was shared when circle stopped: share it again, same address
                self.call_after_refresh(screen.share_again)

    @staticmethod
    def _freeze_for_the_session() -> None:
        """Keep the collector's full passes short while a session runs (see library_ready).

        What earlier screens left behind is collected first, once, at a moment when nothing
        is timed, so that a day of sessions does not keep their screens frozen in memory."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def show_summary(self, session: Session) -> None:
        self._to_home()
        from circle.tui.screens.summary import SummaryScreen

        points: tuple[str, ...] = ()
        if session.state.group is not None:  # a meeting's points take every earlier meeting to know
            from circle.games.reciprocity.ledger import compute

            try:
                ledger = compute(self.store, self.rules, self.tz)
                points = tuple(ledger.meeting_lines(session.state.session_id, self.rules))
            except StoreError as exc:  # the notes are still shown; the points say why they are missing
                points = (f"points not added up: {exc}",)
        self.push_screen(SummaryScreen(session, self.export_dir, self.tz, points))

    def go_home(self) -> None:
        self._to_home()
        self.home.reload()

    def _to_home(self) -> None:
        while len(self.screen_stack) > 1:  # home is the default screen, at the bottom
            self.pop_screen()

    def action_show_ledger(self) -> None:
        self._to_home()
        from circle.tui.screens.ledger import LedgerScreen

        self.push_screen(LedgerScreen(self.store, self.rules, self.export_dir, self.tz))

    def action_show_groups(self) -> None:
        from circle.tui.screens.groups import GroupsScreen

        self._to_home()
        self.push_screen(GroupsScreen(self.store, self.tz))

    def action_show_loops(self) -> None:
        from circle.tui.screens.loops import LoopsScreen

        self._to_home()
        self.push_screen(LoopsScreen(self.store, self.tz, self.export_dir))

    def action_go_home(self) -> None:
        self.go_home()

    def open_session(self, session_id: str) -> None:
        """From the recent list: an unfinished session is offered for resuming."""
        from circle.sessions import open_session

        try:
            row = self.store.session(session_id)
            if row.ended:
                self.show_summary(open_session(self.store, row.id, self.clock))
            else:
                self.offer_resume(row)
        except CircleError as exc:  # a damaged session (or file) says so in one line; the rest goes on
            self.notify(str(exc), severity="error", timeout=12)

    def offer_resume(self, row: SessionRow) -> None:
        from circle.core.durations import format_clock
        from circle.engine import countdown_seconds
        from circle.sessions import open_session, resume_session
        from circle.tui.screens.dialogs import ResumeDialog

        try:
            session = open_session(self.store, row.id, self.clock)
        except CircleError as exc:
            self.notify(f"cannot resume {row.title}: {exc}", severity="error", timeout=12)
            return
        state = session.state
        when = moment(row.last_seen, self.tz).strftime("%a %d %b, %H:%M")
        run, slot = state.run, state.current
        where = f"Step {run.index + 1}: {run.step.title}" if run else ""
        if slot is not None:
            left = countdown_seconds(slot.allotted - slot.spent - self._since(state, row))
            where += f", {slot.label}, {format_clock(left)} left"
        detail = f"Last active {when}.\n{where}\nThe time circle was closed counts as paused."

        def chosen(choice: str | None) -> None:
            try:
                if choice == "resume":
                    self.show_live(resume_session(self.store, row, self.clock))
                elif choice == "end":
                    resumed = resume_session(self.store, row, self.clock)
                    resumed.end()
                    self.go_home()
                    self.notify(f"ended {row.title}; its notes are kept")
            except CircleError as exc:
                self.notify(str(exc), severity="error")

        self.push_screen(ResumeDialog(f"Resume {row.title}?", detail), chosen)

    @staticmethod
    def _since(state, row: SessionRow) -> float:
        """Running time between the last event and the last heartbeat."""
        if state.running_since is None:
            return 0.0
        return max(0.0, row.last_seen - state.running_since)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Ledger", "Reciprocity Game points, meetings and conflicts", self.action_show_ledger)
        yield SystemCommand("Two Loops", "Where a community stands, its timeline and roles", self.action_show_loops)
        yield SystemCommand(
            "Groups", "Crews, congregations and communities, and their members", self.action_show_groups
        )
        # Everything that has a key on this screen also has a searchable name here.
        for binding in getattr(screen, "BINDINGS", []):
            name = binding.action.split("(")[0]
            if binding.description and screen.check_action(name, ()) is not False:
                key = binding.key_display or binding.key
                yield SystemCommand(binding.description, f"key: {key}", partial(screen.run_action, binding.action))

    async def action_quit(self) -> None:
        pause = getattr(self.screen, "pause_for_quit", None)
        if pause is not None:  # the live screen pauses a running turn first
            pause()
        await self.stop_following(ended=False)  # quitting is not ending: a resume shares again, at the same address
        self.exit(0)

    # -- follow along on phones ---------------------------------------------------------
    async def start_following(self, session_id: str | None = None) -> str | None:
        """Serve the follow-along page (if it is not served already); its URL, or None with a notice.

        A session keeps its address (port and token) from one run of circle to the next, so phones
        that followed it before a crash or a quit find it again by themselves."""
        if self.follow is not None and self.follow.running:
            return self.follow.url
        from circle.follow.server import FollowError, FollowServer  # aiohttp loads when first needed

        host, port = self.follow_address
        saved = self.store.share(session_id) if session_id else None
        token = saved[1] if saved else None
        server = FollowServer(host, saved[0] if saved and not port else port, token=token)
        try:
            url = await server.start()
        except FollowError as exc:
            if not saved:
                self.notify(str(exc), severity="error", timeout=10)
                return None
            server = FollowServer(host, port, token=token)  # the old port is taken now: another one
            try:
                url = await server.start()
            except FollowError as again:
                self.notify(str(again), severity="error", timeout=10)
                return None
            self.notify("phones follow at a new address (the old port was taken): show them the code (q)")
        self.follow = server
        self._remember_share(session_id, active=True)
        return url

    async def stop_following(self, ended: bool = True) -> None:
        """Stop serving; ``ended`` (stopped by hand, or the session ended) also stops it coming back."""
        if self.follow is not None:
            server, self.follow = self.follow, None
            if ended:
                self._remember_share(self._sharing_session, active=False, server=server)
            await server.stop()

    _sharing_session: str | None = None

    def _remember_share(self, session_id: str | None, active: bool, server=None) -> None:
        server = server or self.follow
        if session_id is None or server is None or self.store.readonly:
            return
        self._sharing_session = session_id if active else None
        with contextlib.suppress(CircleError):  # a full disk: sharing still works, just not remembered
            self.store.set_share(session_id, server.port, server.token, active)

    def update_followers(self, session: Session, now: float | None = None) -> None:
        """Called as the wall repaints: followers get what changed (and a fresh clock now and then).
        ``now`` is the moment the wall shows (the last one saved, while nothing can be)."""
        if self.follow is not None:
            self.follow.update(session.state, self.clock.now() if now is None else now)


def make_app(
    db: Path | str | Store,
    clock: Clock | None = None,
    library: Library | None = None,
    start: StartRequest | None = None,
    tz: tzinfo | None = None,
    export_dir: Path | None = None,
    check_resume: bool = True,
    protocol_paths: Iterable[Path | str] = (),
    follow: tuple[str, int] | None = None,
    follow_at_start: bool = False,
) -> CircleApp:
    """The one factory used by the command line, the Pilot tests and the snapshots.

    Without a ``library`` the protocols are loaded once home is on screen.
    """
    store = db if isinstance(db, Store) else Store(db)
    return CircleApp(
        store,
        library,
        clock or SystemClock(),
        start=start,
        tz=tz,
        export_dir=export_dir,
        check_resume=check_resume,
        protocol_paths=protocol_paths,
        follow=follow,
        follow_at_start=follow_at_start,
    )
