"""Situation reports (情况报告): counts taken from the case register, nil returns (零上报)
refused when the register holds cases, one report per village/period/start, the township's
roll-up of reported / nil / missing villages, and the screens."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qunfang.casebook.models import Case, CaseType, ReporterKind, ReportPeriod, SituationReport
from qunfang.casebook.selectors import reports as report_sel
from qunfang.casebook.services import cases, reports
from qunfang.core.models import Region, RegionKind

pytestmark = pytest.mark.django_db
DAILY, WEEKLY = ReportPeriod.DAILY, ReportPeriod.WEEKLY


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def register(world, *, day: dt.date, code="theft", village=None, hour=10, by=None) -> Case:
    return cases.register_case(
        case=Case(
            region=village or world.village1,
            case_type=CaseType.objects.get(code=code),
            title=f"{code}案",
            description="经过",
            occurred_at=at(day, hour - 1),
            reported_at=at(day, hour),
            reporter_kind=ReporterKind.HOTLINE,
        ),
        by=by or world.director1,
    )


@pytest.fixture
def days():
    today = timezone.localdate()
    monday = today - dt.timedelta(
        days=today.weekday() + 7
    )  # last week's Monday: wholly in the past
    return {"today": today, "monday": monday, "tuesday": monday + dt.timedelta(days=1)}


def submit(world, *, by=None, village=None, **fields):
    values = {"period": DAILY, "nil_return": False, "summary": ""} | fields
    return reports.submit_report(
        region=village or world.village1, by=by or world.director1, **values
    )


def test_the_counts_come_from_the_register(world, days):
    monday, tuesday = days["monday"], days["tuesday"]
    register(world, day=monday, code="theft")
    register(world, day=monday, code="theft", hour=23)
    register(world, day=monday, code="dispute")
    register(world, day=tuesday, code="theft")  # another day
    register(
        world, day=monday, village=world.village2, by=world.township_officer
    )  # another village
    report = submit(world, starts_on=monday, summary="两起盗窃一起纠纷")
    assert report.counts == {"theft": 2, "dispute": 1} and not report.nil_return
    weekly = submit(world, period=WEEKLY, starts_on=monday)
    assert weekly.counts == {"theft": 3, "dispute": 1}


def test_a_nil_return_is_refused_when_the_register_holds_cases(world, days):
    register(world, day=days["monday"])
    with pytest.raises(ValidationError, match="nil return is not possible"):
        submit(world, starts_on=days["monday"], nil_return=True)
    assert not SituationReport.objects.exists()
    nil = submit(world, starts_on=days["tuesday"], nil_return=True)
    assert nil.nil_return and nil.counts == {}


def test_one_report_per_village_period_and_start(world, days):
    submit(world, starts_on=days["tuesday"], nil_return=True)
    with pytest.raises(ValidationError, match="already sent"):
        submit(world, starts_on=days["tuesday"], nil_return=True)
    submit(world, period=WEEKLY, starts_on=days["monday"], nil_return=True)  # another period: fine
    submit(
        world,
        village=world.village2,
        by=world.director2,
        starts_on=days["tuesday"],
        nil_return=True,
    )
    assert SituationReport.objects.count() == 3


def test_bad_periods_and_villages_are_refused(world, days):
    with pytest.raises(ValidationError, match="Monday"):
        submit(world, period=WEEKLY, starts_on=days["tuesday"], nil_return=True)
    with pytest.raises(ValidationError, match="not begun"):
        submit(world, starts_on=days["today"] + dt.timedelta(days=1), nil_return=True)
    with pytest.raises(
        ValidationError, match="summary"
    ):  # nothing registered, not nil, nothing said
        submit(world, starts_on=days["tuesday"])
    with pytest.raises(ValidationError, match="cannot report"):
        submit(world, village=world.village2, starts_on=days["tuesday"], nil_return=True)
    with pytest.raises(
        ValidationError, match="cannot report"
    ):  # the township supervises, the village reports
        submit(world, by=world.township_officer, starts_on=days["tuesday"], nil_return=True)
    with pytest.raises(ValidationError, match="village"):
        submit(world, village=world.group1, starts_on=days["tuesday"], nil_return=True)
    assert not SituationReport.objects.exists()


def test_the_township_rollup(world, days):
    monday = days["monday"]
    register(world, day=monday, code="fire")
    submit(world, starts_on=monday, summary="一起火情")
    rollup = report_sel.rollup(world.township_officer, period=DAILY, starts_on=monday)
    states = {row.village.name: row.state for row in rollup.rows}
    assert states == {"枫源村": report_sel.SUBMITTED, "乐山村": report_sel.MISSING}
    assert [t.code for t in rollup.types] == ["fire"]
    assert rollup.rows[0].cells[0][1] == 1 and rollup.rows[0].registered == 1
    submit(world, village=world.village2, by=world.director2, starts_on=monday, nil_return=True)
    rollup = report_sel.rollup(world.township_officer, period=DAILY, starts_on=monday)
    assert rollup.tally == {report_sel.SUBMITTED: 1, report_sel.NIL: 1, report_sel.MISSING: 0}
    assert [
        row.village
        for row in report_sel.rollup(world.director2, period=DAILY, starts_on=monday).rows
    ] == [world.village2]
    assert [
        row.state
        for row in report_sel.rollup(world.township2_officer, period=DAILY, starts_on=monday).rows
    ] == [report_sel.MISSING]


# ---- screens -------------------------------------------------------------------------------------


def test_a_director_sends_reports_through_the_screens(world, client, days):
    client.force_login(world.director1)
    assert client.get(reverse("casebook:situation_submit")).status_code == 200
    url = reverse("casebook:situation_submit")
    data = {
        "region": world.village1.pk,
        "period": DAILY,
        "starts_on": days["tuesday"].isoformat(),
        "nil_return": "on",
        "summary": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert SituationReport.objects.get().nil_return
    again = client.post(url, data)
    assert again.status_code == 200 and "already sent" in again.content.decode().replace(
        "&#x27;", "'"
    )
    register(world, day=days["monday"])
    refused = client.post(url, {**data, "starts_on": days["monday"].isoformat()})
    assert refused.status_code == 200 and 'data-testid="form-errors"' in refused.content.decode()
    assert SituationReport.objects.count() == 1
    sent = client.post(url, {**data, "starts_on": days["monday"].isoformat(), "nil_return": ""})
    assert sent.status_code == 302
    assert SituationReport.objects.get(starts_on=days["monday"]).counts == {"theft": 1}
    page = client.get(sent["Location"]).content.decode()
    assert 'data-testid="state-submitted"' in page


def test_the_township_sees_reported_nil_and_missing(world, client, days):
    submit(world, starts_on=days["tuesday"], nil_return=True)
    client.force_login(world.township_officer)
    page = client.get(
        reverse("casebook:situation_list") + f"?day={days['tuesday']}"
    ).content.decode()
    assert 'data-testid="state-nil"' in page and 'data-testid="state-missing"' in page
    assert "枫源村" in page and "乐山村" in page
    assert (
        client.get(reverse("casebook:situation_submit")).status_code == 403
    )  # villages report, not the township
    week = client.get(
        reverse("casebook:situation_list") + f"?period=weekly&day={days['tuesday']}"
    ).content.decode()
    assert days["monday"].isoformat() in week and 'data-testid="state-nil"' not in week
    bad = client.get(reverse("casebook:situation_list") + "?period=yearly&day=soon")
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.content.decode()


def test_the_rollup_query_count_stays_flat(world, client, days):
    client.force_login(world.township_officer)
    monday = days["monday"]

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert (
                client.get(reverse("casebook:situation_list") + f"?day={monday}").status_code == 200
            )
        return len(captured)

    few = count()
    for k in range(12):
        village = Region.objects.create(
            code=f"330681109{300 + k}",
            name=f"新村{k}",
            kind=RegionKind.VILLAGE,
            parent=world.township,
        )
        register(world, day=monday, village=village, by=world.township_officer)
        SituationReport.objects.create(
            region=village,
            period=DAILY,
            starts_on=monday,
            counts={"theft": 1},
            submitted_by=world.township_officer,
        )
    many = count()
    # session, user, roles; villages, reports (with the sender), cases by village, types
    assert many == few, (few, many)
