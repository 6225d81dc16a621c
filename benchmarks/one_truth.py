"""One truth at scale: the checks of tests/test_one_truth.py over many more drawn sessions.

Each drawn session (protocol, start near midnight or a change of daylight saving time,
people, 3 to 60 commands with gaps up to 17 hours) is played through the engine with a fake
clock and checked at up to four moments: the report against the summary screen's tables and
the Markdown, HTML, JSON and CSV exports parsed back, the phone against the wall, and an
agenda's standing against a tally of the report and the raw events. Failures are counted,
not raised; the first few are printed with their case. Nothing is asserted.

    .venv/bin/python benchmarks/one_truth.py              # 2,000 sessions
    .venv/bin/python benchmarks/one_truth.py --cases 200
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOME = tempfile.mkdtemp(prefix="circle-truth-")
atexit.register(shutil.rmtree, HOME, ignore_errors=True)
os.environ["CIRCLE_HOME"] = HOME  # a user folder of its own, as in the tests
os.environ.pop("CIRCLE_PROTOCOLS", None)
sys.path.insert(0, str(ROOT / "tests"))

import test_one_truth as truth  # noqa: E402  (the strategy and the checks)
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

import circle.engine  # noqa: E402
import circle.engine.breakouts  # noqa: E402
from circle.core.localtime import moment  # noqa: E402
from circle.mixer import mix  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args()
    # As in the test: who sits with whom never touches the figures, so the mixer is bounded by steps.
    real_mix = mix
    circle.engine.breakouts.mix = lambda *a, **kw: real_mix(*a, **{**kw, "max_steps": 200})

    outcomes: Counter[str] = Counter()
    counts = Counter()
    failures: list[tuple[dict, str]] = []

    @settings(
        max_examples=args.cases,
        deadline=None,
        phases=[Phase.generate],  # count every drawn case; no shrinking
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=truth.sessions)
    def play(case: dict) -> None:
        try:
            session, log, _, checks = truth.run(case)
        except Exception:  # noqa: BLE001 - a check that fails, or anything that breaks on the way
            outcomes["failed"] += 1
            if len(failures) < 5:
                failures.append((case, traceback.format_exc(limit=3)))
            return
        outcomes["agreed"] += 1
        counts["checks"] += checks
        counts["events"] += len(log)
        counts["agendas"] += session.state.protocol.layout == "agenda"
        counts["ended"] += session.state.ended
        counts["rebalances"] += len(session.state.replans)
        counts["points"] += len(circle.engine.live_records(session.state))
        first, last = (moment(at, truth.BERLIN).date() for at in (log[0].at, log[-1].at))
        counts["midnights"] += first != last

    started = time.perf_counter()
    play()
    took = time.perf_counter() - started
    total = sum(outcomes.values())
    print(f"sessions drawn      {total:,}")
    print(f"every figure agreed {outcomes['agreed']:,}")
    print(f"failed              {outcomes['failed']:,}   (target 0)")
    print(f"moments checked     {counts['checks']:,}")
    print(f"events played       {counts['events']:,}")
    print(f"agendas             {counts['agendas']:,} ({counts['rebalances']:,} rebalances accepted)")
    print(f"points recorded     {counts['points']:,}")
    print(f"ended               {counts['ended']:,}")
    print(f"past a midnight     {counts['midnights']:,}")
    print(f"time                {took:.1f} s ({took / max(total, 1) * 1000:.0f} ms a session)")
    for case, trace in failures:
        print("\n--- failed:", case)
        print(trace)
    return 0


if __name__ == "__main__":
    sys.exit(main())
