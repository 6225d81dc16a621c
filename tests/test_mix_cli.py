"""`circle mix` as mix_cli gives it to the command line: reading people, the three formats, bad input."""

from __future__ import annotations

import argparse
import csv
import io
import json
from itertools import combinations

import pytest

from circle.cli import UsageError, _Parser
from circle.cli.mix import add_mix_parser, cmd_mix, read_people
from circle.mixer import MixError, count_repeats

ROOM = ["Ana", "Ben", "Caro", "Dee", "Esi", "Femi", "Gus", "Hana", "Ines", "Jo", "Kai", "Lea"]


def args(**given) -> argparse.Namespace:
    values = {
        "people": ",".join(ROOM),
        "size": 3,
        "pairs": False,
        "rounds": 3,
        "apart": [],
        "together": [],
        "seed": 0,
        "time_limit": 10.0,
        "format": "text",
    }
    values.update(given)
    return argparse.Namespace(**values)


def run(capsys, **given) -> tuple[str, str]:
    assert cmd_mix(args(**given)) == 0
    out, err = capsys.readouterr()
    return out, err


def text_rounds(out: str) -> list[list[list[str]]]:
    rounds: list[list[list[str]]] = []
    for line in out.splitlines():
        if line.startswith("Round "):
            rounds.append([])
        elif line.startswith("  Group "):
            rounds[-1].append(line.split(": ", 1)[1].split(", "))
    return rounds


def test_text_lists_rounds_and_groups_then_the_repeats(capsys):
    out, err = run(capsys)
    lines = out.splitlines()
    assert lines[0] == "Round 1"
    assert lines[1].startswith("  Group 1: ")
    assert lines[-1] == "repeats: 0"
    assert [line for line in lines if line.startswith("Round")] == ["Round 1", "Round 2", "Round 3"]
    rounds = text_rounds(out)
    for groups in rounds:
        assert sorted(name for group in groups for name in group) == sorted(ROOM)
        assert [len(g) for g in groups] == [3, 3, 3, 3]
    assert count_repeats(rounds) == 0
    assert err == ""


def test_pairs_in_an_odd_room_get_one_trio(capsys):
    out, _ = run(capsys, people=",".join(ROOM[:7]), size=None, pairs=True, rounds=2)
    for groups in text_rounds(out):
        assert sorted(len(g) for g in groups) == [2, 2, 3]


def test_people_from_a_file_one_per_line(capsys, tmp_path):
    room = tmp_path / "room.txt"
    room.write_text("# Tuesday\nAna\n  Ben \n\nCaro\nDee\n", encoding="utf-8")
    assert read_people(str(room)) == ["Ana", "Ben", "Caro", "Dee"]
    out, _ = run(capsys, people=str(room), size=2, rounds=3)
    assert count_repeats(text_rounds(out)) == 0
    assert out.endswith("repeats: 0\n")


def test_people_from_standard_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Ana\nBen\nCaro\n"))
    assert read_people("-") == ["Ana", "Ben", "Caro"]


def test_apart_and_together_hold_and_take_more_than_two_names(capsys):
    out, _ = run(capsys, apart=["Ana,Ben,Caro"], together=["Dee,Esi"], size=3, rounds=4)
    for groups in text_rounds(out):
        where = {name: g for g, group in enumerate(groups) for name in group}
        assert len({where["Ana"], where["Ben"], where["Caro"]}) == 3
        assert where["Dee"] == where["Esi"]


def test_csv_has_a_row_per_person_per_round(capsys):
    out, _ = run(capsys, format="csv", rounds=2)
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["round", "group", "name"]
    assert len(rows) == 1 + 2 * len(ROOM)
    assert {r[0] for r in rows[1:]} == {"1", "2"}
    assert sorted(r[2] for r in rows[1:] if r[0] == "1") == sorted(ROOM)


def test_csv_quotes_names_with_commas(capsys, tmp_path):
    room = tmp_path / "room.txt"
    room.write_text("Smith, Ana\nBen\nCaro\nDee\n", encoding="utf-8")
    out, _ = run(capsys, people=str(room), size=2, rounds=1, format="csv")
    assert '"Smith, Ana"' in out
    assert "Smith, Ana" in [r[2] for r in csv.reader(io.StringIO(out))]


def test_json_is_the_plan_and_its_quality(capsys):
    out, _ = run(capsys, format="json", rounds=2, seed=4)
    plan = json.loads(out)
    assert set(plan) == {"rounds", "repeats", "lower_bound", "optimal", "stopped", "seconds"}
    assert len(plan["rounds"]) == 2
    assert plan["repeats"] == count_repeats(plan["rounds"]) == 0
    assert plan["optimal"] is True


def test_the_seed_picks_the_plan(capsys):
    first, _ = run(capsys, seed=1)
    again, _ = run(capsys, seed=1)
    assert first == again


def test_unavoidable_repeats_get_a_note_on_stderr(capsys):
    out, err = run(capsys, people="Ana,Ben,Caro,Dee", size=2, rounds=4)  # 3 rounds meet everyone
    assert out.endswith("repeats: 2\n")
    assert err == "circle: note: 2 repeat meetings, the fewest possible: no plan for this room can have fewer\n"


def test_more_time_is_suggested_only_when_the_time_limit_cut_the_search():
    import circle.cli.mix as mix_cli
    from circle.mixer import Mix

    plan = [[["Ana", "Ben"], ["Caro", "Dee"]]]

    def fake(stopped):
        return lambda: Mix(plan, repeats=3, seconds=1.0, optimal=False, lower_bound=1, stopped=stopped)

    note = mix_cli._note(fake("time")())
    assert note == (
        "3 repeat meetings in the best plan found in 1.0 s (at least 1 is unavoidable); "
        "a longer --time-limit may find a better one"
    )
    note = mix_cli._note(fake("steps")())
    assert note == "3 repeat meetings in the best plan found in 1.0 s (at least 1 is unavoidable)"


def test_a_search_that_ends_by_itself_suggests_no_more_time(capsys):
    # 9 in threes for 5 rounds: 9 repeats are forced, and the mixer proves it and stops
    nine = ",".join(ROOM[:9])
    _, err = run(capsys, people=nine, size=3, rounds=5, time_limit=30.0)
    assert "--time-limit" not in err
    assert "the fewest possible" in err


@pytest.mark.parametrize(
    "given, words",
    [
        ({"people": "missing/room.txt"}, ["no such file", "missing/room.txt"]),
        ({"people": "room.txt"}, ["no such file"]),
        ({"apart": ["Ana"]}, ["--apart", "two names"]),
        ({"together": ["Ana,"]}, ["--together", "two names"]),
        ({"apart": ["Ana,Zed"]}, ["Zed", "not present"]),
        ({"rounds": 0}, ["rounds must be at least 1"]),
        ({"size": 13}, ["larger than the room"]),
        ({"size": None}, ["--size N or --pairs"]),
        ({"time_limit": -1.0}, ["--time-limit"]),
        ({"people": "Ana,Ben,ana"}, ["named twice"]),
        ({"people": " , "}, ["no one is present"]),
    ],
)
def test_bad_input_raises_one_line_mix_errors(given, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MixError) as caught:
        cmd_mix(args(**given))
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_an_unreadable_file_is_a_mix_error(tmp_path):
    room = tmp_path / "room.txt"
    room.write_bytes(b"\xff\xfe\x00A")
    with pytest.raises(MixError, match="cannot read"):
        read_people(str(room))


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS)
    root = _Parser(prog="circle")
    sub = root.add_subparsers(dest="command", parser_class=_Parser)
    add_mix_parser(sub, common)
    return root


def test_the_parser_gives_cmd_mix_what_it_needs(capsys):
    parsed = parser().parse_args(
        ["mix", "--people", "Ana,Ben,Caro,Dee,Esi,Femi", "--pairs", "--rounds", "2", "--apart", "Ana,Ben"]
        + ["--apart", "Caro,Dee", "--together", "Esi,Femi", "--seed", "3", "--time-limit", "5", "--format", "json"]
    )
    assert parsed.command == "mix"
    assert (parsed.pairs, parsed.size, parsed.rounds, parsed.seed, parsed.time_limit) == (True, None, 2, 3, 5.0)
    assert parsed.apart == ["Ana,Ben", "Caro,Dee"] and parsed.together == ["Esi,Femi"]
    assert cmd_mix(parsed) == 0
    plan = json.loads(capsys.readouterr().out)
    for groups in plan["rounds"]:
        assert ["Esi", "Femi"] in groups
        for group in groups:
            assert not {"Ana", "Ben"} <= set(group) and not {"Caro", "Dee"} <= set(group)


@pytest.mark.parametrize(
    "argv",
    [
        ["mix", "--people", "Ana,Ben", "--rounds", "2"],  # no size
        ["mix", "--people", "Ana,Ben", "--size", "2", "--pairs", "--rounds", "2"],  # both
        ["mix", "--people", "Ana,Ben", "--size", "two", "--rounds", "2"],
        ["mix", "--people", "Ana,Ben", "--size", "2", "--rounds", "2", "--format", "xml"],
    ],
)
def test_the_parser_rejects_bad_options_as_usage_errors(argv):
    with pytest.raises(UsageError):
        parser().parse_args(argv)


def test_every_pair_in_an_apart_list_is_kept_apart():
    from circle.cli.mix import _pairs

    assert _pairs("Ana, Ben ,Caro", "--apart", chain=False) == list(combinations(["Ana", "Ben", "Caro"], 2))
    assert _pairs("Ana,Ben,Caro", "--together", chain=True) == [("Ana", "Ben"), ("Ben", "Caro")]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--people", "Ana,Ben,Caro", "--size", "9"], "circle: group size 9 is larger than the room (3 people)\n"),
        (["--people", "names.txt", "--size", "2"], "circle: no such file: names.txt\n"),
    ],
)
def test_bad_input_through_the_command_line_is_one_line(capsys, tmp_path, monkeypatch, argv, message):
    from circle.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["mix", *argv, "--rounds", "2"]) == 1
    assert capsys.readouterr() == ("", message)
