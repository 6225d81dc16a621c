"""Bad input at scale: the properties of tests/test_fuzz_inputs.py, run for many more inputs.

Every input goes through the same check as in the tests; instead of stopping at the first
failure, each outcome is counted: loaded (a valid object, or exit 0), refused (circle's own
error, every line of it of the one-line forms) or failed (anything else; target 0). The first
few failures of each kind are printed with the input that caused them. Nothing is asserted.

    .venv/bin/python benchmarks/fuzz_inputs.py                 # about 20,000 inputs
    .venv/bin/python benchmarks/fuzz_inputs.py --scale 0.1     # a tenth of that
    .venv/bin/python benchmarks/fuzz_inputs.py --only durations rosters
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import io
import os
import resource
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOME = tempfile.mkdtemp(prefix="circle-fuzz-")
atexit.register(shutil.rmtree, HOME, ignore_errors=True)
os.environ["CIRCLE_HOME"] = HOME  # a parse cache and user folder of its own, as in the tests
os.environ.pop("CIRCLE_PROTOCOLS", None)
os.environ.pop("CIRCLE_DB", None)
sys.path.insert(0, str(ROOT / "tests"))

import test_fuzz_inputs as fz  # noqa: E402  (the strategies and checks)
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

WORK = Path(HOME) / "inputs"
WORK.mkdir()


class Capture:
    """stdout and stderr of an in-process ``circle.cli.main``, as capsys gives them to the tests."""

    def __init__(self) -> None:
        self.out, self.err = io.StringIO(), io.StringIO()

    def read(self) -> tuple[str, str]:
        out, err = self.out.getvalue(), self.err.getvalue()
        self.out.seek(0), self.out.truncate()
        self.err.seek(0), self.err.truncate()
        return out, err

    def __enter__(self) -> Capture:
        self._redirects = contextlib.ExitStack()
        self._redirects.enter_context(contextlib.redirect_stdout(self.out))
        self._redirects.enter_context(contextlib.redirect_stderr(self.err))
        return self

    def __exit__(self, *exc) -> None:
        self._redirects.close()


def cli(argv: list[str]) -> str:
    with Capture() as capture:
        return fz.check_cli(argv, capture.read)


def stub_app() -> list:
    """`circle run` checks its input and opens no screen; what it would have started is kept."""
    import circle.tui.app

    started: list = []

    class App:
        return_code = 0

        def run(self) -> None:
            pass

    def make_app(store, start=None, **_):
        started.append(start)
        return App()

    circle.tui.app.make_app = make_app
    return started


STARTED = stub_app()


# -- one function per kind of input: it runs the check and returns its outcome ------------------


def raw(data: bytes, kind: str) -> str:
    path, text = fz.write(WORK, data)
    return fz.check_load(kind, path, text)


def mutated(case: tuple[str, str]) -> str:
    kind, text = case
    path, _ = fz.write(WORK, text)
    outcome = fz.check_load(kind, path, text)
    if kind == "protocol":
        fz.check_validate_paths([path, fz.bundled_dir("protocols") / "feelz-checkin.yaml"])
    return outcome


def library(texts: list[str]) -> str:
    folder = WORK / "protocols"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for i, text in enumerate(texts):
        fz.write(folder, text, f"p{i}.yaml")
    return fz.check_library(folder)


def twice(names: list[str], variant: str) -> str:
    outcome = fz.check_roster_call([*names, fz.VARIANTS[variant](names[0])])
    assert outcome == "refused", "the same name written two ways was accepted"
    return outcome


def validate(data: bytes | str) -> str:
    path, _ = fz.write(WORK, data)
    return cli(["validate", str(path)])


def run_people(names: list[str], separator: str) -> str:
    outcome = cli(["run", "feelz-checkin", "--db", str(WORK / "run.db"), f"--people={separator.join(names)}"])
    if outcome == "loaded":
        fz.check_names(STARTED[-1].names)
    return outcome


def group(commands: list[list[str]]) -> str:
    outcomes = [cli(["group", *command, "--db", str(WORK / "groups.db")]) for command in commands]
    return outcomes[-1]


def mix_file(data: bytes) -> str:
    path, _ = fz.write(WORK, data, "names.txt")
    return cli(["mix", f"--people={path}", "--pairs", "--rounds=2", "--time-limit=0.01"])


# name: (share of the inputs, what is generated, the function that checks it)
KINDS: dict[str, tuple[float, dict[str, st.SearchStrategy], Callable[..., str]]] = {
    "raw text and bytes": (0.25, {"data": fz.raw_bytes, "kind": st.sampled_from(sorted(fz.LOADERS))}, raw),
    "mutated bundled files": (0.25, {"case": fz.mutated_text()}, mutated),
    "library folders": (
        0.01,
        {"texts": st.lists(st.one_of(fz.mutated_text().map(lambda c: c[1]), fz.raw_text), min_size=1, max_size=4)},
        library,
    ),
    "durations": (0.15, {"value": fz.duration_values}, fz.check_duration),
    "rosters": (0.08, {"names": fz.rosters()}, fz.check_roster_call),
    "same name twice": (
        0.04,
        {
            "names": fz.rosters().filter(lambda names: names and names[0].split()),
            "variant": st.sampled_from(sorted(fz.VARIANTS)),
        },
        twice,
    ),
    "circle validate": (0.08, {"data": st.one_of(fz.raw_bytes, fz.mutated_text().map(lambda c: c[1]))}, validate),
    "circle run --people": (
        0.04,
        {"names": fz.rosters(), "separator": st.sampled_from([",", ", ", " ,", ",,"])},
        run_people,
    ),
    "circle group": (0.03, {"commands": st.lists(fz.group_commands, min_size=1, max_size=4)}, group),
    "circle mix": (0.05, {"argv": fz.mix_argv}, cli),
    "circle mix --people FILE": (0.02, {"data": fz.raw_bytes}, mix_file),
}


def run_kind(name: str, examples: int, show: int) -> tuple[Counter, list[str], float]:
    _, strategies, check = KINDS[name]
    outcomes: Counter = Counter()
    failures: list[str] = []

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(**strategies)
    def each(**drawn):
        try:
            outcomes[check(**drawn)] += 1
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - a failure is counted and shown, not raised
            outcomes["failed"] += 1
            if len(failures) < show:
                where = traceback.extract_tb(exc.__traceback__)[-1]
                failures.append(
                    f"{type(exc).__name__}: {str(exc)[:300]!r} at {Path(where.filename).name}:{where.lineno}\n"
                    f"      input: {repr(drawn)[:300]}"
                )

    started = time.perf_counter()
    each()
    return outcomes, failures, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=20_000, help="inputs across all kinds (default 20,000)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply --total (0.1 for a quick run)")
    parser.add_argument("--only", nargs="+", metavar="WORD", help="only the kinds whose name has one of these words")
    parser.add_argument("--show", type=int, default=3, help="failures shown per kind (default 3)")
    args = parser.parse_args()
    # An input that runs away with memory fails here with MemoryError instead of taking the machine's.
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, resource.getrlimit(resource.RLIMIT_AS)[1]))

    chosen = [k for k in KINDS if not args.only or any(word in k for word in args.only)]
    total = args.total * args.scale
    print(f"python {sys.version.split()[0]}, hypothesis, {len(chosen)} kinds, about {round(total):,} inputs")
    rows = []
    for name in chosen:
        examples = max(1, round(total * KINDS[name][0]))
        outcomes, failures, seconds = run_kind(name, examples, args.show)
        tried = sum(outcomes.values())
        rows.append((name, tried, outcomes["loaded"], outcomes["refused"], outcomes["failed"], seconds))
        print(f"  {name}: {tried:,} inputs in {seconds:.1f} s, {outcomes['failed']} failed", flush=True)
        for failure in failures:
            print(f"    - {failure}")

    print()
    header = ("kind", "tried", "loaded", "refused (located)", "failures", "seconds")
    table = [header, *[(n, f"{t:,}", f"{ok:,}", f"{no:,}", f"{bad:,}", f"{s:.1f}") for n, t, ok, no, bad, s in rows]]
    sums = [sum(r[i] for r in rows) for i in range(1, 6)]
    table.append(("all", *(f"{v:,}" for v in sums[:4]), f"{sums[4]:.1f}"))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        cells = [row[0].ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True))]
        print("  ".join(cells))
    print("\n'loaded' for a command means exit 0; 'refused' means exit 1 with one-line errors (or, for a")
    print("roster, a RosterError). A failure is any other exception, a traceback, or a line that is not one.")


if __name__ == "__main__":
    main()
