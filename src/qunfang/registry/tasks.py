"""Large spreadsheet imports run as background tasks.

A file of more than IMPORT_IN_REQUEST_ROWS rows is stored under MEDIA_ROOT/imports/ before the
user is told it was received, then imported by the worker exactly as the page imports a small
one (`spreadsheets.import_file`: the whole file checked, nothing written unless every row is
good). Measured on the 2-core development machine, busy: 500 people rows take about 2 s
(households 0.2 s), an answer a page may still give; 2,000 people take 7 s and a 20,000-person
register about 14 s (bench/import_lock.py), longer than a web request may. The checks run
outside any transaction, so the database's write lock is held only while the rows are written.
"""

import uuid
from dataclasses import asdict
from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from django_tasks import task

from qunfang.core.jobs import Outcome, job_progress, job_start, run_job
from qunfang.core.models import Job, JobKind, Region, RegionKind
from qunfang.core.roles import Perm
from qunfang.core.spreadsheets import ImportReport
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


def start_import(*, layout: str, village: Region, upload, dry_run: bool, by, language="") -> Job:
    """Keep the file, then queue its import; the job page shows the same report as the page."""
    suffix = PurePath(upload.name).suffix.lower()[:8]
    stored = default_storage.save(f"imports/{uuid.uuid4().hex}{suffix}", upload)
    params = {
        "layout": layout,
        "village": village.pk,
        "stored": stored,
        "filename": upload.name[-100:],
        "dry_run": dry_run,
    }
    return job_start(
        kind=JobKind.IMPORT,
        region=village,
        by=by,
        params=params,
        task=import_spreadsheet,
        language=language,
    )


def _import(job: Job) -> Outcome:
    params = job.params
    village = (
        Region.objects.visible_to(job.started_by)
        .filter(pk=params["village"], kind=RegionKind.VILLAGE)
        .first()
    )
    if village is None:  # moved out of the starter's jurisdiction meanwhile
        raise PermissionDenied(_("You may no longer do this, so it was not done."))
    job_progress(job.pk, 10, _("Checking every row"))
    with default_storage.open(params["stored"], "rb") as stored:
        report = import_file(
            layout=params["layout"],
            village=village,
            file=stored,
            filename=params["filename"],
            dry_run=params["dry_run"],
        )
    default_storage.delete(params["stored"])  # imported or refused: the report says which
    if not report.ok:
        step = _("The file was not imported")
    elif report.dry_run:
        step = _("The file is ready to import")
    else:
        step = _("Imported")
    return Outcome(result=report_json(report), step=step)


@task()
def import_spreadsheet(job_id: int) -> None:
    run_job(job_id, _import, may=lambda user: user.can(Perm.MANAGE_REGISTRY))
