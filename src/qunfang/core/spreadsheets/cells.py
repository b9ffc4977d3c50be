"""Cell parsers: a spreadsheet value in, a Python value out, or `CellError` with a message in the
user's language. Empty cells never reach a parser (see `is_blank`). Files stay in Chinese whatever
the UI language is: a choice is written with its first Chinese label (`choice_label`) and read
back from any of its labels, its stored value or its English label (`choice`)."""

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from qunfang.core.personal import id_check_digit, validate_id_number, validate_phone
from qunfang.core.spreadsheets.groups import read_numeral

Parser = Callable[[Any], Any]


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


YES, NO = "是", "否"
_TRUE = {"是", "y", "yes", "1", "true", "t", "√", "✓", "✔", "对", "有"}
_FALSE = {"否", "n", "no", "0", "false", "f", "×", "✗", "✘", "不", "无"}

_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
# A time of day after the date (2026-01-05 08:30:00, as a CSV export writes a date cell).
_TIME_OF_DAY = re.compile(r"(?:\s+|t|(?<=[日号]))\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", re.I)
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_SERIAL = re.compile(r"^(\d{1,5})(?:\.\d+)?$")  # Excel's day number, with a time if any
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?e\+?\d+$", re.IGNORECASE)
_OLD_ID = re.compile(r"^\d{15}$")  # before 1999: no century, no check digit
# Excel's 1900 date system: day 1 is 1900-01-01 and day 60 the 29 February 1900 that never was
# (kept from Lotus 1-2-3), so from day 61 on the days count from 1899-12-30.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_LEAP_BUG = 60
_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―().\[\]/]+")  # full-width ones are NFKC'd
_COUNTRY_CODE = re.compile(r"^(?:\+86|0086|86(?=-|1\d{10}$))-?")
_COUNT_UNIT = re.compile(r"(?:口人|人|口|户)$")
_INVISIBLE = re.compile("[\u200b-\u200d\ufeff\u00a0\u3000]")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not _INVISIBLE.sub("", value).strip())


def as_text(value: Any) -> str:
    """Any cell value as clean text: numbers without a spurious ".0", no invisible characters."""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _INVISIBLE.sub(" ", str(value)).strip()
    clean: str = ILLEGAL_CHARACTERS_RE.sub("", text)
    return clean


def _folded(value: Any) -> str:
    """Full-width digits and letters to half-width, lower case, no spaces (for codes and words)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", as_text(value))).lower()


def text(max_length: int) -> Parser:
    def parse(value: Any) -> str:
        result = as_text(value)
        if len(result) > max_length:
            raise CellError(_("At most %(max)d characters.") % {"max": max_length})
        return result

    return parse


def parse_id_number(value: Any) -> str:
    folded = _folded(value)
    # Excel keeps 15 significant digits: an old 15-digit number survives as a number, an
    # 18-digit one does not.
    lost = isinstance(value, int | float) and not _OLD_ID.match(folded)
    if lost or _SCIENTIFIC.match(folded):
        raise CellError(
            _(
                "Excel stored this ID number as a number and may have changed its last digits; "
                "format the column as text and type the number again."
            )
        )
    if "*" in folded:
        raise CellError(_("This ID number is masked; write the full number."))
    if _OLD_ID.match(folded):
        folded = _id_from_old_number(folded)
    try:
        return validate_id_number(folded)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None


def _id_from_old_number(number: str) -> str:
    """The 18-digit number of an old 15-digit one (GB 11643-1999): "19" before the two-digit
    year of birth and the check digit after; refused when the birth date inside is no real day."""
    birth = number[6:12]
    try:
        born = dt.date(1900 + int(birth[:2]), int(birth[2:4]), int(birth[4:]))
    except ValueError:
        raise CellError(
            _(
                "This old 15-digit ID number cannot be converted to 18 digits: the birth date "
                "in it (%(digits)s) is not a real date."
            )
            % {"digits": birth}
        ) from None
    if born > timezone.localdate():
        raise CellError(
            _(
                "This old 15-digit ID number cannot be converted to 18 digits: the birth date "
                "in it (%(date)s) is in the future."
            )
            % {"date": born.isoformat()}
        )
    first17 = number[:6] + "19" + number[6:]
    return first17 + id_check_digit(first17)


def parse_phone(value: Any) -> str:
    """A mobile or a landline as `validate_phone` keeps it, from the ways people write them:
    spaces, dashes, dots and brackets (138-0013-8000, (0571)88123456), +86 / 0086 / 86 before
    the number, full-width digits, and a landline whose leading 0 Excel dropped (57188123456)."""
    written = unicodedata.normalize("NFKC", as_text(value))
    try:
        return validate_phone(written)  # what the validator takes as written stays as it was
    except ValidationError as exc:
        message = exc.messages[0]
    try:
        return validate_phone(_normal_phone(written, number=isinstance(value, int | float)))
    except ValidationError:
        raise CellError(message) from None


def _normal_phone(written: str, *, number: bool) -> str:
    """Digits only, except a landline written with its area code apart: 0571-88123456."""
    phone = "-".join(part for part in _PHONE_SEPARATORS.split(written) if part)
    if abroad := _COUNTRY_CODE.match(phone):
        phone = phone[abroad.end() :]
    # A landline's 0 is dropped after +86, and by Excel in a number cell; mobiles start with 1,
    # and of the area codes only Beijing's (010) does.
    if (abroad or number) and phone.startswith(("2", "3", "4", "5", "6", "7", "8", "9", "10")):
        phone = "0" + phone
    area, _dash, rest = phone.partition("-")
    if phone.startswith("0") and rest and 3 <= len(area) <= 4:
        return area + "-" + rest.replace("-", "")
    return phone.replace("-", "")


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        folded = _folded(_TIME_OF_DAY.sub("", unicodedata.normalize("NFKC", as_text(value))))
        match = _DATE_TEXT.match(folded) or _DATE_DIGITS.match(folded)
        serial = _DATE_SERIAL.match(folded) if not isinstance(value, bool) else None
        if match:
            try:
                day = dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                raise CellError(_("This date does not exist.")) from None
        elif serial:
            day = _excel_day(int(serial.group(1)))
        else:
            raise CellError(_("Write the date as YYYY-MM-DD, for example 2024-03-01."))
    if day > timezone.localdate():
        raise CellError(_("The date %(date)s is in the future.") % {"date": day.isoformat()})
    if day.year < 1900:
        raise CellError(_("The date %(date)s is too early.") % {"date": day.isoformat()})
    return day


def _excel_day(serial: int) -> dt.date:
    """The day an Excel day number (a date cell read as a number, 45297 for 2024-01-06) stands
    for. A number that could be a year is refused: 2024 is far likelier a year than 1905-07-16."""
    if 1900 <= serial <= 2100:
        raise CellError(_("Write the whole date, not only the year, for example 2024-03-01."))
    if serial == _EXCEL_LEAP_BUG:
        raise CellError(_("This date does not exist."))
    if serial < 1:
        raise CellError(_("Write the date as YYYY-MM-DD, for example 2024-03-01."))
    days = serial if serial > _EXCEL_LEAP_BUG else serial + 1
    return _EXCEL_EPOCH + dt.timedelta(days=days)


def integer(min_value: int, max_value: int) -> Parser:
    """A whole number from `min_value` to `max_value`: 3, 3.0, "3", "３", "3人", "3 口",
    "三口人" (a unit of 人, 口, 口人 or 户 after it; Chinese numerals as `read_numeral` reads)."""

    def refuse() -> CellError:
        return CellError(
            _("Write a whole number from %(min)d to %(max)d.")
            % {"min": min_value, "max": max_value}
        )

    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise refuse()
        if isinstance(value, float) and not value.is_integer():
            raise refuse()
        folded = _COUNT_UNIT.sub("", _folded(value))
        if re.fullmatch(r"\d+\.0*", folded):
            folded = folded.split(".")[0]
        number = read_numeral(folded)
        if number is None or not min_value <= number <= max_value:
            raise refuse()
        return number

    return parse


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    folded = _folded(value)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError(_("Write 是 or 否 (yes or no)."))


def choice(labels: Mapping[str, tuple[str, ...]], choices: type[models.TextChoices]) -> Parser:
    words: dict[str, str] = {}  # filled on first use: the English labels need translations loaded

    def parse(value: Any) -> str:
        if not words:
            words.update(_choice_words(labels, choices))
        found = words.get(_folded(value))
        if found is None:
            raise CellError(
                _("Unknown value; write one of: %(choices)s.")
                % {"choices": "、".join(words[0] for words in labels.values())}
            )
        return found

    return parse


def _choice_words(
    labels: Mapping[str, tuple[str, ...]], choices: type[models.TextChoices]
) -> dict[str, str]:
    """Chinese labels, stored values and the English labels all name the same choice."""
    words: dict[str, str] = {}
    with translation.override("en"):
        for value, label in choices.choices:
            words[_folded(value)] = value
            words[_folded(label)] = value
    for value, names in labels.items():
        for name in names:
            words[_folded(name)] = value
    return words


def choice_label(labels: Mapping[str, tuple[str, ...]], value: str) -> str:
    return labels[value][0] if value in labels else ""


def yes_no(value: bool) -> str:
    return YES if value else NO
