"""Records as they stood at a moment: what an assessment reads, so that computing a score again
later gives the same result however the records changed since.

A model with history (django-simple-history) is read from its history: each record's last
version at or before the moment, and none for a record first written after it. A record with no
history at all (written in bulk, as the demo's past and the benchmarks are) is read as it is now,
and a model without history is read as it is now; `existed` names the field that says when such
a record came to be, so that a later one is left out. Such a record first changed after the
moment is read as that change left it: what it was before was never kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models

Row = dict[str, Any]


def rows_as_of(
    model: type[models.Model],
    fields: Iterable[str],
    cutoff: dt.datetime,
    *,
    existed: str | None = None,
    **scope: Any,
) -> list[Row]:
    """The rows of `model` that match `scope` (lookups on fields that never change, such as the
    village or the shift) as they stood at `cutoff`: dicts with "id" and `fields`. Lookups that
    follow a relation read the related row as it is now."""
    names = ["id", *fields]
    current = model._base_manager.filter(**scope)
    if existed:
        current = current.filter(**{f"{existed}__lte": cutoff})
    history = getattr(model, "history", None)
    if history is None:
        return list(current.order_by("id").values(*names))
    last: dict[int, Row] = {}
    versioned: set[int] = set()
    versions = (
        history.model._base_manager.filter(**scope)
        .order_by("id", "history_date", "history_id")
        .values(*names, "history_date", "history_type")
    )
    for version in versions.iterator(chunk_size=5000):
        first = version["id"] not in versioned
        versioned.add(version["id"])
        if version["history_date"] <= cutoff:
            last[version["id"]] = version
        elif first and version["history_type"] == "~":
            # written without history and first changed after the moment: it existed, as it was
            # before that change, which no one kept; the nearest thing known is the change
            last[version["id"]] = version
    out = [row for row in current.order_by("id").values(*names) if row["id"] not in versioned]
    for row in last.values():
        if row.pop("history_type") != "-":
            row.pop("history_date")
            out.append(row)
    out.sort(key=lambda row: row["id"])
    return out
