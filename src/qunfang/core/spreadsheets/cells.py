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

from qunfang.core.personal import validate_id_number, validate_phone

Parser = Callable[[Any], Any]


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


YES, NO = "是", "否"
_TRUE = {"是", "y", "yes", "1", "true", "t", "√", "✓", "✔", "对", "有"}
_FALSE = {"否", "n", "no", "0", "false", "f", "×", "✗", "✘", "不", "无"}

_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?e\+?\d+$", re.IGNORECASE)
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
    if isinstance(value, int | float) or _SCIENTIFIC.match(folded):
        raise CellError(
            _(
                "Excel stored this ID number as a number and may have changed its last digits; "
                "format the column as text and type the number again."
            )
        )
    if "*" in folded:
        raise CellError(_("This ID number is masked; write the full number."))
    try:
        return validate_id_number(folded)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None


def parse_phone(value: Any) -> str:
    try:
        return validate_phone(unicodedata.normalize("NFKC", as_text(value)))
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        folded = _folded(value)
        match = _DATE_TEXT.match(folded) or _DATE_DIGITS.match(folded)
        if not match:
            raise CellError(_("Write the date as YYYY-MM-DD, for example 2024-03-01."))
        try:
            day = dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise CellError(_("This date does not exist.")) from None
    if day > timezone.localdate():
        raise CellError(_("The date %(date)s is in the future.") % {"date": day.isoformat()})
    if day.year < 1900:
        raise CellError(_("The date %(date)s is too early.") % {"date": day.isoformat()})
    return day


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
