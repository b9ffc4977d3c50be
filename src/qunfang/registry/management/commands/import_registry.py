from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qunfang.core.models import Region, RegionKind
from qunfang.registry.spreadsheets import LAYOUTS, import_file


class Command(BaseCommand):
    help = (
        "Import a households, people or memberships sheet (.xlsx or .csv) into one village, as the "
        "import page does — for files too large for a web request. Everything or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("layout", choices=sorted(LAYOUTS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--village", required=True, help="the village's 12-digit code")
        parser.add_argument(
            "--check", action="store_true", help="only check the file; write nothing"
        )

    def handle(self, *args, layout, file, village, check, **options):
        target = Region.objects.filter(code=village, kind=RegionKind.VILLAGE).first()
        if target is None:
            raise CommandError(f"No village with code {village}.")
        try:
            with file.open("rb") as handle:
                report = import_file(
                    layout=layout, village=target, file=handle, filename=file.name, dry_run=check
                )
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        if report.file_error:
            raise CommandError(report.file_error)
        for error in report.errors:
            self.stderr.write(f"row {error.row} {error.column}: {error.message}")
        if report.errors:
            raise CommandError(f"{report.bad_rows} bad rows: nothing was written.")
        verb = "would create" if check else "created"
        self.stdout.write(
            f"{verb} {report.created}, updated {report.updated}, unchanged {report.unchanged}"
        )
