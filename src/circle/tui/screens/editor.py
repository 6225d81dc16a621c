"""Design a circle without writing YAML: a protocol's header and its steps, each field checked as
it is typed by the loader's own rules (circle.protocol.editing holds the document; this screen
only shows it and passes on what is typed)."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from circle.core.durations import format_duration
from circle.core.errors import CircleError
from circle.core.resources import user_protocols_dir
from circle.core.wall_text import wall_text
from circle.protocol.editing import FieldProblem, ProtocolDraft
from circle.protocol.models import STEP_KINDS, STEP_MODELS, Protocol
from circle.tui.screens.dialogs import ConfirmDialog, PickOne
from circle.tui.widgets.keys_footer import KeysFooter
from circle.tui.widgets.typed_line import TypedLine

HEADER = "header"  # the list's first entry: the protocol's own fields
# The header's fields, in the order a facilitator thinks of them (steps are the list).
HEADER_FIELDS = (
    "id",
    "title",
    "summary",
    "family",
    "group_size.min",
    "group_size.max",
    "tags",
    "layout",
    "length",
    "reciprocity_level",
    "two_loops_stage",
    "crew_meeting",
    "source",
)
SAMPLE_PEOPLE = 8  # the room the total length is given for
LONG = {"summary", "prompt", "script", "source"}  # a paragraph: typed on its line, shown whole under it
MOVE = Binding.Group("Move")


def _choices(annotation: Any) -> list[str] | None:
    """The values a field may take, when it is one of a few (a Literal, or yes/no); else None."""
    if annotation is bool:
        return ["yes", "no"]
    origin = get_origin(annotation)
    if origin is Literal:
        return [str(a) for a in get_args(annotation)]
    if origin in (typing.Union, types.UnionType) or origin is typing.Annotated:
        for arg in get_args(annotation):
            found = _choices(arg)
            if found:
                return found
    return None


def _field(model: type, name: str) -> tuple[Any, str]:
    """A field's annotation and its help text, for a dotted header name or a step's own."""
    if "." in name:
        outer, inner = name.split(".", 1)
        sub = model.model_fields[outer].annotation
        return sub.model_fields[inner].annotation, sub.model_fields[inner].description or ""
    info = model.model_fields[name]
    return info.annotation, info.description or ""


def _shown(value: object) -> str:
    """A value as the facilitator typed it (or would): lists with commas, booleans as yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


COMMON = ("title", "prompt")  # first in every step; its own fields next, then these:
LAST = ("warn_at", "script")
AGENDA_ONLY = ("fixed", "min", "materials")  # a block of an agenda's; `day` is edited in the file


def step_fields(model: type, agenda: bool) -> list[str]:
    """A step's fields in the order a facilitator fills them: what it says, how it runs, the rest."""
    names = [n for n in model.model_fields if n != "kind" and n != "day"]
    own = [n for n in names if n not in (*COMMON, *LAST, *AGENDA_ONLY)]
    return [*COMMON, *own, *LAST, *(AGENDA_ONLY if agenda else ())]


def _method_ids() -> list[str]:
    """A method block's choices: the ids of data/methods.yaml (the Inquiry's methods)."""
    from circle.protocol.methods import load_methods

    try:
        return [m.id for m in load_methods().methods]
    except CircleError:  # the file has a problem (circle validate says which): typed by hand then
        return []


def shown_path(path: Path | None) -> str:
    """Where it is saved, briefly: a file of the user's protocols folder by its name."""
    if path is None:
        return "not saved yet"
    if path.parent == user_protocols_dir():
        return f"{path.name} in your protocols folder"
    return str(path)


def step_line(index: int, step: dict[str, object]) -> str:
    """A step in the list: its number, kind, title and length as typed."""
    kind = str(step.get("kind", "?"))
    length = step.get("turn") or step.get("duration") or ""
    each = " each" if "turn" in step and kind in ("round", "pairs") else ""
    return f"{index + 1}. {step.get('title') or '(no title)'} · {kind}" + (f" · {length}{each}" if length else "")


class FieldRow(Vertical):
    """One field: its name, where to type it (or choose), and the loader's word on it."""

    DEFAULT_CSS = """
    FieldRow { height: auto; }
    FieldRow Horizontal { height: auto; }
    FieldRow .field-name { width: 18; color: $foreground-muted; }
    FieldRow Input, FieldRow Select { width: 1fr; }
    FieldRow .field-whole { color: $foreground-muted; padding-left: 18; }
    FieldRow .field-problem { color: $error; display: none; padding-left: 18; }
    FieldRow.-problem .field-problem { display: block; }
    FieldRow.-problem .field-name { color: $error; text-style: bold; }
    """

    def __init__(self, where: str, label: str, value: str, choices: list[str] | None, hint: str):
        super().__init__(id="f-" + where.replace(".", "-").replace("_", "-"))
        self.where, self.label, self.value, self.choices, self.hint = where, label, value, choices, hint

    def compose(self) -> ComposeResult:
        # One line a field (label, then where to type), so a step's fields fit 80x24.
        with Horizontal():
            yield Label(self.label, classes="field-name")
            if self.choices is not None:
                options = [(Content(c), c) for c in self.choices]
                value = self.value if self.value in self.choices else Select.NULL
                yield Select(options, value=value, allow_blank=True, prompt="(not set)", compact=True)
            else:
                # A TypedLine takes keys in the order pressed: a burst (end, backspace, letters) from a
                # terminal otherwise ran the letters before the editing keys.
                line = TypedLine(
                    value=self.value, placeholder=self.hint[:60], on_enter=self._next, on_escape=self._back
                )
                line.compact = True
                yield line
        if self.where.rsplit(".", 1)[-1] in LONG:  # the whole text, wrapped, under its line
            yield Static(Content(self.value), classes="field-whole")
        yield Static(classes="field-problem")

    def _next(self, _: str) -> None:
        self.screen.focus_next()  # enter: on to the next field, as tab

    def _back(self) -> None:
        # escape: back to the list, at once (set_focus), so the very next key is the list's
        self.screen.set_focus(self.screen.query_one("#parts"))

    def say(self, problem: str) -> None:
        self.set_class(bool(problem), "-problem")
        self.query_one(".field-problem", Static).update(Content(problem))


class EditorScreen(Screen[None]):
    """A protocol being made or changed: the list of its parts on the left, the chosen part's fields."""

    CSS_PATH = "editor.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save"),
        Binding("ctrl+w", "preview", "Preview", id="preview"),
        Binding("a", "add_step", "Add", id="add-step"),
        Binding("d", "duplicate_step", "Copy", id="duplicate-step"),
        Binding("delete,x", "remove_step", "Remove", id="remove-step", key_display="x"),
        Binding("left_square_bracket", "move_step(-1)", "Move up", id="step-up", key_display="[", group=MOVE),
        Binding("right_square_bracket", "move_step(1)", "Move down", id="step-down", key_display="]", group=MOVE),
        Binding("k", "change_kind", "Change kind", id="step-kind", show=False),
        Binding("escape", "leave", "Back", id="leave"),
    ]
    LIST_KEYS = {"add_step", "duplicate_step", "remove_step", "move_step", "change_kind"}

    def __init__(self, draft: ProtocolDraft, done: Callable[[ProtocolDraft | None, bool], None]):
        """``done(draft, run)``: called on leaving, with the draft saved (or None) and whether to run it."""
        super().__init__()
        self.draft = draft
        self.done = done
        self.part = HEADER  # what the form shows: the header, or a step's index as text
        self.baseline = draft.text()  # as opened or last saved: a copy not yet changed needs no asking

    def compose(self) -> ComposeResult:
        yield Static(id="editor-title")
        with Horizontal(id="editor-main"):
            with Vertical(id="parts-pane"):
                yield OptionList(id="parts")
                yield Static(id="totals")
            yield VerticalScroll(id="form")
        yield KeysFooter(show_command_palette=False)

    async def on_mount(self) -> None:
        self._list()
        await self._form()
        self.query_one("#parts", OptionList).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Single letters are the list's: in a field they are what is typed.
        if action in self.LIST_KEYS:
            return isinstance(self.focused, OptionList) and (action == "add_step" or self.part != HEADER)
        return True

    # -- showing -------------------------------------------------------------------------------
    @property
    def changed(self) -> bool:
        return self.draft.text() != self.baseline

    def _problems(self) -> list[FieldProblem]:
        return self.draft.problems()

    def _list(self) -> None:
        parts = self.query_one("#parts", OptionList)
        header = self.draft.header()
        problems = self._problems()
        wrong = {p.where.split(".")[1] for p in problems if p.where.startswith("steps.") and p.where.count(".") >= 1}
        options = [Option(Content(f"Protocol: {wall_text(str(header.get('title') or '(no title)'))}"), id=HEADER)]
        for i, step in enumerate(self.draft.steps()):
            mark = " !" if str(i) in wrong else ""
            options.append(Option(Content(wall_text(step_line(i, step)) + mark), id=str(i)))
        if [o.id for o in parts.options] == [o.id for o in options]:
            # The same parts: only their words change. Setting the options anew would move the
            # highlight through the header and back, and remount the form under the typing.
            for option in options:
                parts.replace_option_prompt(option.id, option.prompt)
        else:
            parts.set_options(options)
            at = 0 if self.part == HEADER else int(self.part) + 1
            parts.highlighted = min(at, len(options) - 1)
        self._titles(problems)

    def _titles(self, problems: list[FieldProblem]) -> None:
        header = self.draft.header()
        where = shown_path(self.draft.path)
        mark = " · changed" if self.changed else ""
        title = f"{wall_text(str(header.get('title') or header.get('id') or 'new protocol'))} · {where}{mark}"
        self.query_one("#editor-title", Static).update(Content(title))
        lines = [f"about {format_duration(self.draft.total_seconds(SAMPLE_PEOPLE))} for {SAMPLE_PEOPLE} people"]
        for day, needed, available in self.draft.day_fit():
            fits = "fits" if needed <= available else "does not fit"
            lines.append(f"{day}: needs {format_duration(needed)} of {format_duration(available)}, {fits}")
        here = [p for p in problems if not p.where or p.where == "steps"]
        count = len(problems)
        lines.append("all checks pass" if not count else f"{count} problem{'s' if count > 1 else ''} to fix")
        lines += [p.message for p in here]
        totals = self.query_one("#totals", Static)
        totals.update(Content("\n".join(lines)))
        totals.set_class(bool(count), "-problems")

    async def _form(self) -> None:
        form = self.query_one("#form", VerticalScroll)
        await form.remove_children()
        rows = []
        if self.part == HEADER:
            values = self.draft.header()
            for name in HEADER_FIELDS:
                annotation, hint = _field(Protocol, name)
                value = values.get(name.split(".")[0])
                if "." in name and isinstance(value, dict):
                    value = value.get(name.split(".")[1])
                rows.append(FieldRow(name, name.replace("_", " "), _shown(value), _choices(annotation), hint))
        else:
            index = int(self.part)
            step = self.draft.steps()[index]
            model = STEP_MODELS.get(str(step.get("kind")), STEP_MODELS["open"])
            agenda = self.draft.header().get("layout") == "agenda"
            for name in step_fields(model, agenda):
                annotation, hint = _field(model, name)
                where = f"steps.{index}.{name}"
                choices = (_method_ids() or None) if name == "method" else _choices(annotation)
                rows.append(FieldRow(where, name.replace("_", " "), _shown(step.get(name)), choices, hint))
            form.border_title = f"Step {index + 1}: {step.get('kind')}"
        if self.part == HEADER:
            form.border_title = "The protocol"
        await form.mount_all(rows)
        self._say(self._problems())

    def _say(self, problems: list[FieldProblem]) -> None:
        """Each field's problem beside it (the loader's words), and a step's own under its first field."""
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            by_field.setdefault(problem.where, []).append(problem.message)
        rows = list(self.query(FieldRow))
        for row in rows:
            row.say("; ".join(by_field.pop(row.where, [])))
        prefix = "" if self.part == HEADER else f"steps.{self.part}"
        rest = [m for where, ms in by_field.items() if where == prefix or where.startswith(prefix + ".") for m in ms]
        if rest and rows and self.part != HEADER:
            rows[0].say("; ".join(rest))

    # -- typing --------------------------------------------------------------------------------
    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        row = next((a for a in event.input.ancestors if isinstance(a, FieldRow)), None)
        if row is not None:
            for whole in row.query(".field-whole").results(Static):
                whole.update(Content(event.value))
            self._set(row.where, event.value)

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        row = next((a for a in event.select.ancestors if isinstance(a, FieldRow)), None)
        if row is not None:
            self._set(row.where, "" if event.value is Select.NULL else str(event.value))

    def _value(self, where: str) -> object:
        """A field's value in the draft now (None when it is not set)."""
        parts = where.split(".")
        if parts[0] == "steps":
            node: object = self.draft.steps()[int(parts[1])]
            parts = parts[2:]
        else:
            node = self.draft.header()
        for part in parts:
            node = node.get(part) if isinstance(node, dict) else None
        return node

    def _set(self, where: str, text: str) -> None:
        if _shown(self._value(where)).strip() == text.strip():  # a field filled in as it was shown
            return
        try:
            self.draft.set_field(where, text)
        except CircleError as exc:
            self.notify(str(exc), severity="warning")
            return
        self._changed()

    def _changed(self) -> None:
        try:
            self.draft.keep_draft()  # a crash keeps what was typed, offered next time
        except (CircleError, OSError) as exc:
            self.notify(f"the draft could not be kept: {exc}", severity="warning")
        problems = self._problems()
        self._say(problems)
        self._list()

    @on(OptionList.OptionHighlighted, "#parts")
    async def _picked(self, event: OptionList.OptionHighlighted) -> None:
        part = event.option.id or HEADER
        if part != self.part:
            self.part = part
            await self._form()
            self.refresh_bindings()

    @on(OptionList.OptionSelected, "#parts")
    def _into_form(self, event: OptionList.OptionSelected) -> None:
        """Enter on a part: to its first field (tab and shift+tab move on; escape comes back)."""
        fields = [w for w in self.query("#form Input, #form Select") if w.focusable]
        if fields:
            fields[0].focus()

    # -- the list's keys -----------------------------------------------------------------------
    async def _to(self, index: int | None) -> None:
        """After a change to the list of steps: to ``index`` (None: the header), highlighted."""
        self.part = HEADER if index is None else str(index)
        self._changed()
        self.query_one("#parts", OptionList).highlighted = 0 if index is None else index + 1
        await self._form()

    def action_add_step(self) -> None:
        async def chosen(kind: str | None) -> None:
            if kind:
                at = None if self.part == HEADER else int(self.part) + 1
                await self._to(self.draft.add_step(kind, at))

        self.app.push_screen(PickOne("Add a step of which kind?", [(k, k) for k in STEP_KINDS], docked=True), chosen)

    async def action_duplicate_step(self) -> None:
        await self._to(self.draft.duplicate_step(int(self.part)))

    async def action_remove_step(self) -> None:
        index = int(self.part)
        if len(self.draft.steps()) == 1:
            self.notify("a protocol needs at least one step", severity="warning")
            return
        self.draft.remove_step(index)
        await self._to(max(0, index - 1))

    async def action_move_step(self, by: int) -> None:
        try:
            await self._to(self.draft.move_step(int(self.part), by))
        except CircleError as exc:
            self.notify(str(exc), severity="warning")

    def action_change_kind(self) -> None:
        async def chosen(kind: str | None) -> None:
            if kind:
                self.draft.set_kind(int(self.part), kind)
                await self._to(int(self.part))

        self.app.push_screen(PickOne("Change it to which kind?", [(k, k) for k in STEP_KINDS], docked=True), chosen)

    # -- saving, previewing and leaving --------------------------------------------------------
    def action_save(self, then_leave: bool = False) -> None:
        problems = self._problems()
        if problems:
            self.notify(f"fix {len(problems)} problem(s) first: {problems[0].message}", severity="warning")
            return

        def save() -> None:
            try:
                path = self.draft.save()
            except (CircleError, OSError) as exc:
                self.notify(f"not saved: {exc}", severity="error")
                return
            self.draft.drop_draft()
            self.baseline = self.draft.text()
            self._list()

            def run(yes: bool | None) -> None:
                if yes is not None or then_leave:
                    self.done(self.draft, bool(yes))

            self.app.push_screen(
                ConfirmDialog(f"Saved to {path}", "Run it now? (n: back home, where it is listed)"), run
            )

        if self.draft.changed_on_disk():

            def replace(yes: bool | None) -> None:
                if yes:
                    save()

            detail = "Someone changed it since it was opened here. Write this version over it?"
            self.app.push_screen(ConfirmDialog(f"{self.draft.path} changed on disk", detail), replace)
            return
        save()

    def action_leave(self) -> None:
        if not isinstance(self.focused, OptionList):  # escape in a field: back to the list first
            self.set_focus(self.query_one("#parts", OptionList))
            return
        if not self.changed:
            self.draft.drop_draft()
            self.done(None, False)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.action_save(then_leave=True)
            elif yes is False:
                self.draft.drop_draft()
                self.done(None, False)

        detail = "y saves it, n leaves without saving (the changes are lost), escape stays here"
        self.app.push_screen(ConfirmDialog("Save the changes first?", detail), answer)

    def action_preview(self) -> None:
        from circle.tui.screens.preview import preview

        protocol = self.draft.protocol()
        if protocol is None:
            self.notify("fix the problems first: the preview runs the protocol as it would be run", severity="warning")
            return
        preview(self, protocol, 0 if self.part == HEADER else int(self.part))
