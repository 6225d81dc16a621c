"""`circle ledger`: the Reciprocity Game's points, as text, Markdown or CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from circle.cli.common import existing_db, write
from circle.store import Store


def add_parser(sub, common: argparse.ArgumentParser) -> None:
    ledger = sub.add_parser("ledger", parents=[common], help="Reciprocity Game points")
    ledger.add_argument("group", nargs="?", help="one group's ledger (default: everyone)")
    ledger.add_argument(
        "--format", choices=("text", "md", "csv"), default="text", help="one of %(choices)s (default: %(default)s)"
    )
    ledger.add_argument("--out", type=Path, help="write to this file instead of printing")


def cmd_ledger(args: argparse.Namespace) -> int:
    from circle.games.reciprocity.ledger import compute
    from circle.games.reciprocity.report import as_csv, as_markdown, as_text, report
    from circle.games.reciprocity.scoring import load_rules

    rules = load_rules()
    store = Store(existing_db(args), readonly=True)
    group = store.group(args.group) if args.group else None
    ledger = compute(store, rules)
    for problem in ledger.problems:
        print(f"circle: note: {problem}", file=sys.stderr)
    if args.format == "csv":
        text = as_csv(ledger, group["id"] if group else None)
    else:
        rep = report(ledger, group)
        text = as_markdown(rep, rules) if args.format == "md" else as_text(rep, rules)
    write(text, args.out)
    return 0
