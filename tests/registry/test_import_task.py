"""A file of more than IMPORT_IN_REQUEST_ROWS rows is kept, then imported by the task worker;
its job page shows the same report as the import page, and nothing is written unless every
row is good."""

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse

from qunfang.core.models import Job, JobKind, JobStatus
from qunfang.core.spreadsheets import estimate_rows
from qunfang.registry.models import Household
from qunfang.registry.tasks import IMPORT_IN_REQUEST_ROWS
from tests.registry.test_spreadsheets import _upload, csv_file, xlsx
from tests.worker import DB_TASKS, run_worker_once

pytestmark = pytest.mark.django_db
BIG = IMPORT_IN_REQUEST_ROWS + 100


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def households(count, bad_row=None):
    rows = [["户号"]] + [[f"{k:04d}"] for k in range(1, count + 1)]
    if bad_row is not None:
        rows[bad_row - 1] = ["x" * 300]  # far longer than a household number may be
    return rows


def post(client, world, data, name="户.csv"):
    url = reverse("registry:import", kwargs={"layout": "households"})
    return client.post(url, {"village": world.village1.pk, "file": _upload(name, data)})


def test_row_estimates_choose_the_way():
    assert estimate_rows(csv_file(households(10)), "h.csv") <= IMPORT_IN_REQUEST_ROWS
    assert estimate_rows(csv_file(households(BIG)), "h.csv") > IMPORT_IN_REQUEST_ROWS
    assert estimate_rows(xlsx(households(BIG)), "h.xlsx") == BIG + 1
    assert estimate_rows(b"not a workbook", "h.xlsx") == 0  # refused at once, in the page


def test_a_large_file_is_imported_in_the_background_with_the_same_report(world, client_for):
    client = client_for(world.director1)
    response = post(client, world, csv_file(households(BIG)))
    job = Job.objects.get(kind=JobKind.IMPORT)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == JobStatus.DONE and job.region == world.village1, (job.status, job.error)
    assert Household.objects.filter(region=world.village1).count() == BIG
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="import-result"' in page and "导入完成" in page and f"{BIG}" in page
    assert not default_storage.listdir("imports")[1]  # the kept file is gone once imported


def test_bad_rows_of_a_large_file_are_listed_by_number_and_nothing_is_written(world, client_for):
    client = client_for(world.director1)
    post(client, world, csv_file(households(BIG, bad_row=321)))
    job = Job.objects.get(kind=JobKind.IMPORT)
    assert job.status == JobStatus.DONE and job.result["bad_rows"] == 1
    page = client.get(job.get_absolute_url()).content.decode()
    assert '<td class="num">321</td><td>户号</td>' in page
    assert not Household.objects.exists()


@pytest.mark.django_db(transaction=True)  # the worker checks its connection as in production
@override_settings(TASKS=DB_TASKS)
def test_the_file_is_kept_before_the_user_is_told_and_the_worker_imports_it(world, client_for):
    client = client_for(world.director1)
    post(client, world, xlsx(households(BIG)), name="户.xlsx")
    job = Job.objects.get(kind=JobKind.IMPORT)
    assert job.status == JobStatus.QUEUED and not Household.objects.exists()
    assert default_storage.exists(job.params["staged"]["stored"])  # received means kept
    queued = client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in queued
    run_worker_once()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["created"] == BIG
    assert Household.objects.filter(region=world.village1).count() == BIG
    assert not default_storage.exists(job.params["staged"]["stored"])


def test_an_outsider_never_sees_the_import_job(world, client_for):
    post(client_for(world.director1), world, csv_file(households(BIG)))
    job = Job.objects.get(kind=JobKind.IMPORT)
    assert client_for(world.director2).get(job.get_absolute_url()).status_code == 404
    assert client_for(world.mediator1).get(job.get_absolute_url()).status_code == 404
