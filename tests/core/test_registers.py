"""The paper register kit (core/registers.py): what every book's register gets the same way —
periods read with a clear message, the village chosen or refused, numbered sheets — and what
each book must declare. The books' own registers are tested with their books."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

import qunfang
from qunfang.core.exports import EXPORTED_LISTS
from qunfang.core.registers import DateRange, Month, RegisterView

REGISTER_ROUTES = {
    "cases": "casebook:case_register_print",
    "inspections": "casebook:inspection_register_print",
    "mediation": "casebook:mediation_register_print",
    "opinions": "casebook:opinion_register_print",
    "patrols": "patrols:register_print",
    "training": "governance:training_register_print",
    "minutes": "governance:minutes_register_print",
}


def _request(**params):
    request = RequestFactory().get("/register/", params)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _read(period, **params) -> tuple[tuple[dt.date, dt.date], list[str]]:
    """The period read from a request with these parameters, and the error messages (English)."""
    request = _request(**params)
    with translation.override("en"):
        period_read = period.read(request)
    return period_read, [str(m) for m in get_messages(request) if m.level_tag == "error"]


def _books() -> dict[str, type[RegisterView]]:
    reverse("home")  # every app's views are imported with the URLs
    found: dict[str, type[RegisterView]] = {}
    todo = list(RegisterView.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if "key" in cls.__dict__:
            found[cls.key] = cls
    return found


# ---- periods ----------------------------------------------------------------------------------


def test_a_date_range_defaults_to_this_month_or_this_year():
    today = timezone.localdate()
    assert DateRange().read(_request()) == (today.replace(day=1), today)
    assert DateRange(default="year").read(_request()) == (today.replace(month=1, day=1), today)
    assert DateRange().read(_request(**{"from": "2027-03-01", "to": "2027-03-31"})) == (
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 31),
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"from": "2027-02-30"}, "YYYY-MM-DD"),
        ({"to": "yesterday"}, "YYYY-MM-DD"),
        ({"from": "1999-12-01"}, "YYYY-MM-DD"),
        ({"from": "2027-05-01", "to": "2027-04-01"}, "ends before it starts"),
    ],
)
def test_a_bad_period_gets_a_message_and_the_default(params, message):
    read, errors = _read(DateRange(), **params)
    today = timezone.localdate()
    assert read == (today.replace(day=1), today)
    assert any(message in text for text in errors)


def test_a_register_covers_at_most_a_year():
    read, errors = _read(DateRange(), **{"from": "2026-01-01", "to": "2027-12-31"})
    assert read == (dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    assert any("at most one year" in text for text in errors)


def test_a_month_runs_to_its_last_day_and_refuses_a_bad_one():
    assert Month().read(_request(month="2028-02")) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    (first, _last), errors = _read(Month(), month="2027-13")
    assert first == timezone.localdate().replace(day=1)
    assert any("YYYY-MM" in text for text in errors)


# ---- what every book declares -----------------------------------------------------------------


def test_every_register_is_routed_and_named_in_the_security_log():
    books = _books()
    assert set(books) == set(REGISTER_ROUTES)
    for key, cls in books.items():
        assert EXPORTED_LISTS[f"register:{key}"] == cls.title


@pytest.mark.parametrize("key", sorted(REGISTER_ROUTES))
def test_each_row_has_a_cell_for_every_column(key):
    """The book's cells template gives one <td> per declared column (the kit adds the number)."""
    cls = _books()[key]
    source = Path(get_template(cls.cells_template).origin.name).read_text(encoding="utf-8")
    assert len(re.findall(r"<td[ >]", source)) == len(cls.columns)
    for name in ("title", "choose_text", "empty_text", "back_url_name"):
        assert getattr(cls, name), (key, name)


# ---- the sheets -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(REGISTER_ROUTES))
def test_an_empty_period_prints_one_signed_sheet_with_the_stamp_box(world, client, key):
    client.force_login(world.director1)
    body = client.get(
        reverse(REGISTER_ROUTES[key]),
        {"from": "2020-01-01", "to": "2020-01-31", "month": "2020-01"},
    ).content.decode()
    assert body.count('data-testid="register-sheet"') == 1
    assert 'data-testid="register-row"' not in body
    assert body.count('data-testid="signoff"') == 1 and body.count('data-testid="stamp-box"') == 1
    assert "第 1 张，共 1 张" in body and "枫桥镇枫源村" in body


def test_print_css_numbers_the_register_pages():
    with open(finders.find("qunfang/print.css"), encoding="utf-8") as f:
        css = f.read()
    block = css[css.index("/* core: paper registers") :]
    assert "@page pr-register" in block
    assert "counter(page)" in block and "counter(pages)" in block


def test_no_book_keeps_a_register_template_of_its_own():
    """The books give only their row's cells; the sheets are the kit's (core/register.html)."""
    package = Path(qunfang.__file__).parent
    kit = package / "core/templates/core"
    own = [p for p in package.glob("*/templates/*/**/register*.html") if p.parent != kit]
    assert own == []


@pytest.mark.parametrize("key", sorted(REGISTER_ROUTES))
def test_a_register_is_read_only(world, client, key):
    client.force_login(world.director1)
    assert client.post(reverse(REGISTER_ROUTES[key])).status_code == 405
