"""`circle merge` at congregation scale: prints figures, asserts nothing.

    .venv/bin/python benchmarks/merge_scale.py [--db PATH] [--rebuild] [--runs 3]

The history is the one `ledger_scale.py` builds (200 people in 40 crews, ten years of
meetings: about 5,000 sessions and 500,000 events, through the real engine), kept at --db.
Three merges, each --runs times on fresh copies (copying is not timed), through the same
calls as `circle merge` (``readable_copy`` then ``merge_copy``, on a ``Store`` with the
default synchronous=FULL):

- two laptops: both hold the decade; the other one has also run one more month (a meeting
  for each of the 40 crews). Nearly everything is shared; 40 sessions come in.
- again: the same merge once more; nothing comes in.
- into a new file: the whole decade merged into an empty database.

The time includes checking and copying OTHER into a private folder.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from ledger_scale import ensure_db  # noqa: E402  (the decade's builder)

from circle.core.clock import FakeClock  # noqa: E402
from circle.protocol.loader import load_library  # noqa: E402
from circle.sessions import start_session  # noqa: E402
from circle.store import Store  # noqa: E402
from circle.store.merge import merge_copy, readable_copy  # noqa: E402

DEFAULT_DB = Path(tempfile.gettempdir()) / "circle-merge-scale.db"


def one_more_month(db: Path) -> int:
    """A level-3 meeting for every crew, a month after the last session; how many sessions were run."""
    store = Store(db)
    protocol = load_library().get("reciprocity-3-consistency")
    after = store.conn.execute("SELECT max(created_at) FROM sessions").fetchone()[0] + 30 * 86400
    crews = [g["name"] for g in store.groups() if g["kind"] == "crew"]
    for n, crew in enumerate(crews):
        names = [p.name for p in store.group_members(crew)]
        session = start_session(store, protocol, names, FakeClock(after + n * 3600), group=crew)
        session.end()
    store.close()
    return len(crews)


def timed_merge(target: Path, other: Path) -> tuple[float, str]:
    started = time.perf_counter()
    with readable_copy(other, target) as copy:
        store = Store(target)
        report = merge_copy(store, copy, other)
        store.close()
    return time.perf_counter() - started, report.summary(target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"the decade to build or reuse ({DEFAULT_DB})")
    parser.add_argument("--rebuild", action="store_true", help="build the decade again")
    parser.add_argument("--runs", type=int, default=3, help="times each merge is measured (3)")
    args = parser.parse_args()
    ensure_db(args.db, args.rebuild)
    size = args.db.stat().st_size / 2**20
    events = Store(args.db, readonly=True).conn.execute("SELECT count(*) FROM events").fetchone()[0]
    print(f"decade: {args.db} ({size:.0f} MiB, {events:,} events)")

    times: dict[str, list[float]] = {"two laptops": [], "again": [], "into a new file": []}
    summaries: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="circle-merge-bench-") as folder:
        here, other, new = Path(folder) / "here.db", Path(folder) / "other.db", Path(folder) / "new.db"
        shutil.copyfile(args.db, other)
        added = one_more_month(other)
        print(f"other laptop: the decade and {added} more sessions")
        for run in range(args.runs):
            shutil.copyfile(args.db, here)
            for label, target in (("two laptops", here), ("again", here)):
                seconds, summaries[label] = timed_merge(target, other)
                times[label].append(seconds)
            new.unlink(missing_ok=True)
            seconds, summaries["into a new file"] = timed_merge(new, args.db)
            times["into a new file"].append(seconds)
            print(f"  run {run + 1}/{args.runs} done")

    print(f"\n{'merge':<16} {'median':>8} {'min':>8} {'max':>8}  what it said")
    for label, values in times.items():
        what = summaries[label].split(": ", 1)[-1]
        print(f"{label:<16} {statistics.median(values):>7.2f}s {min(values):>7.2f}s {max(values):>7.2f}s  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
