import json
import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from qunfang.core.books.verify import anchor_document, load_anchors, verify_books


class Command(BaseCommand):
    help = (
        "Walk every book's hash chain (security log, case books, duty ledgers): one line per "
        "chain, `name lines head ok` or `… BROKEN at id N: reason`; exits 1 if any is broken."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--only",
            default="",
            metavar="NAME",
            help="one chain (casebook/12) or one book (casebook)",
        )
        parser.add_argument(
            "--anchors",
            type=Path,
            metavar="FILE",
            help="heads kept outside the database: a backup's manifest",
        )
        parser.add_argument(
            "--write-anchors",
            type=Path,
            metavar="FILE",
            help="when every chain is whole, write their heads to FILE, to keep elsewhere "
            "(PostgreSQL deployments, whose pg_dump writes no manifest)",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(
        self,
        *args: Any,
        only: str = "",
        anchors: Path | None = None,
        write_anchors: Path | None = None,
        **options: Any,
    ) -> None:
        database = options.get("database", DEFAULT_DB_ALIAS)
        try:
            kept = load_anchors(anchors) if anchors else None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"{anchors}: not a file of anchors ({exc})") from None
        broken, seen = [], 0
        for report in verify_books(only=only, anchors=kept, using=database):
            self.stdout.write(str(report))
            seen += 1
            if not report.ok:
                broken.append(report)
        if only and not seen:
            raise CommandError(f"no chain or book called {only}")
        if broken:
            first = broken[0]
            raise CommandError(
                f"{len(broken)} of {seen} chains broken; the first: {first.name} at id "
                f"{first.line_id or '-'}: {first.problem}"
            )
        if write_anchors:
            fd = os.open(write_anchors, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(anchor_document(using=database), handle, indent=1, sort_keys=True)
            self.stdout.write(f"Heads written to {write_anchors}")
