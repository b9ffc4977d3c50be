"""Large spreadsheet imports run as background tasks.

A file of more than IMPORT_IN_REQUEST_ROWS rows is stored under MEDIA_ROOT/imports/ before the
user is told it was received, then imported by the worker exactly as the page imports a small
one (`spreadsheets.import_file`: the whole file checked, nothing written unless every row is
good). Measured on the 2-core development machine, busy: 500 people rows take about 2 s
(households 0.2 s), an answer a page may still give; 2,000 people take 7 s and a 20,000-person
register about 14 s (bench/import_lock.py), longer than a web request may. The checks run
outside any transaction, so the database's write lock is held only while the rows are written.
"""

from dataclasses import asdict

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_tasks import task

from qunfang.core.jobs import Outcome, job_progress, job_start, run_job
from qunfang.core.models import Job, JobKind, Region, RegionKind, User
from qunfang.core.roles import Perm
from qunfang.core.spreadsheets import ImportReport, staging
from qunfang.registry.spreadsheets import import_file

IMPORT_IN_REQUEST_ROWS = 500
SHOWN_PROBLEMS = 200  # a file with thousands of bad rows shows the first ones and a count


def report_json(report: ImportReport) -> dict:
    """What the result page shows, as JSON: the figures and the first problems, with totals."""
    return {
        "layout": report.layout,
        "filename": report.filename,
        "dry_run": report.dry_run,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "file_error": report.file_error,
        "bad_rows": report.bad_rows,
        "errors": [asdict(e) for e in report.errors[:SHOWN_PROBLEMS]],
        "error_total": len(report.errors),
        "notices": [asdict(n) for n in report.notices[:SHOWN_PROBLEMS]],
        "notice_total": len(report.notices),
    }


def import_staged(staged: staging.Staged, village: Region, columns: dict[str, str] | None) -> dict:
    """Import a staged file as its uploader chose (see `registry.views.io`), then let it go.
    The report, as JSON, carries the ticket of the file with the problems marked on it."""
    with staged.open() as handle:
        report = import_file(
            layout=staged.layout,
            village=village,
            file=handle,
            filename=staged.filename,
            dry_run=staged.dry_run,
            mapping=columns,
            all_sheets=staged.all_sheets,
        )
        problems = ""
        if report.errors:
            problems = staging.keep_problems(
                file=handle, filename=staged.filename, errors=report.errors, by=staged.by
            )
    staged.discard()  # imported or refused: the report says which
    return {**report_json(report), "problems": problems}


def start_import(
    *,
    staged: staging.Staged,
    village: Region,
    by: User,
    columns: dict[str, str] | None,
    language="",
) -> Job:
    """Queue the import of a staged file (`village` and `by`: the ones it names); the job page
    shows the same report as the page."""
    return job_start(
        kind=JobKind.IMPORT,
        region=village,
        by=by,
        params={"staged": asdict(staged), "columns": columns},
        task=import_spreadsheet,
        language=language,
    )


def _import(job: Job) -> Outcome:
    staged = staging.Staged(**job.params["staged"])
    village = (
        Region.objects.visible_to(job.started_by)
        .filter(pk=staged.village, kind=RegionKind.VILLAGE)
        .first()
    )
    if village is None:  # moved out of the starter's jurisdiction meanwhile
        raise PermissionDenied(_("You may no longer do this, so it was not done."))
    job_progress(job.pk, 10, _("Checking every row"))
    result = import_staged(staged, village, job.params["columns"])
    if result["file_error"] or result["errors"]:
        step = _("The file was not imported")
    elif result["dry_run"]:
        step = _("The file is ready to import")
    else:
        step = _("Imported")
    return Outcome(result=result, step=step)


@task()
def import_spreadsheet(job_id: int) -> None:
    run_job(job_id, _import, may=lambda user: user.can(Perm.MANAGE_REGISTRY))
