"""Retention of the security log: every line is kept at least 184 days (the six months the law
asks for). Older lines may be archived, and that is itself a chained step: the lines go to a
gzipped JSON-lines file under the data folder, and in the same transaction they leave the
database and an archive line joins the chain saying what was taken (range, count, the file's
SHA-256 and where it is). Without this the triggers refuse every DELETE."""

import datetime as dt
import gzip
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.core.books.chain import GENESIS, line_hash, line_values, lock_heads
from qunfang.core.models import SecurityEvent, SecurityEventKind, User
from qunfang.core.triggers import books_unlocked

RETENTION_DAYS = 184
CHAIN = SecurityEvent.book


def security_log_archive(
    *, before: dt.date, by: User | None = None, using: str = "default"
) -> SecurityEvent | None:
    """Archive the lines before `before` (a date at least 184 days ago); returns the archive
    line, or None when there was nothing to archive."""
    today = timezone.localdate()
    if before > today - dt.timedelta(days=RETENTION_DAYS):
        raise ValidationError(
            _(
                "The security log is kept %(days)d days: archive only lines before %(date)s "
                "or earlier."
            )
            % {"days": RETENTION_DAYS, "date": today - dt.timedelta(days=RETENTION_DAYS)}
        )
    cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    with books_unlocked(using):
        lock_heads([CHAIN], using=using)
        log = SecurityEvent._base_manager.using(using).filter(chain=CHAIN)
        kept = log.filter(at__gte=cutoff).aggregate(first=Min("seq"))["first"]
        old = (log if kept is None else log.filter(seq__lt=kept)).order_by("seq")
        if not old.exists():
            return None
        mark = _write_archive(old, before=before, today=today)
        old.delete()
        return SecurityEvent.objects.using(using).create(
            kind=SecurityEventKind.LOG_ARCHIVED,
            actor=by,
            username=by.username if by else "",
            detail=mark,
        )


def _write_archive(
    lines: QuerySet[SecurityEvent], *, before: dt.date, today: dt.date
) -> dict[str, Any]:
    folder = Path(settings.DATA_DIR) / "archives"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"security-log-{timezone.now():%Y%m%d-%H%M%S-%f}.jsonl.gz"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never over another
    count = 0
    first: Any = None  # the first and last lines' records, once written
    last: Any = None
    with os.fdopen(fd, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
            for line in lines.iterator(chunk_size=2000):
                record = _record(line)
                packed.write(
                    json.dumps(record, ensure_ascii=False, sort_keys=True).encode() + b"\n"
                )
                count, first, last = count + 1, first or record, record
        raw.flush()
        os.fsync(raw.fileno())
    return {
        "file": str(path.relative_to(settings.DATA_DIR)),
        "sha256": _sha256(path),
        "count": count,
        "first_id": first["id"],
        "last_id": last["id"],
        "first_seq": first["seq"],
        "last_seq": last["seq"],
        "last_hash": last["hash"],
        "before": before.isoformat(),
        "archived_on": today.isoformat(),
    }


def _record(line: SecurityEvent) -> dict[str, Any]:
    """A line as archived: with its chain columns and the very values it hashes."""
    values = line_values(SecurityEvent, lambda name: getattr(line, name))
    columns = {"id": line.pk, "chain": line.chain, "seq": line.seq, "hash": line.hash}
    return {**columns, "prev_hash": line.prev_hash, "line": values}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_archive(mark: dict[str, Any]) -> str:
    """What is wrong with the archive an archive line names ("" when nothing): its file must
    be there unchanged, its lines chained and ending at the hash the chain goes on from, and
    none younger than the retention allowed on the day it was made."""
    path = Path(settings.DATA_DIR) / mark["file"]
    if not path.is_file():
        return f"archive {mark['file']} not found"
    if _sha256(path) != mark["sha256"]:
        return f"archive {mark['file']} altered: its SHA-256 is not the archive line's"
    limit = dt.date.fromisoformat(mark["archived_on"]) - dt.timedelta(days=RETENTION_DAYS)
    if dt.date.fromisoformat(mark["before"]) > limit:
        return f"archive {mark['file']} took lines younger than {RETENTION_DAYS} days"
    cutoff = timezone.make_aware(dt.datetime.fromisoformat(mark["before"]))
    seq, prev, count = mark["first_seq"], None, 0
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for text in lines:
            record = json.loads(text)
            if prev is None:  # the first goes on from lines archived before, or starts the chain
                prev = GENESIS if seq == 1 else record["prev_hash"]
            digest = line_hash(record["chain"], record["seq"], record["prev_hash"], record["line"])
            if (record["seq"], record["prev_hash"], record["hash"]) != (seq, prev, digest):
                return f"archive {mark['file']}: line {seq} does not match its hash"
            if dt.datetime.fromisoformat(record["line"]["at"]) >= cutoff:
                return f"archive {mark['file']}: line {seq} is not older than {mark['before']}"
            seq, prev, count = seq + 1, digest, count + 1
    if count != mark["count"] or prev != mark["last_hash"]:
        return f"archive {mark['file']} does not end where the chain goes on"
    return ""
