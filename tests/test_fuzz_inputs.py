"""Bad input, generated: every file, duration and name either loads or gets located one-line errors.

Each ``check_*`` function runs one input through circle and says what happened: ``"loaded"``
(a valid object came back, or the command exited 0) or ``"refused"`` (circle's own error, every
line of it of the one-line forms). Anything else (another exception, a traceback, a message on
two lines, a position before line 1) fails the check. The tests below run each check for a few
dozen generated inputs; ``benchmarks/fuzz_inputs.py`` runs the same checks for many thousands.
"""

from __future__ import annotations

import copy
import io
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from circle.cli import main
from circle.core.durations import MAX_SECONDS, format_duration, parse_duration
from circle.core.errors import InputError
from circle.core.resources import bundled_dir
from circle.engine import RosterError, check_roster
from circle.games.reciprocity.scoring import load_rules
from circle.games.two_loops import load_loops
from circle.mixer import MixError, mix
from circle.protocol.loader import MAX_BYTES, LoadError, Problem, load_library, load_protocol, validate_paths
from circle.protocol.methods import load_methods
from circle.protocol.models import STEP_KINDS

# -- what an input may lead to ---------------------------------------------------------------

LOADERS: dict[str, Callable[[Path], BaseModel]] = {
    "protocol": load_protocol,
    "rules": load_rules,
    "loops": load_loops,
    "methods": load_methods,
}
LOCATED = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<message>\S.*)$")
# Lines the command line writes to stderr: its errors, located problems and what it did.
STDERR_LINE = re.compile(r"^(circle: \S|(saved|renamed|added|removed|wrote) \S|note: \S)")


def one_line(text: str) -> bool:
    return len(text.splitlines()) == 1 and "Traceback" not in text


def check_problem(problem: Problem, label: str, text: str | None = None) -> None:
    """One line ``label:line:col: message``, inside the file when its text is known."""
    line = str(problem)
    assert one_line(line), f"not one line: {line!r}"
    assert line.startswith(f"{label}:{problem.line}:{problem.col}: "), line
    assert problem.line >= 1 and problem.col >= 1, line
    assert problem.message.strip(), line
    if text is not None:  # a position past the end of the file points at nothing
        assert problem.line <= text.count("\n") + 2, line


def check_load(kind: str, path: Path, text: str | None = None) -> str:
    try:
        result = LOADERS[kind](path)
    except LoadError as exc:
        assert exc.problems, "a LoadError without problems"
        for problem in exc.problems:
            check_problem(problem, str(path), text)
        return "refused"
    assert isinstance(result, BaseModel)
    return "loaded"


def check_validate_paths(paths: list[Path]) -> str:
    problems = validate_paths(paths)
    for problem in problems:
        check_problem(problem, problem.path)
    return "refused" if problems else "loaded"


def check_library(folder: Path) -> str:
    library = load_library(dirs=[folder])
    for problem in library.problems:
        check_problem(problem, problem.path)
    return "refused" if library.problems else "loaded"


def check_duration(value: object) -> str:
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        assert type(exc) is InputError, type(exc)  # refused on purpose, not a crash inside
        assert one_line(str(exc)) and len(str(exc)) < 300, repr(str(exc))
        return "refused"
    assert type(seconds) is int and 0 <= seconds <= MAX_SECONDS, seconds
    return "loaded"


def same_person(name: str) -> str:
    """Names that differ only in case, spacing or Unicode normal form name one person."""
    spaced = " ".join(name.split())
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", spaced).casefold())


def check_names(names: list[str]) -> None:
    """What a roster that was accepted may hold: text that shows as it reads, each person once."""
    assert names
    for name in names:
        assert name and name == " ".join(name.split()), repr(name)
        assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in name), repr(name)
    assert len({same_person(n) for n in names}) == len(names), names


def check_roster_call(names: list[str]) -> str:
    try:
        cleaned = check_roster(names)
    except RosterError as exc:
        assert one_line(str(exc)), repr(str(exc))
        return "refused"
    check_names(cleaned)
    return "loaded"


def check_cli(argv: list[str], read: Callable[[], tuple[str, str]]) -> str:
    """``circle.cli.main`` in-process: exit 0 or 1, and stderr only of the one-line forms."""
    code = main(argv)
    out, err = read()
    assert code in (0, 1), code
    assert "Traceback" not in out + err
    for line in err.splitlines():
        assert STDERR_LINE.match(line) or LOCATED.match(line), f"stderr line {line!r}"
    if code == 1:
        assert err.strip() or out.strip(), "exit 1 without a word"
    if argv[0] == "validate" and code == 0:  # one line saying so
        assert re.fullmatch(r"\d+ files?, \d+ protocols?(, \d+ data files?)?: all valid\n", out), out
    elif argv[0] == "validate":  # its problems go to stdout, one located line each
        for line in out.splitlines():
            match = LOCATED.match(line)
            assert match and int(match["line"]) >= 1 and int(match["col"]) >= 1, f"stdout line {line!r}"
    return "loaded" if code == 0 else "refused"


# -- (a) arbitrary text and bytes -------------------------------------------------------------

ANY_CHAR = st.characters(exclude_categories=())  # surrogates too: written with surrogatepass they are not UTF-8
TOKENS = [
    *("id: ", "title: ", "steps:", "kind: ", "turn: ", "duration: ", "size: ", "levels:", "stages:", "methods:"),
    *("- ", "  ", "    ", "\n", "\r\n", "\t", ": ", "? ", ", ", "[", "]", "{", "}", "'", '"', "#", "|", ">"),
    *("&a ", "*a", "&b ", "*b", "<<: ", "<<: *a", "!!python/object:os.system ", "!!python/object/apply:os.system "),
    *("!!int ", "!!float ", "!!binary ", "!!timestamp ", "!!set ", "!!omap ", "!!str ", "!!map ", "!!seq ", "!custom "),
    *("---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "\ufeff", "\x00", "\x1b", "\u2028", "\x85"),
    *("round", "open", "pairs", "groups", "silence", "method", "dance", "90s", "2m", "1h30m", "-30s", "1e400"),
    *(".inf", "-.inf", ".nan", "true", "~", "null", "0x1F", "0o17", "1_000", "2020-01-01", "9" * 5000, "-0"),
    *("Ana", "José", "Jose\u0301", "😀", "שלום", "\u202e", "a\u0301\u0301", "x" * 200),
]
token_soup = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


def laughs(levels: int, width: int, where: str) -> str:
    """A 'billion laughs': each anchor repeats the one before ``width`` times."""
    lines = ["a0: &a0 [lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    body = {
        "steps": f"steps: *a{levels}",
        "duration": f"steps:\n  - kind: open\n    title: T\n    duration: *a{levels}",
        "size": f"steps:\n  - kind: groups\n    title: T\n    duration: 1m\n    size: *a{levels}",
        "tags": f"tags: *a{levels}\nsteps: []",
        "levels": f"levels: *a{levels}",
    }[where]
    return "\n".join(lines) + f"\nid: x\ntitle: X\n{body}\n"


def nested(depth: int, style: str) -> str:
    if style == "flow-list":
        return "id: x\nsteps: " + "[" * depth + "]" * depth + "\n"
    if style == "flow-map":
        return "id: x\nsteps: " + "{a: " * depth + "1" + "}" * depth + "\n"
    return "id: x\n" + "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "end: 1\n"


alias_cases = st.sampled_from(
    [
        "id: &a [*a]\ntitle: X\nsteps: []\n",
        "&a {id: x, title: X, steps: *a}\n",
        "id: x\ntitle: X\nsteps:\n  - &s {kind: open, title: T, duration: 1m, more: *s}\n",
        "base: &b {kind: open, title: T, duration: zz}\nid: x\ntitle: X\nsteps:\n  - <<: *b\n",
        "base: &b {kind: method, title: T, duration: 1m}\nid: x\ntitle: X\nsteps:\n  - <<: *b\n",
        "base: &b {id: x, title: X}\n<<: *b\nsteps:\n  - {kind: open, title: T, duration: -1}\n",
        "a: &a {x: 1}\nb: &b {<<: [*a, *a, *a]}\nc: &c {<<: [*b, *b, *b]}\nid: x\n",
        "a: &x 1\nb: &x 2\nid: x\n",  # an anchor name used twice (ruamel warns)
        "a: *nowhere\n",
    ]
)

raw_text = st.one_of(
    st.text(ANY_CHAR, max_size=300),
    token_soup,
    st.builds(laughs, st.integers(1, 9), st.integers(2, 12), st.sampled_from(["steps", "duration", "size", "tags"])),
    st.builds(nested, st.integers(50, 2000), st.sampled_from(["flow-list", "flow-map"])),
    st.builds(nested, st.integers(50, 400), st.just("block")),
    st.integers(0, 6000).map(lambda n: f"id: x\ntitle: X\nsteps:\n  - {{kind: open, title: T, duration: {'9' * n}}}"),
    st.integers(1, 3).map(lambda n: "id: " + "x" * (MAX_BYTES + n)),  # just past the size limit (at it, ~1 s to parse)
    alias_cases,
)
raw_bytes = st.one_of(
    st.binary(max_size=400),
    raw_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.tuples(token_soup, st.binary(max_size=8), token_soup).map(lambda t: t[0].encode() + t[1] + t[2].encode()),
)


def write(folder: Path, data: bytes | str, name: str = "input.yaml") -> tuple[Path, str | None]:
    """Write the input; return its path and its text (None when it is not UTF-8)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    path = folder / name
    path.write_bytes(raw)
    try:
        return path, raw.decode("utf-8")
    except UnicodeDecodeError:
        return path, None


# -- (b) structured mutations of the valid bundled files ----------------------------------------


def bundled_documents() -> list[tuple[str, Any]]:
    """Every bundled file as plain data, with the loader it belongs to."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    protocols = sorted(bundled_dir("protocols").glob("*.yaml"))
    docs = [("protocol", yaml.load(path.read_text(encoding="utf-8"))) for path in protocols]
    data = bundled_dir("data")
    for kind, name in (("rules", "reciprocity.yaml"), ("loops", "two_loops.yaml"), ("methods", "methods.yaml")):
        docs.append((kind, yaml.load((data / name).read_text(encoding="utf-8"))))
    return docs


BUNDLED_DOCS = bundled_documents()

duration_strings = st.one_of(
    st.from_regex(r"\A\s*-?[0-9]{0,14}\s*[hms]?\s*([0-9]{0,6}\s*[hmsHMS]\s*){0,3}\Z"),
    st.sampled_from(["90s", "2m", "1h30m", "1m 30s", "168h", "169h", "604800", "604801", "0", "00000000000000090s"]),
    st.sampled_from(["", " ", "²", "١٢", "1.5m", "5m3h", "1m1m", "-30s", "+30s", "1h\u00a030m", "٣m", "2 minutes"]),
    st.integers(0, 6000).map(lambda n: "9" * n + "s"),
    st.text(ANY_CHAR, max_size=20),
)
duration_values = st.one_of(
    duration_strings,
    st.integers(0, MAX_SECONDS).map(format_duration),  # "1h 05m", "2m 30s": what circle itself writes
    st.integers(0, MAX_SECONDS + 10),
    st.integers(),
    st.sampled_from([10**100, -(10**100), 2**63, -1, MAX_SECONDS, MAX_SECONDS + 1]),
    st.integers(4400, 5000).map(lambda digits: 10**digits),  # past what str() and int() will convert
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**30, -(10**30), 2**64, -1, 0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
    st.sampled_from(["", " ", "x" * 5000, "🙂" * 50, "שלום", "a\u0301", "\u202eevil", "pairs", *STEP_KINDS]),
    duration_strings,
    st.dates(),
)


def containers(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), inner, max_size=4)
    )


values = st.recursive(scalars, containers, max_leaves=12)
keys = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=12),
    st.integers(),
    st.none(),
    st.booleans(),
    st.sampled_from(["kind", "turn", "duration", "steps", "titel", "promt", "Title", "levels", "stages", "roles"]),
)


def _spots(node: Any, spots: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in a document."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        spots.append((node, key))
        _spots(value, spots)
    return spots


MUTATIONS = ["delete", "retype", "rename", "add", "empty", "duplicate", "duration", "kind", "root"]


@st.composite
def mutated_document(draw) -> tuple[str, Any]:
    kind, doc = draw(st.sampled_from(BUNDLED_DOCS))
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(0, 4))):  # none: the file as it is, written out again
        spots = _spots(doc, [])
        op = draw(st.sampled_from(MUTATIONS))
        if op == "root" or not spots:
            doc = draw(st.one_of(values, st.just([doc]), st.just(None)))
            continue
        parent, key = draw(st.sampled_from(spots))
        if op == "delete":
            del parent[key]
        elif op == "retype":
            parent[key] = draw(values)
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(keys)] = parent.pop(key)
        elif op == "add" and isinstance(parent, dict):
            parent[draw(keys)] = draw(values)
        elif op == "empty":
            parent[key] = type(parent[key])() if isinstance(parent[key], list | dict) else []
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "duration":  # a number YAML can write: past 4,300 digits str() refuses (the raw texts have them)
            parent[key] = draw(duration_values.filter(lambda v: not isinstance(v, int) or v.bit_length() < 14_000))
        elif op == "kind" and isinstance(parent, dict):
            parent["kind"] = draw(st.one_of(st.sampled_from(STEP_KINDS), st.text(max_size=10), values))
    return kind, doc


def dump(doc: Any) -> str:
    from ruamel.yaml import YAML

    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.width = 4096
    yaml.dump(doc, out)
    return out.getvalue()


@st.composite
def mutated_text(draw) -> tuple[str, str]:
    """A mutated bundled document as YAML, sometimes with a line repeated, dropped, tabbed or cut."""
    kind, doc = draw(mutated_document())
    text = dump(doc)
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 2))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["repeat", "drop", "tab", "bom", "cut", "anchor"]))
        if op == "repeat":  # a repeated key is a duplicate key
            lines.insert(i, lines[i])
        elif op == "drop":
            del lines[i]
        elif op == "tab":
            lines[i] = "\t" + lines[i]
        elif op == "bom":
            lines[i] = "\ufeff" + lines[i]
        elif op == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        elif op == "anchor":
            lines.append(f"zz: &big [{', '.join(['*big'] * 3)}]\n")
    return kind, "".join(lines)


# -- (d) rosters -------------------------------------------------------------------------------

SPECIAL_NAMES = [
    *("", " ", "\t", "\n", "  Ana  ", "Ana", "ana", "ANA", "Ana  Lopez", "José", "Jose\u0301", "JOSE\u0301"),
    *("Straße", "STRASSE", "İlkay", "ǅemal", "ﬁona", "Ｆｉｏｎａ", "😀", "👩\u200d👩\u200d👧", "שלום", "مرحبا"),
    *("\u202eAna", "\u200fBen", "a\u0301\u0301\u0301", "\u200b", "Zoë", "Zoe\u0308", "x" * 10_000, "Ana\u0000"),
    *("\x1b[2J", "Ben\u2028Caro", "Dee\x85", "a,b", "Eve\udcff", "-h", "--help", "--people"),
]
# Letters and marks of any script, digits, spaces, dashes and emoji: names as people write them.
plain_name = st.text(st.characters(categories=["L", "M", "N", "Zs", "Pd", "So"]), min_size=1, max_size=16)
a_name = st.one_of(plain_name, st.sampled_from(SPECIAL_NAMES), st.text(ANY_CHAR, max_size=12))
VARIANTS: dict[str, Callable[[str], str]] = {
    "upper": str.upper,
    "lower": str.lower,
    "NFD": lambda s: unicodedata.normalize("NFD", s),
    "NFC": lambda s: unicodedata.normalize("NFC", s),
    "spaced": lambda s: f"  {s.replace(' ', '   ')}\t",
}


@st.composite
def rosters(draw) -> list[str]:
    """Names, some of them the same person written another way; some rosters of plain names only."""
    names = draw(st.lists(draw(st.sampled_from([plain_name, a_name])), max_size=12))
    for _ in range(draw(st.integers(0, 2))):
        if names:
            name = draw(st.sampled_from(names))
            names.insert(draw(st.integers(0, len(names))), VARIANTS[draw(st.sampled_from(sorted(VARIANTS)))](name))
    return names


# -- the tests --------------------------------------------------------------------------------

FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@FAST
@given(data=raw_bytes, kind=st.sampled_from(sorted(LOADERS)))
def test_any_bytes_load_or_give_located_lines(tmp_path, data, kind):
    path, text = write(tmp_path, data)
    check_load(kind, path, text)


@FAST
@given(case=mutated_text())
def test_a_mutated_bundled_file_loads_or_gives_located_lines(tmp_path, case):
    kind, text = case
    path, _ = write(tmp_path, text)
    check_load(kind, path, text)
    if kind == "protocol":
        check_validate_paths([path, bundled_dir("protocols") / "feelz-checkin.yaml"])


@settings(FAST, max_examples=20)
@given(texts=st.lists(st.one_of(mutated_text().map(lambda c: c[1]), raw_text), min_size=1, max_size=4))
def test_a_folder_of_bad_files_never_stops_the_library(tmp_path, texts):
    folder = tmp_path / "protocols"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for i, text in enumerate(texts):
        write(folder, text, f"p{i}.yaml")
    check_library(folder)


@settings(FAST, max_examples=300)
@given(value=duration_values)
def test_any_duration_is_seconds_or_one_line(value):
    check_duration(value)


@settings(FAST, max_examples=200)
@given(names=rosters())
def test_any_roster_is_cleaned_or_refused_in_one_line(names):
    check_roster_call(names)


@settings(FAST, max_examples=100)
@given(names=rosters().filter(lambda names: names and names[0].split()), variant=st.sampled_from(sorted(VARIANTS)))
def test_the_same_name_written_two_ways_is_named_twice(names, variant):
    twice = [*names, VARIANTS[variant](names[0])]
    assert check_roster_call(twice) == "refused"


@pytest.fixture
def stub_app(monkeypatch):
    """`circle run` checks its input, then opens no screen: what it would have started is kept."""
    import circle.tui.app

    started = []

    class App:
        return_code = 0

        def run(self):
            pass

    def make_app(store, start=None, **_):
        started.append(start)
        return App()

    monkeypatch.setattr(circle.tui.app, "make_app", make_app)
    return started


@FAST
@given(data=st.one_of(raw_bytes, mutated_text().map(lambda c: c[1])))
def test_circle_validate_prints_located_lines_only(tmp_path, capsys, data):
    path, _ = write(tmp_path, data)
    check_cli(["validate", str(path)], capsys.readouterr)


@FAST
@given(names=rosters(), separator=st.sampled_from([",", ", ", " ,", ",,"]))
def test_circle_run_people_starts_or_says_why_not(tmp_path, capsys, stub_app, names, separator):
    db = tmp_path / "circle.db"
    if check_cli(["run", "feelz-checkin", "--db", str(db), f"--people={separator.join(names)}"], capsys.readouterr) == (
        "loaded"
    ):
        check_names(stub_app[-1].names)


positional = a_name.filter(lambda s: s not in ("-h", "--help"))
group_commands = st.one_of(
    st.builds(
        lambda name, kind, people: ["create", name, "--kind", kind, f"--people={people}"],
        positional,
        st.sampled_from(["crew", "congregation", "community"]),
        rosters().map(",".join),
    ),
    st.builds(lambda name: ["show", name], positional),
    st.builds(lambda old, new: ["rename", old, new], positional, positional),
    st.builds(
        lambda verb, name, people: [verb, name, f"--people={people}"],
        st.sampled_from(["add", "remove"]),
        positional,
        rosters().map(",".join),
    ),
    st.just(["list"]),
)


@FAST
@given(commands=st.lists(group_commands, min_size=1, max_size=4))
def test_circle_group_does_it_or_says_why_not(tmp_path, capsys, commands):
    db = tmp_path / "circle.db"
    for command in commands:
        check_cli(["group", *command, "--db", str(db)], capsys.readouterr)


mix_argv = st.builds(
    lambda people, size, rounds, extra: ["mix", f"--people={people}", *size, f"--rounds={rounds}", *extra],
    rosters().map(",".join),
    st.one_of(st.just(["--pairs"]), st.sampled_from([2, 3, 3, 4, -1, 0, 1, 10**20]).map(lambda n: [f"--size={n}"])),
    st.sampled_from(["1", "2", "3", "4", "0", "-2", "x", "1001", "10000000000000", "1e3"]),
    st.lists(
        st.one_of(
            st.builds(lambda s: [f"--apart={s}"], st.one_of(rosters().map(",".join), st.text(ANY_CHAR, max_size=10))),
            st.builds(lambda s: [f"--together={s}"], rosters().map(",".join)),
            st.sampled_from(["0", "0.01", "nan", "-1", "x"]).map(lambda t: [f"--time-limit={t}"]),
            st.sampled_from(["text", "csv", "json", "yaml"]).map(lambda f: [f"--format={f}"]),
            st.sampled_from(["0", "-5", "99999999999999999999999", "x"]).map(lambda s: [f"--seed={s}"]),
        ),
        max_size=3,
    ).map(lambda parts: [arg for part in parts for arg in part] + ["--time-limit=0.01"]),
)


@FAST
@given(argv=mix_argv)
def test_circle_mix_plans_or_says_why_not(capsys, argv):
    check_cli(argv, capsys.readouterr)


@settings(FAST, max_examples=30)
@given(data=raw_bytes)
def test_circle_mix_people_from_a_file(tmp_path, capsys, data):
    path, _ = write(tmp_path, data, "names.txt")
    check_cli(["mix", f"--people={path}", "--pairs", "--rounds=2", "--time-limit=0.01"], capsys.readouterr)


# -- the failures this found, kept as plain regression tests -------------------------------------
# Loader and duration cases are in tests/test_loader.py and tests/test_durations.py (fixture files).


def test_a_name_with_a_control_character_is_refused():
    with pytest.raises(RosterError) as exc:
        check_roster(["Ana", "Ben\x1b[2J"])
    assert str(exc.value) == "the name 'Ben\\x1b[2J' has a character that is not text; type it again"


def test_a_name_with_undecodable_bytes_is_refused():
    # A terminal in another encoding: Python turns the byte it cannot decode into a lone surrogate.
    with pytest.raises(RosterError, match="has a character that is not text"):
        check_roster(["Eve\udcff"])


def test_a_name_typed_with_a_separate_accent_is_one_person():
    assert check_roster(["Jose\u0301"]) == ["José"]
    with pytest.raises(RosterError, match="is named twice"):
        check_roster(["José", "JOSE\u0301"])


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_circle_run_refuses_a_name_with_a_control_character(tmp_path, capsys, stub_app):
    code, _, err = cli(capsys, "run", "feelz-checkin", "--db", str(tmp_path / "c.db"), "--people=Ana,Ben\x07")
    assert (code, err) == (1, "circle: the name 'Ben\\x07' has a character that is not text; type it again\n")
    assert stub_app == []


def test_circle_group_says_what_it_did_in_one_line_each(tmp_path, capsys):
    db = str(tmp_path / "c.db")
    assert cli(capsys, "group", "create", "Dee\x85crew", "--people=Ana,Ben,Caro", "--db", db) == (
        0,
        "",
        "saved crew Dee crew with 3 members\n",
    )
    assert cli(capsys, "group", "rename", "dee crew", "Night\u2028owls", "--db", db)[2] == (
        "renamed dee crew to Night owls\n"
    )
    assert cli(capsys, "group", "add", "Night owls", "--people= Dee\t", "--db", db)[2] == "added Dee to Night owls\n"
    assert cli(capsys, "group", "show", "a\nb", "--db", db) == (
        1,
        "",
        "circle: no group named 'a\\nb'; saved groups: Night owls\n",
    )


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (["--rounds=10000000000000"], "--rounds must be at most 1,000"),  # filled the memory
        (["--rounds=1", "--time-limit=nan"], "--time-limit must be 0 seconds or more (got nan)"),
        (["--rounds=1", "--people=" + "x" * 5000], "group size 2 is larger than the room (1 person)"),  # OSError
        (["--rounds=1", "--people=José,JOSE\u0301"], "'JOSÉ' is named twice; add an initial to tell them apart"),
        (
            ["--rounds=1", "--people=" + ",".join(f"P{i}" for i in range(1001))],
            "at most 1,000 people can be mixed (got 1,001)",
        ),
    ],
)
def test_circle_mix_refuses_in_one_line(capsys, options, error):
    code, out, err = cli(capsys, "mix", "--people=Ana,Ben,Caro", "--pairs", *options)
    assert (code, out, err) == (1, "", f"circle: {error}\n")


def test_circle_mix_refuses_a_names_file_that_is_too_large(tmp_path, capsys):
    names = tmp_path / "names.txt"
    names.write_text("Ana\n" * 300_000)
    code, _, err = cli(capsys, "mix", f"--people={names}", "--pairs", "--rounds=1")
    assert (code, err) == (1, f"circle: cannot read {names}: a file of names may have at most 1024 KiB\n")


def test_circle_validate_finds_a_method_merged_from_an_anchor(capsys):
    path = Path(__file__).parent / "fixtures" / "bad-merged-method.yaml"
    code, out, err = cli(capsys, "validate", str(path))
    assert (code, err) == (1, "")
    assert out.startswith(f"{path}:6:55: unknown method 'no-such-method'; the library has: ")


def test_circle_validate_with_a_reused_anchor_prints_no_warning(capsys):
    path = Path(__file__).parent / "fixtures" / "reused-anchor.yaml"
    assert cli(capsys, "validate", str(path)) == (0, "1 file, 1 protocol: all valid\n", "")


def test_circle_validate_a_path_too_long_for_a_file(tmp_path, capsys):
    path = tmp_path / ("x" * 300)
    assert cli(capsys, "validate", str(path)) == (1, f"{path}:1:1: cannot read: File name too long\n", "")


def test_a_group_name_with_undecodable_bytes_is_named_in_one_line(tmp_path, capsys):
    # Found by the fuzz: the message quoting 'Eve\udcff' could not be printed to a strict stream.
    db = str(tmp_path / "c.db")
    assert cli(capsys, "group", "show", "Eve\udcff", "--db", db)[0] == 0  # no database yet: nothing to show
    cli(capsys, "group", "create", "Ana crew", "--people=Ana,Ben,Caro", "--db", db)
    assert cli(capsys, "group", "show", "Eve\udcff", "--db", db) == (
        1,
        "",
        "circle: no group named 'Eve\\udcff'; saved groups: Ana crew\n",
    )


@pytest.mark.parametrize("name", ["Crew\udcff", "Crew\x1b[31m"])
def test_a_group_name_that_is_not_text_is_refused(tmp_path, capsys, name):
    db = str(tmp_path / "c.db")
    code, _, err = cli(capsys, "group", "create", name, "--people=Ana,Ben,Caro", "--db", db)
    assert code == 1 and err.endswith("has a character that is not text; type it again\n")
    cli(capsys, "group", "create", "Crew", "--people=Ana,Ben,Caro", "--db", db)
    assert cli(capsys, "group", "rename", "Crew", name, "--db", db)[0] == 1
    assert cli(capsys, "group", "list", "--db", db)[1] == "Crew  (crew, 3 members)\n"


def test_circle_mix_refuses_a_name_that_is_not_text(capsys):
    assert cli(capsys, "mix", "--people=Ana,Ben\udcff,Caro,Dee", "--pairs", "--rounds=1") == (
        1,
        "",
        "circle: the name 'Ben\\udcff' has a character that is not text; type it again\n",
    )
    code, out, err = cli(capsys, "mix", "--people=Ana,Ben,Caro,Dee", "--apart=Ana,\x07Ben", "--pairs", "--rounds=1")
    assert (code, out) == (1, "") and "'\\x07Ben' has a character that is not text" in err


def test_a_name_typed_in_capitals_is_the_same_person_whatever_letter_it_came_from():
    # Found by the fuzz: "ı" (dotless i) in capitals is "I", so ["ı", "I"] names one person twice.
    with pytest.raises(RosterError, match="is named twice"):
        check_roster(["ı", "I"])
    with pytest.raises(MixError, match="is named twice"):
        mix(["ı", "Ben", "I", "Dee"], 2, 1)
