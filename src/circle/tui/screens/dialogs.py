"""Small modal dialogs that return a value with ``dismiss()``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option

from circle.core.names import name_key
from circle.core.wall_text import wall_text
from circle.tui.widgets.rows_table import RowsTable
from circle.tui.widgets.typed_line import TypedLine


def _shown(text: str) -> Content:
    # Plain text, never markup (a group may be called "[b]ees"), in the width every terminal agrees on.
    return Content(wall_text(text))


class _Dialog(ModalScreen):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def _dock(self, frame: Vertical, title: str, hint: str) -> None:
        """Docked at the bottom, over the note line and the footer, with its title and hint in its
        frame: what the facilitator types on the wall leaves the countdown in sight of the room."""
        self.add_class("-docked")
        frame.border_title = _shown(title)
        frame.border_subtitle = hint

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(_Dialog):
    """Yes or no. Returns True for yes, None or False otherwise."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="yes"),
        Binding("n", "answer(False)", "No", id="no"),
    ]

    def __init__(self, question: str, detail: str = "", *, docked: bool = False):
        super().__init__()
        self.question = question
        self.detail = detail
        self.docked = docked

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as frame:
            if self.docked:  # the question in the frame, the detail and the buttons on one line
                self._dock(frame, self.question, "y yes · n no")
                yield Label(_shown(self.question), classes="dialog-title")
                with Horizontal(classes="dialog-row"):
                    yield Static(_shown(self.detail), classes="dialog-says")
                    yield Button("Yes (y)", id="yes", variant="primary", compact=True)
                    yield Button("No (n)", id="no", compact=True)
                return
            yield Label(_shown(self.question), classes="dialog-title")
            if self.detail:
                yield Static(_shown(self.detail), classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", id="yes", variant="primary")
                yield Button("No (n)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class AskText(_Dialog):
    """One line of text. Returns the text, or None when cancelled.

    Keys typed before the line is on screen are its own, and the key after Enter is the wall's
    (see circle.tui.widgets.typed_line)."""

    def __init__(self, question: str, placeholder: str = "", *, docked: bool = False):
        super().__init__()
        self.question = question
        self.docked = docked
        self.line = TypedLine(placeholder=placeholder, on_enter=self.dismiss, on_escape=self.action_cancel)

    def compose(self) -> ComposeResult:
        hint = "enter to confirm, escape to cancel"
        with Vertical(classes="dialog") as frame:
            if self.docked:
                self._dock(frame, self.question, hint)
            yield Label(_shown(self.question), classes="dialog-title")
            yield self.line
            yield Static(hint, classes="dialog-detail")

    def typing_key(self, event) -> bool:
        return self.line.take(event)


class PickOne(_Dialog):
    """Choose from a list. Returns the chosen option's id, or None."""

    def __init__(self, question: str, choices: list[tuple[str, str]], *, docked: bool = False):
        super().__init__()
        self.question = question
        self.choices = choices
        self.docked = docked

    def compose(self) -> ComposeResult:
        hint = "enter to choose, escape to cancel"
        with Vertical(classes="dialog") as frame:
            if self.docked:
                self._dock(frame, self.question, hint)
            yield Label(_shown(self.question), classes="dialog-title")
            yield OptionList(*[Option(_shown(label), id=key) for key, label in self.choices])
            yield Static(hint, classes="dialog-detail")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class ResumeDialog(_Dialog):
    """Offer to resume a session that was never ended. Returns resume, end or later."""

    BINDINGS = [
        Binding("r", "choose('resume')", "Resume", id="resume"),
        Binding("e", "choose('end')", "End it", id="end-old"),
        Binding("escape,l", "choose('later')", "Later", id="later"),
    ]

    def __init__(self, title: str, detail: str):
        super().__init__()
        self.heading = title
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_shown(self.heading), classes="dialog-title")
            yield Static(_shown(self.detail), classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Resume (r)", id="resume", variant="primary")
                yield Button("End it (e)", id="end")
                yield Button("Later (l)", id="later")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


class HelpDialog(_Dialog):
    """The keys of the screen underneath, with what each does: its own, then those of every screen."""

    BINDINGS = [Binding("escape,question_mark,q", "cancel", "Close", id="close")]

    def __init__(
        self,
        rows: Sequence[tuple[str, str]],
        everywhere: Sequence[tuple[str, str]] = (),
        clock: Callable[[], str] | None = None,
    ):
        """``clock``: the wall's countdown as a line, kept in sight while the list covers the digits."""
        super().__init__()
        self.rows = list(rows)
        self.everywhere = list(everywhere)
        self.clock = clock

    def compose(self) -> ComposeResult:
        # A long list scrolls (up, down) inside the dialog's frame, which stays as it is.
        with VerticalScroll(classes="dialog"):
            yield Label("Keys", classes="dialog-title")
            if self.clock is not None:
                yield Static(classes="dialog-clock")
            yield Static(_keys(self.rows), classes="dialog-keys")
            if self.everywhere:
                yield Label("On every screen", classes="dialog-section")
                yield Static(_keys(self.everywhere), classes="dialog-keys")
            yield Static("escape or ? to close", classes="dialog-detail")

    def on_mount(self) -> None:
        if self.clock is not None:
            self._time()
            self.set_interval(0.25, self._time)

    def _time(self) -> None:
        line = self.clock() if self.clock else ""
        shown = self.query_one(".dialog-clock", Static)
        if str(shown.content) != line:
            shown.update(Content(line))


def _keys(rows: Sequence[tuple[str, str]]) -> Content:
    """Each key in bold before what it does, the descriptions in a column."""
    width = max((len(k) for k, _ in rows), default=4)
    return Content("\n").join(Content.assemble((k.ljust(width), "bold"), "  ", d) for k, d in rows)


class TraceDialog(_Dialog):
    """A total opened into the moments that make it, oldest first, with the running total."""

    BINDINGS = [Binding("escape,enter,q", "cancel", "Close", id="close")]

    def __init__(self, title: str, headers: list[str], rows: list[list[str]], right: tuple[int, ...] = ()):
        super().__init__()
        self.title_text, self.headers, self.rows, self.right = title, headers, rows, right

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog trace"):
            yield Label(_shown(self.title_text), classes="dialog-title")
            yield RowsTable(id="trace-rows")
            yield Static("up/down to scroll · escape to close", classes="dialog-detail")

    def on_mount(self) -> None:
        table = self.query_one(RowsTable)
        table.set_columns(self.headers, right=self.right)
        table.set_rows([[wall_text(cell) for cell in row] for row in self.rows])
        table.focus()
        table.scroll_end(animate=False)  # the latest moments, where the total stands


class PairDialog(_Dialog):
    """Two people and a short label: an offer, an ask, a conflict. Returns (a, b, label) or None."""

    def __init__(
        self,
        title: str,
        first: str,
        second: str,
        people: list[tuple[str, str]],
        label: str = "label",
        *,
        docked: bool = False,
    ):
        super().__init__()
        self.heading = title
        self.first, self.second = first, second
        self.people = people
        self.label = label
        self.docked = docked

    def compose(self) -> ComposeResult:
        options = [(Content(name), pid) for pid, name in self.people]
        hint = "tab to move, enter in the label to save, escape to cancel"
        line = TypedLine(placeholder=self.label, id="label", on_enter=self._entered, on_escape=self.action_cancel)
        with Vertical(classes="dialog") as frame:
            if self.docked:  # in one row: the two people (their questions as prompts), then the label
                self._dock(frame, self.heading, hint)
                with Horizontal(classes="dialog-row"):
                    yield Select(options, id="first", prompt=self.first)
                    yield Select(options, id="second", prompt=self.second)
                    yield line
                return
            yield Label(_shown(self.heading), classes="dialog-title")
            yield Label(self.first)
            yield Select(options, id="first", prompt="choose…")
            yield Label(self.second)
            yield Select(options, id="second", prompt="choose…")
            yield line
            yield Static(hint, classes="dialog-detail")

    def on_mount(self) -> None:
        self.query_one("#first", Select).focus()

    def _entered(self, label: str) -> None:
        first, second = self.query_one("#first", Select).value, self.query_one("#second", Select).value
        if not isinstance(first, str) or not isinstance(second, str):
            self.notify("choose both people first", severity="warning")
            return
        self.dismiss((first, second, label))


class ManyDialog(_Dialog):
    """Several people and a label (co-owners). Returns (ids, label) or None."""

    def __init__(self, title: str, people: list[tuple[str, str]], label: str = "label"):
        super().__init__()
        self.heading = title
        self.people = people
        self.label = label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_shown(self.heading), classes="dialog-title")
            yield SelectionList(*[(self._prompt(name, False), pid) for pid, name in self.people])
            yield TypedLine(placeholder=self.label, id="label", on_enter=self._entered, on_escape=self.action_cancel)
            yield Static("space to tick, tab to the label, enter to save", classes="dialog-detail")

    @staticmethod
    def _prompt(name: str, ticked: bool) -> Content:
        # A tick and a word as well as the box's colour: a projector can wash colours out.
        return Content(("✓ " if ticked else "· ") + wall_text(name) + ("  (ticked)" if ticked else ""))

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        chosen = set(event.selection_list.selected)
        for index, (pid, name) in enumerate(self.people):
            event.selection_list.replace_option_prompt_at_index(index, self._prompt(name, pid in chosen))

    def _entered(self, label: str) -> None:
        self.dismiss((list(self.query_one(SelectionList).selected), label))


class FormDialog(_Dialog):
    """A few labelled lines of text. Returns {field: value} or None."""

    def __init__(self, title: str, fields: list[tuple[str, str]]):
        super().__init__()
        self.heading = title
        self.fields = fields  # (key, label)

    def compose(self) -> ComposeResult:
        # One line a field, so seven fit at 80x24; the form scrolls (to the focused line) on less.
        with VerticalScroll(classes="dialog form", can_focus=False):
            yield Label(_shown(self.heading), classes="dialog-title")
            for key, label in self.fields:
                line = TypedLine(
                    placeholder=label,
                    id=f"field-{key}",
                    classes="form-field",
                    on_enter=self._entered,
                    on_escape=self.action_cancel,
                    on_tab=self._next_field,
                )
                line.compact = True
                yield line
            yield Static("tab to move; enter on the last line saves; escape cancels", classes="dialog-detail")

    def _lines(self) -> list[TypedLine]:
        return list(self.query(".form-field").results(TypedLine))

    def _next_field(self) -> bool:
        """Focus the next line at once (the next key is already for it); False on the last."""
        lines = self._lines()
        at = lines.index(self.focused) if self.focused in lines else -1
        if at + 1 >= len(lines):
            return False
        self.set_focus(lines[at + 1])
        return True

    def _entered(self, _: str) -> None:
        if not self._next_field():
            self.dismiss({key: self.query_one(f"#field-{key}", TypedLine).value for key, _ in self.fields})


class PickPerson(_Dialog):
    """A few letters of a name pick a person (those whose name starts so first). Docked: the room
    still sees the countdown. Returns the person's id, or None."""

    BINDINGS = [Binding("tab,down", "cycle(1)", show=False), Binding("shift+tab,up", "cycle(-1)", show=False)]

    def __init__(self, question: str, people: list[tuple[str, str]]):
        super().__init__()
        self.question = question
        self.people = people
        self.at = 0  # which match enter takes
        self.line = TypedLine(
            placeholder="a few letters of the name", on_enter=self._entered, on_escape=self.action_cancel
        )

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as frame:
            self._dock(frame, self.question, "enter to choose · tab for the next match · escape to cancel")
            with Horizontal(classes="dialog-row"):
                yield self.line
                yield Static(classes="dialog-says", id="matches")

    def on_mount(self) -> None:
        self._show()

    def typing_key(self, event) -> bool:
        return self.line.take(event)

    def matches(self) -> list[tuple[str, str]]:
        typed = name_key(self.line.value.strip())
        first = [p for p in self.people if name_key(p[1]).startswith(typed)]
        return first + [p for p in self.people if typed in name_key(p[1]) and p not in first]

    def on_input_changed(self, event) -> None:
        self.at = 0
        self._show()

    def action_cycle(self, by: int) -> None:
        found = self.matches()
        if found:
            self.at = (self.at + by) % len(found)
            self._show()

    def _show(self) -> None:
        found = self.matches()
        if not found:
            says = Content(f"no one here matches '{self.line.value.strip()}'")
        else:
            names = [wall_text(name) for _, name in found]
            chosen = names[self.at % len(names)]
            others = [n for i, n in enumerate(names) if i != self.at % len(names)][:4]
            says = Content.assemble((chosen, "bold"), *([("  also " + ", ".join(others))] if others else []))
        self.query_one("#matches", Static).update(says)

    def _entered(self, _: str) -> None:
        found = self.matches()
        if found:
            self.dismiss(found[self.at % len(found)][0])
