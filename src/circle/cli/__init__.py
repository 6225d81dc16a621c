"""The ``circle`` command line. Bad input gets one clear line and exit code 1.

One module per group of commands; this one builds the parser from theirs and runs what was asked.
Each command imports the rest of circle it needs when it runs: plain `circle` paints its home
screen before the protocol models and YAML parser are loaded.
"""

from __future__ import annotations

import argparse
import os
import sys

from circle.cli import groups, ledger, log, loops, notes, protocols, remote, screens, shell
from circle.cli.common import UsageError, _Parser, complain, shared_options
from circle.cli.mix import add_mix_parser, cmd_mix
from circle.cli.screens import has_terminal
from circle.core.errors import CircleError, one_line

__all__ = ["COMMANDS", "EXPORT_FORMATS", "UsageError", "_Parser", "has_terminal", "main"]
EXPORT_FORMATS = log.EXPORT_FORMATS


def _parser() -> argparse.ArgumentParser:
    common = shared_options()
    phones = screens.phones_parent()
    parser = _Parser(
        prog="circle",
        description="Facilitate live group sessions.",
        epilog=shell.environment_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,  # the epilog's lines stay lines
        parents=[common, phones],
    )
    parser.add_argument("--version", action=shell.Version, help="print the installed version")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, help="what to do (none: the home screen)")
    screens.add_run_parser(sub, common, phones)
    screens.add_editor_parsers(sub, common)
    protocols.add_parsers(sub, common)
    log.add_sessions_parser(sub, common)
    groups.add_parser(sub, common)
    ledger.add_parser(sub, common)
    loops.add_parser(sub, common)
    notes.add_parser(sub, common)
    remote.add_parser(sub, common)
    add_mix_parser(sub, common)
    log.add_repair_parsers(sub, common)
    shell.add_parsers(sub, common)
    return parser


COMMANDS = {
    "protocols": protocols.cmd_protocols,
    "validate": protocols.cmd_validate,
    "schema": protocols.cmd_schema,
    "sessions": log.cmd_sessions,
    "export": log.cmd_export,
    "check": log.cmd_check,
    "salvage": log.cmd_salvage,
    "group": groups.cmd_group,
    "ledger": ledger.cmd_ledger,
    "loops": loops.cmd_loops,
    "notes": notes.cmd_notes,
    "remote": remote.cmd_remote,
    "mix": cmd_mix,
    "merge": log.cmd_merge,
    "paths": shell.cmd_paths,
    "completion": shell.cmd_completion,
    "run": screens.cmd_tui,
    "new": screens.cmd_tui,
    "edit": screens.cmd_tui,
    None: screens.cmd_tui,
}


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except CircleError as exc:  # worded for the facilitator; anything else is circle's own fault
        problems = getattr(exc, "problems", None)  # a LoadError: one located line per problem
        for line in problems or [f"circle: {one_line(str(exc))}"]:
            complain(line)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # noqa: BLE001 - the last resort: one line and a file, never a traceback
        from circle.core import crash_log

        complain(crash_log.message(exc, crash_log.write(exc)))
        return 1
