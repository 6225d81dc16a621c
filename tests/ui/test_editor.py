"""Pilot tests: the protocol editor, driven by keys as a facilitator would."""

from __future__ import annotations

from textual import events

from circle.core.resources import bundled_dir, user_protocols_dir
from circle.protocol.loader import load_protocol
from circle.tui.screens.dialogs import ConfirmDialog, PickOne
from circle.tui.screens.editor import EditorScreen
from tools.gallery import home_ready, wait_for
from tools.shown import screen_lines

ORIGINAL = bundled_dir("protocols") / "cop-spotlight-call.yaml"


async def open_editor(app, pilot, protocol_id: str) -> EditorScreen:
    await home_ready(pilot)
    app.home.choose(protocol_id)
    await pilot.press("ctrl+e")
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen), "the editor")
    return app.screen


async def retype(pilot, selector: str, text: str) -> None:
    """Into a field (as tab would land there; it scrolls into view), its text typed over."""
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()
    await pilot.press("end", *["backspace"] * 20, *text)
    await pilot.pause()


async def test_a_copy_changed_by_keys_saves_a_file_that_loads_as_typed_and_keeps_its_comments(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(app, pilot, "cop-spotlight-call")
        assert "cop-spotlight-call-copy.yaml in your protocols folder" in "\n".join(screen_lines(app))
        await pilot.press("down")  # the first step: the check-in round
        await pilot.pause()
        await retype(pilot, "#f-steps-0-turn Input", "2m")
        await pilot.press("escape")  # back to the list
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PickOne)
        kinds = [option.id for option in app.screen.query_one("OptionList").options]
        await pilot.press(*["down"] * kinds.index("silence"), "enter")
        await pilot.pause()
        assert editor.draft.steps()[1]["kind"] == "silence"
        await pilot.press("left_square_bracket")  # moved first
        await pilot.pause()
        assert [s["kind"] for s in editor.draft.steps()][:2] == ["silence", "round"]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and app.screen.question.startswith("Saved to")
        await pilot.press("n")  # back home, where it is listed
        await pilot.pause(0.3)
        assert app.screen is app.home
        assert app.home.selected_protocol().id == "cop-spotlight-call-copy"
    saved = user_protocols_dir() / "cop-spotlight-call-copy.yaml"
    text = saved.read_text(encoding="utf-8")
    protocol = load_protocol(saved)
    original = load_protocol(ORIGINAL)
    assert [s.kind for s in protocol.steps] == ["silence", *(s.kind for s in original.steps)]
    assert protocol.steps[1].turn == 120 and "turn: 2m" in text
    assert protocol.steps[2:] == original.steps[1:]
    assert text.startswith("# yaml-language-server: $schema=")
    comments = [line.split("#", 1)[1] for line in ORIGINAL.read_text().splitlines() if "#" in line]
    assert comments and all(comment in text for comment in comments)


async def test_a_bad_field_says_the_loaders_words_beside_it_and_nothing_is_saved(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(app, pilot, "feelz-checkin")
        await pilot.press("down", "down")  # the check-in round
        await pilot.pause()
        await retype(pilot, "#f-steps-1-turn Input", "soonish")
        row = editor.query_one("#f-steps-1-turn")
        assert row.has_class("-problem")
        problem = str(row.query_one(".field-problem").content)
        assert "soonish" in problem
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)  # fix it first
        assert not (user_protocols_dir() / "feelz-checkin-copy.yaml").exists()


async def test_leaving_with_changes_asks_first(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(app, pilot, "feelz-checkin")
        await pilot.press("down")
        await pilot.pause()
        await retype(pilot, "#f-steps-0-title Input", "Land")
        await pilot.press("escape", "escape")  # out of the field, then leave
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and app.screen.question == "Save the changes first?"
        await pilot.press("escape")  # stay
        await pilot.pause()
        assert app.screen is editor and editor.draft.steps()[0]["title"] == "Land"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("n")  # leave without saving
        await pilot.pause()
        assert app.screen is app.home
        assert not (user_protocols_dir() / "feelz-checkin-copy.yaml").exists()


async def test_ctrl_w_previews_the_step_on_the_wall_with_sample_names_and_escape_comes_back(app_factory):
    from circle.tui.screens.preview import PreviewScreen

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(app, pilot, "feelz-checkin")
        await pilot.press("down", "down")  # the check-in round
        await pilot.press("ctrl+w")
        await pilot.pause()
        assert isinstance(app.screen, PreviewScreen)
        shown = "\n".join(screen_lines(app))
        assert "Step 2 of 2 · Check-in" in shown and "What is true for you right now?" in shown
        assert "Ana" in shown and "Ben" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is editor


async def test_circle_new_opens_the_editor_on_a_template(world):
    from circle.tui.config import EditRequest

    app = world.app(edit=EditRequest("evening-round", new=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen), "the editor")
        assert app.screen.draft.header()["id"] == "evening-round"
        assert app.screen.draft.problems() == []


def test_circle_new_and_edit_refuse_bad_ids_in_one_line(capsys):
    from circle.cli import main

    assert main(["new", "Bad Id"]) == 1
    assert main(["edit", "no-such-protocol"]) == 1
    assert main(["new", "feelz-checkin"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "circle: 'Bad Id' cannot be a protocol id: use lowercase letters, digits and dashes",
        "circle: no protocol 'no-such-protocol'; see `circle protocols`",
        "circle: there is already a protocol 'feelz-checkin'; `circle edit feelz-checkin` changes it",
    ]


async def test_a_draft_left_by_a_crash_is_offered_next_time_and_saving_it_clears_it(world):
    from circle.protocol.editing import ProtocolDraft

    draft = ProtocolDraft.copy_of(bundled_dir("protocols") / "feelz-checkin.yaml", "my-checkin")
    draft.set_field("steps.1.turn", "2m")
    left = draft.keep_draft()  # and then circle was killed
    app = world.app(check_resume=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the offer of the draft")
        assert app.screen.question == "my-checkin was left unsaved in the editor"
        await pilot.press("y")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, EditorScreen) and editor.draft.steps()[1]["turn"] == "2m"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
    assert load_protocol(user_protocols_dir() / "my-checkin.yaml").steps[1].turn == 120
    assert not left.exists() and ProtocolDraft.drafts() == []


async def test_a_burst_of_keys_in_a_field_all_land(app_factory):
    # Typed fast in a terminal, keys after the first were lost: each change rebuilt the list,
    # which moved the highlight through the header and back and remounted the form under the typing.
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(app, pilot, "feelz-checkin")
        await pilot.press("down", "down")
        await pilot.pause()
        field = editor.query_one("#f-steps-1-turn Input")
        field.focus()
        await pilot.pause()
        # All at once, as a terminal hands a burst over: none waits for the one before to be done.
        for key, char in [("end", None), *[("backspace", None)] * 3, *[(c, c) for c in "soon"]]:
            app.post_message(events.Key(key, char))
        await pilot.pause(0.3)
        assert editor.draft.steps()[1]["turn"] == "soon"
        assert app.focused is field


async def test_a_method_block_picks_its_method_from_the_methods_library(app_factory):
    from textual.widgets import Select

    from circle.protocol.methods import load_methods

    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(app, pilot, "collaboratory-inquiry")
        await pilot.press("down", "down")  # the second block: a method
        await pilot.pause()
        choice = editor.query_one("#f-steps-1-method Select", Select)
        ids = [m.id for m in load_methods().methods]
        assert choice.value == "story-bridging"
        assert editor.query_one("#f-steps-1-method").choices == ids  # what the Select offers
        choice.value = "constellation"
        await pilot.pause()
        assert editor.draft.steps()[1]["method"] == "constellation" and editor.draft.problems() == []
