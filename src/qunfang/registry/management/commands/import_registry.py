from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qunfang.core.models import ImportMapping, Region, RegionKind
from qunfang.core.spreadsheets import FileRefused, inspect_file, mapping
from qunfang.registry.spreadsheets import LAYOUTS, import_file


class Command(BaseCommand):
    help = (
        "Import a households, people or memberships sheet (.xlsx, .xls or .csv) into one village, "
        "as the import page does — for files too large for a web request. Everything or "
        "nothing. The file's columns are matched to the fields as the mapping step suggests "
        "(the village's last confirmed mapping first) unless --map says otherwise; the mapping "
        "used is printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("layout", choices=sorted(LAYOUTS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--village", required=True, help="the village's 12-digit code")
        parser.add_argument(
            "--check", action="store_true", help="only check the file; write nothing"
        )
        parser.add_argument(
            "--map",
            dest="columns",
            metavar='"HEADER=field,HEADER=field"',
            help="which column of the file holds which field (default: the suggestion)",
        )
        parser.add_argument(
            "--all-sheets",
            action="store_true",
            help="read every sheet with these columns (e.g. one sheet per villager group)",
        )

    def handle(self, *args, layout, file, village, check, columns, all_sheets, **options):
        spec = LAYOUTS[layout]
        target = Region.objects.filter(code=village, kind=RegionKind.VILLAGE).first()
        if target is None:
            raise CommandError(f"No village with code {village}.")
        try:
            with file.open("rb") as handle:
                chosen = self._columns(spec, target, handle, file.name, columns)
                self.stdout.write(f'--map "{mapping.as_map_option(chosen)}"')
                report = import_file(
                    layout=layout,
                    village=target,
                    file=handle,
                    filename=file.name,
                    dry_run=check,
                    mapping=chosen,
                    all_sheets=all_sheets,
                )
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except FileRefused as exc:
            raise CommandError(exc.message) from exc
        if report.file_error:
            raise CommandError(report.file_error)
        for error in report.errors:
            where = f"{error.sheet} " if error.sheet else ""
            self.stderr.write(f"{where}row {error.row} {error.column}: {error.message}")
        if report.errors:
            raise CommandError(f"{report.bad_rows} bad rows: nothing was written.")
        verb = "would create" if check else "created"
        self.stdout.write(
            f"{verb} {report.created}, updated {report.updated}, unchanged {report.unchanged}"
        )

    def _columns(self, spec, village, handle, filename, option) -> dict[str, str]:
        """--map as given (checked against the layout and the file), else the suggestion."""
        shape = mapping.main_sheet(
            spec, inspect_file(file=handle, filename=filename, known=spec.known())
        )
        headers = {c.header for c in shape.columns}
        if option:
            try:
                chosen = mapping.parse_map_option(option)
            except ValueError as exc:
                raise CommandError(f'--map: cannot read "{exc}"; write HEADER=field.') from exc
            fields = {c.key for c in spec.imported}
            unknown = sorted(set(chosen) - fields)
            if unknown:
                known = ", ".join(sorted(fields))
                raise CommandError(f"--map: no field {', '.join(unknown)}; the fields are {known}.")
            missing = sorted(set(chosen.values()) - headers)
            if missing:
                raise CommandError(
                    f"--map: the file has no column {', '.join(missing)}; "
                    f"it has {', '.join(sorted(headers))}."
                )
            return chosen
        remembered = (
            ImportMapping.objects.filter(region=village, layout=spec.key)
            .values_list("columns", flat=True)
            .first()
        )
        return mapping.suggest(spec, mapping.candidates(shape), remembered)
