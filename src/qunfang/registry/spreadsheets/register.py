"""What the registry's imports read, and the base of their importers: the village's register,
who holds the file's ID numbers in any village, and the bulk writes that keep history."""

from collections.abc import Iterable, Iterator
from typing import TypeVar, cast

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
    TrainingRecord,
    VettingCheck,
)

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


# ---- importers ---------------------------------------------------------------------------


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


class RegisterImporter(Importer[Record]):
    """An importer of the register: its checks read the village's people and households and
    who holds the file's ID numbers anywhere (`village_register`)."""

    ID_KEY = "id_number"  # the column holding ID numbers, looked up in every village

    def register_mark(self, rows: list[Row]) -> tuple:
        return village_register(self.village, self.id_numbers(rows))

    def id_numbers(self, rows: list[Row]) -> list[str]:
        return [row.values[self.ID_KEY] for row in rows if self.ID_KEY in row.values]

    def of_another_village(self, row: Row, key: str) -> None:
        self.error(row, key, _("This ID number belongs to a person of another village."))

    def write_in_bulk(self, model: type[Record], reason: str) -> None:
        """For tables whose save() computes nothing bulk writes would miss; the *_with_history
        helpers write the same history lines as save()."""
        bulk_create_with_history(
            self.creates, model, batch_size=LOOKUP_CHUNK, default_change_reason=reason
        )
        if self.updates:
            fields = sorted({name for _obj, changed in self.updates for name in changed})
            bulk_update_with_history(
                [obj for obj, _changed in self.updates],
                model,
                fields,
                batch_size=LOOKUP_CHUNK,
                default_change_reason=reason,
            )
