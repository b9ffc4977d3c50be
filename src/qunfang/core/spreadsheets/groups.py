"""Villager groups (村民小组) as people write them, and the numbers written in Chinese.

One village's rosters write the same group as 第1村民小组, 第一村民小组, 一组, 第１组 or 1组;
`group_key` gives all of them the key "1", and a named group (张家湾组, 张家湾村民小组, 张家湾)
the key of its stem, "张家湾". An importer builds one `GroupMatcher` from the village's groups
and asks it for each row's group::

    find = GroupMatcher(Region.objects.filter(parent=village, kind=RegionKind.GROUP))
    group = find(row["group"])  # None: the village has no such group (a bad row, never created)
    if group is None and find.candidates(row["group"]):  # two groups share the key
        ...

`match_group(text, groups)` does the same for a single look-up. `read_numeral` reads a whole
number written in digits (full-width too) or in Chinese (三, 十二, 二十三, 两, 一百零五, 壹拾贰,
二〇); the cell parsers use it for counts such as 三口人.
"""

import operator
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")

# Chinese numerals (ordinary and the financial capitals 大写) as the digits they stand for; 十 and
# 百 are kept as the places they mark.
_NUMERAL_DIGITS = str.maketrans(
    {
        "〇": "0",
        "○": "0",
        "零": "0",
        "一": "1",
        "壹": "1",
        "二": "2",
        "两": "2",
        "兩": "2",
        "贰": "2",
        "貳": "2",
        "三": "3",
        "叁": "3",
        "參": "3",
        "四": "4",
        "肆": "4",
        "五": "5",
        "伍": "5",
        "六": "6",
        "陆": "6",
        "陸": "6",
        "七": "7",
        "柒": "7",
        "八": "8",
        "捌": "8",
        "九": "9",
        "玖": "9",
        "拾": "十",
        "佰": "百",
    }
)
# 十二, 二十, 二十三, 一百零五, 一百一十 (after the digits are mapped): hundreds, a 零 that skips
# the tens, tens (一十 or bare 十), units.
_PLACES = re.compile(r"^(?:(?P<h>[1-9])百(?P<zero>0)?)?(?:(?P<t>[1-9])?(?P<ten>十))?(?P<u>[1-9])?$")
_DIGITS = re.compile(r"^[0-9]+$")  # 12, and digit by digit: 一二, 二〇 (as years are written)

# What follows the group's name, the longest first; 生产队/队 is the old name of a villager group.
GROUP_SUFFIXES = ("村民小组", "村民组", "生产队", "小组", "组", "队")
_INVISIBLE = re.compile(r"[\s\u200b-\u200d\ufeff]+")


def _folded(text: str) -> str:
    """Full-width digits and letters made half-width, no spaces, Latin letters in lower case."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).lower()


def read_numeral(text: str) -> int | None:
    """The whole number `text` writes, in digits or in Chinese numerals; None if it is not one.

    `read_numeral("１２") == read_numeral("十二") == read_numeral("壹拾贰") == 12`; 两 is 2;
    digit-by-digit writing counts too (`"二〇" == 20`). Up to 999."""
    mapped = _folded(text).translate(_NUMERAL_DIGITS)
    if not mapped:
        return None
    if _DIGITS.match(mapped):
        return int(mapped)
    places = _PLACES.match(mapped)
    if places is None:
        return None
    hundreds, zero, tens, ten, units = places.group("h", "zero", "t", "ten", "u")
    if zero and (ten or not units):  # 一百零五, never 一百零 or 一百零十
        return None
    return int(hundreds or 0) * 100 + (int(tens or 1) * 10 if ten else 0) + int(units or 0)


def group_key(text: str) -> str:
    """One key for every way a group's name is written: its number ("1" for 第1村民小组,
    第一村民小组, 一组, 第１组, 1组, 01组) or, for a named group, its stem ("张家湾" for 张家湾组,
    张家湾村民小组 and 张家湾). Spaces, full-width forms and a leading 第 do not count."""
    folded = _folded(text)
    stem = folded
    for suffix in GROUP_SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    number = read_numeral(stem[1:] if stem.startswith("第") else stem)
    return stem if number is None else str(number)


def _code_of(group: object) -> str:
    return str(getattr(group, "code", "") or "")


class GroupMatcher(Generic[T]):
    """The village's groups, found by any spelling of their names or by their codes.

    A look-up tries, in order: the group's code (Region.code, as written), its name exactly
    (full-width and spaces aside), then its `group_key`. A key that two of the village's groups
    share (一组 and 第一村民小组 both exist) finds neither: `candidates` lists them."""

    def __init__(
        self,
        groups: Iterable[T],
        *,
        name: Callable[[T], str] = operator.attrgetter("name"),
        code: Callable[[T], str] = _code_of,
    ) -> None:
        self.groups = list(groups)
        self._codes: dict[str, T] = {}
        self._names: dict[str, list[T]] = {}
        self._keys: dict[str, list[T]] = {}
        for group in self.groups:
            if written := _folded(code(group)):
                self._codes.setdefault(written, group)
            self._names.setdefault(_folded(name(group)), []).append(group)
            self._keys.setdefault(group_key(name(group)), []).append(group)

    def candidates(self, text: str) -> list[T]:
        """Every group `text` may mean: one when it is clear, none or several when it is not."""
        folded = _folded(text)
        if not folded:
            return []
        if folded in self._codes:
            return [self._codes[folded]]
        if len(named := self._names.get(folded, [])) == 1:
            return named
        return list(self._keys.get(group_key(folded), []))

    def __call__(self, text: str) -> T | None:
        found = self.candidates(text)
        return found[0] if len(found) == 1 else None


def match_group(
    text: str,
    groups: Iterable[T],
    *,
    name: Callable[[T], str] = operator.attrgetter("name"),
    code: Callable[[T], str] = _code_of,
) -> T | None:
    """The one group of `groups` that `text` names (see `GroupMatcher`), or None. For many rows
    against the same village, build one `GroupMatcher` instead."""
    return GroupMatcher(groups, name=name, code=code)(text)
