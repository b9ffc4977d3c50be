import os
import shutil
import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Copy the embedded SQLite database, consistently, while Qunfang keeps running, and the "
        "uploaded files beside it (PostgreSQL deployments use pg_dump)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", type=Path, help="target file (default: DATA_DIR/backups/…)")

    def handle(self, *args, to=None, **options):
        if connection.vendor != "sqlite":
            raise CommandError("This database is PostgreSQL: back it up with pg_dump (see README).")
        target = (
            to or settings.DATA_DIR / "backups" / f"qunfang-{timezone.now():%Y%m%d-%H%M%S}.sqlite3"
        )
        if target.exists():
            raise CommandError(f"{target} exists already: nothing was written.")
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        target.touch(mode=0o600)  # it holds password hashes and encrypted personal data
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)  # SQLite's online backup: a consistent copy
        finally:
            destination.close()
        media = Path(settings.MEDIA_ROOT)
        if media.is_dir() and any(media.iterdir()):  # uploaded files, e.g. scanned agreements
            copy = target.with_suffix(".media")
            shutil.copytree(media, copy, copy_function=_copy_private)
            for folder in (copy, *(p for p in copy.rglob("*") if p.is_dir())):
                folder.chmod(0o700)  # copytree gave them the originals' modes
            self.stdout.write(f"Uploaded files copied to {target.with_suffix('.media')}")
        self.stdout.write(f"Backup written to {target}")


def _copy_private(source: str, destination: str) -> None:
    """A copy for the service's user alone from the first byte, whatever the original's mode
    (files uploaded before FILE_UPLOAD_PERMISSIONS may be world-readable)."""
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(source, "rb") as reading, os.fdopen(fd, "wb") as writing:
        shutil.copyfileobj(reading, writing)
