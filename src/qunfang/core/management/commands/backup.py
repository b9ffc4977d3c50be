import hashlib
import json
import os
import shutil
import sqlite3
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Copy the embedded SQLite database, consistently, while Qunfang keeps running, and the "
        "uploaded files beside it (PostgreSQL deployments use pg_dump)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--to", type=Path, help="target file (default: DATA_DIR/backups/…)")

    def handle(self, *args: Any, to: Path | None = None, **options: Any) -> None:
        if connection.vendor != "sqlite":
            raise CommandError("This database is PostgreSQL: back it up with pg_dump (see README).")
        target = (
            to or settings.DATA_DIR / "backups" / f"qunfang-{timezone.now():%Y%m%d-%H%M%S}.sqlite3"
        )
        for path in (target, target.with_suffix(".manifest.json")):
            if path.exists():
                raise CommandError(f"{path} exists already: nothing was written.")
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        target.touch(mode=0o600)  # it holds password hashes and encrypted personal data
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)  # SQLite's online backup: a consistent copy
            heads = destination.execute(
                "SELECT name, seq, hash FROM core_chainhead WHERE seq > 0 ORDER BY name"
            ).fetchall()
        finally:
            destination.close()
        manifest = _write_manifest(target, heads)
        media = Path(settings.MEDIA_ROOT)
        if media.is_dir() and any(media.iterdir()):  # uploaded files, e.g. scanned agreements
            copy = target.with_suffix(".media")
            shutil.copytree(media, copy, copy_function=_copy_private)
            for folder in (copy, *(p for p in copy.rglob("*") if p.is_dir())):
                folder.chmod(0o700)  # copytree gave them the originals' modes
            self.stdout.write(f"Uploaded files copied to {target.with_suffix('.media')}")
        self.stdout.write(f"Backup written to {target}")
        self.stdout.write(
            f"Heads of the books in {manifest} (keep it apart: verify-books --anchors)"
        )


def _write_manifest(target: Path, heads: list[tuple[str, int, str]]) -> Path:
    """Beside the backup: its SHA-256 and every book's head in it. Kept apart from the
    database, it lets `verify-books --anchors` find lines later removed from a chain's end."""
    digest = hashlib.sha256()
    with target.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    manifest = {
        "backup": target.name,
        "sha256": digest.hexdigest(),
        "written_at": timezone.now().isoformat(),
        "chains": {name: {"seq": seq, "hash": hash_} for name, seq, hash_ in heads},
    }
    path = target.with_suffix(".manifest.json")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
    return path


def _copy_private(source: str, destination: str) -> None:
    """A copy for the service's user alone from the first byte, whatever the original's mode
    (files uploaded before FILE_UPLOAD_PERMISSIONS may be world-readable)."""
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(source, "rb") as reading, os.fdopen(fd, "wb") as writing:
        shutil.copyfileobj(reading, writing)
