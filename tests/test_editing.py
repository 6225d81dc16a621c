"""Editing a protocol as the editor screen does: field by field, with the loader's own words for
every problem, comments and key order kept, and a file that loads to the protocol that was edited."""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circle.cli import main
from circle.core.resources import bundled_dir, user_dir, user_protocols_dir
from circle.protocol.editing import SCHEMA_LINE, EditError, FieldProblem, ProtocolDraft
from circle.protocol.loader import LoadError, load_protocol
from circle.protocol.models import (
    STEP_KINDS,
    GroupsStep,
    OpenStep,
    PairsStep,
    Protocol,
    RoundStep,
    SilenceStep,
    planned_step_seconds,
)

BUNDLED = sorted(bundled_dir("protocols").glob("*.yaml"))
WITH_ROUNDS = [p for p in BUNDLED if any(isinstance(s, RoundStep) for s in load_protocol(p).steps)]


def validate_messages(capsys, path: Path) -> list[str]:
    """What `circle validate` prints for a file, each line without its path:line:col."""
    main(["validate", str(path)])
    out = capsys.readouterr().out
    return [re.sub(rf"^{re.escape(str(path))}:\d+:\d+: ", "", line) for line in out.splitlines()]


def comment_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if "#" in line and line.strip().startswith("#")] + [
        line.split("  #", 1)[1] for line in text.splitlines() if "  #" in line
    ]


# -- round-tripping


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_a_bundled_protocol_opens_to_its_own_text(path):
    draft = ProtocolDraft.open(path)
    assert draft.text() == path.read_text(encoding="utf-8")
    assert draft.problems() == []
    assert draft.protocol() == load_protocol(path)
    assert not draft.dirty
    assert draft.path == draft.origin == path


@pytest.mark.parametrize("path", WITH_ROUNDS, ids=lambda p: p.stem)
def test_an_edited_copy_saves_to_the_protocol_that_was_edited(path, tmp_path):
    original = load_protocol(path)
    draft = ProtocolDraft.copy_of(path, "my-copy")
    assert draft.origin == path and draft.path == user_protocols_dir() / "my-copy.yaml"
    assert draft.dirty  # not saved anywhere yet
    first_round = next(i for i, s in enumerate(original.steps) if isinstance(s, RoundStep))
    draft.set_field(f"steps.{first_round}.turn", "2m")
    added = draft.add_step("silence")
    assert added == len(original.steps)
    assert draft.move_step(added, -added) == 0
    saved = draft.save(tmp_path / "my-copy.yaml")
    assert not draft.dirty

    text = saved.read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_LINE
    assert "turn: 2m\n" in text
    for comment in comment_lines(path.read_text(encoding="utf-8")):
        assert comment in text
    steps = list(original.steps)
    steps[first_round] = steps[first_round].model_copy(update={"turn": 120})
    silence = SilenceStep(kind="silence", title="New silence", duration=300)
    expected = original.model_copy(update={"id": "my-copy", "title": f"{original.title} (copy)"})
    expected = expected.model_copy(update={"steps": [silence, *steps]})
    assert load_protocol(saved) == expected


def test_a_copy_under_the_same_id_keeps_its_title():
    path = bundled_dir("protocols") / "feelz-checkin.yaml"
    draft = ProtocolDraft.copy_of(path, "feelz-checkin")
    assert draft.header()["title"] == load_protocol(path).title


def test_a_new_protocol_is_valid_and_saves_where_it_belongs(tmp_path):
    draft = ProtocolDraft.new("evening-round")
    assert draft.path == user_protocols_dir() / "evening-round.yaml" and draft.origin is None
    assert draft.problems() == []
    assert [s["kind"] for s in draft.steps()] == ["round", "open"]
    assert draft.text().startswith(SCHEMA_LINE + "\n")
    saved = draft.save()
    assert load_protocol(saved).title == "Evening round"
    assert (user_protocols_dir() / "protocol.schema.json").is_file()  # what the $schema line names
    assert ProtocolDraft.new("x", folder=tmp_path).path == tmp_path / "x.yaml"
    with pytest.raises(EditError, match="lowercase"):
        ProtocolDraft.new("../Evil")


def test_a_file_without_the_schema_line_gets_it_and_keeps_the_rest(tmp_path):
    path = tmp_path / "plain.yaml"
    path.write_text("id: plain  # mine\ntitle: Plain\nsteps:\n- kind: open\n  title: Talk\n  duration: 5m\n")
    draft = ProtocolDraft.open(path)
    draft.set_field("title", "Still plain")
    text = draft.text()
    assert text.splitlines()[0] == SCHEMA_LINE
    assert "id: plain  # mine" in text
    assert load_protocol(draft.save()).title == "Still plain"


def test_typed_values_go_in_the_file_as_written(tmp_path):
    draft = ProtocolDraft.new("typed", folder=tmp_path)
    draft.set_field("steps.0.turn", "1m 30s")
    draft.set_field("steps.1.duration", "1h30m")
    draft.set_field("steps.0.allow_pass", "no")
    draft.set_field("group_size.max", "20")
    draft.set_field("tags", "closing,  evening, ")
    draft.set_field("reciprocity_level", "2")
    draft.set_field("steps.0.prompt", "First line\nsecond line")
    text = draft.text()
    assert "turn: 1m 30s\n" in text and "duration: 1h30m\n" in text
    assert "allow_pass: false\n" in text
    assert "group_size: {min: 2, max: 20}\n" in text
    assert "tags: [closing, evening]\n" in text
    assert draft.header()["reciprocity_level"] == 2
    protocol = load_protocol(draft.save())
    assert protocol.steps[0].turn == 90 and protocol.steps[1].duration == 5400
    assert protocol.steps[0].prompt == "First line\nsecond line"
    draft.set_field("tags", "")
    draft.set_field("group_size.max", "")
    draft.set_field("group_size.min", "")
    assert "tags" not in draft.header() and "group_size" not in draft.header()


# -- problems, in the loader's words


BAD = [
    ("steps.0.turn", "soonish", "steps.0.turn"),
    ("steps.0.warn_at", "5m", "steps.0.warn_at"),
    ("steps.0.allow_pass", "maybe", "steps.0.allow_pass"),
    ("steps.0.order", "sideways", "steps.0.order"),
    ("steps.1.duration", "0", "steps.1.duration"),
    ("steps.0.title", "", "steps.0.title"),
    ("title", "", "title"),
    ("id", "Not An Id", "id"),
    ("group_size.min", "several", "group_size.min"),
    ("group_size.min", "20", "group_size"),
    ("reciprocity_level", "9", "reciprocity_level"),
    ("layout", "grid", "layout"),
    ("length", "1h70m", "length"),
]


@pytest.mark.parametrize(("field", "text", "where"), BAD, ids=[f"{f}={t!r}" for f, t, _ in BAD])
def test_bad_input_is_a_problem_at_its_field_in_the_loaders_words(field, text, where, tmp_path, capsys):
    draft = ProtocolDraft.new("bad", folder=tmp_path)
    draft.set_field(field, text)
    problems = draft.problems()
    assert draft.protocol() is None
    assert [p.where for p in problems] == [where], problems
    saved = draft.save()
    assert [p.message for p in problems] == validate_messages(capsys, saved)
    assert all("\n" not in p.message for p in problems)


def test_a_missing_key_is_a_problem_at_the_key(tmp_path, capsys):
    draft = ProtocolDraft.new("missing", folder=tmp_path)
    draft.set_field("steps.0.turn", "")  # required: kept, empty
    draft.remove_step(1)
    (problem,) = draft.problems()
    assert problem.where == "steps.0.turn"
    path = tmp_path / "missing.yaml"
    path.write_text(draft.text().replace("    turn: ''\n", ""))
    (problem,) = ProtocolDraft.open(path).problems()
    assert problem == FieldProblem("steps.0.turn", "missing required key 'turn'")
    assert validate_messages(capsys, path) == [problem.message]


def test_an_agenda_that_does_not_fit_its_length(tmp_path, capsys):
    draft = ProtocolDraft.new("agenda", folder=tmp_path)
    draft.set_field("layout", "agenda")
    draft.set_field("length", "30m")
    meal = draft.add_step("meal")
    draft.set_field(f"steps.{meal}.duration", "1h")
    draft.set_field(f"steps.{meal}.fixed", "yes")
    (problem,) = draft.problems()
    assert problem.where == "length"
    assert validate_messages(capsys, draft.save()) == [problem.message]
    # A round of 2m for the 2 people at least, the open floor at half its 10m, the meal whole.
    assert draft.day_fit() == [("", 2 * 120 + 300 + 3600, 1800)]
    draft.set_field("length", "2h")
    assert draft.problems() == [] and draft.day_fit() == [("", 4140, 7200)]


def test_a_day_that_does_not_fit_is_a_problem_at_its_length(tmp_path, capsys):
    draft = ProtocolDraft.new("days", folder=tmp_path)
    draft.set_field("layout", "agenda")
    draft.set_field("steps.0.day.title", "Saturday")
    draft.set_field("steps.0.day.length", "1h")
    draft.set_field("steps.1.day.title", "Sunday")
    draft.set_field("steps.1.day.length", "4m")
    assert "day: {title: Saturday, length: 1h}" in draft.text()
    (problem,) = draft.problems()
    assert problem.where == "steps.1.day.length"
    assert validate_messages(capsys, draft.save()) == [problem.message]
    assert draft.day_fit() == [("Saturday", 240, 3600), ("Sunday", 300, 240)]
    draft.set_field("steps.1.day.length", "5m")
    assert draft.problems() == []
    protocol = load_protocol(draft.save())
    assert draft.day_fit() == [(d.title, protocol.least_seconds(d), d.length) for d in protocol.days]
    draft.set_field("steps.1.day.title", "")
    draft.set_field("steps.1.day.length", "")
    assert "day" not in draft.steps()[1]


def test_total_seconds_counts_the_steps_that_validate(tmp_path):
    draft = ProtocolDraft.new("total", folder=tmp_path)
    assert draft.total_seconds(people=5) == 5 * 120 + 600
    draft.set_field("steps.0.turn", "soonish")
    assert draft.total_seconds(people=5) == 600


# -- operations that cannot be made


def test_impossible_edits_say_what_and_where_in_one_line(tmp_path):
    draft = ProtocolDraft.new("ops", folder=tmp_path)
    cases = {
        "no field 'size' for a round step; known: ": lambda: draft.set_field("steps.0.size", "3"),
        "no step 7; the protocol has 2 steps (0-1)": lambda: draft.set_field("steps.7.title", "x"),
        "no field 'colour' in a protocol": lambda: draft.set_field("colour", "red"),
        "no step kind 'roud'": lambda: draft.add_step("roud"),
        "no step 2;": lambda: draft.remove_step(2),
        "no step -1;": lambda: draft.move_step(-1, 1),
        "cannot add a step at 5": lambda: draft.add_step("open", at=5),
        "no field 'steps.0'": lambda: draft.set_field("steps.0", "x"),
    }
    for words, operation in cases.items():
        with pytest.raises(EditError) as caught:
            operation()
        assert str(caught.value).startswith(words), str(caught.value)
        assert "\n" not in str(caught.value)
    assert draft.problems() == []


def test_steps_are_added_moved_duplicated_removed_and_rekinded(tmp_path):
    draft = ProtocolDraft.new("steps", folder=tmp_path)
    for kind in STEP_KINDS:
        draft.add_step(kind)
    assert draft.problems() == [], draft.problems()
    assert len(draft.steps()) == 2 + len(STEP_KINDS)
    assert draft.add_step("pairs", at=0) == 0
    assert draft.steps()[0] == {"kind": "pairs", "title": "New pairs", "turn": "2m"}
    assert draft.move_step(0, -3) == 0 and draft.move_step(0, 100) == len(draft.steps()) - 1
    assert draft.duplicate_step(1) == 2 and draft.steps()[1] == draft.steps()[2]
    draft.remove_step(2)
    draft.set_field("steps.0.warn_at", "20s")
    draft.set_kind(0, "groups")
    assert draft.steps()[0] == {
        "kind": "groups",
        "title": "Check-in",
        "prompt": "How are you arriving?",
        "warn_at": "20s",
        "duration": "5m",
        "size": 4,
    }
    draft.set_field("steps.0.kind", "open")
    assert draft.steps()[0]["kind"] == "open" and "size" not in draft.steps()[0]
    assert draft.problems() == []


def test_dirty_follows_the_text(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text((bundled_dir("protocols") / "feelz-checkin.yaml").read_text())
    draft = ProtocolDraft.open(path)
    assert not draft.dirty
    draft.set_field("steps.1.turn", "90s")  # as it was
    assert not draft.dirty
    draft.set_field("steps.1.turn", "2m")
    assert draft.dirty
    draft.set_field("steps.1.turn", "90s")
    assert not draft.dirty


# -- saving


def test_changed_on_disk_after_an_outside_write(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text((bundled_dir("protocols") / "feelz-checkin.yaml").read_text())
    draft = ProtocolDraft.open(path)
    assert not draft.changed_on_disk()
    os.utime(path, ns=(1, 1))  # touched, same text
    assert not draft.changed_on_disk()
    path.write_text(path.read_text().replace("90s", "2m"))
    assert draft.changed_on_disk()
    draft.save()
    assert not draft.changed_on_disk()
    path.unlink()
    assert draft.changed_on_disk()


def test_a_file_already_where_a_copy_would_go_counts_as_changed():
    draft = ProtocolDraft.copy_of(bundled_dir("protocols") / "feelz-checkin.yaml", "mine")
    assert not draft.changed_on_disk()
    user_protocols_dir().mkdir(parents=True, exist_ok=True)
    (user_protocols_dir() / "mine.yaml").write_text("id: mine\n")
    assert draft.changed_on_disk()


def test_save_refuses_a_bundled_protocol(tmp_path):
    path = bundled_dir("protocols") / "feelz-checkin.yaml"
    before = path.read_bytes()
    draft = ProtocolDraft.open(path)
    draft.set_field("title", "Mine now")
    for target in (None, path, bundled_dir("protocols") / "new-one.yaml"):
        with pytest.raises(EditError, match="one of circle's own protocols"):
            draft.save(target)
    assert path.read_bytes() == before
    assert not (bundled_dir("protocols") / "new-one.yaml").exists()


def test_save_into_a_missing_folder_is_an_edit_error(tmp_path):
    draft = ProtocolDraft.new("nowhere", folder=tmp_path / "no" / "such")
    with pytest.raises(EditError, match="cannot save .*nothing was written"):
        draft.save()


def test_a_file_that_is_not_yaml_is_a_load_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n")
    with pytest.raises(LoadError, match="never closed"):
        ProtocolDraft.open(path)
    path.write_text("id: x\ntitle: X\nsteps: []\n")  # parses, does not validate: opens
    assert [p.where for p in ProtocolDraft.open(path).problems()] == ["steps"]


# -- drafts


def test_drafts_are_kept_listed_reopened_and_dropped():
    assert ProtocolDraft.drafts() == []
    draft = ProtocolDraft.copy_of(bundled_dir("protocols") / "feelz-checkin.yaml", "kept")
    draft.set_field("steps.1.turn", "3m")
    kept = draft.keep_draft()
    assert kept == user_dir() / "drafts" / "kept.yaml"
    assert ProtocolDraft.drafts() == [kept]
    assert kept.read_text() == draft.text()

    again = ProtocolDraft.open(kept)  # next time: it opens to be saved as the user's own
    assert again.text() == draft.text()
    assert again.path == user_protocols_dir() / "kept.yaml" and again.dirty
    again.set_field("id", "renamed")
    assert again.keep_draft() == user_dir() / "drafts" / "renamed.yaml"
    assert ProtocolDraft.drafts() == [user_dir() / "drafts" / "renamed.yaml"]
    again.save()
    again.drop_draft()
    assert ProtocolDraft.drafts() == []
    assert load_protocol(user_protocols_dir() / "renamed.yaml").steps[1].turn == 180


# -- any valid protocol survives the editor


def durations(low: int = 1, high: int = 5400) -> st.SearchStrategy[tuple[object, int]]:
    """A length as people write it, and its seconds."""

    def written(seconds: int, style: int) -> object:
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        forms = [
            seconds,
            f"{seconds}s",
            (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "") + (f"{secs}s" if secs else ""),
            f"{seconds // 60}m {secs}s" if seconds >= 60 else f"{seconds}",
        ]
        return forms[style]

    return st.builds(lambda s, style: (written(s, style), s), st.integers(low, high), st.integers(0, 3))


titles = st.text(st.sampled_from("abcXYZ019 :#'\"-,.!?é"), min_size=1, max_size=24).filter(lambda t: t.strip() == t)
protocol_ids = st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True)


@st.composite
def steps(draw) -> tuple[str, dict[str, str], object]:
    kind = draw(st.sampled_from(["round", "open", "pairs", "groups", "silence"]))
    title = draw(titles)
    written, seconds = draw(durations())
    if kind in ("round", "pairs"):
        model = (RoundStep if kind == "round" else PairsStep)(kind=kind, title=title, turn=seconds)
        return kind, {"title": title, "turn": str(written)}, model
    if kind == "groups":
        size = draw(st.integers(2, 6))
        rounds = draw(st.integers(1, 4))
        model = GroupsStep(kind=kind, title=title, size=size, rounds=rounds, duration=seconds)
        return kind, {"title": title, "duration": str(written), "size": str(size), "rounds": str(rounds)}, model
    model = (OpenStep if kind == "open" else SilenceStep)(kind=kind, title=title, duration=seconds)
    return kind, {"title": title, "duration": str(written)}, model


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(protocol_id=protocol_ids, title=titles, summary=titles, made=st.lists(steps(), min_size=1, max_size=5))
def test_any_protocol_made_in_the_editor_loads_as_made(protocol_id, title, summary, made):
    with tempfile.TemporaryDirectory() as folder:
        draft = ProtocolDraft.new(protocol_id, folder=Path(folder))
        draft.set_field("title", title)
        draft.set_field("summary", summary)
        for kind, values, _ in made:
            index = draft.add_step(kind)
            for name, text in values.items():
                draft.set_field(f"steps.{index}.{name}", text)
        draft.remove_step(0)
        draft.remove_step(0)
        assert draft.problems() == []
        expected = Protocol(
            id=protocol_id, title=title, summary=summary, group_size={"min": 2, "max": 12}, steps=[m for *_, m in made]
        )
        assert draft.protocol() == expected
        saved = draft.save()
        assert load_protocol(saved) == expected
        # ... and read back as a file of its own, saved again elsewhere, it is the same protocol.
        again = ProtocolDraft.open(saved)
        assert again.text() == saved.read_text(encoding="utf-8")
        assert load_protocol(again.save(Path(folder) / "again.yaml")) == expected
        assert again.total_seconds(people=4) == sum(planned_step_seconds(m, 4) for *_, m in made)


def test_removing_a_key_or_a_step_keeps_the_comment_lines_after_it(tmp_path):
    path = bundled_dir("protocols") / "collaboratory-inquiry-weekend.yaml"
    draft = ProtocolDraft.open(path)
    draft.set_field("two_loops_stage", "")
    draft.set_field("tags", "")
    assert "# Each day keeps its own time: Sunday starts when its first timer runs.\nsteps:\n" in draft.text()
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "id: x\ntitle: X\nsteps:\n  - kind: open\n    title: A\n    duration: 5m\n  # before B\n"
        "  - kind: open\n    title: B\n    duration: 5m\n    warn_at: 1m  # its own\n    # before C\n"
        "  - kind: open\n    title: C\n    duration: 5m\n"
    )
    draft = ProtocolDraft.open(mine)
    draft.set_field("steps.1.warn_at", "")
    assert "# its own" not in draft.text() and "# before C" in draft.text()
    draft.remove_step(1)
    assert "# before B" in draft.text() and "# before C" in draft.text()
    assert [s.title for s in load_protocol(draft.save()).steps] == ["A", "C"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(protocol_id=protocol_ids, title=titles, made=st.lists(steps(), min_size=1, max_size=5))
def test_any_protocol_file_saves_unchanged_through_a_draft(protocol_id, title, made):
    from ruamel.yaml import YAML

    data = {
        "id": protocol_id,
        "title": title,
        "steps": [
            {"kind": kind, **{k: (int(v) if v.isdigit() and k != "title" else v) for k, v in values.items()}}
            for kind, values, _ in made
        ],
    }
    expected = Protocol(id=protocol_id, title=title, steps=[m for *_, m in made])
    block = YAML(typ="safe", pure=True)
    block.default_flow_style = False
    block_text = io.StringIO()
    block.dump(data, block_text)
    # Written by something else, in its own style: YAML in blocks, or JSON (which is YAML too).
    for text in (block_text.getvalue(), json.dumps(data, indent=2, ensure_ascii=False)):
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "source.yaml"
            source.write_text(text, encoding="utf-8")
            assert load_protocol(source) == expected
            draft = ProtocolDraft.open(source)
            assert draft.protocol() == expected and not draft.dirty
            assert load_protocol(draft.save(Path(folder) / "saved.yaml")) == expected
