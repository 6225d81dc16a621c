import warnings
from pathlib import Path

import pytest

from circle.core.resources import bundled_dir
from circle.protocol.loader import MAX_BYTES, LoadError, UnknownProtocol, load_library, load_protocol, validate_paths
from circle.protocol.models import OpenStep, RoundStep, SilenceStep

FIXTURES = Path(__file__).parent / "fixtures"
BUNDLED = bundled_dir("protocols")


def problem_lines(path: Path) -> list[str]:
    with pytest.raises(LoadError) as exc:
        load_protocol(path)
    return str(exc.value).splitlines()


@pytest.mark.parametrize(
    ("name", "where", "message"),
    [
        ("bad-syntax.yaml", "3:14", "YAML syntax: mapping values are not allowed here"),
        (
            "bad-duplicate-key.yaml",
            "8:5",
            'YAML syntax: duplicate key "turn" with value "2m" (original value: "1m")',
        ),
        ("bad-empty.yaml", "1:1", "expected a mapping of keys, found empty"),
        (
            "bad-kind.yaml",
            "9:5",  # the `kind:` key, not the start of the step on line 8
            "unknown step kind 'dance'; expected one of: round, open, pairs, groups, silence, meal, break, "
            "performance, breakout, method, open_space",
        ),
        ("bad-negative.yaml", "7:5", "turn: duration '-30s' is negative; it must be zero or more"),
        (
            "bad-duration.yaml",
            "7:5",
            "duration: cannot read duration '5 minutes'; write it like 90s, 2m or 1h30m",
        ),
        ("bad-unknown-key.yaml", "8:5", "unknown key 'promt'; did you mean 'prompt'?"),
        ("bad-missing-key.yaml", "8:5", "missing required key 'turn'"),
        ("bad-group-size.yaml", "4:1", "group_size: max (3) is smaller than min (6)"),
        ("bad-id.yaml", "3:1", "id: use lowercase letters, digits and dashes, like feelz-checkin"),
        ("bad-no-steps.yaml", "4:1", "steps: a protocol needs at least one step"),
        ("bad-not-utf8.yaml", "3:11", "not UTF-8 text (invalid continuation byte)"),
        ("bad-groups.yaml", "7:5", "size: people in each group, 2 to 50, or pairs (got 1)"),
        ("bad-rounds.yaml", "8:5", "rounds: Input should be greater than or equal to 1"),
        # found by tests/test_fuzz_inputs.py: each of these raised, hung or printed two lines
        ("bad-infinite-duration.yaml", "7:5", "duration: duration inf is longer than a week; it must be at most 168h"),
        ("bad-too-long.yaml", "7:5", "turn: duration '200h' is longer than a week; it must be at most 168h"),
        ("bad-huge-number.yaml", "7:15", f"YAML syntax: cannot read '{'9' * 55}...' as int"),
        ("bad-tagged-value.yaml", "7:15", "YAML syntax: cannot read '5m' as int"),
        (
            "bad-control-character.yaml",
            "3:13",
            "YAML syntax: unacceptable character #x001b: special characters are not allowed",
        ),
        (
            "bad-key-with-newline.yaml",
            "4:1",
            "unknown key 'prompt\\nextra'; allowed: crew_meeting, family, group_size, id, layout, length, "
            "reciprocity_level, source, steps, summary, tags, title, two_loops_stage",
        ),
        ("bad-deep-nesting.yaml", "4:57", "YAML syntax: nested more than 50 levels deep"),
        ("bad-recursive-alias.yaml", "9:1", "an alias names the value it is inside"),  # at the alias
        ("bad-billion-laughs.yaml", "2:5", "aliases repeat too much: more than 250,000 values"),
    ],
)
def test_a_bad_file_gives_one_located_line(name, where, message):
    path = FIXTURES / name
    assert problem_lines(path) == [f"{path}:{where}: {message}"]


def test_a_missing_file_is_a_located_problem(tmp_path):
    path = tmp_path / "nope.yaml"
    assert problem_lines(path) == [f"{path}:1:1: no such file"]


@pytest.mark.parametrize(
    ("text", "what"),
    [("- kind: open\n  title: Talk\n", "a list"), ("just some words\n", "a single value")],
)
def test_a_file_that_is_not_a_mapping_says_what_it_found(tmp_path, text, what):
    path = tmp_path / "odd.yaml"
    path.write_text(text)
    assert problem_lines(path) == [f"{path}:1:1: expected a mapping of keys, found {what}"]


def test_an_unknown_key_named_like_a_step_kind_is_named_correctly(tmp_path):
    path = tmp_path / "odd.yaml"
    path.write_text(
        "id: odd\ntitle: Odd\nsteps:\n  - kind: open\n    title: Talk\n    duration: 5m\n    silence: 30s\n"
    )
    allowed = "day, duration, fixed, kind, materials, min, prompt, queue, script, title, turn, warn_at"
    assert problem_lines(path) == [f"{path}:7:5: unknown key 'silence'; allowed: {allowed}"]


def test_every_problem_in_a_file_is_reported_in_line_order(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(
        "id: two-problems\ntitle: Two\nsteps:\n"
        "  - kind: open\n    title: Talk\n    duration: soon\n"
        "  - kind: round\n    title: Round\n    turn: 1m\n    ordr: random\n"
    )
    assert problem_lines(path) == [
        f"{path}:6:5: duration: cannot read duration 'soon'; write it like 90s, 2m or 1h30m",
        f"{path}:10:5: unknown key 'ordr'; did you mean 'order'?",
    ]


def test_a_valid_file_loads_with_durations_in_seconds():
    protocol = load_protocol(FIXTURES / "round-open.yaml")
    assert protocol.id == "test-round-open"
    assert [type(step) for step in protocol.steps] == [RoundStep, OpenStep, SilenceStep]
    round_step = protocol.steps[0]
    assert (round_step.turn, round_step.warn_at, round_step.order) == (120, 20, "seating")
    assert protocol.steps[1].duration == 300
    assert protocol.planned_seconds(3) == 3 * 120 + 300 + 30


def test_bundled_protocols_all_validate():
    files = sorted(BUNDLED.glob("*.yaml"))
    assert {path.stem for path in files} >= {"feelz-checkin", "feelz-appreciation", "feelz-reflect"}
    assert validate_paths([BUNDLED]) == []
    for path in files:
        assert load_protocol(path).id == path.stem


def test_validate_paths_reports_a_repeated_id(tmp_path):
    copy = tmp_path / "copy.yaml"
    copy.write_text("# a copy\n" + (BUNDLED / "feelz-checkin.yaml").read_text(encoding="utf-8"))
    problems = validate_paths([BUNDLED / "feelz-checkin.yaml", copy])
    assert [str(p) for p in problems] == [
        f"{copy}:3:1: duplicate id 'feelz-checkin' (also in {BUNDLED / 'feelz-checkin.yaml'})"
    ]


def write_protocol(path: Path, protocol_id: str, title: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"id: {protocol_id}\ntitle: {title}\nsteps:\n  - kind: silence\n    title: Quiet\n    duration: 1m\n"
    )
    return path


def test_library_merges_bundled_user_and_explicit_files(tmp_path):
    user = tmp_path / "user"
    override = write_protocol(user / "mine.yaml", "feelz-checkin", "Our own check-in")
    write_protocol(user / "extra.yaml", "user-extra", "User extra")
    explicit = FIXTURES / "all-kinds.yaml"

    library = load_library([explicit], dirs=[BUNDLED, user])

    bundled = {p.stem for p in BUNDLED.glob("*.yaml")}
    assert set(library.protocols) == bundled | {
        "user-extra",
        "test-all-kinds",
    }
    assert library.get("feelz-checkin").title == "Our own check-in"
    assert library.origins["feelz-checkin"] == override
    assert library.origins["feelz-reflect"] == BUNDLED / "feelz-reflect.yaml"
    assert library.origins["test-all-kinds"] == explicit
    assert library.problems == []


def test_a_bad_user_file_is_reported_without_hiding_the_others(tmp_path):
    user = tmp_path / "user"
    write_protocol(user / "good.yaml", "user-good", "Good")
    bad = user / "bad.yaml"
    bad.write_text("id: user-bad\ntitle: Bad\nsteps:\n  - kind: round\n    title: R\n    turn: x\n")

    library = load_library(dirs=[BUNDLED, user])

    assert [str(p) for p in library.problems] == [
        f"{bad}:6:5: turn: cannot read duration 'x'; write it like 90s, 2m or 1h30m"
    ]
    assert {"user-good", "feelz-checkin", "feelz-appreciation", "feelz-reflect"} <= set(library.protocols)
    assert "user-bad" not in library.protocols


def test_library_reads_the_user_folder_from_the_environment(tmp_path, monkeypatch):
    write_protocol(tmp_path / "mine" / "mine.yaml", "from-env", "From the environment")
    monkeypatch.setenv("CIRCLE_PROTOCOLS", str(tmp_path / "mine"))
    library = load_library()
    assert library.get("from-env").title == "From the environment"
    assert "feelz-checkin" in library.protocols


def test_library_get_unknown_id_suggests_a_close_one():
    library = load_library(dirs=[BUNDLED])
    with pytest.raises(UnknownProtocol) as exc:
        library.get("feelz-chekin")
    # the closest match comes first
    assert str(exc.value).startswith("no protocol 'feelz-chekin'; did you mean feelz-checkin")


def test_library_get_unknown_id_without_a_close_match_points_to_the_list():
    library = load_library(dirs=[BUNDLED])
    with pytest.raises(UnknownProtocol) as exc:
        library.get("zzz")
    assert str(exc.value) == "no protocol 'zzz'; see `circle protocols`"


def test_a_key_merged_from_an_anchor_is_located_where_the_anchor_has_it():
    path = FIXTURES / "bad-merged-key.yaml"
    assert problem_lines(path) == [
        f"{path}:4:1: unknown key 'base'; allowed: crew_meeting, family, group_size, id, layout, length, "
        "reciprocity_level, source, steps, summary, tags, title, two_loops_stage",
        f"{path}:7:3: duration: cannot read duration 'soon'; write it like 90s, 2m or 1h30m",
    ]


def test_an_anchor_name_used_twice_loads_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ruamel.yaml warns, on several lines of stderr
        protocol = load_protocol(FIXTURES / "reused-anchor.yaml")
    assert [step.title for step in protocol.steps] == ["Arrive", "Arrive", "Talk", "Talk"]


def test_a_file_past_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("id: big\n" + "#" * MAX_BYTES)
    assert problem_lines(path) == [f"{path}:1:1: too large: a file may have at most 256 KiB"]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_that_never_ends_is_refused_unread():
    assert problem_lines(Path("/dev/zero")) == ["/dev/zero:1:1: is a device, not a protocol file"]


def test_a_name_too_long_for_a_file_is_a_located_problem(tmp_path):
    path = tmp_path / ("x" * 300 + ".yaml")
    assert problem_lines(path) == [f"{path}:1:1: cannot read: File name too long"]
    assert [str(p) for p in validate_paths([path])] == [f"{path}:1:1: cannot read: File name too long"]


# -- found from outside (issue: faults at the edges) -----------------------------------------------


def lines_for(tmp_path, text: str) -> list[str]:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    return [line.removeprefix(f"{path}:") for line in problem_lines(path)]


def test_a_pipe_is_refused_unread(tmp_path):
    import os
    import threading

    path = tmp_path / "f.yaml"
    os.mkfifo(path)
    done = []
    reader = threading.Thread(target=lambda: done.append(problem_lines(path)), daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert done, "validate waited for a writer on the pipe"
    assert done[0] == [f"{path}:1:1: is a pipe, not a protocol file"]


STEP = "id: x\ntitle: y\nsteps:\n  - kind: round\n    title: t\n"


@pytest.mark.parametrize(
    "turn, where, says",
    [
        ("    turn: 1h70m\n", "6:5", "after hours or minutes, minutes go up to 59"),
        ("    turn: 2m75s\n", "6:5", "seconds go up to 59"),
        ("    turn: 0s\n", "6:5", "turn: 0s starts in overtime"),
        ("    turn: 1m\n    warn_at: 1m\n", "7:5", "warn_at: 1m is not shorter than each turn (1m)"),
        ("    turn: 1m\n    warn_at: 2m\n", "7:5", "the warning would never show"),
    ],
)
def test_lengths_that_cannot_be_meant_are_refused_where_they_stand(tmp_path, turn, where, says):
    (line,) = lines_for(tmp_path, STEP + turn)
    assert line.startswith(f"{where}: ") and says in line


def test_a_single_unit_may_be_over_sixty():
    from circle.core.durations import parse_duration

    assert parse_duration("90m") == 5400 and parse_duration("90s") == 90 and parse_duration("1h59m59s") == 7199


@pytest.mark.parametrize(
    "text, where, says",
    [
        ('id: x\ntitle: "unclosed\nsteps: []\n', "2:8", "a quote opens here"),
        ("id: x\ntitle: y\n1: one\nsteps: []\n", "3:1", "unknown key '1'"),
        ("id: x\ntitle: y\ngroup_size: {min: 2, max: 8\nsteps: []\n", "3:13", "a { opens here and is never closed"),
        ("id: x\ntitle: y\ntags: &s\n  - a\n  - *s\nsteps: []\n", "5:5", "an alias names the value it is inside"),
    ],
)
def test_four_problems_are_found_where_they_are(tmp_path, text, where, says):
    first = lines_for(tmp_path, text)[0]
    assert first.startswith(f"{where}: ") and says in first


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("    queue: sometimes\n", "queue: Input should be 'arrival' or 'progressive'"),
        ("    turn: 1m\n", "an open step has turns only with a queue"),
        ("    queue: arrival\n    turn: 10m\n", "turn: 10m is longer than the whole step (5m)"),
        ("    queue: arrival\n    turn: 1m\n    warn_at: 2m\n", "warn_at: 2m is not shorter than each turn (1m)"),
    ],
    ids=["unknown-order", "turn-without-queue", "turn-longer-than-step", "warning-past-the-turn"],
)
def test_a_queue_that_cannot_run_is_refused_in_one_line(tmp_path, lines, message):
    path = tmp_path / "q.yaml"
    path.write_text("id: q\ntitle: Q\nsteps:\n  - kind: open\n    title: Talk\n    duration: 5m\n" + lines)
    found = problem_lines(path)
    assert len(found) == 1 and message in found[0] and found[0].startswith(f"{path}:"), found
