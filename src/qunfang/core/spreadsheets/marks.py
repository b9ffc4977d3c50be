"""What an import's checks read, summed up cheaply, so that its writes can tell whether the
register changed since the checks ran. The checks run outside any transaction (on SQLite a
transaction holds the write lock, and check-ins wait at most 5 s for it); only the writes hold
it, briefly, after comparing the mark taken before the checks with one taken under the lock.

A mark of a set of rows is (how many rows match a filter, the newest history line that matches
the same filter). It changes whenever the set changes, because every ORM write to a model with
HistoricalRecords — save(), delete(), the *_with_history bulk helpers — adds a history line
holding the row's values after the change (before it, for a delete) under a history_id larger
than any before (AUTOINCREMENT on SQLite, a sequence on PostgreSQL: never reused), and the
filters name only the row's own columns, so a line matches exactly when its row did:
- a row created, changed or deleted while it matches writes a matching line: the newest rises;
- a row that stops matching (moved to another village) writes a line that does not match, but
  the count falls, and only a row that starts matching, which writes a matching line, could
  bring it back.
Writes that bypass history (QuerySet.update, raw SQL) would escape a mark; the register makes
none on these models. Deleting a person or a household sets links to it to NULL without a line
of the linking row, but the delete itself writes a line inside the same village.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import Max

from qunfang.core.crypto import blind_index
from qunfang.core.models import Region
from qunfang.registry.models import (
    Household,
    Membership,
    Organisation,
    Person,
    Post,
    TrainingRecord,
    VettingCheck,
)

Mark = tuple[int, int]
CHUNK = 500  # keeps IN (...) lists under SQLite's variable limit


def mark(model: type[models.Model], **where) -> Mark:
    """Rows matching `where` now, and the newest history line matching it (0 if none)."""
    history = model.history  # type: ignore[attr-defined]
    rows = model._default_manager.filter(**where).count()
    return rows, history.filter(**where).aggregate(newest=Max("history_id"))["newest"] or 0


def holders(id_numbers: Iterable[str]) -> int:
    """How many people, of any village, hold one of these ID numbers."""
    wanted = sorted({blind_index(number) for number in id_numbers})
    people = Person.objects.filter
    return sum(
        people(id_number_bidx__in=wanted[start : start + CHUNK]).count()
        for start in range(0, len(wanted), CHUNK)
    )


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
