"""The agenda runner: a timeline of blocks, the current block's countdown, and keeping time.

It is the live screen with a timeline beside it: rounds inside an agenda run
turn by turn with the same keys, and the whole plan is watched for drift.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Static

from circle.core.durations import format_duration
from circle.core.localtime import moment
from circle.engine.agenda import Proposal, Standing, proposal_for, standing
from circle.protocol.methods import MethodLibrary, load_methods
from circle.protocol.models import BlockStep, PairsStep, RoundStep
from circle.tui.screens.live import LiveScreen
from circle.tui.widgets.roster import Roster

MARKS = {"done": "✓", "now": "▶", "next": "›", "later": "·", "skipped": "–"}
STYLES = {"done": "$success", "now": "bold $primary", "next": "$foreground", "later": "$foreground-muted"}


class AgendaScreen(LiveScreen):
    CSS_PATH = ["live.tcss", "agenda.tcss"]
    # Short words: with the live screen's keys they fill an 80-column footer.
    BINDINGS = [
        Binding("f", "fit", "Replan", id="fit"),
        Binding("m", "market", "Market", id="market"),
    ]

    def __init__(self, *args, methods: MethodLibrary | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.methods = methods or load_methods()
        self.proposal: Proposal | None = None
        self._plan_key: tuple | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Static(id="step-line")
            yield Static(id="plan-status")
            yield Static(id="wall-clock")
        yield Static(id="prompt")
        yield Static(id="script")
        with Horizontal(id="main"):
            with Vertical(id="side"):
                with VerticalScroll(id="timeline-scroll"):
                    yield Static(id="timeline")
                # Beside the plan it changes, not under the countdown, which it used to shrink.
                yield Static(id="proposal")
                yield Roster()
                yield self.game_panel()
            with Vertical(id="stage"):
                yield from self.stage_widgets()
                yield Static(id="block-notes")
        yield from self.bottom_widgets()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "market":
            protocol = self.session.state.protocol
            return protocol is not None and any(s.kind == "open_space" for s in protocol.steps)
        if action == "fit":
            return self.proposal is not None and bool(self.proposal.lengths) and not isinstance(self.focused, Input)
        return super().check_action(action, parameters)

    # -- rendering ---------------------------------------------------------------
    def refresh_view(self) -> None:
        super().refresh_view()
        now = self.now()
        where = standing(self.session.state, now)
        proposal = proposal_for(where)
        key = (
            [(b.status, b.planned, int(b.actual // 60), int(b.expected // 60)) for b in where.blocks],
            where.minutes,
            where.day,
            None if where.projected_end is None else int(where.projected_end // 60),
            proposal,
            self._step_kind(),
        )
        if key == self._plan_key:
            return
        self._plan_key = key
        self.proposal = proposal
        self._paint_plan(where, proposal)
        self.refresh_bindings()

    def _step_kind(self) -> str:
        run = self.session.state.run
        return run.step.kind if run else ""

    def _paint_plan(self, where: Standing, proposal: Proposal | None) -> None:
        lines: list[Content] = []
        now_line = None
        days = len(where.days) > 1
        for b in where.blocks:
            day = where.days[b.day]
            if days and b.day < where.day:  # a day gone by is one line: what it was planned, what it ran
                if b.index == day.first:
                    ran = sum(x.actual for x in where.blocks[day.first : day.end])
                    text = f"✓ {day.title}  {format_duration(day.length)} → {format_duration(ran)}"
                    lines.append(Content.from_markup("[$success]$text[/]", text=text))
                continue
            if days and b.index == day.first:
                heading = f"{day.title} · {format_duration(day.length)}"
                lines.append(Content.from_markup("[b $secondary]$day[/]", day=heading))
            mark = MARKS[b.status]
            length = format_duration(b.planned)
            if b.status in ("done", "skipped"):
                length += f" → {format_duration(b.actual)}"
            elif b.status == "now" and abs(b.expected - b.planned) >= 30:  # + and -, arrivals, departures
                length += f" → {format_duration(b.expected)}"
            markup = f"{mark} $title  [dim]$length[/dim]"
            style = STYLES.get(b.status, "")
            if b.status == "now":
                now_line = len(lines)
            lines.append(
                Content.from_markup(f"[{style}]{markup}[/]" if style else markup, title=b.title, length=length)
            )
        self.query_one("#timeline", Static).update(Content("\n").join(lines))
        if now_line is not None:  # keep the block under way in sight, however long the day
            self.call_after_refresh(self._scroll_timeline, lines[:now_line])
        self.query_one("#plan-status", Static).update(self._standing_text(where))

        state = self.session.state
        step = state.run.step if state.run else None
        notes = []
        if isinstance(step, BlockStep) and step.kind == "method":
            method = self.methods.get(step.method)
            if method is not None:
                notes.append(method.describe())
        if step is not None and step.materials:
            notes.append("materials: " + ", ".join(step.materials))
        block_notes = self.query_one("#block-notes", Static)
        block_notes.update(Content("\n".join(notes)))
        block_notes.display = bool(notes)

        panel = self.query_one("#proposal", Static)
        panel.display = proposal is not None
        if proposal is not None:
            panel.update(Content(self._describe(proposal, where)))
        turns = isinstance(step, RoundStep | PairsStep)
        self.query_one(Roster).display = turns
        self.query_one("#timeline-scroll").display = not turns or self.size.height >= 30

    def _scroll_timeline(self, before: list[Content]) -> None:
        scroll = self.query_one("#timeline-scroll", VerticalScroll)
        width = self.query_one("#timeline", Static).content_region.width or 1
        rows = sum(len(line.wrap(width)) for line in before)
        scroll.scroll_to(y=max(0, rows - 2), animate=False)

    def _standing_text(self, where: Standing) -> Content:
        """Ahead or behind in whole minutes (towards on time), and when the day will end."""
        day = where.today
        named = f"{day.title} · " if len(where.days) > 1 else ""
        if where.projected_end is None:
            return Content(f"{named}not started · {format_duration(day.length)}")
        ends = moment(where.projected_end, self.tz)
        when = ends.strftime("%H:%M" if ends.date() == moment(self.clock.now(), self.tz).date() else "%a %H:%M")
        minutes = where.minutes
        if minutes > 0:
            return Content.from_markup(f"$named[$warning]{minutes} min behind[/] · ends $when", named=named, when=when)
        if minutes < 0:
            return Content.from_markup(f"$named[$success]{-minutes} min ahead[/] · ends $when", named=named, when=when)
        return Content(f"{named}on time · ends {when}")

    def _describe(self, proposal: Proposal, where: Standing) -> str:
        titles = {b.index: (b.title, b.planned) for b in where.blocks}
        changes = ", ".join(
            f"{titles[i][0]} {format_duration(titles[i][1])} → {format_duration(length)}"
            for i, length in sorted(proposal.lengths.items())
        )
        if not proposal.lengths:
            return f"Even at their minimums the blocks ahead cannot win back {format_duration(proposal.shortfall)}."
        text = f"To end on time: {changes}. Press f to accept, or carry on."
        if not proposal.ends_on_time:
            text += f" Still {format_duration(proposal.shortfall)} over: skip a block (k) or end later."
        return text

    # -- commands ------------------------------------------------------------------
    def action_market(self) -> None:
        """Open space runs over the agenda: its timer keeps going underneath."""
        from circle.tui.screens.market import MarketScreen

        self.app.push_screen(MarketScreen(self.session, self.store))

    def action_fit(self) -> None:
        behind = standing(self.session.state, self.clock.now()).behind
        if (
            self.proposal
            and self.proposal.lengths
            and self._do(self.session.adjust_plan, self.proposal.lengths, behind)
        ):
            self.acknowledge("plan rebalanced")
            self._plan_key = None
            self.refresh_view()
