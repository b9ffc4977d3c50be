"""Cell values as people write them (`core.spreadsheets.cells`): ID numbers (old 15-digit ones
converted, numbers Excel has rounded refused), phones with separators and country codes, dates
in the common spellings and as Excel day numbers, counts with their units. Each refusal says why,
in the user's language. "Today" is pinned to MIDWEEK (2029-01-10 in Shanghai)."""

import datetime as dt

import pytest
from django.utils import translation

from qunfang.core.personal import id_check_digit
from qunfang.core.spreadsheets import CellError, cells
from tests.clock import MIDWEEK

pytestmark = pytest.mark.time_machine(MIDWEEK, tick=False)

TODAY = dt.date(2029, 1, 10)


def refusal(parse, value, language="en") -> str:
    with translation.override(language), pytest.raises(CellError) as refused:
        parse(value)
    return refused.value.message


# ---- ID numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),  # full-width
        ("110105 19491231 002X", "11010519491231002X"),
        ("\u3000110105194912310 02X ", "11010519491231002X"),
        # old 15-digit numbers: 19 before the year of birth, the check digit after
        ("110105491231002", "11010519491231002X"),
        ("１１０１０５４９１２３１００２", "11010519491231002X"),
        ("110105 491231 002", "11010519491231002X"),
        (110105491231002, "11010519491231002X"),  # 15 digits survive a number cell
        (110105491231002.0, "11010519491231002X"),
        ("320311770706001", "320311197707060018"),
        ("440524000228123", "440524190002281230"),
    ],
)
def test_id_numbers_are_read_as_written_and_old_ones_converted(written, stored):
    assert cells.parse_id_number(written) == stored


def test_a_converted_number_carries_the_check_digit_of_gb_11643():
    converted = cells.parse_id_number("320311770706001")
    assert converted[:17] == "32031119770706001"
    assert converted[17] == id_check_digit(converted[:17])


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("110105491331002", "(491331) is not a real date"),  # month 13
        ("110105490230002", "(490230) is not a real date"),
        ("110105000229123", "(000229) is not a real date"),  # 1900 was no leap year
        (110105491331002, "(491331) is not a real date"),
    ],
)
def test_an_old_number_whose_birth_date_is_no_real_day_is_refused(written, reason):
    message = refusal(cells.parse_id_number, written)
    assert "old 15-digit ID number cannot be converted" in message and reason in message


@pytest.mark.time_machine(dt.datetime(1995, 6, 1, 4, 0, tzinfo=dt.UTC), tick=False)
def test_an_old_number_born_after_today_is_refused():
    assert cells.parse_id_number("110105950531002").startswith("11010519950531")
    message = refusal(cells.parse_id_number, "110105950602002")
    assert "(1995-06-02) is in the future" in message


def test_the_refusals_of_an_old_number_are_in_both_languages():
    assert refusal(cells.parse_id_number, "110105491331002", "en") == (
        "This old 15-digit ID number cannot be converted to 18 digits: the birth date in it "
        "(491331) is not a real date."
    )
    assert refusal(cells.parse_id_number, "110105491331002", "zh-hans") == (
        "此旧版 15 位身份证号无法转换为 18 位：其中的出生日期（491331）不是真实日期。"
    )


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        (110105194912310020, "as a number"),  # 18 digits: Excel keeps only 15
        (1.10105194912310e17, "as a number"),
        ("1.1010519491231E+17", "as a number"),
        ("1.10105491231E+14", "as a number"),  # even an old number, once shown rounded
        ("110105********002X", "masked"),
        ("１１０１０５＊＊＊＊＊＊＊＊００２Ｘ", "masked"),
        ("11010519491231002", "18 characters"),
        ("1101051949123100", "18 characters"),
        ("11010519491231002Y", "18 characters"),
        ("11010549123100X", "18 characters"),  # an old number is all digits
        ("110105194913310020", "not a real date"),
        ("110105194912310021", "check digit"),
    ],
)
def test_id_numbers_that_cannot_be_right_are_refused_with_the_reason(written, reason):
    assert reason in refusal(cells.parse_id_number, written)


# ---- phones ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("13800138000", "13800138000"),
        (13800138000, "13800138000"),
        (13800138000.0, "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("138.0013.8000", "13800138000"),
        ("(138)00138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("１３８－００１３－８０００", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+86-13800138000", "13800138000"),
        ("(+86)13800138000", "13800138000"),
        ("＋８６　１３８００１３８０００", "13800138000"),
        ("8613800138000", "13800138000"),
        ("86 138 0013 8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("0086-138-0013-8000", "13800138000"),
        # landlines keep the form the validator has always kept
        ("0571-88123456", "0571-88123456"),
        ("057188123456", "057188123456"),
        ("0571 88123456", "057188123456"),
        ("010-12345678", "010-12345678"),
        ("０５７１－８８１２３４５６", "0571-88123456"),
        ("(0571)88123456", "0571-88123456"),
        ("（0571）88123456", "0571-88123456"),
        ("0571.8812.3456", "0571-88123456"),
        ("0571-8812-3456", "0571-88123456"),
        ("+86 571 8812 3456", "0571-88123456"),  # abroad the area code loses its 0
        ("+86-10-12345678", "010-12345678"),
        ("+86 23 8001 3800", "023-80013800"),
        (57188123456, "057188123456"),  # a number cell dropped the leading 0
        (1012345678, "01012345678"),
    ],
)
def test_phones_are_read_with_the_separators_and_prefixes_people_write(written, stored):
    assert cells.parse_phone(written) == stored


@pytest.mark.parametrize(
    "written",
    [
        "1380013800",  # ten digits
        "138001380001",
        "23800138000",
        "+1 415 555 0100",
        "+86 23800",
        "+86 138 0013 800",
        "138-0013-800a",
        "电话13800138000",
        "57188123456",  # as text it was written so: no 0 is added
        "0571-88123456-801",
        "--",
    ],
)
def test_what_is_no_phone_number_is_refused(written):
    assert refusal(cells.parse_phone, written) == (
        "Enter an 11-digit mobile number or a landline with its area code."
    )
    assert (
        refusal(cells.parse_phone, written, "zh-hans") == "请输入 11 位手机号，或带区号的固定电话。"
    )


# ---- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2026-01-05", dt.date(2026, 1, 5)),
        ("2026/1/5", dt.date(2026, 1, 5)),
        ("2026.1.5", dt.date(2026, 1, 5)),
        ("2026.01.05", dt.date(2026, 1, 5)),
        ("2026年1月5日", dt.date(2026, 1, 5)),
        ("2026年1月5号", dt.date(2026, 1, 5)),
        ("2026 年 1 月 5 日", dt.date(2026, 1, 5)),
        ("20260105", dt.date(2026, 1, 5)),
        (20260105, dt.date(2026, 1, 5)),
        ("２０２６年１月５日", dt.date(2026, 1, 5)),
        ("２０２６－０１－０５", dt.date(2026, 1, 5)),
        ("2026-01-05 08:30:00", dt.date(2026, 1, 5)),  # a date cell a CSV export wrote
        ("2026-1-1 18:30", dt.date(2026, 1, 1)),
        ("2026-01-05T08:30", dt.date(2026, 1, 5)),
        (dt.date(2026, 1, 5), dt.date(2026, 1, 5)),
        (dt.datetime(2026, 1, 5, 23, 59), dt.date(2026, 1, 5)),
        # Excel day numbers (the 1900 date system), as numbers, text or full-width text
        (45297, dt.date(2024, 1, 6)),
        ("45297", dt.date(2024, 1, 6)),
        ("４５２９７", dt.date(2024, 1, 6)),
        (45297.0, dt.date(2024, 1, 6)),
        (45297.75, dt.date(2024, 1, 6)),  # six in the evening of that day
        ("45297.75", dt.date(2024, 1, 6)),
        (46027, dt.date(2026, 1, 5)),
        (25569, dt.date(1970, 1, 1)),
        (18264, dt.date(1950, 1, 1)),
        (61, dt.date(1900, 3, 1)),  # after Excel's 29 February 1900
        (59, dt.date(1900, 2, 28)),  # before it
        (1, dt.date(1900, 1, 1)),
        (47128, TODAY),
    ],
)
def test_dates_are_read_in_the_common_spellings_and_as_excel_day_numbers(written, day):
    assert cells.parse_date(written) == day


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2026-02-30", "This date does not exist."),
        ("2026年13月1日", "This date does not exist."),
        (60, "This date does not exist."),  # Excel's 29 February 1900
        ("2029-01-11", "The date 2029-01-11 is in the future."),
        (47129, "The date 2029-01-11 is in the future."),
        (99999, "The date 2173-10-13 is in the future."),
        ("1899-12-31", "The date 1899-12-31 is too early."),
        (2024, "Write the whole date, not only the year, for example 2024-03-01."),
        ("2024", "Write the whole date, not only the year, for example 2024-03-01."),
        ("2024年", "Write the date as YYYY-MM-DD, for example 2024-03-01."),
        (0, "Write the date as YYYY-MM-DD, for example 2024-03-01."),
        (-5, "Write the date as YYYY-MM-DD, for example 2024-03-01."),
        ("next week", "Write the date as YYYY-MM-DD, for example 2024-03-01."),
        ("123456", "Write the date as YYYY-MM-DD, for example 2024-03-01."),
        (True, "Write the date as YYYY-MM-DD, for example 2024-03-01."),
    ],
)
def test_dates_that_are_not_real_or_not_yet_are_refused(written, message):
    assert refusal(cells.parse_date, written) == message


def test_a_year_alone_is_refused_in_both_languages():
    assert refusal(cells.parse_date, "2024", "zh-hans") == (
        "请填写完整日期（年、月、日），不要只写年份，例如 2024-03-01。"
    )


# ---- whole numbers -----------------------------------------------------------------------

HOUSEHOLD_SIZE = cells.integer(1, 30)


@pytest.mark.parametrize(
    ("written", "number"),
    [
        (3, 3),
        (3.0, 3),
        ("3", 3),
        ("3.0", 3),
        ("３", 3),
        ("3人", 3),
        ("3 口", 3),
        ("3口人", 3),
        ("3户", 3),
        ("三口人", 3),  # Chinese numerals as the group names' reader reads them
        ("五人", 5),
        ("十二口", 12),
        ("两口", 2),
        (" 1 ", 1),
        (30, 30),
    ],
)
def test_whole_numbers_are_read_with_their_units(written, number):
    assert HOUSEHOLD_SIZE(written) == number


@pytest.mark.parametrize(
    "written", [0, 31, -1, "-1", 2.5, "2.5", "三四口", "几口", "abc", "3 个", True, "3人3"]
)
def test_what_is_not_a_whole_number_in_range_is_refused(written):
    assert refusal(HOUSEHOLD_SIZE, written) == "Write a whole number from 1 to 30."
    assert refusal(HOUSEHOLD_SIZE, written, "zh-hans") == "请填写 1 到 30 之间的整数。"
