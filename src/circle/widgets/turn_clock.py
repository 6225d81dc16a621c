"""The big countdown: Digits, a progress bar, and colour by phase."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, ProgressBar, Static

from circle.durations import format_clock

PHASES = ("ready", "running", "warning", "overtime", "paused", "between", "finished", "ended")


class TurnClock(Vertical):
    """Shows remaining time counting down, then overtime counting up."""

    DEFAULT_CSS = """
    TurnClock {
        height: auto;
        width: 1fr;
        align: center top;
    }
    TurnClock Digits {
        width: 1fr;
        text-align: center;
        color: $success;
        text-style: bold;
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
    TurnClock.-warning Digits { color: $warning; }
    TurnClock.-overtime Digits { color: $error; }
    TurnClock.-paused Digits, TurnClock.-ready Digits { color: $foreground-muted; }
    TurnClock.-overtime #clock-caption { color: $error; text-style: bold; }
    TurnClock.-paused #clock-caption { color: $warning; text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        yield Digits("0:00")
        yield Static("", id="clock-caption")
        yield ProgressBar(total=1, show_eta=False, show_percentage=False)

    def show(self, phase: str, seconds: int, allotted: int, elapsed: float) -> None:
        text = format_clock(seconds)
        self.query_one(Digits).update(f"+{text}" if phase == "overtime" else text)
        for name in PHASES:
            self.set_class(name == phase, f"-{name}")
        caption = {
            "ready": "press space to start",
            "paused": "paused",
            "overtime": "overtime",
            "warning": "nearly time",
        }.get(phase, "")
        self.query_one("#clock-caption", Static).update(caption)
        bar = self.query_one(ProgressBar)
        bar.update(total=max(allotted, 1), progress=min(elapsed, max(allotted, 1)))
