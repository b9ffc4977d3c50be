"""Personal data: ID-card numbers (GB 11643-1999) and phone numbers — validation and masking."""

import datetime as dt
import itertools
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_PHONE_SHAPE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
# an ID or phone number inside free text, not part of a longer run of digits
_NUMBERS_IN_TEXT = re.compile(
    r"(?<![\dA-Za-z])(?:\d{17}[\dXx]|1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?![\dA-Za-z])"
)

_GROUP_BREAK = re.compile(r"(?<=\d)[ \-–—](?=\d)")


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> str:
    """Return the normalised 18-character number or raise ValidationError with a clear reason."""
    number = value.strip().upper()
    if not _ID_SHAPE.match(number):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."), code="id_shape"
        )
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date inside this ID number is not a real date."), code="id_birth_date"
        ) from None
    if id_check_digit(number[:17]) != number[17]:
        raise ValidationError(
            _("The check digit of this ID number is wrong; please check for a typing mistake."),
            code="id_checksum",
        )
    return number


def validate_phone(value: str) -> str:
    phone = re.sub(r"[\s]", "", value)
    if not _PHONE_SHAPE.match(phone):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline with its area code."), code="phone"
        )
    return phone


# What a masked ID number keeps: the first six characters (the place of registration, which the
# person's village already tells) and the last one. The hidden middle is the birth date AND the
# three-digit sequence, so a birth date shown beside the mask (a person's page, an export row)
# still leaves about 45 numbers that fit — sex halves the 1,000 sequences, the check digit keeps
# one in eleven. The old mask (first 6, last 4) hid only the birth date: with the birth date
# beside it, it was the whole number.
ID_MASK_HEAD = 6
ID_MASK_TAIL = 1
ID_BIRTH_DATE = slice(6, 14)
MASK_CHAR = "*"


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= ID_MASK_HEAD + ID_MASK_TAIL:
        return MASK_CHAR * len(value)
    hidden = len(value) - ID_MASK_HEAD - ID_MASK_TAIL
    return value[:ID_MASK_HEAD] + MASK_CHAR * hidden + value[-ID_MASK_TAIL:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def personal_numbers_in(text: str) -> list[str]:
    """The ID and phone numbers written in a free text (masked), for a text that will be public:
    a notice on the village board, a page anyone may open."""
    found = []
    # as people write them: full-width digits, and groups split by a space or a dash
    # (138 1234 5678, 138-1234-5678); one separator at a time, so dates and counts stay apart
    plain = _GROUP_BREAK.sub("", unicodedata.normalize("NFKC", text))
    for number in _NUMBERS_IN_TEXT.findall(plain):
        found.append(mask_id_number(number) if len(number) == 18 else mask_phone(number))
    return found


def mask_contact(value: str | None) -> str:
    """A free-text contact (a phone, an e-mail, a WeChat id): phones as phones, anything else
    keeps its first and last character."""
    if not value:
        return ""
    phone = re.sub(r"[\s-]", "", value)
    if re.fullmatch(r"\+?\d{7,15}", phone):
        return mask_phone(phone)
    if len(value) <= 2:
        return MASK_CHAR * len(value)
    return value[0] + MASK_CHAR * (len(value) - 2) + value[-1]


def id_numbers_fitting(
    mask: str, *, birth_date: dt.date | None = None, sex: str | None = None
) -> int:
    """How many valid ID numbers fit a mask, given what may stand beside it: the birth date and
    the sex ("M"/"F", the parity of the 17th character). The measure of "cannot be rebuilt"."""
    if len(mask) != 18:
        return 0
    positions = [i for i, c in enumerate(mask) if c == MASK_CHAR]
    known = dict(enumerate(mask))
    if birth_date is not None:
        for offset, digit in enumerate(f"{birth_date:%Y%m%d}"):
            i = ID_BIRTH_DATE.start + offset
            if known[i] not in (MASK_CHAR, digit):
                return 0
            known[i] = digit
    free = [i for i in positions if known[i] == MASK_CHAR and i != 17]
    if len(free) > 5:  # more than 100,000 candidates: counting them tells nothing more
        return int(10 ** len(free))
    count = 0
    for guess in itertools.product("0123456789", repeat=len(free)):
        digits = {**known, **dict(zip(free, guess, strict=True))}
        if sex is not None and (int(digits[16]) % 2 == 1) != (sex == "M"):
            continue
        first17 = "".join(digits[i] for i in range(17))
        if known[17] in (MASK_CHAR, id_check_digit(first17)):
            count += 1
    return count
