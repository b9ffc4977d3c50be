"""How long an assessment (考核) takes: wall seconds, queries and peak memory to assess one month.

(a) The demo township (`qunfang demo`: 枫桥镇, a year of records): last month assessed at each
    level (village, organisation, person) and in total, as `qunfang assess --period P --region
    <township>` does it, and `run_check` of the same runs (every score computed again from the
    records as of the run's cut-off).
(b) The bench data of bench/pages.py (`build(scale)`: `scale` whole townships of registry,
    patrols, casebook and governance records) at 1x, 10x and 100x, each township given the
    default schemes (`services.schemes.default_schemes`, by an officer of the township): the
    last complete month before today (the patrols' rosters cover it, the casebook and governance
    its whole year) for the first township alone at each level and in total (it should take as
    long at 100x as at 1x) and its check, and for every township at once, as `qunfang assess
    --period P` does it (the goal: under 60 s at 100x), and its check (`--check`).
(c) Per indicator and veto of the catalogue, for the first township at each scale: the time,
    queries and items of its `compute` on a fresh `Context` (so the records it shares with
    others, such as the period's patrol assignments, are read for it alone).

Run:
    .venv/bin/python bench/assessment.py [--scales 1 10 100] [--keep] [--no-demo]
        [--repeats 3] [--no-memory] [--database-url postgres://postgres@127.0.0.1:5432/] [--json]
Builds one database per scale and one of the demo (SQLite files in a temporary folder, or
qf_bench_<pid>_<n>x and qf_bench_<pid>_demo on the PostgreSQL server, dropped at the end; with
--keep they stay, in $TMPDIR/qunfang-bench-assessment or as qf_bench_assessment_<n>x and
qf_bench_assessment_demo, and the next --keep run measures them without building again). A
figure for one township is the median of --repeats runs; the others are measured once. The
queries are the statements sent to the database; the peak memory is the most Python allocated
at once during the run over what it held before (tracemalloc, in a second run of its own so
that tracing does not slow the timed one; --no-memory leaves it out). Prints the tables (to
stderr, the build time and row counts of each scale); --json prints the figures as JSON."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pages import Scales, prepare
from throwaway import postgres_database, setup_django

LEVELS = ("village", "organisation", "person")
PASSWORD = "Bench-2026x"
DEMO = "demo"  # the demo's key among the scales


# ---- measuring ---------------------------------------------------------------------------------


@contextmanager
def counted():
    """Count the statements sent on the default connection: `with counted() as n: ...; n[0]`."""
    from django.db import connection

    count = [0]

    def wrapper(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield count


def timed(fn: Callable[[], Any], repeats: int = 1) -> dict:
    """Wall seconds and this process's CPU seconds (medians of `repeats`) and the queries of
    `fn()`; "result" is its last result. The CPU seconds leave out the time the machine gave to
    other work (SQLite runs in this process; a PostgreSQL server's work is not in them)."""
    times, cpu, result, queries = [], [], None, 0
    for _ in range(repeats):
        with counted() as n:
            start, start_cpu = time.perf_counter(), time.process_time()
            result = fn()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        queries = n[0]
    return {
        "s": round(statistics.median(times), 3),
        "cpu": round(statistics.median(cpu), 3),
        "queries": queries,
        "result": result,
    }


def peak_mb(fn: Callable[[], Any]) -> float:
    """The most memory Python allocated at once while `fn()` ran, over what it held before."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return round((peak - before) / 2**20, 1)


def figure(fn: Callable[[], Any], *, repeats: int = 1, memory: bool = True) -> dict:
    out = timed(fn, repeats)
    out["peak_mb"] = peak_mb(fn) if memory else None
    return out


# ---- the data ----------------------------------------------------------------------------------


def last_month():
    """The last complete month before today: the bench's rosters cover it, as does the demo."""
    import datetime as dt

    from django.utils import timezone

    from qunfang.governance.assessment.periods import Period

    day = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return Period.parse(f"{day:%Y-%m}")


def townships() -> list:
    from qunfang.core.models import Region, RegionKind

    return list(Region.objects.filter(kind=RegionKind.TOWNSHIP).order_by("code"))


def with_schemes() -> None:
    """Schemes in use at every level in every township: the defaults, set by an officer of the
    township (the one bench/pages.py made in the first township, a new one in the others)."""
    from django.db import transaction

    from qunfang.core.models import User
    from qunfang.core.roles import Perm
    from qunfang.core.services import user_create
    from qunfang.governance.models import Scheme, SchemeStatus
    from qunfang.governance.services.schemes import default_schemes

    ready = set(
        Scheme.objects.filter(status=SchemeStatus.ACTIVE).values_list("region_id", flat=True)
    )
    for township in townships():
        if township.pk in ready:
            continue
        officers = User.objects.filter(region=township, is_active=True).order_by("pk")
        officer = next((u for u in officers if u.can(Perm.SUPERVISE_VILLAGES)), None)
        with transaction.atomic():
            if officer is None:
                officer = user_create(
                    username=f"officer-{township.code}",
                    password=None,
                    region=township,
                    roles={"township_officer"},
                )
            default_schemes(township, by=officer)


def demo_built() -> bool:
    from qunfang.core.models import DemoStamp

    return DemoStamp.objects.exists()


def prepare_demo(reuse: bool) -> dict:
    """Migrate the current database and build the demo into it unless a kept build is there."""
    from django.conf import settings
    from django.core.management import call_command

    from qunfang.core.demo import build_demo
    from qunfang.core.triggers import books_unlocked

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    built_s = None
    if not (reuse and demo_built()):
        with books_unlocked():
            call_command("flush", interactive=False, verbosity=0)
        settings.DEBUG = False
        build_demo(password=PASSWORD)
        built_s = round(time.perf_counter() - start, 1)
    return {"scale": DEMO, "build_s": built_s, **data_counts()}


def data_counts() -> dict:
    from django.db import connection

    from qunfang.casebook.models import Case
    from qunfang.governance.models import Attendance, Meeting
    from qunfang.patrols.models import Assignment, CheckIn

    return {
        "database": connection.vendor,
        "townships": len(townships()),
        "assignments": Assignment.objects.count(),
        "check_ins": CheckIn.objects.count(),
        "cases": Case.objects.count(),
        "meetings": Meeting.objects.count(),
        "attendances": Attendance.objects.count(),
    }


# ---- what is measured --------------------------------------------------------------------------


def one_township(township, period, repeats: int, memory: bool) -> list[dict]:
    """The township's month at each level and in total (the command with --region), then the
    check of each run and of all of them."""
    from django.core.management import call_command
    from django.utils import timezone

    from qunfang.governance.models import AssessmentRun
    from qunfang.governance.services.assessment import compute, run_assess, run_check, scheme_in_use
    from qunfang.governance.services.schemes import scheme_spec

    rows = []
    for level in LEVELS:  # the reading and scoring alone, without the writes
        spec = scheme_spec(scheme_in_use(township, level), period.first.year)
        got = timed(
            lambda spec=spec: compute(spec, township, period, timezone.now()), repeats=repeats
        )
        got["scores"] = len(got.pop("result").results)
        rows.append({"what": f"compute {level} (no writes)", **got})
    for level in LEVELS:

        def assess(level=level):
            return run_assess(township=township, level=level, period=period, by=None)

        got = figure(assess, repeats=repeats, memory=memory)
        got["scores"] = got.pop("result").scores.count()
        rows.append({"what": f"assess {level}", **got})

    def command():
        call_command("assess", period=period.key, region=township.code, stdout=io.StringIO())

    got = figure(command, repeats=repeats, memory=memory)
    got.pop("result")
    rows.append({"what": "assess total (--region)", **got})
    runs = list(AssessmentRun.objects.filter(region=township, period=period.key))
    by_level = {run.level: run for run in runs}
    differ = 0
    for level in LEVELS:
        got = figure(lambda level=level: run_check(by_level[level]), memory=memory)
        differ += len(got["result"])
        got["differ"] = len(got.pop("result"))
        rows.append({"what": f"check {level}", **got})
    got = figure(lambda: [d for run in runs for d in run_check(run)], memory=memory)
    got["differ"] = len(got.pop("result"))
    rows.append({"what": "check total", **got})
    return rows


def all_townships(period, memory: bool) -> list[dict]:
    """`qunfang assess --period P` (every township, every level) and `--check`."""
    from django.core.management import call_command

    from qunfang.governance.models import AssessmentRun, Score

    def command(check: bool = False) -> str:
        out = io.StringIO()
        # --check exits 1 when a score differs; the count is printed
        with contextlib.suppress(SystemExit):
            call_command("assess", period=period.key, check=check, stdout=out)
        return out.getvalue()

    got = figure(command, memory=memory)
    got.pop("result")
    runs = AssessmentRun.objects.filter(period=period.key)
    got["runs"] = runs.count()
    got["scores"] = Score.objects.filter(run__in=runs).count()
    rows = [{"what": "assess all townships", **got}]
    got = figure(lambda: command(check=True), memory=memory)
    # its last line counts the runs checked, then the figures that differ
    got["differ"] = int(re.findall(r"\d+", got.pop("result").strip().splitlines()[-1])[-1])
    rows.append({"what": "check all townships", **got})
    return rows


def indicators(township, period) -> list[dict]:
    """Each indicator's and veto's compute on a fresh Context for the township: its shared reads
    are its own. Then the subjects."""
    from django.utils import timezone

    from qunfang.governance.assessment import catalogue
    from qunfang.governance.assessment.catalogue import INDICATORS, VETOES, Context
    from qunfang.governance.assessment.subjects import subjects_for, villages_of

    catalogue.load()
    villages = villages_of(township)
    now = timezone.now()

    def context(within_days=None) -> Context:
        return Context(
            period=period,
            cutoff=now,
            township=township.pk,
            villages=list(villages),
            within_days=within_days,
        )

    rows = []
    for code in sorted(INDICATORS):
        item = INDICATORS[code]
        got = timed(lambda item=item: list(item.compute(context(item.default_within_days))))
        rows.append({"what": code, "items": len(got.pop("result")), **got})
    for code in sorted(VETOES):
        got = timed(lambda code=code: list(VETOES[code].compute(context())))
        rows.append({"what": f"{code} (veto)", "items": len(got.pop("result")), **got})
    got = timed(lambda: subjects_for(context(), villages))
    subjects = got.pop("result")
    rows.append(
        {
            "what": "subjects",
            "items": len(subjects.villages) + len(subjects.organisations) + len(subjects.people),
            **got,
        }
    )
    return rows


# ---- printing ----------------------------------------------------------------------------------


WIDTHS = {"s": 8, "cpu": 8, "queries": 7, "peak_mb": 7, "items": 7, "n": 6}


def _cell(row: dict | None, *keys: str) -> str:
    widths = WIDTHS
    if row is None:
        return " ".join(f"{'-':>{widths[k]}}" for k in keys)
    return " ".join(f"{'-' if row.get(k) is None else row[k]:>{widths[k]}}" for k in keys)


def _head(label: str, keys: tuple[str, ...]) -> str:
    names = {"s": "s", "cpu": "cpu", "queries": "q", "peak_mb": "MB", "items": "items", "n": "n"}
    widths = WIDTHS
    return " ".join(f"{f'{label} {names[k]}':>{widths[k]}}" for k in keys)


def print_demo(rows: list[dict], period) -> None:
    print(f"\n(a) the demo township, {period.key}")
    print(f"{'what':<34} {'s':>8} {'cpu':>8} {'q':>7} {'MB':>7} {'scores':>7} {'differ':>7}")
    for row in rows:
        print(
            f"{row['what']:<34} {_cell(row, 's', 'cpu', 'queries', 'peak_mb')} "
            f"{row.get('scores', ''):>7} {row.get('differ', ''):>7}"
        )


def _label(key: Any) -> str:
    return str(key) if key == DEMO else f"{key}x"


def print_scales(results: dict, keys: list, period, kind: str, title: str) -> None:
    """One row per figure, its cells at each scale, and the last scale's time over the first's
    (of the bench scales, not the demo)."""
    if kind == "figures":
        cols: tuple[str, ...] = ("s", "cpu", "queries", "peak_mb", "n")
    else:
        cols = ("s", "cpu", "queries", "items")
    print(f"\n{title}, {period.key}")
    head = " ".join(_head(_label(k), cols) for k in keys)
    print(f"{'what':<34} {head} {'last/1st':>8}")
    order: list[str] = []
    for key in keys:
        order += [r["what"] for r in results[key][kind] if r["what"] not in order]
    numbers = [k for k in keys if k != DEMO]
    for what in order:
        rows = {k: next((r for r in results[k][kind] if r["what"] == what), None) for k in keys}
        for row in rows.values():  # n: the scores an assessment made, the differences a check
            if row is not None and "n" not in row:
                row["n"] = row.get("scores", row.get("differ"))
        cells = " ".join(_cell(rows[k], *cols) for k in keys)
        ratio = "-"
        if len(numbers) > 1:
            first, last = rows[numbers[0]], rows[numbers[-1]]
            if first and last and first["s"]:
                ratio = f"{last['s'] / first['s']:.2f}"
        print(f"{what:<34} {cells} {ratio:>8}")


# ---- running -----------------------------------------------------------------------------------


def database_urls(args) -> dict:
    keys: list[Any] = ([] if args.no_demo else [DEMO]) + list(args.scales)
    folder = Path(tempfile.gettempdir()) / "qunfang-bench-assessment" if args.keep else None
    urls = {}
    for key in keys:
        suffix = key if key == DEMO else f"{key}x"
        name = f"qf_bench_assessment_{suffix}" if args.keep else f"qf_bench_{os.getpid()}_{suffix}"
        if args.database_url:
            urls[key] = postgres_database(args.database_url, name, keep=args.keep)
        else:
            folder = folder or Path(tempfile.mkdtemp(prefix="qunfang-bench-"))
            folder.mkdir(exist_ok=True)
            urls[key] = f"sqlite:///{folder}/{name}.sqlite3"
    return urls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", type=int, nargs="*", default=[1, 10, 100])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each one-township figure")
    parser.add_argument("--no-demo", action="store_true", help="leave the demo (a) out")
    parser.add_argument("--no-memory", action="store_true", help="leave the peak memory out")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server, postgres://user@host:port/ (a database for each scale and "
        "the demo is made on it); SQLite files in a temporary folder when left out",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the built databases (SQLite: in $TMPDIR/qunfang-bench-assessment) and reuse "
        "them on the next run with --keep",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    memory = not args.no_memory
    urls = database_urls(args)
    setup_django(next(iter(urls.values())), tempfile.mkdtemp(prefix="qunfang-bench-"))
    from django.conf import settings
    from django.db import connection

    scales = Scales(urls)
    sizes, results = [], {}
    for key in urls:
        scales.use(key)
        if key == DEMO:
            sizes.append(prepare_demo(reuse=args.keep))
        else:
            sizes.append(prepare(key, reuse=args.keep))
            sizes[-1].update(data_counts())
            with_schemes()
        settings.DEBUG = False  # no query log: the statements are counted by `counted`
        if not args.json:
            print(f"{key}: {sizes[-1]}", file=sys.stderr, flush=True)
        period = last_month()
        township = townships()[0] if key != DEMO else None
        if key == DEMO:
            from qunfang.core.demo.reference import DEMO_TOWNSHIP
            from qunfang.core.models import Region

            township = Region.objects.get(code=DEMO_TOWNSHIP)
        figures = one_township(township, period, args.repeats, memory)
        if key != DEMO:
            figures += all_townships(period, memory)
        results[key] = {"figures": figures, "indicators": indicators(township, period)}
        if not args.json:
            print(f"{key}: measured", file=sys.stderr, flush=True)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    if args.json:
        print(
            json.dumps(
                {
                    "database": connection.vendor,
                    "period": period.key,
                    "sizes": sizes,
                    "results": {str(k): v for k, v in results.items()},
                    "peak_rss_mb": peak_rss,
                },
                ensure_ascii=False,
                default=str,
            )
        )
        return
    print(f"database: {connection.vendor}; process peak RSS {peak_rss} MB")
    if DEMO in results:
        print_demo(results[DEMO]["figures"], period)
    if args.scales:
        first = "first township (one --region) and all townships"
        print_scales(results, args.scales, period, "figures", f"(b) {first}")
    keys = ([DEMO] if DEMO in results else []) + list(args.scales)
    print_scales(
        results, keys, period, "indicators", "(c) each indicator's compute, first township"
    )


if __name__ == "__main__":
    main()
