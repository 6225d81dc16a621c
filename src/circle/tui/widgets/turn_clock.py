"""The big countdown: large numerals, a progress bar, and colour by phase."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ProgressBar, Static

from circle.core.durations import format_clock
from circle.tui.widgets.big_clock import BigClock

PHASES = ("ready", "running", "warning", "overtime", "paused", "between", "finished", "ended")


class TurnClock(Vertical):
    """Shows remaining time counting down, then overtime counting up."""

    DEFAULT_CSS = """
    TurnClock {
        height: 1fr;
        width: 1fr;
    }
    TurnClock BigClock {
        color: $success;
    }
    TurnClock #clock-caption {
        width: 1fr;
        text-align: center;
        color: $foreground-muted;
    }
    TurnClock ProgressBar {
        width: 100%;
        padding: 0 4;
        margin-top: 1;
    }
    TurnClock ProgressBar Bar {
        width: 1fr;
    }
    TurnClock.-warning BigClock { color: $warning; }
    TurnClock.-paused BigClock, TurnClock.-ready BigClock { color: $foreground-muted; }
    TurnClock.-overtime BigClock, TurnClock.-over BigClock { color: $error; }
    TurnClock.-warning Bar > .bar--bar { color: $warning; }
    TurnClock.-overtime Bar > .bar--complete { color: $error; }
    TurnClock.-overtime #clock-caption { color: $error; text-style: bold; }
    TurnClock.-paused #clock-caption { color: $warning; text-style: bold; }
    TurnClock.-over #clock-caption { color: $error; text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        yield BigClock()
        yield Static("", id="clock-caption")
        yield ProgressBar(total=1, show_eta=False, show_percentage=False)

    @property
    def text(self) -> str:
        """What the big digits say."""
        return self.query_one(BigClock).text

    def line(self, speaker: str) -> str:
        """The countdown as one line ("Ben · 1:55"), or nothing while it is not shown."""
        if not self.display:
            return ""
        return f"{speaker} · {self.text}" if speaker else self.text

    def show(self, phase: str, seconds: int, allotted: int, elapsed: float, over: bool = False) -> None:
        """``over``: past the turn's time, running or paused; it shows as overtime either way."""
        text = format_clock(seconds)
        over = over or phase == "overtime"
        self.query_one(BigClock).text = f"+{text}" if over else text
        for name in PHASES:
            self.set_class(name == phase, f"-{name}")
        self.set_class(over, "-over")
        caption = {
            "ready": "press space to start",
            "paused": "paused · overtime" if over else "paused",
            "overtime": "overtime",
            "warning": "nearly time",
        }.get(phase, "")
        label = self.query_one("#clock-caption", Static)
        if str(label.content) != caption:
            label.update(caption)
        bar = self.query_one(ProgressBar)
        bar.update(total=max(allotted, 1), progress=min(elapsed, max(allotted, 1)))
