"""Home: pick a protocol, say who is here, start; or reopen a recent session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Label, Static

from circle.core.localtime import moment
from circle.core.wall_text import wall_text
from circle.tui.host import EditProtocol, OpenSession, StartSession, host

# The heavier widgets (table, lists, inputs, footer) are imported when they are
# mounted, after the first paint; here they are found by id.
if TYPE_CHECKING:
    from textual.widgets import DataTable, Input, OptionList, Select

    from circle.protocol.loader import Library
    from circle.protocol.models import Protocol
    from circle.store import SessionRow

MAX_GROUPS_SHOWN = 4  # home's side pane is small; the ledger has every group


def length_text(protocol: Protocol) -> str:
    """Planned length for the smallest and largest group: minutes, or hours for a long agenda."""
    low, high = (max(1, round(s / 60)) for s in protocol.length_range())

    def part(minutes: int) -> str:
        if minutes < 120:
            return str(minutes)
        hours, rest = divmod(minutes, 60)
        return f"{hours}h{rest:02d}" if rest else f"{hours}h"

    text = part(low) if low == high else f"{part(low)}-{part(high)}"
    return text if high >= 120 else f"{text} min"


class HomeScreen(Screen[None]):
    """The app's default screen, under every other.

    It is painted first as a light frame (titles and a loading line), and the
    protocol table, the recent sessions, the inputs and the footer are mounted
    into it by :meth:`show_library` once the protocols are loaded.
    """

    CSS_PATH = "home.tcss"
    BINDINGS = [
        # Short words: with ctrl+e the footer holds every key at 80 columns (? says each in full).
        Binding("ctrl+s", "start", "Start", id="start-session", tooltip="Start the highlighted protocol"),
        Binding("ctrl+n", "names", "Names", id="names", tooltip="Type who is here"),
        Binding("ctrl+g", "app.show_groups", "Groups", id="groups"),
        Binding("ctrl+l", "app.show_ledger", "Ledger", id="ledger"),
        Binding("ctrl+o", "app.show_loops", "Loops", id="loops"),
        Binding("ctrl+e", "edit", "Edit", id="edit", tooltip="Edit the highlighted protocol (a bundled one as a copy)"),
        Binding("ctrl+q", "app.quit", "Quit", id="quit"),
    ]
    HEADERS = ("Length", "People", "Title")

    def __init__(self) -> None:
        super().__init__()
        self.library: Library | None = None
        self.group: str | None = None
        self.ready = False  # True once the protocol table and the inputs are on the screen

    def compose(self) -> ComposeResult:
        title = "[b]circle[/b]  facilitate a live circle"
        if host(self).store.readonly:  # circle --read-only: another circle may be writing to this database
            title += "  [$warning]· read-only: looking, not changing[/]"
        yield Static(title, id="title")
        with Horizontal(id="lists"):
            with Vertical(id="protocol-pane"):
                yield Label("Protocols", classes="pane-title")
                yield Static("Loading protocols…", id="loading")
            with Vertical(id="sessions-pane"):
                yield Label("Recent sessions", classes="pane-title")
        with Vertical(id="who"):
            yield Label("Who is here? Names separated by commas, in seating order", classes="pane-title")

    async def show_library(self, library: Library) -> None:
        """Mount the protocol table, recent sessions, inputs and footer, and fill them."""
        first = self.library is None
        self.library = library
        if not first:
            if self.ready:
                self._fill_protocols()
            self.reload()
            return
        from textual.widgets import DataTable, Input, OptionList, Select

        from circle.tui.widgets.keys_footer import KeysFooter

        with self.app.batch_update():  # one repaint for the lot, not one per mount
            await self.query_one("#loading").remove()
            await self.query_one("#protocol-pane").mount(
                DataTable(id="protocols", cursor_type="row", zebra_stripes=True), Static(id="protocol-summary")
            )
            await self.query_one("#sessions-pane").mount(
                OptionList(id="sessions"), Label("Group meetings", classes="pane-title"), Static(id="rhythm")
            )
            await self.query_one("#who").mount(
                Horizontal(
                    Input(placeholder="Ana, Ben, Caro", id="names"),
                    Select([], prompt="reuse names", id="reuse", allow_blank=True),
                    id="who-row",
                )
            )
            await self.mount(KeysFooter())
        table: DataTable = self.query_one("#protocols")
        self.ready = True
        self._fill_protocols()
        self.reload()
        table.focus()
        # The titles wrap to the width the table is given, known once it is laid out.
        self.call_after_refresh(self._fill_protocols)

    def on_resize(self) -> None:
        if self.ready:
            self.call_after_refresh(self._fill_protocols)

    def _fill_protocols(self) -> None:
        """The protocol rows, each title whole: it wraps onto more lines when the table is narrow."""
        from rich.cells import cell_len
        from rich.text import Text

        table: DataTable = self.query_one("#protocols")
        chosen = self.selected_protocol()
        protocols = self.library.sorted()
        rows = [(length_text(p), p.group_size.describe(), p.title) for p in protocols]
        # Every column is its widest cell and a cell of padding either side; the title has the rest.
        widths = [max(cell_len(text) for text in column) for column in zip(self.HEADERS, *rows, strict=True)]
        room = table.size.width - table.styles.scrollbar_size_vertical - sum(widths[:2]) - 6
        title_width = max(12, room) if table.size.width else None
        table.clear(columns=True)
        for header, width in zip(self.HEADERS, [*widths[:2], title_width], strict=True):
            table.add_column(header, width=width, key=header)
        for protocol, (length, people, title) in zip(protocols, rows, strict=True):
            table.add_row(length, people, Text(title), key=protocol.id, height=None)
        if chosen is not None and chosen.id in self.library.protocols:
            table.move_cursor(row=table.get_row_index(chosen.id), scroll=True)

    def reload(self) -> None:
        """Refill what comes from the database (after a session, or on return)."""
        if not self.ready:
            return
        store, tz = host(self).store, host(self).tz
        from textual.widgets.option_list import Option

        sessions: OptionList = self.query_one("#sessions")
        sessions.clear_options()
        rows: list[SessionRow] = store.sessions(limit=12)
        for row in rows:
            when = moment(row.created_at, tz).strftime("%d %b %H:%M")
            status = " · damaged" if row.damaged else "" if row.ended else " · unfinished"
            sessions.add_option(
                Option(Content.assemble((when, "dim"), " ", row.title, (status, "$warning")), id=row.id)
            )
        if not rows:
            sessions.add_option(Option("no sessions yet", disabled=True))
        self.query_one("#rhythm", Static).update(self._rhythm_text())
        # Names as typed are shown as text, never markup (a Select's labels are parsed otherwise).
        options = [(Content(wall_text(f"group: {name}")), f"group:{name}") for name in store.group_names()]
        seen: set[str] = set()
        for row in rows:
            names = ", ".join(store.roster(row.id))
            if names and names not in seen:
                seen.add(names)
                label = wall_text(f"as on {moment(row.created_at, tz):%d %b}: {names}")
                options.append((Content(label), f"roster:{row.id}"))
        reuse: Select = self.query_one("#reuse")
        reuse.set_options(options)

    def _rhythm_text(self) -> Content:
        """Each saved group's monthly meeting: when it last met, whether this month's is to come."""
        from circle.games.reciprocity.ledger import compute
        from circle.store import StoreError

        app = host(self)
        groups = app.store.groups()
        if not groups:
            return Content("no saved groups yet (ctrl+g)")
        try:
            ledger = compute(app.store, app.rules, app.tz, meetings_only=True)
        except StoreError as exc:  # the rest of home still works; this line says why the rhythm is missing
            return Content(f"meetings unreadable: {exc}")
        now, tz = app.clock.now(), app.tz
        lines = [
            Content.assemble((wall_text(g["name"]), "bold"), ": ", ledger.rhythm(g["id"], now, tz).line(tz, brief=True))
            for g in groups[:MAX_GROUPS_SHOWN]
        ]
        if len(groups) > MAX_GROUPS_SHOWN:
            lines.append(Content(f"and {len(groups) - MAX_GROUPS_SHOWN} more on the ledger (ctrl+l)"))
        return Content("\n").join(lines)

    def selected_protocol(self) -> Protocol | None:
        if not self.ready:
            return None
        table: DataTable = self.query_one("#protocols")
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
            self._keep_in_view()

    def _keep_in_view(self) -> None:
        """Once the layout settles, scroll the chosen protocol back into view: a longer description,
        or a taller names row, leaves the table fewer lines."""
        table: DataTable = self.query_one("#protocols")
        self.call_after_refresh(table.move_cursor, row=table.cursor_row, scroll=True)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.query_one("#names").focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(OpenSession(event.option.id))

    def on_select_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str):  # the blank choice
            return
        kind, _, ref = event.value.partition(":")
        store = host(self).store
        # Chosen from a group, the session is the group's: attendance is taken against its members.
        self.group = ref if kind == "group" else None
        names = [p.name for p in store.group_members(ref)] if kind == "group" else store.roster(ref)
        names_input: Input = self.query_one("#names")
        names_input.value = ", ".join(names)
        self._keep_in_view()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_start()

    def action_edit(self) -> None:
        """The highlighted protocol in the editor (a bundled one as a copy in your own folder)."""
        protocol = self.selected_protocol() if self.ready else None
        if protocol is None:
            self.notify("still loading the protocols; a moment", severity="warning")
            return
        self.post_message(EditProtocol(protocol.id))

    def choose(self, protocol_id: str, names: bool = False) -> None:
        """Highlight a protocol (one just saved); ``names``: then to the names, to run it."""
        if not self.ready:
            return
        from textual.widgets import DataTable
        from textual.widgets.data_table import RowDoesNotExist

        table = self.query_one("#protocols", DataTable)
        try:
            table.move_cursor(row=table.get_row_index(protocol_id), scroll=True)
        except RowDoesNotExist:  # not listed (its file has a problem): the list's notice says so
            return
        if names:
            self.action_names()

    def action_names(self) -> None:
        if self.ready:
            self.query_one("#names").focus()

    def action_start(self) -> None:
        if not self.ready:
            self.notify("still loading the protocols; a moment", severity="warning")
            return
        protocol = self.selected_protocol()
        if protocol is None:
            self.notify("no protocols are available; add a YAML file", severity="error")
            return
        names_input: Input = self.query_one("#names")
        names = names_input.value.split(",")
        self.post_message(StartSession(protocol.id, names, self.group))
