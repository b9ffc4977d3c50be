"""What the registry's imports read, and the base of their importers: the village's register,
who holds the file's ID numbers in any village, the people a file describes (`VillagePeople`)
and the bulk writes that keep history."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
)

from qunfang.core.crypto import blind_index
from qunfang.core.models import Region
from qunfang.core.spreadsheets import Importer, Row
from qunfang.core.spreadsheets.marks import Mark, mark
from qunfang.registry.models import (
    Household,
    Membership,
    Organisation,
    Person,
    Post,
    Sex,
    TrainingRecord,
    VettingCheck,
)
from qunfang.registry.services.people import person_clean

LOOKUP_CHUNK = 500  # keeps IN (...) lists under SQLite's variable limit
Record = TypeVar("Record", bound=models.Model)


# ---- what the checks read ----------------------------------------------------------------


def _holding(people: QuerySet[Person], bidxs: Iterable[str]) -> Iterator[QuerySet[Person]]:
    """Those of `people` who hold one of these ID numbers (by blind index), a chunk at a time."""
    wanted = sorted(set(bidxs))
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        yield people.filter(id_number_bidx__in=wanted[start : start + LOOKUP_CHUNK])


def holders(id_numbers: Iterable[str]) -> int:
    """How many people, of any village, hold one of these ID numbers."""
    bidxs = (blind_index(number) for number in id_numbers)
    return sum(chunk.count() for chunk in _holding(Person.objects.all(), bidxs))


def village_register(village: Region, id_numbers: Iterable[str]) -> tuple[Mark | int, ...]:
    """What household and people imports read: the region tree (villager groups, which village
    a person is in; marked whole, regions change rarely), the village's households, the people
    of the village and its groups, and who holds the file's ID numbers anywhere. A file is
    written only when the checks found every holder inside the village, so a person elsewhere
    who takes one of them meanwhile raises that count (a holder leaving the village changes the
    village's mark)."""
    regions = list(
        Region.objects.filter(path__startswith=village.path).values_list("pk", flat=True)
    )
    return (
        mark(Region),
        mark(Household, region_id=village.pk),
        mark(Person, region_id__in=regions),
        holders(id_numbers),
    )


def membership_register(village: Region, id_numbers: Iterable[str]) -> tuple[Mark | int, ...]:
    """What membership imports read: the people of the village, and every organisation, post,
    membership, vetting check and training record (marked whole: membership files are short,
    so the checks are too, and a change elsewhere at worst asks for the file again)."""
    tables = (Organisation, Post, Membership, VettingCheck, TrainingRecord)
    return (*village_register(village, id_numbers), *(mark(model) for model in tables))


def _in_village(person: Person, village: Region) -> bool:
    return village.contains(person.region)


def _people_by_bidx(bidxs: Iterable[str], *, light: bool = False) -> dict[str, Person]:
    """Everyone holding one of these ID numbers, in any village (the caller tells them apart).
    `light` loads only what places a person, skipping the decryption of their personal data."""
    people = Person.objects.select_related("region")
    if light:
        people = people.only("id", "name", "id_number_bidx", "region__path", "region__name")
    return {
        cast(str, person.id_number_bidx): person  # found by it: never None
        for chunk in _holding(people, bidxs)
        for person in chunk
    }


# ---- the people a file describes ---------------------------------------------------------


def born_and_sex(id_number: str) -> tuple[dt.date, str]:
    """The birth date and sex an 18-character ID number gives."""
    born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return born, Sex.MALE if int(id_number[16]) % 2 else Sex.FEMALE


def id_disagreements(values: dict[str, Any], id_number: str) -> list[tuple[str, str]]:
    """Fill in the birth date and sex the ID number gives where `values` has none; the keys of
    those it gives that disagree with the number, and why."""
    born, sex = born_and_sex(id_number)
    wrong = []
    if values.setdefault("birth_date", born) != born:
        wrong.append(("birth_date", _("The birth date does not match the ID number.")))
    if values.setdefault("sex", sex) != sex:
        wrong.append(("sex", _("The sex does not match the ID number.")))
    return wrong


def person_problems(person: Person) -> dict[str, str]:
    """What the registry's rules (`person_clean`) refuse in a person an import would write:
    field name -> the first message."""
    try:
        person_clean(person=person, exclude_pk=person.pk)
    except ValidationError as exc:
        return {name: messages[0] for name, messages in exc.message_dict.items()}
    return {}


def _another_village() -> str:
    return _("This ID number belongs to a person of another village.")


class VillagePeople:
    """The people of a village as the rows of a file find them: by ID number, else by name and
    birth date (never taking over someone else's ID number); who outside the village holds the
    file's ID numbers; and which row already named an ID number or a person."""

    def __init__(self, village: Region, id_numbers: Iterable[str]):
        mine = list(
            Person.objects.filter(region__path__startswith=village.path).select_related("region")
        )
        self.by_bidx = {p.id_number_bidx: p for p in mine if p.id_number_bidx}
        self.by_name: dict[tuple[str, dt.date], list[Person]] = defaultdict(list)
        for person in mine:
            self.by_name[(person.name, person.birth_date)].append(person)
        wanted = {blind_index(number) for number in id_numbers}
        self.elsewhere = set(_people_by_bidx(wanted - self.by_bidx.keys(), light=True))
        self.id_rows: dict[str, int] = {}
        self.name_rows: dict[tuple[str, dt.date], int] = {}
        self.person_rows: dict[int, int] = {}

    def of_village(self, id_number: str) -> Person | None:
        return self.by_bidx.get(blind_index(id_number))

    def id_problem(self, row: Row, id_number: str) -> str | None:
        """Why this row may not hold this ID number: an earlier row does, or a person of
        another village."""
        first = self.id_rows.setdefault(id_number, row.number)
        if first != row.number:
            return _("Row %(row)d has the same ID number.") % {"row": first}
        if blind_index(id_number) in self.elsewhere:
            return _another_village()
        return None

    def find(
        self, row: Row, name: str, birth_date: dt.date, id_number: str | None
    ) -> tuple[Person | None, str | None]:
        """The person of the village this row describes (None: a new one), or why the row
        cannot tell which person it is."""
        person = self.of_village(id_number) if id_number else None
        if person is None:  # by name and birth date, never taking over someone else's ID
            candidates = [
                p for p in self.by_name[(name, birth_date)] if not (id_number and p.id_number)
            ]
            if len(candidates) > 1:
                return None, _(
                    "Several people of this village have this name and "
                    "birth date; add the ID number to tell them apart."
                )
            person = candidates[0] if candidates else None
        if person is not None:
            first = self.person_rows.setdefault(person.pk, row.number)
            if first != row.number:
                return None, _("Row %(row)d already describes this person.") % {"row": first}
        elif not id_number:
            first = self.name_rows.setdefault((name, birth_date), row.number)
            if first != row.number:
                return None, _(
                    "Row %(row)d has a person with the same name and birth "
                    "date; add the ID number to tell them apart."
                ) % {"row": first}
        return person, None


# ---- importers ---------------------------------------------------------------------------


class RegisterImporter(Importer[Record]):
    """An importer of the register: its checks read the village's people and households and
    who holds the file's ID numbers anywhere (`village_register`)."""

    ID_KEY = "id_number"  # the column holding ID numbers, looked up in every village

    def register_mark(self, rows: list[Row]) -> tuple[Any, ...]:
        return village_register(self.village, self.id_numbers(rows))

    def id_numbers(self, rows: list[Row]) -> list[str]:
        return [row.values[self.ID_KEY] for row in rows if self.ID_KEY in row.values]

    def of_another_village(self, row: Row, key: str) -> None:
        self.error(row, key, _another_village())

    def write_in_bulk(self, model: type[Record], reason: str) -> None:
        """For tables whose save() computes nothing bulk writes would miss; the *_with_history
        helpers write the same history lines as save()."""
        _write_in_bulk(model, reason, self.creates, self.updates)


def _write_in_bulk(
    model: type[Record],
    reason: str,
    creates: list[Record],
    updates: list[tuple[Record, list[str]]],
) -> None:
    bulk_create_with_history(creates, model, batch_size=LOOKUP_CHUNK, default_change_reason=reason)
    if updates:
        fields = sorted({name for _obj, changed in updates for name in changed})
        bulk_update_with_history(
            [obj for obj, _changed in updates],
            model,
            fields,
            batch_size=LOOKUP_CHUNK,
            default_change_reason=reason,
        )


def index_people(creates: list[Person], updates: list[tuple[Person, list[str]]]) -> None:
    """Bulk writes skip Person.save, so the ID number's blind index is computed here, as save()
    would."""
    for person in [*creates, *(p for p, _changed in updates)]:
        person.id_number_bidx = blind_index(person.id_number) if person.id_number else None
    for _person, changed in updates:
        if "id_number" in changed:
            changed.append("id_number_bidx")


def write_people(
    creates: list[Person], updates: list[tuple[Person, list[str]]], reason: str
) -> None:
    index_people(creates, updates)
    _write_in_bulk(Person, reason, creates, updates)
