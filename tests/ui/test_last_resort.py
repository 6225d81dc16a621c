"""The last resort: an unforeseen error shows the room one line and where the details are.

Textual's own handler prints a traceback with its locals on exit: on a projector, that showed
the room a note's text (text='base note one').
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from circle.tui.screens.live import LiveScreen


async def test_an_unforeseen_error_shows_one_line_and_writes_the_details(app_factory, monkeypatch, capsys):
    def broken(self) -> None:
        text = "base note one"  # a local the old traceback printed to the room
        raise RuntimeError(f"something unforeseen near {len(text)}")

    monkeypatch.setattr(LiveScreen, "action_next", broken)
    app = app_factory()
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(80, 24)) as pilot:
            app.start_session("feelz-appreciation", ["Ana", "Ben"])
            await pilot.pause()
            await pilot.press("n")
            await pilot.pause()
    assert app.return_code == 1
    shown = " ".join(capsys.readouterr().err.split())  # what is printed once the terminal is back
    assert shown.startswith("circle stopped on an unexpected problem (RuntimeError: something unforeseen near 13)")
    assert "base note one" not in shown and "Traceback" not in shown
    log = Path(shown.rsplit("details in ", 1)[1])
    assert log.parent == Path(os.environ["CIRCLE_HOME"]) / "logs"
    details = log.read_text()
    assert "RuntimeError: something unforeseen near 13" in details and "in broken" in details
    assert "base note one" not in details  # the traceback without its locals


def test_an_unforeseen_error_in_a_command_is_one_line(capsys, monkeypatch, tmp_path):
    import circle.cli

    def broken(args):
        raise IndexError("list index out of range")

    monkeypatch.setitem(circle.cli.COMMANDS, "sessions", broken)
    assert circle.cli.main(["sessions", "--db", str(tmp_path / "c.db")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "IndexError: list index out of range" in err and "Traceback" not in err
