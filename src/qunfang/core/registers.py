"""The paper register (登记簿): one view for every book's printable register.

A book declares what is its own — its title, its columns and the template of one row's cells,
its rows for a village and a period, who signs under each sheet — and `RegisterView` does the
rest the same way for every book:

- the village: `?village=` one of the user's (another answers 404 like a missing one); without
  it, a user with one village gets theirs and a user with several a chooser;
- the period (`DateRange` or `Month`), with a clear message and the default for bad input;
- running numbers, sheets of `rows_per_sheet` rows with "Sheet n of N" (the print stylesheet
  numbers the pages), the sign-off lines, the township stamp box, the head of the book's hash
  chain at the foot of each sheet;
- `?format=pdf`: the same sheets as a PDF (core/pdf.py), written to the security log.

Templates: `core/register.html` (the sheets) and `core/register_choose.html` (the chooser);
the book gives only `cells_template`, the `<td>` cells of one row after the running number,
with the row's object as `item`. See CONTRIBUTING.md, "A new printable register"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from qunfang.core.exports import EXPORTED_LISTS
from qunfang.core.http import SignedInRequest
from qunfang.core.models import Region
from qunfang.core.pdf import pdf_response, wants_pdf
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible

Text = str | Promise
MAX_DAYS = 366  # a register covers at most a year


@dataclass(frozen=True)
class Column:
    """A column heading; `css` classes go on the heading (widths in print.css)."""

    label: Text
    css: str = ""


# ---- periods --------------------------------------------------------------------------------


class Period:
    """How a register's period is asked for (`fields_template`) and read from the request."""

    fields_template: ClassVar[str]
    label: ClassVar[Text]

    def read(self, request: HttpRequest) -> tuple[dt.date, dt.date]:
        raise NotImplementedError

    def describe(self, first: dt.date, last: dt.date) -> str:
        return f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"

    def context(self, first: dt.date, last: dt.date) -> dict[str, Any]:
        return {"first": first, "last": last, "period_text": self.describe(first, last)}

    def query(self, first: dt.date, last: dt.date) -> dict[str, str]:
        """The query parameters that ask for this period again."""
        return {"from": f"{first:%Y-%m-%d}", "to": f"{last:%Y-%m-%d}"}


def _day(raw: str) -> dt.date | None:
    try:
        day = parse_date(raw)
    except ValueError:  # well-formed but not a real day (2027-02-30)
        return None
    return day if day is not None and day.year >= 2000 else None


class DateRange(Period):
    """`from` and `to` (YYYY-MM-DD). Missing: this month (or this year) up to today."""

    fields_template = "core/_register_dates.html"
    label = gettext_lazy("Period covered")

    def __init__(self, *, default: str = "month") -> None:
        if default not in ("month", "year"):
            raise ValueError("default is 'month' or 'year'")
        self.default = default

    def read(self, request: HttpRequest) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        start = today.replace(day=1) if self.default == "month" else today.replace(month=1, day=1)
        raw = [request.GET.get(key, "").strip() for key in ("from", "to")]
        days = [_day(value) if value else None for value in raw]
        if any(value and day is None for value, day in zip(raw, days, strict=True)):
            messages.error(request, _("Give the dates as YYYY-MM-DD, for example 2027-03-01."))
            return start, today
        first = days[0] or start
        last = days[1] or max(today, first)
        if first > last:
            messages.error(request, _("The period ends before it starts."))
            return start, today
        if (last - first).days >= MAX_DAYS:
            messages.error(request, _("A register covers at most one year; it has been shortened."))
            last = first + dt.timedelta(days=MAX_DAYS - 1)
        return first, last


class Month(Period):
    """`month` (YYYY-MM). Missing: this month."""

    fields_template = "core/_register_month.html"
    label = gettext_lazy("Month")

    def read(self, request: HttpRequest) -> tuple[dt.date, dt.date]:
        this_month = timezone.localdate().replace(day=1)
        raw = request.GET.get("month", "").strip()
        first = this_month
        if raw:
            day = _day(f"{raw}-01") if len(raw) == 7 else None
            if day is None:
                messages.error(request, _("Give the month as YYYY-MM, for example 2027-03."))
            else:
                first = day
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return first, following - dt.timedelta(days=1)

    def describe(self, first: dt.date, last: dt.date) -> str:
        return f"{first:%Y-%m}"

    def context(self, first: dt.date, last: dt.date) -> dict[str, Any]:
        return {**super().context(first, last), "month": first, "month_value": f"{first:%Y-%m}"}

    def query(self, first: dt.date, last: dt.date) -> dict[str, str]:
        return {"month": f"{first:%Y-%m}"}


# ---- the view -------------------------------------------------------------------------------


class RegisterView(View):
    """A village's paper register for a period. Subclasses set the attributes below and
    `items()`; the permission is the view function's decorator, the village the user's own."""

    key: ClassVar[str]  # names the PDF and its line in the security log: "cases", …
    title: ClassVar[Text]  # "Case register (案件登记簿)"
    choose_text: ClassVar[Text]  # "Choose a village: the case register is kept per village."
    empty_text: ClassVar[Text]  # "No cases registered in this period."
    columns: ClassVar[Sequence[Column]]  # after the running number
    cells_template: ClassVar[str]  # the <td> cells of one row; the row's object is `item`
    back_url_name: ClassVar[str]  # the book's list: "Back" goes there with ?village=
    period: ClassVar[Period] = DateRange()
    rows_per_sheet: ClassVar[int] = 8  # an A4 landscape sheet
    chain_book: ClassVar[str] = ""  # an append-only book with a chain per village: its head
    nav_template: ClassVar[str] = ""  # the book's tabs, on the chooser
    keeper: ClassVar[Text] = gettext_lazy("Registered by (signature) (登记人签字)")
    reviewer: ClassVar[Text] = gettext_lazy("Security director's review (治保主任审核)")
    stamp: ClassVar[Text] = gettext_lazy("Township inspection (乡镇检查盖章)")
    css_class: ClassVar[str] = ""  # on <body>, for the book's own column widths

    request: SignedInRequest  # signed in: the view function's decorator sees to it

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "key" in cls.__dict__:  # the security log names the register a PDF was taken of
            EXPORTED_LISTS[f"register:{cls.key}"] = cls.title

    # -- what a book declares

    def items(self, village: Region, first: dt.date, last: dt.date) -> Sequence[Any]:
        """The register's rows in running order, read through the user's scope."""
        raise NotImplementedError

    def numbers(self, village: Region, items: Sequence[Any]) -> Sequence[Any]:
        """The running number of each row: 1, 2, … unless the book keeps its own."""
        return range(1, len(items) + 1)

    def sheet_note(self, items: Sequence[Any]) -> str:
        """A line under one sheet's table (a legend), or nothing. Shown as HTML, like the
        declared texts: our own translated sentence, with any value in it escaped."""
        return ""

    def closing_note(self, items: Sequence[Any]) -> str:
        """A line under the last sheet's table (the period's totals), or nothing; HTML, as
        `sheet_note`."""
        return ""

    def extra_context(self) -> dict[str, Any]:
        """What the book's tabs need on the chooser."""
        return {}

    def back_url(self, village: Region | None, first: dt.date, last: dt.date) -> str:
        url = reverse(self.back_url_name)
        return f"{url}?{urlencode({'village': village.code})}" if village else url

    # -- the rest, the same for every book

    def villages(self) -> QuerySet[Region]:
        return villages_visible(user=self.request.user).select_related("parent")

    def village(self, villages: QuerySet[Region]) -> Region | None:
        """The one asked for (another answers 404), else the user's only village, else none."""
        code = self.request.GET.get("village", "").strip()
        if code:
            found: Region = visible_or_404(villages, self.request.user, code=code)
            return found
        only = list(villages[:2])
        return only[0] if len(only) == 1 else None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        villages = self.villages()
        village = self.village(villages)
        first, last = self.period.read(request)
        context: dict[str, Any] = {
            "register": self,
            "villages": villages,
            "village": village,
            "village_code": village.code if village else "",
            "back_url": self.back_url(village, first, last),
            **self.period.context(first, last),
            **self.extra_context(),
        }
        if village is None:
            return render(request, "core/register_choose.html", context)
        items = list(self.items(village, first, last))
        rows = [
            {"number": number, "item": item}
            for number, item in zip(self.numbers(village, items), items, strict=True)
        ]
        size = self.rows_per_sheet
        chunks = [rows[k : k + size] for k in range(0, len(rows), size)] or [[]]
        context["sheets"] = [
            {"number": n, "rows": chunk, "note": self.sheet_note([r["item"] for r in chunk])}
            for n, chunk in enumerate(chunks, start=1)
        ]
        context["sheet_count"] = len(chunks)
        context["closing_note"] = self.closing_note(items)
        if wants_pdf(request):
            return pdf_response(
                request,
                "core/register.html",
                context,
                stem=f"{village.name}-{self.title}-{first:%Y%m%d}-{last:%Y%m%d}",
                ascii_stem=f"register-{self.key}-{village.code}-{first:%Y%m%d}",
                list_name=f"register:{self.key}",
                rows=len(rows),
                filters={"village": village.code, **self.period.query(first, last)},
            )
        return render(request, "core/register.html", context)
