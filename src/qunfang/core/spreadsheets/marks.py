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
Writes that bypass history (QuerySet.update, raw SQL) would escape a mark: mark only models that
none of their writers bypass. An importer's `register_mark` returns a tuple of the marks (and
counts) of everything its checks read; see the registry's importers for examples.
"""

from typing import Any

from django.db import models
from django.db.models import Max

Mark = tuple[int, int]


def mark(model: type[models.Model], **where: Any) -> Mark:
    """Rows matching `where` now, and the newest history line matching it (0 if none)."""
    history = model.history  # type: ignore[attr-defined]
    rows = model._default_manager.filter(**where).count()
    return rows, history.filter(**where).aggregate(newest=Max("history_id"))["newest"] or 0
