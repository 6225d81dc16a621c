"""Pilot tests: exporting from the summary, the ledger and Two Loops asks where, then says where."""

from __future__ import annotations

import errno
import json
import os

from circle.core import settings
from tools.gallery import home_ready, ledger_ready
from tools.world import DEMO_PEOPLE, community, crew_history

NAME = "feelz-appreciation-round-2026-11-18.md"  # the session's title and the day it began


def ended(world):
    session = world.session("feelz-appreciation", DEMO_PEOPLE[:3])
    session.start()
    world.clock.advance(75)
    session.note("Caro [b]offered[/b] to host")
    session.next()
    session.end()
    return session


async def summary_dialog(app, pilot, session):
    await pilot.pause()
    app.show_summary(session)
    await pilot.pause()
    await pilot.press("x")
    await pilot.pause()
    return app.screen


def files(folder):
    return sorted(p.name for p in folder.iterdir())


async def test_x_on_summary_asks_where_before_writing_anything(world, tmp_path, monkeypatch):
    """It used to write at once, unasked, into the folder circle was started from."""
    started_in = tmp_path / "started-here"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await summary_dialog(app, pilot, ended(world))
        assert type(dialog).__name__ == "ExportDialog"
        assert files(world.export_dir) == [] and files(started_in) == []


async def test_enter_writes_into_the_remembered_folder_and_says_the_full_path(world, tmp_path, notices):
    notes = tmp_path / "notes"
    notes.mkdir()
    settings.save(world.settings, export_dir=notes)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await summary_dialog(app, pilot, ended(world))
        assert dialog.folder_line.value == str(notes)
        assert dialog.file_line.value == NAME
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
    assert r"Caro \[b\]offered\[/b\] to host" in (notes / NAME).read_text()  # as typed, escaped for Markdown
    assert files(world.export_dir) == []
    assert (f"the notes written to {notes / NAME}", "information") in notices


async def test_a_folder_typed_is_created_when_asked_and_remembered_after_a_restart(world, tmp_path, notices):
    new = tmp_path / "circle notes" / "2026"
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await summary_dialog(app, pilot, ended(world))
        assert dialog.folder_line.value == str(world.export_dir)  # nothing remembered: where circle started
        await pilot.press("tab", "tab")  # from the file name, past the format, to the folder
        assert dialog.focused is dialog.folder_line
        dialog.folder_line.value = ""
        await pilot.press(*str(new), "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"  # no such folder: create it?
        await pilot.press("y")
        await pilot.pause()
    assert files(new) == [NAME]
    assert any(str(new / NAME) in message for message, _ in notices)

    again = world.app()  # the next run starts from the folder chosen
    async with again.run_test(size=(80, 24)) as pilot:
        dialog = await summary_dialog(again, pilot, ended(world))
        assert dialog.folder_line.value == str(new)


async def test_escape_writes_nothing(world):
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await summary_dialog(app, pilot, ended(world))
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
    assert files(world.export_dir) == [] and not world.settings.exists()


async def test_a_file_already_there_is_replaced_only_when_asked(world):
    there = world.export_dir / NAME
    there.write_text("last week's notes")
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await summary_dialog(app, pilot, ended(world))
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is dialog and there.read_text() == "last week's notes"
        assert "type another name" in str(dialog.query_one("#export-problem").content)
        await pilot.press("enter", "y")
        await pilot.pause()
    assert "Caro" in there.read_text()


async def test_the_format_chooses_the_writer_and_the_extension(world):
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await summary_dialog(app, pilot, ended(world))
        await pilot.press("tab")  # from the file name (the last field) round to the format
        assert dialog.focused is dialog.choice
        await pilot.press("right")
        assert dialog.file_line.value == NAME.replace(".md", ".json")
        await pilot.press("enter")
        await pilot.pause()
    exported = json.loads((world.export_dir / NAME.replace(".md", ".json")).read_text())
    assert exported["session"]["title"] == "Feelz: appreciation round"
    assert any(e["kind"] == "note" for e in exported["events"])  # with the raw events, as `circle export` gives


async def test_problems_are_one_line_in_the_dialog_and_nothing_breaks(world, monkeypatch, notices):
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await summary_dialog(app, pilot, ended(world))
        problem = dialog.query_one("#export-problem")

        dialog.file_line.value = "sub/notes.md"
        await pilot.press("enter")
        assert str(problem.content) == "a file name cannot hold /: the folder goes in Folder"

        (world.export_dir / "a-file").write_text("")
        dialog.file_line.value, dialog.folder_line.value = "notes.md", str(world.export_dir / "a-file")
        await pilot.press("enter")
        assert str(problem.content) == f"{world.export_dir / 'a-file'} is a file, not a folder"

        def refused(*args, **kwargs):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

        monkeypatch.setattr("circle.tui.screens.export_dialog.write_text", refused)
        dialog.folder_line.value = str(world.export_dir)
        await pilot.press("enter")
        await pilot.pause()
        assert str(problem.content) == f"cannot write {world.export_dir / 'notes.md'}: Permission denied"
        assert app.screen is dialog and problem.display
    assert not any("Traceback" in message for message, _ in notices)


async def test_markup_typed_in_a_name_is_kept_as_typed(world, notices):
    (world.export_dir / "[b]old").write_text("")
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await summary_dialog(app, pilot, ended(world))
        dialog.folder_line.value = str(world.export_dir / "[b]old")
        await pilot.press("enter")
        problem = dialog.query_one("#export-problem")
        assert str(problem.content) == f"{world.export_dir}/[b]old is a file, not a folder"  # shown, not styled
        dialog.folder_line.value, dialog.file_line.value = str(world.export_dir), ""
        await pilot.press(*"[b]crew[i]", "enter")  # no extension typed: the format's is added
        await pilot.pause()
    assert (world.export_dir / "[b]crew[i].md").exists()
    assert any(message.endswith("[b]crew[i].md") for message, _ in notices)


async def dialog_over(pilot, key: str, ready, world):
    """From home to a screen (by its key), then x: the dialog is up, and nothing is written yet."""
    await home_ready(pilot)
    await pilot.press(key)
    await ready(pilot)
    await pilot.press("x")
    await pilot.pause()
    assert type(pilot.app.screen).__name__ == "ExportDialog" and files(world.export_dir) == []
    return pilot.app.screen


async def test_the_ledger_exports_through_the_dialog(world, notices):
    crew_history(world)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await dialog_over(pilot, "ctrl+l", ledger_ready, world)
        assert list(dialog.offer.writers) == ["md", "csv", "text"] and dialog.fmt == "md"
        name = dialog.file_line.value
        assert name.startswith("ledger-everyone-") and name.endswith(".md")
        await pilot.press("enter")
        await pilot.pause()
        assert "| Ana |" in (world.export_dir / name).read_text()

        await pilot.press("v")  # the csv key: the same dialog, csv chosen
        await pilot.pause()
        assert app.screen.fmt == "csv" and app.screen.file_line.value == name.replace(".md", ".csv")
        await pilot.press("escape")
    assert files(world.export_dir) == [name]
    assert (f"the ledger written to {world.export_dir / name}", "information") in notices


async def test_two_loops_exports_through_the_dialog(world, notices):
    community(world)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await dialog_over(pilot, "ctrl+o", lambda pilot: pilot.pause(), world)
        assert dialog.file_line.value == "loops-riverside-can-2026-11-18.md"
        await pilot.press("tab", "right", "enter")  # text
        await pilot.pause()
    text = (world.export_dir / "loops-riverside-can-2026-11-18.txt").read_text()
    assert text.startswith("Two Loops: Riverside CAN")
    assert any(message.endswith("loops-riverside-can-2026-11-18.txt") for message, _ in notices)


async def test_at_80_by_24_every_field_is_on_screen_and_tab_goes_round_them(world):
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await summary_dialog(app, pilot, ended(world))
        fields = [dialog.choice, dialog.folder_line, dialog.file_line]
        for field in fields:
            region = field.region
            assert region.height == 3 and region.width > 40
            assert app.screen.region.contains_region(region)  # the whole field on the 80x24 screen
        seen = [dialog.focused]
        for _ in range(3):
            await pilot.press("tab")
            seen.append(dialog.focused)
        assert seen == [dialog.file_line, dialog.choice, dialog.folder_line, dialog.file_line]
