"""The open space marketplace: proposals, interest, the grid, sign-ups, harvest and projects."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from circle.core.wall_text import wall_text
from circle.engine import CommandRejected, RosterError, Session, check_roster
from circle.games.openspace import OpenSpace, grid_text, harvest_text, parse_spaces
from circle.store import Store, StoreError
from circle.tui.screens.dialogs import AskText, FormDialog, PickOne
from circle.tui.widgets.keys_footer import KeysFooter


class MarketScreen(Screen[None]):
    CSS_PATH = "market.tcss"
    # Short words so the footer holds every key at 80 columns; the help (?) says each in full.
    MOVE = Binding.Group("Move", compact=True)  # < > [ ]: one footer entry for the four moves
    BINDINGS = [
        Binding("n", "propose", "New", tooltip="Propose a session", id="propose"),
        Binding(
            "plus,equals_sign", "interest(1)", "♥", tooltip="More interest (a vote)", id="interest-up", key_display="+"
        ),
        Binding("minus", "interest(-1)", "Less interest", id="interest-down", key_display="-", show=False),
        Binding(
            "less_than_sign,comma",
            "move(-1, 0)",
            "Earlier",
            tooltip="Move to the slot before",
            id="earlier",
            key_display="<",
            group=MOVE,
        ),
        Binding(
            "greater_than_sign,full_stop",
            "move(1, 0)",
            "Later",
            tooltip="Move to the slot after",
            id="later",
            key_display=">",
            group=MOVE,
        ),
        Binding(
            "left_square_bracket",
            "move(0, -1)",
            "Space before",
            tooltip="Move to the space before",
            id="space-before",
            key_display="[",
            group=MOVE,
        ),
        Binding(
            "right_square_bracket",
            "move(0, 1)",
            "Space after",
            tooltip="Move to the space after",
            id="space-after",
            key_display="]",
            group=MOVE,
        ),
        Binding("f", "fill", "Fill", tooltip="Fill the grid by interest", id="fill"),
        Binding("s", "sort", "Sort", tooltip="Sort by interest", id="sort"),
        Binding("j", "join", "Join", tooltip="Sign someone up", id="join"),
        Binding("h", "harvest", "Harvest", tooltip="Record what came out of a session", id="harvest"),
        Binding("p", "project", "Project", tooltip="Record a project that leaves the room", id="project"),
        Binding("c", "crew", "Crew", tooltip="Make a project's people a crew", id="crew"),
        Binding("G", "grid", "Grid", tooltip="Set the time slots and spaces", id="grid"),
        # Escape goes back on every screen; the help lists it, the footer has no room for it.
        Binding("escape", "app.pop_screen", "Back", id="back", show=False),
    ]

    def __init__(self, session: Session, store: Store):
        super().__init__()
        self.session = session
        self.store = store
        self.space = OpenSpace(session)
        # The list keeps its order while people vote (walking down it with Down and + stays on the
        # proposal it is on); s sorts it by interest.
        self.order: list[str] = [p.id for p in self.space.market.ranked()]

    def compose(self) -> ComposeResult:
        with Horizontal(id="market-top"):
            yield Static(id="market-title")
            yield Static(id="market-status")
        yield DataTable(id="proposals", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="market-bottom"):
            with Vertical(id="grid-pane"):
                yield Label("Grid", classes="pane-title")
                yield Static(id="grid")
            with Vertical(id="harvest-pane"):
                yield Label("Harvest and projects", classes="pane-title")
                yield Static(id="harvest")
        yield KeysFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#proposals", DataTable)
        table.add_columns("Proposal", "Convenor", "♥", "Where", "In/room")
        self.show()
        self.call_after_refresh(self.show)  # the grid fits itself to its width once laid out

    def on_resize(self) -> None:
        self.call_after_refresh(self.show)

    # -- rendering ---------------------------------------------------------------
    def show(self) -> None:
        market = self.space.market
        state = self.session.state
        step = state.run.step.title if state.run else ""
        self.query_one("#market-title", Static).update(Content(f"Open space · {step}"))
        problem = market.grid_problem()
        summary = f"{len(market.proposals)} proposals · {len(market.slots)} slots × {len(market.spaces)} spaces"
        status = Content.from_markup("[$warning]$text[/]", text=problem) if problem else Content(summary)
        self.query_one("#market-status", Static).update(status)

        table = self.query_one("#proposals", DataTable)
        row = table.cursor_row
        table.clear()
        self.order += [pid for pid in market.proposals if pid not in self.order]  # new ones at the end
        for pid in self.order:
            p = market.proposals[pid]
            where = f"{market.slots[p.slot]} {market.spaces[p.space].name}" if p.placed else "—"
            signed = len(market.attendees(p.id))
            room = f"{signed}/{market.spaces[p.space].capacity}" if p.placed else str(signed)
            table.add_row(
                Text(wall_text(p.title)),
                Text(wall_text(p.convenor)),
                str(p.interest),
                Text(wall_text(where)),
                Text(room, style="bold red" if p.placed and signed > market.spaces[p.space].capacity else ""),
                key=p.id,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        grid = self.query_one("#grid", Static)
        grid.update(Content(grid_text(market, grid.size.width or 60)))
        self.query_one("#harvest", Static).update(Content(harvest_text(market)))

    @property
    def selected(self) -> str | None:
        table = self.query_one("#proposals", DataTable)
        if not table.row_count:
            self.notify("no proposals yet: press n", severity="warning")
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _try(self, change, *args) -> bool:
        try:
            change(*args)
        except (CommandRejected, StoreError, RosterError) as exc:
            self.notify(str(exc), severity="warning", timeout=6)
            return False
        self.show()
        return True

    def _keep_cursor_on(self, proposal_id: str) -> None:
        table = self.query_one("#proposals", DataTable)
        table.move_cursor(row=table.get_row_index(proposal_id))

    # -- commands ------------------------------------------------------------------
    def action_propose(self) -> None:
        def typed(text: str | None) -> None:
            if text is None or not text.strip():
                return
            # The last " / " divides them (a title may hold a slash: "Repair / reuse / Ben").
            split = " / " if " / " in text else "/"
            title, _, convenor = text.rpartition(split) if split in text else (text, "", "")
            self._try(self.space.propose, title, convenor)

        self.app.push_screen(AskText("New proposal", "title / convenor"), typed)

    def action_interest(self, step: int) -> None:
        pid = self.selected
        if pid:
            count = self.space.market.proposals[pid].interest + step
            if self._try(self.space.set_interest, pid, count):
                self._keep_cursor_on(pid)

    def action_sort(self) -> None:
        self.order = [p.id for p in self.space.market.ranked()]
        self.show()
        self.notify("sorted by interest", timeout=2)

    def action_fill(self) -> None:
        try:
            placed = self.space.fill()
        except CommandRejected as exc:
            self.notify(str(exc), severity="warning")
            return
        self.show()
        problem = self.space.market.grid_problem()
        self.notify(f"placed {placed} proposal{'s' if placed != 1 else ''}" + (f"; {problem}" if problem else ""))

    def action_move(self, slots: int, spaces: int) -> None:
        pid = self.selected
        if not pid:
            return
        proposal = self.space.market.proposals[pid]
        if not proposal.placed:
            self.notify("place it first: f fills the grid", severity="warning")
            return
        if self._try(self.space.place, pid, proposal.slot + slots, proposal.space + spaces):
            self._keep_cursor_on(pid)

    def action_join(self) -> None:
        pid = self.selected
        if not pid:
            return
        market = self.space.market
        proposal = market.proposals[pid]
        if not proposal.placed:
            self.notify(f"'{proposal.title}' has no place on the grid yet: f fills it", severity="warning")
            return
        space = market.spaces[proposal.space]
        signed = len(market.attendees(pid))
        where = f"{market.slots[proposal.slot]}, {space.name}, {signed}/{space.capacity}"
        people = [(p.name, p.name) for p in self.session.state.people_present()]

        def joined(person: str | None) -> None:
            if not person or not self._try(self.space.sign_up, person, pid):
                return
            now = self.space.market
            count = len(now.attendees(pid))
            if count > space.capacity:
                self.notify(
                    f"{proposal.title} is over capacity: {count} for {space.capacity} places in {space.name}",
                    severity="warning",
                    timeout=6,
                )

        self.app.push_screen(PickOne(f"Who joins '{proposal.title}' ({where})?", people), joined)

    def action_harvest(self) -> None:
        pid = self.selected
        if pid:
            title = self.space.market.proposals[pid].title
            self.app.push_screen(
                AskText(f"Harvest from '{title}'", "what came out of it"),
                lambda text: text and self._try(self.space.harvest, pid, text),
            )

    def action_project(self) -> None:
        fields = [
            ("name", "project name"),
            ("convenor", "convenor"),
            ("supporters", "supporters, comma separated"),
            ("needed", "what is needed"),
            ("offered", "what is offered"),
            ("next_step", "next step"),
            ("date", "by when (a date)"),
        ]

        def done(values: dict | None) -> None:
            if values:
                values["supporters"] = values["supporters"].split(",")
                self._try(self.space.record_project, *(values[k] for k, _ in fields))

        self.app.push_screen(FormDialog("A project leaves the room", fields), done)

    def action_crew(self) -> None:
        projects = [p for p in self.space.market.projects.values() if p.crew is None]
        if not projects:
            self.notify("no project is waiting to become a crew: p records one", severity="warning")
            return

        def chosen(project_id: str | None) -> None:
            project = self.space.market.projects.get(project_id or "")
            if project is None:
                return
            names = check_roster([project.convenor, *project.supporters])
            self._try(lambda: self.store.create_group(project.name, self.store.people_named(names)))
            if project.name in self.store.group_names():
                self._try(self.space.crewed, project.id, project.name)
                self.notify(f"{project.name} is now a crew of {len(names)}")

        self.app.push_screen(PickOne("Which project becomes a crew?", [(p.id, p.name) for p in projects]), chosen)

    def action_grid(self) -> None:
        def slots_typed(text: str | None) -> None:
            if text and text.strip():
                ask = AskText("Spaces and how many each holds", "Hall 40, Garden 15, Kitchen 8")
                self.app.push_screen(
                    ask, lambda spaces: spaces and self._try(self.space.set_grid, text.split(","), parse_spaces(spaces))
                )

        self.app.push_screen(AskText("Time slots", "10:00, 11:00, 14:00"), slots_typed)
