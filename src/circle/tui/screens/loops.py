"""Two Loops: the community's marker on the drawing, its timeline, activity and next step."""

from __future__ import annotations

from datetime import tzinfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Label, Select, Static

from circle.core.clock import Clock, SystemClock
from circle.core.localtime import moment
from circle.core.wall_text import wall_text
from circle.games import two_loops as loops
from circle.store import Store, StoreError
from circle.tui.remembered import Remembered
from circle.tui.screens.dialogs import AskText, ConfirmDialog, PickOne
from circle.tui.screens.export_dialog import Offer, file_stem, open_export
from circle.tui.widgets.keys_footer import KeysFooter


class LoopsDrawing(Widget):
    """The two curves, drawn to fill whatever room the screen gives them."""

    DEFAULT_CSS = """
    LoopsDrawing { height: 1fr; min-height: 8; color: $secondary; }
    """

    def __init__(self, model: loops.TwoLoops, **kwargs):
        super().__init__(**kwargs)
        self.model = model
        self.marker: str | None = None

    def show(self, marker: str | None) -> None:
        self.marker = marker
        self.refresh()

    def render(self) -> Content:
        width, height = self.content_size
        lines = loops.draw(self.model, width, height, self.marker)
        content = Content("\n".join(line[:width] for line in lines[:height]))
        return content.stylize("bold $warning", *_marker_span(lines, self.marker, width))


def _marker_span(lines: list[str], marker: str | None, width: int) -> tuple[int, int]:
    offset = 0
    for line in lines:
        line = line[:width]
        if marker and "◉" in line:
            start = offset + line.index("◉")
            return start, start + 1
        offset += len(line) + 1
    return 0, 0


class LoopsScreen(Screen[None]):
    CSS_PATH = "loops.tcss"
    BINDINGS = [
        Binding("g", "choose", "Community", id="community"),
        Binding("m", "move", "Move marker", id="move"),
        Binding("e", "evidence", "Evidence", id="evidence"),
        Binding("r", "role", "Role", id="role"),
        Binding("x", "export", "Export md", id="export-loops"),
        Binding("h,escape", "app.go_home", "Home", id="home"),
    ]

    def __init__(
        self, store: Store, tz: tzinfo | None = None, remembered: Remembered | None = None, clock: Clock | None = None
    ):
        super().__init__()
        self.store = store
        self.clock = clock or SystemClock()
        self.tz = tz
        self.remembered = remembered  # where the last export went; None: no exports from here
        self.model = loops.load_loops()
        groups = store.groups()
        preferred = [g for g in groups if g["kind"] == "community"] or groups
        self.community: str | None = preferred[0]["name"] if preferred else None

    def compose(self) -> ComposeResult:
        options = [(Content(wall_text(g["name"])), g["name"]) for g in self.store.groups()]
        with Horizontal(id="loops-top"):
            yield Static(id="loops-title")
            if options:
                yield Select(options, value=self.community, allow_blank=False, id="community")
        yield Static(id="loops-where")
        with Horizontal(id="loops-body"):
            yield LoopsDrawing(self.model, id="drawing")
            with VerticalScroll(id="loops-side"):
                yield Label("Stages", classes="pane-title")
                yield Static(id="legend")
                yield Label("Timeline", classes="pane-title")
                yield Static(id="timeline")
                yield Label("Activity", classes="pane-title")
                yield Static(id="activity")
                yield Label("Roles", classes="pane-title")
                yield Static(id="roles")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.show()

    def on_select_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.community = event.value
            self.show()

    def show(self) -> None:
        if self.community is None:
            self.query_one("#loops-title", Static).update("Two Loops")
            self.query_one("#loops-where", Static).update(
                "No communities yet: save a group (ctrl+g on the home screen) to place it on the loops."
            )
            self.query_one(LoopsDrawing).show(None)
            return
        rep = loops.report(self.model, loops.history(self.store, self.community), tz=self.tz)
        self.query_one("#loops-title", Static).update(Content(rep["title"]))
        where = Content.assemble(("Now: ", "bold"), rep["where"], "\n", ("Next step: ", "bold"), rep["question"])
        self.query_one("#loops-where", Static).update(where)
        self.query_one(LoopsDrawing).show(loops.history(self.store, self.community).stage)
        self.query_one("#legend", Static).update(Content("\n".join(rep["legend"])))
        # Oldest first, as in `circle loops` and its export (every list of moments reads that way).
        self.query_one("#timeline", Static).update(Content("\n".join(rep["timeline"]) or "no moves yet"))
        self.query_one("#activity", Static).update(Content("\n".join(rep["activity"]) or "no sessions for a stage yet"))
        self.query_one("#roles", Static).update(Content("\n".join(rep["roles"]) or "no roles given yet"))

    def _try(self, change) -> None:
        try:
            change()
        except StoreError as exc:
            self.notify(str(exc), severity="error")
            return
        self.show()

    def action_choose(self) -> None:
        if self.community:
            self.query_one("#community", Select).focus()

    def action_move(self) -> None:
        if self.community is None:
            return
        stages = [(s.id, f"{s.title} ({s.loop})") for s in self.model.stages]

        def stage_chosen(stage: str | None) -> None:
            if not stage:
                return
            note = self.model.out_of_order(loops.history(self.store, self.community).stage, stage)
            if note:  # allowed, but asked: a community rarely leaps along its loop
                question = ConfirmDialog("Move out of the loop's order?", f"{note}. Record the move anyway?")
                self.app.push_screen(question, lambda yes: yes and ask_evidence(stage))
            else:
                ask_evidence(stage)

        def ask_evidence(stage: str) -> None:
            ask = AskText(f"What shows that {self.community} is at {self.model.stage(stage).title}?", "evidence")
            self.app.push_screen(ask, lambda evidence: evidence and ask_who(stage, evidence))

        def ask_who(stage: str, evidence: str) -> None:
            ask = AskText("Who decided?", "names, or 'the crew'")
            self.app.push_screen(
                ask,
                lambda by: (
                    by is not None
                    and self._try(lambda: loops.move(self.store, self.model, self.community, stage, evidence, by))
                ),
            )

        self.app.push_screen(PickOne("Move the marker to", stages), stage_chosen)

    def action_evidence(self) -> None:
        if self.community:
            self.app.push_screen(
                AskText("Evidence for where the community stands", "what happened"),
                lambda note: note and self._try(lambda: loops.add_evidence(self.store, self.community, note)),
            )

    def action_role(self) -> None:
        if self.community is None:
            return
        members = [(p.name, p.name) for p in self.store.group_members(self.community)]
        roles = [(r.id, f"{r.name}: {r.summary}") for r in self.model.roles]

        def person_chosen(person: str | None) -> None:
            if person:
                self.app.push_screen(
                    PickOne(f"{person} plays the role of", roles),
                    lambda role: (
                        role
                        and self._try(lambda: loops.assign_role(self.store, self.model, self.community, person, role))
                    ),
                )

        self.app.push_screen(PickOne("Whose role?", members), person_chosen)

    def action_export(self) -> None:
        """Ask for the format, folder and name, then write the community's drawing, timeline and roles."""
        community = self.community
        if community is None or self.remembered is None:
            return
        rep = lambda: loops.report(self.model, loops.history(self.store, community), tz=self.tz)  # noqa: E731
        writers = {"md": lambda: loops.as_markdown(rep()), "text": lambda: loops.as_text(rep())}
        day = moment(self.clock.now(), self.tz).strftime("%Y-%m-%d")
        open_export(self, self.remembered, Offer("Two Loops", writers, file_stem("loops", community, day)))
