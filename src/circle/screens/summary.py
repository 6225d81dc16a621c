"""After the circle: who spoke how long, passes, overtime, planned against actual."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from circle.durations import format_duration
from circle.engine import Session, person_totals
from circle.export import export
from circle.wall_text import wall_text


class SummaryScreen(Screen[None]):
    CSS_PATH = "summary.tcss"
    BINDINGS = [
        Binding("x", "export", "Export notes", id="export"),
        Binding("h,escape", "home", "Home", id="home"),
        Binding("ctrl+q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(self, session: Session, export_dir: Path, tz: tzinfo | None = None):
        super().__init__()
        self.session = session
        self.export_dir = export_dir
        self.tz = tz

    def compose(self) -> ComposeResult:
        state = self.session.state
        assert state.protocol is not None and state.created_at is not None
        end = state.ended_at or state.last_at or state.created_at
        when = datetime.fromtimestamp(state.created_at, self.tz).strftime("%a %d %b %Y, %H:%M")
        yield Static(
            f"[b]{escape(state.protocol.title)}[/b]  ·  {when}  ·  {format_duration(end - state.created_at)}"
            f"  ·  {'ended' if state.ended else 'still running'}",
            id="summary-title",
        )
        with Horizontal(id="tables"):
            with Vertical(id="people-pane"):
                yield Label("Speaking time", classes="pane-title")
                yield DataTable(id="people", cursor_type="row", zebra_stripes=True)
            with Vertical(id="steps-pane"):
                yield Label("Steps: planned and actual", classes="pane-title")
                yield DataTable(id="steps", cursor_type="row")
                yield Label(f"Notes ({len(state.notes)})", classes="pane-title")
                notes = "\n".join(f"· {wall_text(n.text)}" for n in state.notes)
                yield Static(Content(notes) if notes else "[dim]no notes taken[/dim]", id="notes")
        yield Footer()

    def on_mount(self) -> None:
        state = self.session.state
        people = self.query_one("#people", DataTable)
        people.add_columns("Person", "Spoke", "Turns", "Passes", "Over")
        for t in person_totals(state):
            over = format_duration(t.overtime) if t.overtime >= 1 else "—"
            people.add_row(Text(wall_text(t.person.name)), format_duration(t.spoken), str(t.turns), str(t.passes), over)
        steps = self.query_one("#steps", DataTable)
        steps.add_columns("Step", "Planned", "Actual")
        for run in state.runs:
            title = run.step.title + (" (skipped)" if run.skipped else "")
            steps.add_row(Text(title), format_duration(run.planned), format_duration(run.actual))

    def action_export(self) -> None:
        state = self.session.state
        assert state.protocol is not None and state.created_at is not None
        stamp = datetime.fromtimestamp(state.created_at, self.tz).strftime("%Y-%m-%d-%H%M")
        path = self.export_dir / f"circle-{stamp}-{state.protocol.id}.md"
        try:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(export(self.session_events(), "md", self.tz, now=self.app.clock.now()), encoding="utf-8")
        except OSError as exc:
            self.notify(f"could not write {path}: {exc.strerror}", severity="error")
            return
        self.notify(f"notes written to {path}", timeout=8)

    def session_events(self):
        return self.app.store.events(self.session.state.session_id or "")

    def action_home(self) -> None:
        self.app.go_home()
