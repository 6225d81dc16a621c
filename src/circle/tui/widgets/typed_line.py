"""A line of text whose keys are taken in the order they were pressed.

Textual hands each key to the focused widget's own queue, and moves focus a moment later
than asked. A fast typist (or a paste, or tmux sending a burst) outruns both: a key after
"/" reached the wall's bindings before the note line had focus ("/skip" ran a skip), and a
key after Enter went into the note or the name before it was saved ("hello theren").

So circle takes these keys itself, one at a time as the terminal gives them
(``CircleApp.on_event``, ``taken``): while a ``TypedLine`` has focus, or a screen says a line should
have the keys (``typing_key``), each key is applied to the line at once, Enter saves it at
once (the line's ``on_enter``), and the very next key already finds the wall, or the next
field, ready. Keys a line does not take (ctrl+q, tab where there is no next field, arrows
in a list) go their usual way.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import App, ScreenStackError
from textual.widgets import Input

EDITS = {
    "backspace": "action_delete_left",
    "delete": "action_delete_right",
    "left": "action_cursor_left",
    "right": "action_cursor_right",
    "home": "action_home",
    "end": "action_end",
}


class TypedLine(Input):
    """An Input for a line typed while the wall waits: a note, a name, a label."""

    def __init__(
        self,
        *,
        on_enter: Callable[[str], None],
        on_escape: Callable[[], None] | None = None,
        on_tab: Callable[[], None] | None = None,
        placeholder: str = "",
        id: str | None = None,
        classes: str | None = None,
        value: str = "",
        joins_lines: bool = False,
    ) -> None:
        super().__init__(value=value, placeholder=placeholder, id=id, classes=classes)
        self.joins_lines = joins_lines  # a note may take a pasted paragraph; a name never two lines
        self.on_enter = on_enter
        self.on_escape = on_escape
        self.on_tab = on_tab
        self._early: list[events.Key | events.Paste] = []  # keys for it before it was on screen

    def takes(self, event: events.Key) -> bool:
        key = event.key
        return (
            key in ("enter", *EDITS)
            or (key == "escape" and self.on_escape is not None)
            or (key == "tab" and self.on_tab is not None)
            or (event.is_printable and bool(event.character))
        )

    def take(self, event: events.Key | events.Paste) -> bool:
        """Apply a key (or a paste) now; False for one this line leaves to Textual."""
        if isinstance(event, events.Paste):
            if not self.is_mounted:
                self._early.append(event)
            elif len(event.text.strip().splitlines()) > 1 and not self.joins_lines:
                self.notify("that paste has more than one line: paste one at a time", severity="warning")
            elif text := " ".join(event.text.split()):  # a note: the lines of a paste joined by spaces
                self.insert_text_at_cursor(text)
            return True
        if not self.takes(event):
            return False
        if not self.is_mounted:  # a dialog still being drawn: its keys wait for it, in order
            self._early.append(event)
            return True
        key = event.key
        if key == "enter":
            self.on_enter(self.value)
        elif key == "escape" and self.on_escape is not None:
            self.on_escape()
        elif key == "tab" and self.on_tab is not None:
            self.on_tab()
        elif key in EDITS:
            getattr(self, EDITS[key])()
        else:
            self.insert_text_at_cursor(event.character or "")
        return True

    def on_mount(self) -> None:
        early, self._early = self._early, []
        for n, event in enumerate(early):
            self.take(event)
            if isinstance(event, events.Key) and event.key in ("enter", "escape"):
                for later in early[n + 1 :]:  # typed after the dialog was answered: for the wall
                    self.app.post_message(later)
                return


class WallFocus:
    """A widget of the wall that holds focus so that its own keys are active, and types nothing:
    with it focused the wall's keys run at once, as when nothing has focus."""


async def taken(app: App, event: events.Key | events.Paste) -> bool:
    """Handle a key now, in the order the terminal gave it; False leaves it to Textual."""
    try:
        screen = app.screen
    except ScreenStackError:
        return False
    if isinstance(screen.focused, TypedLine):
        return screen.focused.take(event)
    hook = getattr(screen, "typing_key", None)  # a screen whose line is about to have the keys
    if hook is not None and hook(event):
        return True
    if isinstance(screen.focused, WallFocus | None) and isinstance(event, events.Key):
        # The wall's own keys run now too: one that opens a dialog ("a") has it open before
        # the next key ("Zed...") is looked at, so the name is typed, not run as commands.
        active = screen.active_bindings.get(event.key)
        if active is not None and active.enabled and not active.binding.priority:
            await app.run_action(active.binding.action, active.node)
            return True
    return False
