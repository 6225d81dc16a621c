"""Exporting from a screen: the format, the folder and the file name, asked for in one dialog.

The folder is the one last exported to (remembered in the settings), else the folder circle was
started from; after the file is written, a notice names its full path. A missing folder, a file
already there, or a folder that cannot be written each get one line, or a question, in the dialog.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Label, Static

from circle.core.errors import CircleError
from circle.core.files import write_text
from circle.core.wall_text import wall_text
from circle.tui.remembered import Remembered
from circle.tui.screens.dialogs import ConfirmDialog, _Dialog, _shown
from circle.tui.widgets.typed_line import TypedLine

EXTENSIONS = {"text": "txt"}  # a format whose file ends otherwise than in its name


def extension(fmt: str) -> str:
    return EXTENSIONS.get(fmt, fmt)


def file_stem(*parts: str) -> str:
    """A file name from titles and a date: lower case, words joined by hyphens, nothing a file system refuses."""
    words = (re.sub(r"[\W_]+", "-", part.lower()).strip("-") for part in parts)
    return "-".join(word for word in words if word) or "circle"


@dataclass(frozen=True)
class Offer:
    """What a screen can export: ``what`` names it ("the notes"), ``writers`` give each format's
    text (the first is chosen unless ``fmt`` says otherwise), ``stem`` is the name before the extension."""

    what: str
    writers: Mapping[str, Callable[[], str]]
    stem: str
    fmt: str | None = None


def open_export(screen: Screen, remembered: Remembered, offer: Offer) -> None:
    """Ask where; once written, say the full path and remember the folder for the next time."""

    def written(path: Path | None) -> None:
        if path is not None:
            remembered.remember(export_dir=path.parent)
            screen.notify(f"{offer.what} written to {path}", timeout=10)

    screen.app.push_screen(ExportDialog(offer, remembered.export_dir, remembered.start_dir), written)


class FormatChoice(Widget, can_focus=True):
    """The formats in a row, the chosen one marked; left and right choose (enter is the dialog's)."""

    BINDINGS = [
        Binding("left", "step(-1)", "Format", show=False),
        Binding("right,space", "step(1)", "Format", show=False),
    ]

    def __init__(self, formats: list[str], chosen: str, on_change: Callable[[str], None], **kwargs) -> None:
        super().__init__(**kwargs)
        self.formats, self.chosen, self.on_change = formats, chosen, on_change

    def render(self) -> Content:
        # Brackets as well as the colour: a projector can wash colours out.
        parts = [
            Content.styled(f"[{f}]", "bold $accent") if f == self.chosen else Content(f" {f} ") for f in self.formats
        ]
        return Content(" ").join(parts)

    def action_step(self, by: int) -> None:
        at = (self.formats.index(self.chosen) + by) % len(self.formats)
        self.chosen = self.formats[at]
        self.refresh()
        self.on_change(self.chosen)


class ExportDialog(_Dialog):
    """Format, folder and file name; Enter exports, Escape cancels. Returns the path written, or None."""

    CSS_PATH = ["dialogs.tcss", "export_dialog.tcss"]
    BINDINGS = [Binding("enter", "export", "Export", id="export")]

    def __init__(self, offer: Offer, folder: Path, start_dir: Path):
        super().__init__()
        self.offer = offer
        self.start_dir = start_dir  # a relative folder is taken from here
        self.fmt = offer.fmt or next(iter(offer.writers))
        fields = {"on_enter": lambda _: self.action_export(), "on_escape": self.action_cancel, "on_tab": self._tab}
        self.choice = FormatChoice(list(offer.writers), self.fmt, self._format_changed, id="export-format")
        self.folder_line = TypedLine(value=str(folder), id="export-folder", **fields)
        self.file_line = TypedLine(value=f"{offer.stem}.{extension(self.fmt)}", id="export-name", **fields)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog export"):
            yield Label(_shown(f"Export {self.offer.what}"), classes="dialog-title")
            for label, field in (("Format", self.choice), ("Folder", self.folder_line), ("File", self.file_line)):
                with Horizontal(classes="export-row"):
                    yield Label(label, classes="export-label")
                    yield field
            yield Static(id="export-problem")  # shown when there is something to say
            yield Static("enter exports · tab: next field · ←/→ change Format · esc cancels", classes="dialog-detail")

    def on_mount(self) -> None:
        self.file_line.focus()
        self.file_line.action_end()

    def typing_key(self, event) -> bool:
        # Keys typed before the dialog is drawn belong to the file name, which has focus first.
        return not self.file_line.is_mounted and self.file_line.take(event)

    def _tab(self) -> None:
        """Tab from a line: the next field at once (the next key is already for it)."""
        fields: list[Widget] = [self.choice, self.folder_line, self.file_line]
        at = fields.index(self.focused) if self.focused in fields else -1
        self.set_focus(fields[(at + 1) % len(fields)])

    def _format_changed(self, fmt: str) -> None:
        old, new = f".{extension(self.fmt)}", f".{extension(fmt)}"
        self.fmt = fmt
        if self.file_line.value.endswith(old):  # the extension follows the format, unless it was typed otherwise
            self.file_line.value = self.file_line.value[: -len(old)] + new

    def say(self, problem: str) -> None:
        line = self.query_one("#export-problem", Static)
        line.update(Content(wall_text(problem)))
        line.display = bool(problem)

    def action_export(self) -> None:
        path, problem = self._target()
        if path is None:
            self.say(problem)
            return
        folder = path.parent
        if not folder.exists():
            question = ConfirmDialog(f"There is no folder {folder}", "Create it and write the file there?")
            self.app.push_screen(question, lambda yes: self._create(path) if yes else self._refocus(self.folder_line))
        elif not folder.is_dir():
            self.say(f"{folder} is a file, not a folder")
        elif path.is_dir():
            self.say(f"{path} is a folder: type a file name")
        elif path.exists():
            question = ConfirmDialog(f"{path.name} is already in {folder}", "Replace it with this export?")
            self.app.push_screen(question, lambda yes: self._write(path) if yes else self._refocus(self.file_line))
        else:
            self._write(path)

    def _target(self) -> tuple[Path | None, str]:
        """The full path to write, or None and what is wrong with the folder or the name."""
        folder, name = self.folder_line.value.strip(), self.file_line.value.strip()
        if not folder:
            return None, "type a folder to export into"
        if not name or name in (".", ".."):
            return None, "type a file name"
        if "\0" in folder + name:
            return None, "a folder or file name cannot hold a NUL character"
        if any(sep and sep in name for sep in (os.sep, os.altsep)):
            return None, f"a file name cannot hold {os.sep}: the folder goes in Folder"
        if not Path(name).suffix:
            name += f".{extension(self.fmt)}"
        where = Path(folder).expanduser()
        return Path(os.path.abspath(self.start_dir / where)) / name, ""  # abspath: no "..", links kept

    def _refocus(self, field: TypedLine) -> None:
        field.focus()
        self.say("type another folder" if field is self.folder_line else "type another name")

    def _create(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.say(f"cannot create {path.parent}: {exc.strerror or exc}")
            return
        self._write(path)

    def _write(self, path: Path) -> None:
        try:
            write_text(path, self.offer.writers[self.fmt]())
        except OSError as exc:
            self.say(f"cannot write {path}: {exc.strerror or exc}")
            return
        except CircleError as exc:
            self.say(str(exc))
            return
        self.dismiss(path)
