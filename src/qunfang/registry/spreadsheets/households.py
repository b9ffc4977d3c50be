"""The households file: a row per household of the village. It comes in two kinds, read alike:

- the register's own, a household number (户号) on every row, the head linked by ID number once
  the people are in (a head nobody holds yet is a notice, not a bad row);
- a roster of household heads (户籍花名册): the head's name, ID number, sex, birth date, phone,
  address, group and the household's size, often without a household number. Each row then
  also creates or updates its head as a person of the village, linked both ways.

A row is matched by its household number; without one, by its head (the ID number, else name
and birth date): the household that person heads. A household found neither way gets the next
free number of the village (0001, 0002, … after the highest number in the village or the file,
in row order), so importing the same roster again finds every household and changes nothing.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qunfang.core.models import Region, RegionKind
from qunfang.core.spreadsheets import Column, Layout, Row, cells, village_column
from qunfang.core.spreadsheets.groups import GroupMatcher
from qunfang.core.spreadsheets.layouts import _apply
from qunfang.registry.models import MAX_HOUSEHOLD_SIZE, Household, Person, Sex
from qunfang.registry.spreadsheets.columns import _id_number_column, _yes_no_column
from qunfang.registry.spreadsheets.people import SEX_LABELS
from qunfang.registry.spreadsheets.register import (
    LOOKUP_CHUNK,
    RegisterImporter,
    VillagePeople,
    _write_in_bulk,
    id_disagreements,
    index_people,
    person_problems,
)

# the head's columns -> the fields of the head as a person
HEAD_FIELDS = {
    "head_name": "name",
    "head": "id_number",
    "sex": "sex",
    "birth_date": "birth_date",
    "phone": "phone",
    "address": "address",
}
# a person's field the registry's rules refuse -> the column to name in the report
HEAD_COLUMNS = {field: key for key, field in HEAD_FIELDS.items()} | {"household": "number"}
NUMBER_WIDTH = 4  # generated household numbers: 0001, 0002, …


class NewNumbers:
    """The numbers for households the file gives none: after the highest number of the village
    and of the file (numbers that are not all digits aside), never one already taken."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)
        self.last = max((int(n) for n in taken if n.isascii() and n.isdigit()), default=0)

    def next(self) -> str:
        while True:
            self.last += 1
            number = f"{self.last:0{NUMBER_WIDTH}d}"
            if number not in self.taken:
                self.taken.add(number)
                return number


class HouseholdImporter(RegisterImporter[Household]):
    ID_KEY = "head"
    FIELDS = ("address", "size", *Household.FLAGS)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.new_heads: list[Person] = []
        self.head_updates: list[tuple[Person, list[str]]] = []

    def check(self, rows: list[Row]) -> None:
        village = self.village
        find_group = GroupMatcher(Region.objects.filter(parent=village, kind=RegionKind.GROUP))
        existing = {h.number: h for h in Household.objects.filter(region=village)}
        headed: dict[int, list[Household]] = defaultdict(list)  # person -> households they head
        for known in existing.values():
            if known.head_id is not None:
                headed[known.head_id].append(known)
        people = VillagePeople(village, self.id_numbers(rows))
        new_numbers = NewNumbers(
            existing.keys() | {r.values["number"] for r in rows if "number" in r.values}
        )
        numbers: dict[str, int] = {}  # household number -> its row
        households: dict[int, int] = {}  # household found in the register -> its row
        for row in rows:
            errors_before = len(self.report.errors)
            v = dict(row.values)
            number, name, id_number = v.get("number"), v.get("head_name"), v.get("head")
            if number in numbers:
                self.error(
                    row,
                    "number",
                    _("Household %(number)s is already on row %(row)d.")
                    % {"number": number, "row": numbers[number]},
                )
                continue
            if number:
                numbers[number] = row.number
            elif not (name or id_number):
                self.error(
                    row,
                    "number" if "number" in self.headers else "head_name",
                    _("Give the household number or the name of the head of household."),
                )
            self._check_head(row, v, people)
            values = {key: v[key] for key in self.FIELDS if key in v}
            if "group" in v:
                values["group"] = self._group(row, find_group, v["group"])
            if len(self.report.errors) > errors_before:
                continue
            found, head = self._head(row, v, people)
            if not found:
                continue
            household: Household | None = existing.get(number) if number else None
            if not number and head is not None and head.pk is not None:
                theirs = headed.get(head.pk, [])
                if len(theirs) > 1:
                    self.error(
                        row,
                        "head_name" if name else "head",
                        _(
                            "This person heads several households (%(numbers)s); "
                            "give the household number."
                        )
                        % {"numbers": "、".join(h.number for h in theirs)},
                    )
                    continue
                household = theirs[0] if theirs else None
            if household is None:
                household = Household(region=village, number=number or new_numbers.next())
            else:
                first = households.setdefault(household.pk, row.number)
                if first != row.number:
                    self.error(
                        row,
                        "number" if number else "head_name" if name else "head",
                        _("Row %(row)d already describes this household.") % {"row": first},
                    )
                    continue
            if head is not None and (name or not number):
                fields = {field: v[key] for key, field in HEAD_FIELDS.items() if key in v}
                self.place_with_head(row, household, values, head, fields if name else {})
            else:  # the register's own file: the head linked, the person left as they are
                if head is not None:
                    values["head"] = head
                self.place(row, household, values)

    def _check_head(self, row: Row, v: dict[str, Any], people: VillagePeople) -> None:
        """The head's ID number against the rest of the row, the file and other villages; a
        head recorded without one needs a sex and a birth date. Fills both in from the ID."""
        id_number = v.get("head")
        if id_number:
            for key, message in id_disagreements(v, id_number):
                self.error(row, key, message)
            if problem := people.id_problem(row, id_number):
                self.error(row, "head", problem)
        elif "head_name" in v:
            if "birth_date" not in v:
                self.error(row, "birth_date", _("Give the birth date or the ID number."))
            if "sex" not in v:
                self.error(row, "sex", _("Give the sex or the ID number."))

    def _head(
        self, row: Row, v: dict[str, Any], people: VillagePeople
    ) -> tuple[bool, Person | None]:
        """(False, None) for a bad row, else (True, the row's head): with a name, a person of
        the village found or new; with only an ID number, a person already in the register (or
        nobody yet, when the row's household number is given)."""
        name, id_number = v.get("head_name"), v.get("head")
        if name:
            head, problem = people.find(row, name, v["birth_date"], id_number)
            if problem:
                self.error(row, "head_name", problem)
                return False, None
            return True, head or Person(region=self.village)
        if not id_number:
            return True, None
        head = people.of_village(id_number)
        if head is not None:
            return True, head
        if "number" not in v:
            self.error(
                row,
                "head",
                _(
                    "Nobody in the register has this ID number; give the household number, "
                    "or the head's name to record the head."
                ),
            )
            return False, None
        # Households come before people: the head is linked by importing this file again once
        # the people are in.
        self.notice(
            row,
            "head",
            _(
                "Nobody in the register has this ID number yet, "
                "so the head is not linked. Import the people, "
                "then this file again."
            ),
        )
        return True, None

    def _group(self, row: Row, find_group: GroupMatcher[Region], written: str) -> Region | None:
        """The village's group the cell names, however it is written; a group the village does
        not have is a bad row, never created."""
        group = find_group(written)
        if group is None:
            candidates = find_group.candidates(written)
            if candidates:
                self.error(
                    row,
                    "group",
                    _("%(group)s may be any of %(groups)s; write the group's full name.")
                    % {"group": written, "groups": "、".join(g.name for g in candidates)},
                )
            else:
                self.error(
                    row,
                    "group",
                    _("%(village)s has no villager group %(group)s.")
                    % {"village": self.village.name, "group": written},
                )
        return group

    def place_with_head(
        self,
        row: Row,
        household: Household,
        values: dict[str, Any],
        head: Person,
        fields: dict[str, Any],
    ) -> None:
        """Count the row once: created (a new household), updated (the household or its head
        changes) or unchanged; a head the registry's rules refuse makes it a bad row. A new
        household or a new head is linked once written (see `write`)."""
        if head.pk is not None:
            values["head"] = head
        if household.pk is not None:
            fields["household"] = household
        changed = _apply(household, values)
        head_changed = _apply(head, fields)
        if household.pk is None and head.pk is not None:
            head_changed.append("household")
        head.household = household  # also when unchanged: the rules below read it
        if head.pk is None:
            household.head = head
            if household.pk is not None:
                changed.append("head")
        if head.pk is None or head_changed:
            problems = person_problems(head)
            for field, message in problems.items():
                self.error(row, HEAD_COLUMNS.get(field, ""), message)
            if problems:
                return
            if head.pk is None:
                self.new_heads.append(head)
            else:
                self.head_updates.append((head, head_changed))
        if household.pk is None:
            self.creates.append(household)
            self.report.created += 1
        elif changed or head.pk is None or head_changed:
            if changed:
                self.updates.append((household, changed))
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    def write(self, reason: str) -> None:
        # Households carry no encrypted field and no computed column: bulk writes are safe. A
        # new household and its new head point at each other: both are created, then linked,
        # and only then is their history written, one line each as they now are.
        linked = [h for h in self.creates if h.head_id is None and h.head is not None]
        heads = [h.head for h in linked]
        for household in linked:
            household.head = None
        Household.objects.bulk_create(self.creates, batch_size=LOOKUP_CHUNK)
        index_people(self.new_heads, self.head_updates)
        Person.objects.bulk_create(self.new_heads, batch_size=LOOKUP_CHUNK)
        for household, head in zip(linked, heads, strict=True):
            household.head = head
        Household.objects.bulk_update(linked, ["head"], batch_size=LOOKUP_CHUNK)
        for model, created in ((Household, self.creates), (Person, self.new_heads)):
            model.history.bulk_history_create(
                created, batch_size=LOOKUP_CHUNK, default_change_reason=reason
            )
        _write_in_bulk(Person, reason, [], self.head_updates)
        _write_in_bulk(Household, reason, [], self.updates)


def _head(household: Household, value: Any) -> Any:
    return value(household.head) if household.head_id else ""


HOUSEHOLDS = Layout(
    key="households",
    label=gettext_lazy("Households"),
    sheet="住户",
    sheet_aliases=("户籍", "户", "households"),
    model=Household,
    select_related=("region", "group", "head"),
    importer=HouseholdImporter,
    notes=(
        gettext_lazy(
            "A roster of household heads imports as it is: with the head's name, each row "
            "also records the head as a person of the village. Without a household number, "
            "a row is matched by its head, or the household gets the next free number."
        ),
    ),
    columns=(
        village_column(lambda h: h.region),
        Column(
            "number",
            "户号",
            ("household number", "户编号", "编号"),
            cells.text(20),
            help=gettext_lazy(
                "The household's number in the village register; unique in the village. "
                "May be left empty when the head's name is given: the household is then "
                "found by its head, or numbered after the highest number."
            ),
            example="0001",
            export=lambda h: h.number,
            text=True,
        ),
        Column(
            "group",
            "村民小组",
            ("villager group", "小组", "组别", "组", "村民组"),
            cells.text(100),
            help=gettext_lazy(
                "The villager group, written any usual way (第一村民小组, 一组, 第1组); "
                "it must already exist under the village."
            ),
            example="第一村民小组",
            export=lambda h: h.group.name if h.group_id else "",
        ),
        Column(
            "head_name",
            "户主姓名",
            ("head name", "户主", "姓名"),
            cells.text(50),
            help=gettext_lazy(
                "Name of the head of household. When given, the head is recorded as a person "
                "of the village, with the ID number, sex, birth date and phone of the row."
            ),
            example="王秀英",
            export=lambda h: _head(h, lambda p: p.name),
        ),
        _id_number_column(
            "head",
            "户主身份证号",
            (
                "head ID number",
                "户主身份证号码",
                "户主公民身份号码",
                "身份证号",
                "身份证号码",
                "公民身份号码",
            ),
            help=gettext_lazy(
                "ID number of the head of household. Without the head's name, it links a "
                "person already in the register: import the households, then the people, "
                "then this file again."
            ),
            export=lambda h: _head(h, lambda p: p.masked_id_number),
        ),
        Column(
            "sex",
            "性别",
            ("sex", "gender", "户主性别"),
            cells.choice(SEX_LABELS, Sex),
            help=gettext_lazy(
                "The head's sex, 男 or 女; may be left empty when the ID number is given."
            ),
            example="女",
            export=lambda h: _head(h, lambda p: cells.choice_label(SEX_LABELS, p.sex)),
        ),
        Column(
            "birth_date",
            "出生日期",
            ("birth date", "出生年月日", "生日", "户主出生日期"),
            cells.parse_date,
            help=gettext_lazy(
                "The head's birth date, YYYY-MM-DD; may be left empty when the ID number is given."
            ),
            example=dt.date(1949, 12, 31),  # as the example ID number says
            export=lambda h: _head(h, lambda p: p.birth_date),
        ),
        Column(
            "phone",
            "联系电话",
            ("phone", "电话", "手机", "手机号码", "手机号"),
            cells.parse_phone,
            help=gettext_lazy("The head's mobile number or landline with its area code."),
            example="13800138000",
            export=lambda h: _head(h, lambda p: p.masked_phone),
            text=True,
        ),
        Column(
            "address",
            "地址",
            ("address", "住址", "家庭住址", "门牌"),
            cells.text(200),
            help=gettext_lazy("Address of the household."),
            example="一组12号",
            export=lambda h: h.address,
        ),
        Column(
            "size",
            "人口数",
            ("household size", "家庭人口", "户人口数", "人口", "家庭人口数"),
            cells.integer(1, MAX_HOUSEHOLD_SIZE),
            help=gettext_lazy("How many people the household registers (人口数)."),
            example=3,
            export=lambda h: h.size,
        ),
        _yes_no_column(
            "elderly_only",
            "仅老人户",
            ("elderly only", "老人户"),
            help=gettext_lazy("是 if only elderly people live here (exempt from duty)."),
        ),
        _yes_no_column(
            "disabled_member",
            "有残疾人",
            ("disabled member", "残疾人户"),
            help=gettext_lazy("是 if a member of the household is disabled (exempt from duty)."),
        ),
        _yes_no_column(
            "absent",
            "外出/不在家",
            ("away", "外出", "不在家", "外出户"),
            help=gettext_lazy("是 if the household is away working elsewhere (exempt from duty)."),
        ),
        _yes_no_column(
            "low_income",
            "低保",
            ("minimum living allowance", "低保户"),
            help=gettext_lazy("是 if the household receives the minimum living allowance."),
        ),
        _yes_no_column(
            "five_guarantees",
            "五保",
            ("five guarantees", "五保户"),
            help=gettext_lazy("是 if the household receives the five guarantees."),
        ),
    ),
)
