"""What a line of a book hashes, and how new lines join their chain.

A line's hash is SHA-256 over canonical JSON of the chain's name, the line's number in it
(`seq`), the previous line's hash and the line's own values: every column but the id and the
four chain columns, keyed by column, empty (NULL) values left out, so that a nullable column
added to a book later leaves the old lines' hashes as they were. The id is not hashed: a line's
place is its `seq`, and the ids of bulk-inserted lines are known only after the insert, when the
line can no longer change.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import cache, partial
from typing import TYPE_CHECKING, Any, cast

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from qunfang.core.books.base import AppendOnly, ChainHead

GENESIS = "0" * 64  # the "previous hash" of a chain's first line
CHAIN_COLUMNS = frozenset({"chain", "seq", "prev_hash", "hash"})


@cache
def content_fields(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    return tuple(
        f for f in model._meta.concrete_fields if not f.primary_key and f.name not in CHAIN_COLUMNS
    )


def canonical(field: models.Field[Any, Any], value: Any) -> Any:
    """The value as JSON, the same whether it comes from Python before the insert or back from
    SQLite or PostgreSQL (times in UTC to the microsecond, decimals to their places)."""
    if value is None:
        return None
    value = field.to_python(value)
    if isinstance(field, models.JSONField):
        return json.loads(json.dumps(value, cls=field.encoder))
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):  # as Django stores it (with a warning)
            value = timezone.make_aware(value, timezone.get_default_timezone())
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        places = cast("models.DecimalField[Any, Any]", field).decimal_places
        return str(value.quantize(Decimal(1).scaleb(-places)))
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def line_values(model: type[models.Model], get: Callable[[str], Any]) -> dict[str, Any]:
    return {f.attname: canonical(f, get(f.attname)) for f in content_fields(model)}


def line_hash(chain: str, seq: int, prev_hash: str, values: dict[str, Any]) -> str:
    body = {
        "chain": chain,
        "seq": seq,
        "prev": prev_hash,
        "line": {k: v for k, v in values.items() if v is not None},
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def lock_heads(names: Iterable[str], *, using: str) -> dict[str, "ChainHead"]:
    """The chains' heads, locked until the transaction ends (made when a chain starts), in
    name order so that two writers never wait for each other in a circle."""
    from qunfang.core.books.base import ChainHead

    names = sorted(set(names))
    locked = ChainHead.objects.using(using).select_for_update()
    heads = {h.name: h for h in locked.filter(name__in=names).order_by("name")}
    missing = [n for n in names if n not in heads]
    if missing:
        ChainHead.objects.using(using).bulk_create(
            [ChainHead(name=n) for n in missing], ignore_conflicts=True
        )
        heads |= {h.name: h for h in locked.filter(name__in=missing).order_by("name")}
    return heads


def link(lines: "Sequence[AppendOnly]", *, using: str) -> None:
    """Give unsaved lines their places at the ends of their chains, in the order given, and
    move the heads. Call inside the transaction that inserts the lines."""
    from qunfang.core.books.base import ChainHead

    if not lines:
        return
    for line in lines:
        # parents' ids, as saved (Django's own step, not in its stubs)
        line._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
        line.chain = line.chain_name()
    heads = lock_heads((line.chain for line in lines), using=using)
    for line in lines:
        head = heads[line.chain]
        line.seq, line.prev_hash = head.seq + 1, head.hash
        values = line_values(type(line), partial(getattr, line))
        line.hash = line_hash(line.chain, line.seq, line.prev_hash, values)
        head.seq, head.hash = line.seq, line.hash
    now = timezone.now()
    for head in heads.values():
        head.updated_at = now
    ChainHead.objects.using(using).bulk_update(heads.values(), ["seq", "hash", "updated_at"])


def backfill(rows: models.QuerySet[Any], chain_of: Callable[[Any], str], head_model: Any) -> None:
    """For the data migrations that bring in the chains: chain the lines already written, in
    id order (their triggers dropped by the migration; `migrate` makes them again). The models
    are the migration's historical ones."""
    model = rows.model
    heads: dict[str, tuple[int, str]] = {}
    for row in list(rows.order_by("pk")):
        chain = chain_of(row)
        seq, prev = heads.get(chain, (0, GENESIS))
        values = line_values(model, partial(getattr, row))
        digest = line_hash(chain, seq + 1, prev, values)
        rows.filter(pk=row.pk).update(chain=chain, seq=seq + 1, prev_hash=prev, hash=digest)
        heads[chain] = (seq + 1, digest)
    for name, (seq, digest) in heads.items():
        head_model.objects.using(rows.db).update_or_create(
            name=name, defaults={"seq": seq, "hash": digest}
        )
