"""`circle protocols`, `circle validate` and `circle schema`: what can be run, and whether a file is right."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from circle.cli.common import library


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    sub.add_parser("protocols", parents=[common], help="list what can be run")
    validate = sub.add_parser("validate", parents=[common], help="check protocol files")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="protocol or data files, or folders of them")
    schema = sub.add_parser("schema", parents=[common], help="print the protocol JSON Schema")
    schema.add_argument(
        "--write", type=Path, metavar="DIR", help="write DIR/protocol.schema.json instead, beside protocols there"
    )


def cmd_protocols(args: argparse.Namespace) -> int:
    rows = [(p.id, p.title, _length(p), p.group_size.describe()) for p in library(args).sorted()]
    widths = [max(len(r[i]) for r in [("id", "title", "length", "people"), *rows]) for i in range(4)]
    for row in [("id", "title", "length", "people"), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _length(protocol) -> str:
    from circle.core.durations import format_duration

    low, high = protocol.length_range()
    days = protocol.days
    if low == high:
        return format_duration(low) + (f" ({len(days)} days)" if len(days) > 1 else "")
    return f"{format_duration(low)}-{format_duration(high)}"


def cmd_validate(args: argparse.Namespace) -> int:
    """Protocols, and circle's data files (points, Two Loops, methods), each against its own model."""
    from circle.core.errors import InputError
    from circle.games.reciprocity.scoring import load_rules
    from circle.games.two_loops import load_loops
    from circle.protocol.loader import LoadError, validate_paths, yaml_files
    from circle.protocol.methods import load_methods, method_problems

    loaders = {"points": load_rules, "two loops": load_loops, "methods": load_methods}
    problems, protocols, data = [], [], 0
    for path in yaml_files(args.paths):
        kind = _data_kind(path)
        if kind is None:
            protocols.append(path)
            continue
        data += 1
        try:
            loaders[kind](path)
        except LoadError as exc:
            problems.extend(exc.problems)
    if not protocols and not data:  # only folders without a .yaml file: saying "all valid" would mislead
        raise InputError(f"nothing to check: no .yaml or .yml files in {', '.join(map(str, args.paths))}")
    problems = validate_paths(protocols) + problems
    if not problems:
        methods = load_methods()
        problems = [p for path in protocols for p in method_problems(path, methods)]
    for problem in problems:
        print(problem)
    if not problems:
        print(_all_valid(len(protocols), data))
    return 1 if problems else 0


def _all_valid(protocols: int, data: int) -> str:
    """``3 files, 2 protocols, 1 data file: all valid``."""
    parts = [_count(protocols + data, "file"), _count(protocols, "protocol")]
    if data:
        parts.append(_count(data, "data file"))
    return f"{', '.join(parts)}: all valid"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# A data file is known by its shape: the top-level keys only it has (a protocol has steps).
DATA_SHAPES = {"points": {"levels"}, "two loops": {"stages", "roles"}, "methods": {"methods"}}


def _data_kind(path: Path) -> str | None:
    """Which of circle's data files ``path`` is, by its top-level keys; None for a protocol."""
    from circle.protocol.loader import LoadError, read_text, read_yaml

    try:
        doc = read_yaml(read_text(path, str(path)), str(path))
    except LoadError:
        return None  # the protocol check reports what is wrong with it
    if not isinstance(doc, dict) or "steps" in doc or "id" in doc:
        return None
    keys = set(doc)
    return next((kind for kind, shape in DATA_SHAPES.items() if keys & shape), None)


def cmd_schema(args: argparse.Namespace) -> int:
    from circle.protocol.schema import schema_text, write_schema

    if args.write is None:
        sys.stdout.write(schema_text())
    else:
        print(f"wrote {write_schema(args.write)}")
    return 0
