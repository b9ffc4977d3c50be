"""How long a large import holds SQLite's write lock, beside how long it checks and writes.

For each size, on a fresh file-backed SQLite database like production's (WAL, IMMEDIATE
transactions, 5 s busy timeout): households (heads not linked yet), people, households again
(links the heads, so every row is an update). For each step it prints the seconds spent in the
importer's `check` and `write`, and the longest time the write lock was held, as another
connection sees it: a probe thread tries `BEGIN IMMEDIATE` every few milliseconds with no busy
timeout and records the longest run of refusals. A check-in waits at most 5 s for the lock.
Run:
    .venv/bin/python bench/import_lock.py [--rows 5000 20000] [--json]
"""

import argparse
import io
import json
import sqlite3
import subprocess
import sys
import threading
import time

from import_households import build_files, build_regions
from throwaway import setup_throwaway_django

PROBE_EVERY_S = 0.005


class LockProbe(threading.Thread):
    """Tries to take the write lock from its own connection; keeps the longest refused run."""

    def __init__(self, path: str):
        super().__init__(daemon=True)
        self.path = path
        self.longest = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        probe = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        locked_since = None
        while not self.stop.is_set():
            now = time.perf_counter()
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
            except sqlite3.OperationalError:
                locked_since = locked_since or now
            else:
                if locked_since is not None:
                    self.longest = max(self.longest, now - locked_since)
                locked_since = None
            time.sleep(PROBE_EVERY_S)
        if locked_since is not None:
            self.longest = max(self.longest, time.perf_counter() - locked_since)
        probe.close()


def timed_importers() -> dict[str, float]:
    """Wrap every importer's check and write to add up their seconds."""
    from qunfang.registry.spreadsheets import LAYOUTS

    spent = {"check": 0.0, "write": 0.0}
    for spec in LAYOUTS.values():
        for phase in spent:
            real = getattr(spec.importer, phase)

            def timed(self, *args, _real=real, _phase=phase, **kwargs):
                start = time.perf_counter()
                try:
                    return _real(self, *args, **kwargs)
                finally:
                    spent[_phase] += time.perf_counter() - start

            setattr(spec.importer, phase, timed)
    return spent


def run_size(count: int, db_path: str, spent: dict[str, float]) -> list[dict]:
    from qunfang.registry.spreadsheets import import_file

    village = build_regions()
    households, people = build_files(count)
    steps = [
        ("households, new", "households", households),
        ("people, new", "people", people),
        ("households, linking heads", "households", households),
    ]
    results = []
    for label, layout, data in steps:
        spent.update(check=0.0, write=0.0)
        probe = LockProbe(db_path)
        probe.start()
        start = time.perf_counter()
        report = import_file(
            layout=layout, village=village, file=io.BytesIO(data), filename=f"{layout}.xlsx"
        )
        total = time.perf_counter() - start
        probe.stop.set()
        probe.join()
        assert report.ok, (label, report.file_error, report.errors[:5])
        results.append(
            {
                "rows": count,
                "step": label,
                "created": report.created,
                "updated": report.updated,
                "check_s": round(spent["check"], 2),
                "write_s": round(spent["write"], 2),
                "import_s": round(total, 2),
                "longest_lock_s": round(probe.longest, 2),
            }
        )
    return results


def one_size(count: int) -> None:
    """One size on its own fresh database (history lines are append-only: no flush)."""
    data_dir = setup_throwaway_django()
    spent = timed_importers()
    print(json.dumps(run_size(count, f"{data_dir}/bench.sqlite3", spent), ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[5_000, 20_000])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one_size(args.one)
        return
    results = []
    for count in args.rows:
        child = [sys.executable, __file__, "--one", str(count)]
        done = subprocess.run(child, check=True, capture_output=True)  # noqa: S603 (this script)
        results += json.loads(done.stdout)
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
        return
    heading = ("rows", "step", "new", "changed", "check s", "write s", "import s", "lock s")
    line = "{:>6} {:<26} {:>6} {:>7} {:>8} {:>8} {:>8} {:>7}"
    print(line.format(*heading))
    for r in results:
        print(line.format(*r.values()))


if __name__ == "__main__":
    main()
