"""Home: pick a protocol, say who is here, start; or reopen a recent session."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from circle.loader import Library
from circle.protocol import Protocol
from circle.store import SessionRow


def length_text(protocol: Protocol) -> str:
    """Planned length for the smallest and largest group, in whole minutes."""
    low, high = (max(1, round(s / 60)) for s in protocol.length_range())
    return f"{low} min" if low == high else f"{low}-{high} min"


class HomeScreen(Screen[None]):
    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding("ctrl+s", "start", "Start session", id="start-session"),
        Binding("ctrl+n", "names", "Who is here", id="names"),
        Binding("ctrl+g", "app.show_groups", "Groups", id="groups"),
        Binding("ctrl+l", "app.show_ledger", "Ledger", id="ledger"),
        Binding("ctrl+o", "app.show_loops", "Loops", id="loops"),
        Binding("ctrl+q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(self, library: Library, tz: tzinfo | None = None):
        super().__init__()
        self.library = library
        self.tz = tz
        self.group: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("[b]circle[/b]  facilitate a live circle", id="title")
        with Horizontal(id="lists"):
            with Vertical(id="protocol-pane"):
                yield Label("Protocols", classes="pane-title")
                yield DataTable(id="protocols", cursor_type="row", zebra_stripes=True)
                yield Static(id="protocol-summary")
            with Vertical(id="sessions-pane"):
                yield Label("Recent sessions", classes="pane-title")
                yield OptionList(id="sessions")
        with Vertical(id="who"):
            yield Label("Who is here? Names separated by commas, in seating order", classes="pane-title")
            with Horizontal(id="who-row"):
                yield Input(placeholder="Ana, Ben, Caro", id="names")
                yield Select([], prompt="reuse names", id="reuse", allow_blank=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#protocols", DataTable)
        table.add_columns("Title", "Length", "People")
        for protocol in self.library.sorted():
            table.add_row(Text(protocol.title), length_text(protocol), protocol.group_size.describe(), key=protocol.id)
        self.reload()
        table.focus()

    def reload(self) -> None:
        """Refill what comes from the database (after a session, or on return)."""
        store = self.app.store
        sessions = self.query_one("#sessions", OptionList)
        sessions.clear_options()
        rows: list[SessionRow] = store.sessions(limit=12)
        for row in rows:
            when = datetime.fromtimestamp(row.created_at, self.tz).strftime("%d %b %H:%M")
            status = "" if row.ended else " · unfinished"
            sessions.add_option(
                Option(Content.assemble((when, "dim"), " ", row.title, (status, "$warning")), id=row.id)
            )
        if not rows:
            sessions.add_option(Option("no sessions yet", disabled=True))
        options = [(f"group: {name}", f"group:{name}") for name in store.group_names()]
        seen: set[str] = set()
        for row in rows:
            names = ", ".join(store.roster(row.id))
            if names and names not in seen:
                seen.add(names)
                options.append(
                    (f"as on {datetime.fromtimestamp(row.created_at, self.tz):%d %b}: {names}", f"roster:{row.id}")
                )
        self.query_one("#reuse", Select).set_options(options)

    def selected_protocol(self) -> Protocol | None:
        table = self.query_one("#protocols", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.library.protocols.get(key or "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "protocols":
            return
        protocol = self.library.protocols.get(event.row_key.value or "")
        if protocol:
            steps = " → ".join(s.title for s in protocol.steps)
            summary = Content.assemble(protocol.summary, "\n", (steps, "dim"))
            self.query_one("#protocol-summary", Static).update(summary)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.query_one("#names", Input).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_session(event.option.id)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.value is Select.BLANK or not isinstance(event.value, str):
            return
        kind, _, ref = event.value.partition(":")
        store = self.app.store
        # Chosen from a group, the session is the group's: attendance is taken against its members.
        self.group = ref if kind == "group" else None
        names = [p.name for p in store.group_members(ref)] if kind == "group" else store.roster(ref)
        self.query_one("#names", Input).value = ", ".join(names)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_start()

    def action_names(self) -> None:
        self.query_one("#names", Input).focus()

    def action_start(self) -> None:
        protocol = self.selected_protocol()
        if protocol is None:
            self.notify("no protocols are available; add a YAML file", severity="error")
            return
        names = self.query_one("#names", Input).value.split(",")
        self.app.start_session(protocol.id, names, self.group)
