"""The Textual app: wiring only. Screens render engine state and send commands."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme

from circle.store import Store
from circle.tui import opening
from circle.tui.config import AppConfig, config_for
from circle.tui.following import Following
from circle.tui.host import EditProtocol, GoHome, OpenSession, ShowSummary, StartSession
from circle.tui.remembered import Remembered
from circle.tui.screens.home import HomeScreen
from circle.tui.theme import PROJECTOR
from circle.tui.widgets.typed_line import taken

# The protocol models, the YAML parser and the engine load after the home screen
# has been painted (see CircleApp.load_library): circle appears at once, and the
# protocol list fills in a moment later.
if TYPE_CHECKING:
    from circle.engine import Session
    from circle.follow.server import FollowServer
    from circle.games.reciprocity.scoring import ScoringRules
    from circle.protocol.loader import Library


class CircleApp(App[int]):
    TITLE = "circle"
    # Shown in the footer by the screens that have room for it; always active. ? works on every screen.
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, show=False),
        Binding("question_mark", "help", "Help", id="help", show=False),
    ]
    # Home is the bottom of the stack: no blank default screen is painted first.
    MODES = {"home": HomeScreen}
    DEFAULT_MODE = "home"

    def __init__(self, config: AppConfig):
        super().__init__()
        self.config = config
        self.store, self.clock, self.tz = config.store, config.clock, config.tz
        self.remembered = Remembered(config.settings, config.export_dir, self.notify)
        self.library: Library | None = config.library  # None until load_library has run
        self.follow_at_start = config.follow_at_start
        self.following = Following(config.store, config.clock, config.follow, self.notify)
        # Set before the first paint, so the screen is not styled twice.
        self.register_theme(PROJECTOR)
        self.theme = self._theme_shown = self._first_theme()

    def _first_theme(self) -> str:
        """The theme asked for on the command line, else the one remembered, else projector."""
        wanted = self.config.theme or self.remembered.theme or PROJECTOR.name
        if wanted in self.available_themes:
            return wanted
        where = "" if self.config.theme else f"{self.remembered.path}: "
        self.remembered.problems.append(f"{where}no theme called {wanted!r}; using {PROJECTOR.name}")
        return PROJECTOR.name

    def _theme_chosen(self, theme: Theme) -> None:
        # Published for the first theme too; only a new choice (the palette's) is remembered.
        if theme.name != self._theme_shown:
            self._theme_shown = theme.name
            self.remembered.remember(theme=theme.name)

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
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded and await taken(self, event):
            return
        await super().on_event(event)

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

    @cached_property
    def rules(self) -> ScoringRules:
        """The Reciprocity Game's point rules, read when first needed."""
        from circle.games.reciprocity.scoring import load_rules

        return self.config.rules or load_rules()

    @property
    def follow(self) -> FollowServer | None:
        """The follow-along page, while it is served."""
        return self.following.server

    def on_mount(self) -> None:
        for problem in self.remembered.problems:
            self.notify(problem, severity="warning", timeout=10)
        self.theme_changed_signal.subscribe(self, self._theme_chosen)
        # After the first paint of home, either way.
        self.call_after_refresh(self.load_library if self.library is None else self.library_ready)

    @work(thread=True, exclusive=True, group="library")
    def load_library(self) -> None:
        """Read and check the protocol files off the main thread, once home is on screen."""
        from circle.protocol.loader import load_library

        library = load_library(self.config.protocol_paths)
        self.call_from_thread(self.library_ready, library)

    async def library_ready(self, library: Library | None = None) -> None:
        """The protocols are known: fill home, then start or offer to resume a session."""
        self.library = library = library or self.library
        assert library is not None
        await self.home.show_library(library)
        # What exists now (Textual, the models, the library) lives as long as the app. Frozen, it
        # is left out of the collector's full passes, which otherwise stop the wall 50-100 ms.
        gc.freeze()
        for problem in library.problems:
            self.notify(f"skipped {problem}", severity="warning", timeout=10)
        if self.store.damaged:
            self.notify(f"{self.store.path} is damaged (cut short): looking only; see `circle check`", severity="error")
        start, editing = self.config.start, self.config.edit
        if editing:
            from circle.tui.editing import edit

            edit(self, editing.protocol_id, new=editing.new, based_on=editing.based_on)
        elif start:
            self.start_session(start.protocol_id, start.names, start.group)
        elif self.config.check_resume and not self.store.readonly:
            from circle.sessions import resumable

            row = resumable(self.store)
            if row is not None:
                opening.offer_resume(self, row)
            else:  # a session comes first; a protocol left unsaved in the editor is offered after
                from circle.tui.editing import offer_drafts

                offer_drafts(self)

    @property
    def home(self) -> HomeScreen:
        return self.screen_stack[0]  # the default screen, under everything else

    # -- navigation: what screens ask for (circle.tui.host), and the keys that go anywhere ----------
    def start_session(self, protocol_id: str, names: list[str], group: str | None = None) -> bool:
        return opening.start_session(self, protocol_id, names, group)

    def show_live(self, session: Session) -> None:
        opening.show_live(self, session)

    def show_summary(self, session: Session) -> None:
        opening.show_summary(self, session)

    def go_home(self) -> None:
        opening.to_home(self)
        self.home.reload()

    def on_start_session(self, message: StartSession) -> None:
        self.start_session(message.protocol_id, message.names, message.group)

    def on_open_session(self, message: OpenSession) -> None:
        opening.open_session(self, message.session_id)

    def on_show_summary(self, message: ShowSummary) -> None:
        self.show_summary(message.session)

    def on_go_home(self, message: GoHome) -> None:
        self.go_home()

    def reload_library(self, then: Callable[[], None] | None = None) -> None:
        """Read the protocols again (one was saved), list them on home, then ``then``."""
        from circle.protocol.loader import load_library

        self.library = library = load_library(self.config.protocol_paths)

        async def show() -> None:
            await self.home.show_library(library)
            if then is not None:
                then()

        self.call_later(show)

    def on_edit_protocol(self, message: EditProtocol) -> None:
        from circle.tui.editing import edit

        edit(self, message.protocol_id)

    def action_show_ledger(self) -> None:
        opening.show_ledger(self)

    def action_show_groups(self) -> None:
        opening.show_groups(self)

    def action_show_loops(self) -> None:
        opening.show_loops(self)

    action_go_home = go_home

    async def stop_following(self, ended: bool = True) -> None:
        await self.following.stop(ended)

    def action_help(self) -> None:
        from circle.tui.keys import show_help

        show_help(self.screen)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from circle.tui.commands import palette

        yield from palette(self, screen, super().get_system_commands(screen))

    async def action_quit(self) -> None:
        pause = getattr(self.screen, "pause_for_quit", None)
        if pause is not None:  # the live screen pauses a running turn first
            pause()
        await self.following.stop(ended=False)  # quitting is not ending: a resume shares again, at the same address
        self.exit(0)


def make_app(db: Path | str | Store, **options: Any) -> CircleApp:
    """The one factory used by the command line, the Pilot tests and the benchmarks: ``options`` are
    AppConfig's fields (None keeps a default); without a ``library`` it is read once home is on screen."""
    return CircleApp(config_for(db, **options))
