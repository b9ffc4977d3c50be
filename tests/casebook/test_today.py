"""The books count in Shanghai's days: just after midnight on 1 January in Shanghai, still the
31st of December in UTC, a case reported now is the first of the new year and today's situation
reports are the new day's. (The inspection and mediation panels have theirs in their modules.)"""

import datetime as dt

import pytest
from django.utils import timezone

from qunfang.casebook.models import Case, CaseType, ReporterKind, ReportPeriod
from qunfang.casebook.selectors.cases import case_summary
from qunfang.casebook.services import cases, reports
from tests.clock import AWKWARD

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(AWKWARD, tick=False)]
NEW_YEAR = dt.date(2029, 1, 1)


def _report_case(world, when: dt.datetime) -> Case:
    return cases.register_case(
        case=Case(
            region=world.village1,
            case_type=CaseType.objects.get(code="theft"),
            title="电动车被盗",
            description="经过",
            occurred_at=when - dt.timedelta(minutes=20),
            reported_at=when,
            reporter_kind=ReporterKind.HOTLINE,
        ),
        by=world.director1,
    )


def test_a_case_reported_just_after_midnight_opens_the_new_years_numbers(world):
    last_year = _report_case(world, timezone.now() - dt.timedelta(hours=1))  # 23:30 on the 31st
    now = _report_case(world, timezone.now())
    assert (last_year.year, now.year) == (2028, 2029)
    assert now.number == "2029-0001"


def test_the_panel_asks_for_the_new_days_situation_reports(world):
    assert timezone.localdate() == NEW_YEAR
    reports.submit_report(
        region=world.village1,
        by=world.director1,
        period=ReportPeriod.DAILY,
        starts_on=NEW_YEAR,
        nil_return=True,
        summary="",
    )
    # yesterday's report from the other village does not count for today
    reports.submit_report(
        region=world.village2,
        by=world.director2,
        period=ReportPeriod.DAILY,
        starts_on=NEW_YEAR - dt.timedelta(days=1),
        nil_return=True,
        summary="",
    )
    assert case_summary(world.township_officer)["villages_missing"] == 1
    assert case_summary(world.director1)["villages_missing"] == 0
