"""The demo writes a year of the past in a minute, but the services it goes through record each
creation in the record's history at the moment they run. What reads records as they stood at an
earlier moment (an assessment's cut-off) would then find none of them. History is append-only,
so `backfill_history` adds, for each such creation, the same version dated when its record came
to be — its own date, or the start of the demo's year — with the reason saying it was written
in afterwards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from simple_history.models import registered_models

from qunfang.core.days import local_midnight

REASON = "demo: as it stood from the start"
BATCH = 2000
# a record's own date of coming to be, the first of these it has
NATURAL = (
    "started_on",
    "joined_on",
    "formed_on",
    "checked_on",
    "held_on",
    "signed_on",
    "starts_on",
    "scheduled_at",
    "reported_at",
    "created_at",
)


def _when(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return local_midnight(value)
    return None


def backfill_history(*, since: dt.datetime, year_start: dt.datetime) -> int:
    """For every creation recorded since `since` (the build began), the same version dated when
    its record came to be; how many were added. Core's histories (accounts, roles, regions) are
    left as they are: nothing reads them as of a moment."""
    added = 0
    for model in list(registered_models.values()):
        history = getattr(model, "history", None)
        if history is None or model._meta.app_label == "core":
            continue
        historical: type[models.Model] = history.model
        names = [f.attname for f in historical._meta.concrete_fields if f.attname != "history_id"]
        natural = next((name for name in NATURAL if name in names), None)
        created = historical._base_manager.filter(history_type="+", history_date__gte=since)
        copies = []
        for row in created.values(*names).iterator(chunk_size=BATCH):
            own = _when(row[natural]) if natural else None
            row["history_date"] = own if own is not None and own < since else year_start
            row["history_change_reason"] = REASON
            copies.append(historical(**row))
        historical._base_manager.bulk_create(copies, batch_size=BATCH)
        added += len(copies)
    return added
