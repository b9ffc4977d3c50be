import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from qunfang.core.books.retention import RETENTION_DAYS, security_log_archive


class Command(BaseCommand):
    help = (
        f"Move the security log's lines older than a date (at least {RETENTION_DAYS} days ago) "
        "to a gzipped JSON-lines file under the data folder, leaving an archive line in the log's "
        "chain with the file's SHA-256, the range and where the file is."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--before",
            required=True,
            type=dt.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="archive the lines before this day",
        )

    def handle(self, *args: Any, before: dt.date, **options: Any) -> None:
        try:
            line = security_log_archive(before=before)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if line is None:
            self.stdout.write(f"Nothing before {before} to archive.")
            return
        mark = line.detail
        self.stdout.write(
            f"Archived {mark['count']} lines (ids {mark['first_id']}–{mark['last_id']}, lines "
            f"{mark['first_seq']}–{mark['last_seq']}) to {mark['file']} (SHA-256 "
            f"{mark['sha256']}); archive line id {line.pk}."
        )
