"""`circle remote`: where the facilitator's phone runs the wall of the session being run now."""

from __future__ import annotations

import argparse

from circle.cli.common import reading
from circle.core.errors import CircleError


def add_parser(sub, common: argparse.ArgumentParser) -> None:
    sub.add_parser(
        "remote",
        parents=[common],
        help="the address of your phone's remote for the session being run now (keep it to yourself)",
    )


def cmd_remote(args: argparse.Namespace) -> int:
    store = reading(args)
    found = store.running_share()
    if found is None:
        raise CircleError("no session is being shared now; on the live screen, ctrl+r serves the remote")
    row, share = found
    if not share.remote_token:
        raise CircleError(f"{row.title} has no remote yet; on its live screen, ctrl+r serves one")
    from circle.follow.server import lan_address

    host = lan_address() if share.host in (None, "", "0.0.0.0") else share.host
    print(f"http://{host}:{share.port}/{share.remote_token}/")
    return 0
