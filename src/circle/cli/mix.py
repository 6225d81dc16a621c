"""`circle mix`: plan breakout rounds in which people meet new people, from the command line.

Two functions for circle.cli: :func:`add_mix_parser` adds the subcommand and :func:`cmd_mix`
runs it. Bad input raises :class:`circle.mixer.MixError` (a ValueError), which the command
line turns into one ``circle: message`` line and exit code 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

from circle.core.csv_text import csv_text
from circle.core.names import NameProblem, clean_name

# The mixer loads when `circle mix` runs, not with every command.
if TYPE_CHECKING:
    from circle.mixer import Mix

FORMATS = ("text", "csv", "json")
# --people with no comma that ends like this (or has a slash) is meant as a file, so a typo gets
# "no such file" rather than a room of one person called "names.txt"
NAME_FILE_SUFFIXES = (".txt", ".csv", ".lst", ".list", ".names", ".md")
# The mixer keeps a table of who met whom and every round it plans: 20,000 people, or 10**13
# rounds, would fill the memory. A room of 1,000 for 1,000 rounds takes a few seconds.
MAX_PEOPLE = 1000
MAX_ROUNDS = 1000
MAX_FILE_BYTES = 1024 * 1024


def add_mix_parser(subparsers, common_parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``mix`` to circle's subcommands; returns its parser."""
    parser = subparsers.add_parser(
        "mix",
        parents=[common_parent],
        help="plan breakout rounds in which people meet new people",
        description=(
            "Plan rounds of small groups so that no two people share a group twice where that is "
            "possible, and as rarely as possible where it is not. Prints the rounds, then the number "
            "of repeats (meetings of two people who have met before)."
        ),
    )
    parser.add_argument(
        "--people",
        required=True,
        metavar="FILE_OR_LIST",
        help='a text file with one name per line ("-" reads standard input), or names comma separated: "Ana,Ben,Caro"',
    )
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument(
        "--size",
        type=int,
        metavar="N",
        help="people per group (when the room does not divide evenly, sizes differ by one)",
    )
    size.add_argument("--pairs", action="store_true", help="groups of two (an odd room gets one group of three)")
    parser.add_argument("--rounds", type=int, required=True, metavar="N", help="how many rounds")
    parser.add_argument(
        "--apart",
        action="append",
        default=[],
        metavar='"A,B"',
        help='two people who must never share a group (may be repeated; "A,B,C" keeps all three apart)',
    )
    parser.add_argument(
        "--together",
        action="append",
        default=[],
        metavar='"A,B"',
        help='two people who must always share a group (may be repeated; "A,B,C" keeps all three together)',
    )
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="another seed gives another plan (default 0)")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=10.0,
        metavar="S",
        help="search at most this many seconds, then print the best plan found (default 10)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="text (default), csv or json")
    return parser


def cmd_mix(args: argparse.Namespace) -> int:
    from circle.mixer import MixError, mix

    people = read_people(args.people)
    if getattr(args, "pairs", False):
        size = 2
    elif getattr(args, "size", None) is not None:
        size = args.size
    else:
        raise MixError("say how big the groups are: --size N or --pairs")
    if len(people) > MAX_PEOPLE:
        raise MixError(f"at most {MAX_PEOPLE:,} people can be mixed (got {len(people):,})")
    if args.rounds > MAX_ROUNDS:
        raise MixError(f"--rounds must be at most {MAX_ROUNDS:,}")
    time_limit = getattr(args, "time_limit", 10.0)
    if not time_limit >= 0:  # nan too
        raise MixError(f"--time-limit must be 0 seconds or more (got {time_limit:g})")
    apart = [pair for text in getattr(args, "apart", None) or [] for pair in _pairs(text, "--apart", chain=False)]
    together = [
        pair for text in getattr(args, "together", None) or [] for pair in _pairs(text, "--together", chain=True)
    ]
    result = mix(
        people,
        size,
        args.rounds,
        apart=apart,
        together=together,
        seed=getattr(args, "seed", 0),
        time_limit=time_limit,
    )
    sys.stdout.write(render(result, getattr(args, "format", "text")))
    note = _note(result)
    if note:
        print(f"circle: note: {note}", file=sys.stderr)
    return 0


def read_people(value: str) -> list[str]:
    """Names from a file (one a line; blank lines and # comments skipped), standard input ("-") or "A,B,C"."""
    from circle.mixer import MixError

    if value == "-":
        return _lines(sys.stdin.read())
    path = Path(value)
    if _is_file(path):
        try:
            with path.open("rb") as file:
                data = file.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise MixError(f"cannot read {value}: a file of names may have at most {MAX_FILE_BYTES // 1024} KiB")
            return _lines(data.decode("utf-8"))
        except OSError as exc:
            raise MixError(f"cannot read {value}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise MixError(f"cannot read {value}: it is not UTF-8 text") from None
    if "," not in value and ("/" in value or "\\" in value or value.lower().endswith(NAME_FILE_SUFFIXES)):
        raise MixError(f"no such file: {value}")
    return [_name(name) for name in value.split(",") if name.strip()]


def _name(text: str) -> str:
    from circle.mixer import MixError

    # The one rule for names: "José" typed with a separate accent is the same person, and named twice.
    try:
        return clean_name(text)
    except NameProblem as exc:
        raise MixError(str(exc)) from None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long to be a file's, or with a NUL in it: names, then
        return False


def _lines(text: str) -> list[str]:
    return [_name(line) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _pairs(text: str, option: str, chain: bool) -> list[tuple[str, str]]:
    from circle.mixer import MixError

    names = [_name(name) for name in text.split(",") if name.strip()]
    if len(names) < 2:
        raise MixError(f'{option} takes two names or more, comma separated: "Ana,Ben" (got "{text}")')
    if chain:  # together is transitive: a chain is enough
        return list(zip(names, names[1:], strict=False))
    return list(combinations(names, 2))


def render(result: Mix, fmt: str) -> str:
    from circle.mixer import MixError

    if fmt == "json":
        doc = {
            "rounds": result.rounds,
            "repeats": result.repeats,
            "lower_bound": result.lower_bound,
            "optimal": result.optimal,
            "stopped": result.stopped,
            "seconds": round(result.seconds, 3),
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        rows: list[list[object]] = [["round", "group", "name"]]
        rows += [
            [r, g, name]
            for r, groups in enumerate(result.rounds, 1)
            for g, group in enumerate(groups, 1)
            for name in group
        ]
        return csv_text(rows)
    if fmt != "text":
        raise MixError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    lines = []
    for r, groups in enumerate(result.rounds, 1):
        lines.append(f"Round {r}")
        lines.extend(f"  Group {g}: {', '.join(group)}" for g, group in enumerate(groups, 1))
    lines.append(f"repeats: {result.repeats}")
    return "\n".join(lines) + "\n"


def _note(result: Mix) -> str | None:
    if result.repeats == 0:
        return None
    if result.optimal:
        return f"{_meetings(result.repeats)}, the fewest possible: no plan for this room can have fewer"
    bound = result.lower_bound
    unavoidable = (
        f"at least {bound} {'is' if bound == 1 else 'are'} unavoidable" if bound else "none is proven unavoidable"
    )
    note = f"{_meetings(result.repeats)} in the best plan found in {result.seconds:.1f} s ({unavoidable})"
    if result.stopped == "time":  # the search was cut short; when it stopped by itself, more time does not help
        note += "; a longer --time-limit may find a better one"
    return note


def _meetings(count: int) -> str:
    return "1 repeat meeting" if count == 1 else f"{count} repeat meetings"
