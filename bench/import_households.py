"""How fast the spreadsheet import is at village-register scale, and what it costs in memory.

Builds a 20,000-row households workbook and the matching people (one per household, the head),
then imports in the order villages do — households (heads not linked yet), people, households
again (links the heads) — and finally both files once more, which must change nothing. Then,
on an empty register, a village's own roster of household heads (户籍花名册: a title row, its
own headers, no household numbers) through the mapping step's suggestion: households and heads
created, then the same roster again, which must change nothing.
Each step is timed once without tracing; the sequence then runs again under tracemalloc for the
peak of Python allocations. Run:
    .venv/bin/python bench/import_households.py [--rows 20000] [--json]
Uses a throw-away SQLite database under a temporary folder.
"""

import argparse
import datetime as dt
import io
import json
import resource
import time
import tracemalloc

from throwaway import setup_throwaway_django

HOUSEHOLD_HEADER = [
    "户号",
    "村民小组",
    "户主身份证号",
    "地址",
    "仅老人户",
    "有残疾人",
    "外出/不在家",
    "低保",
    "五保",
]
PEOPLE_HEADER = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "电话",
    "文化程度",
    "政治面貌",
    "户号",
    "住址",
    "可参加值守",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国秀英志强丽华金法小军伟东德明国良阿根"


def id_number(index: int) -> str:
    from qunfang.core.personal import id_check_digit

    born = dt.date(1940, 1, 1) + dt.timedelta(days=index % 20000)
    first = f"330681{born:%Y%m%d}{index // 20000 * 2 + 1 + index % 2:03d}"
    return first + id_check_digit(first)


def workbook(header: list[str], rows) -> bytes:
    from openpyxl import Workbook

    # openpyxl writes inline strings; Excel writes shared strings, which read a little faster,
    # so these figures are on the slow side.
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def build_files(count: int) -> tuple[bytes, bytes]:
    households = (
        [
            f"{n:05d}",
            "第一村民小组" if n % 2 else "第二村民小组",
            id_number(n),
            f"{n % 40 + 1}组{n}号",
            "是" if n % 17 == 0 else "否",
            "否",
            "是" if n % 9 == 0 else "否",
            "否",
            "否",
        ]
        for n in range(count)
    )
    people = (
        [
            SURNAMES[n % 20] + GIVEN[n % 19] + GIVEN[(n // 19) % 19],
            "女" if n % 2 else "男",
            "",
            id_number(n),
            f"13{n % 10}{n:08d}",
            "初中",
            "群众",
            f"{n:05d}",
            "",
            "是",
        ]
        for n in range(count)
    )
    return workbook(HOUSEHOLD_HEADER, households), workbook(PEOPLE_HEADER, people)


ROSTER_HEADER = ["序号", "户主姓名", "公民身份号码", "性别", "出生日期", "联系电话", "住址", "组别"]
ROSTER_HEADER += ["人口数", "备注"]


def build_roster(count: int) -> bytes:
    """A village's own roster of heads, as a township office keeps it."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(["枫源村户籍花名册"])
    sheet.append(ROSTER_HEADER)
    for n in range(count):
        number = id_number(n)
        sheet.append(
            [
                n + 1,
                SURNAMES[n % 20] + GIVEN[n % 19] + GIVEN[(n // 19) % 19],
                number,
                "男" if int(number[16]) % 2 else "女",
                f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
                f"13{n % 10} {n:04d} {n % 10000:04d}"[:13],
                f"{n % 40 + 1}组{n}号",
                "一组" if n % 2 else "第2组",
                n % 6 + 1,
                "外出" if n % 9 == 0 else "",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_roster(roster: bytes, trace: bool) -> list[dict]:
    """The roster imported twice with the suggested mapping, on an empty register."""
    from django.core.management import call_command

    from qunfang.core.spreadsheets import inspect_file, mapping
    from qunfang.core.triggers import books_unlocked
    from qunfang.registry.spreadsheets import LAYOUTS

    with books_unlocked():
        call_command("flush", interactive=False, verbosity=0)
    village = build_regions()
    layout = LAYOUTS["households"]
    shape = mapping.main_sheet(
        layout, inspect_file(file=io.BytesIO(roster), filename="花名册.xlsx", known=layout.known())
    )
    columns = mapping.suggest(layout, mapping.candidates(shape))
    steps = [("roster of heads", roster), ("roster of heads, unchanged", roster)]
    results = [
        timed_import(label, trace, village, "households", data, mapping=columns)
        for label, data in steps
    ]
    results[-1]["mapping"] = mapping.as_map_option(columns)
    return results


def build_regions():
    from qunfang.core.models import Region, RegionKind

    county = Region.objects.create(code="330681000000", name="诸暨市", kind=RegionKind.COUNTY)
    township = Region.objects.create(
        code="330681109000", name="枫桥镇", kind=RegionKind.TOWNSHIP, parent=county
    )
    village = Region.objects.create(
        code="330681109290", name="枫源村", kind=RegionKind.VILLAGE, parent=township
    )
    for number, name in ((1, "第一村民小组"), (2, "第二村民小组")):
        Region.objects.create(
            code=f"330681109290{number:03d}", name=name, kind=RegionKind.GROUP, parent=village
        )
    return village


def history_rows() -> int:
    from qunfang.registry.models import Household, Person

    return Household.history.count() + Person.history.count()


def timed_import(label: str, trace: bool, village, layout: str, data: bytes, **options) -> dict:
    """One import of `data`, timed (or, with `trace`, its peak of Python allocations)."""
    from qunfang.registry.spreadsheets import import_file

    before = history_rows()
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    report = import_file(
        layout=layout,
        village=village,
        file=io.BytesIO(data),
        filename=f"{layout}.xlsx",
        **options,
    )
    seconds = time.perf_counter() - start
    assert report.ok, (label, report.file_error, report.errors[:5])
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return {"step": label, "peak_mb": round(peak / 2**20, 1)}
    return {
        "step": label,
        "rows": report.rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(report.rows / seconds),
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": len(report.errors),
        "notices": len(report.notices),
        "history_rows_added": history_rows() - before,
    }


def run_sequence(households: bytes, people: bytes, trace: bool) -> list[dict]:
    from django.core.management import call_command

    from qunfang.core.triggers import books_unlocked

    with books_unlocked():  # the append-only history tables refuse DELETE otherwise
        call_command("flush", interactive=False, verbosity=0)
    village = build_regions()
    steps = [
        ("households, heads not linked yet", "households", households),
        ("people", "people", people),
        ("households again, linking heads", "households", households),
        ("households, unchanged", "households", households),
        ("people, unchanged", "people", people),
    ]
    return [timed_import(label, trace, village, layout, data) for label, layout, data in steps]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    setup_throwaway_django()
    start = time.perf_counter()
    households, people = build_files(args.rows)
    files = {
        "households_kb": len(households) // 1024,
        "people_kb": len(people) // 1024,
        "build_s": round(time.perf_counter() - start, 1),
    }
    roster = build_roster(args.rows)
    timed = run_sequence(households, people, trace=False) + run_roster(roster, trace=False)
    traced = run_sequence(households, people, trace=True) + run_roster(roster, trace=True)
    for row, peak in zip(timed, traced, strict=True):
        row["peak_mb"] = peak["peak_mb"]
    maxrss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux
    if args.json:
        print(
            json.dumps({"files": files, "steps": timed, "maxrss_mb": maxrss_mb}, ensure_ascii=False)
        )
        return
    print(
        f"files: households {files['households_kb']} KiB, people {files['people_kb']} KiB "
        f"(built in {files['build_s']} s)"
    )
    print(
        f"{'step':<34} {'rows':>6} {'s':>7} {'rows/s':>7} {'new':>6} {'changed':>7} {'same':>6} "
        f"{'history+':>8} {'peak MB':>7}"
    )
    for r in timed:
        print(
            f"{r['step']:<34} {r['rows']:>6} {r['seconds']:>7} {r['rows_per_s']:>7} "
            f"{r['created']:>6} "
            f"{r['updated']:>7} {r['unchanged']:>6} {r['history_rows_added']:>8} {r['peak_mb']:>7}"
        )
    print(f"process peak RSS: {maxrss_mb} MB")
    print(f"roster mapping (suggested): {timed[-1]['mapping']}")


if __name__ == "__main__":
    main()
