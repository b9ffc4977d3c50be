"""Work reports to villagers: the figures against hand-built records (coarsened places, no personal
data), compiling and its refusals, publishing freezes the figures, the satisfaction answer once
per phone and within the rate limit, and the assessment indicator built on the answers."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from qunfang.casebook.models import (
    CaseOutcome,
    Escalation,
    Level,
    MediationCase,
    MediationStatus,
    Opinion,
)
from qunfang.core.days import local_midnight
from qunfang.governance.assessment.catalogue import INDICATORS, Context, load
from qunfang.governance.assessment.periods import Period
from qunfang.governance.models import (
    Action,
    ReportStatus,
    Sanction,
    SanctionStatus,
    SatisfactionAnswer,
    WorkReport,
)
from qunfang.governance.services import reports as svc
from qunfang.patrols.models import Outcome, RosterStatus
from tests.clock import AWKWARD, MIDWEEK
from tests.governance.test_settlements import Patrols, case_in, person_in

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]

DEC = dt.date(2028, 12, 1)
REPORTER, TITLE, ADDRESS, PHONE = "楼阿根", "夜间电动车被盗", "枫源村3号院", "13700001111"


@pytest.fixture(autouse=True)
def _english():
    """The refusals are matched by their English words."""
    with translation.override("en"):
        yield


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return local_midnight(day) + dt.timedelta(hours=hour)


def _case(world, day, code="theft", group=None, **fields):
    return case_in(world, day, code, group=group, address=ADDRESS, **fields)


def mediation(world, day, status=MediationStatus.IN_MEDIATION, agreement="", serial=1):
    return MediationCase.objects.create(
        region=world.village1,
        serial=serial,
        dispute_type="neighbours",
        summary=f"{REPORTER}与邻居排水沟纠纷",
        applied_on=day,
        status=status,
        agreement=agreement,
    )


def opinion(world, created, answered=None):
    return Opinion.objects.create(
        region=world.village1,
        kind="complaint",
        text="路灯坏了",
        name=REPORTER,
        contact=PHONE,
        channel="in_person",
        entered_by=world.director1,
        created_at=created,
        status="answered" if answered else "received",
        answer="已修好" if answered else "",
        answered_by=world.director1 if answered else None,
        answered_at=answered,
    )


def sanction(world, action, published, status=SanctionStatus.PUBLISHED, person=None):
    return Sanction.objects.create(
        region=world.village1,
        person=person,
        action=action,
        reason=f"{REPORTER}夜巡表现",
        status=status,
        proposed_by=world.director1,
        proposed_at=published - dt.timedelta(days=2),
        decided_by=world.township_officer,
        decided_at=published - dt.timedelta(days=1),
        published_at=published if status == SanctionStatus.PUBLISHED else None,
    )


@pytest.fixture
def december(world):
    """December 2028 in village 1, with records around it that must not count."""
    p = Patrols(world)
    who = person_in(world.village1, REPORTER)
    p.on(who, DEC, Outcome.SERVED)  # 8 h
    p.on(who, DEC + dt.timedelta(days=1), Outcome.LATE)  # 8 h
    p.on(who, DEC + dt.timedelta(days=2), Outcome.PARTIAL)  # 4 h
    p.on(who, DEC + dt.timedelta(days=3), Outcome.MISSED)
    p.on(who, DEC + dt.timedelta(days=4), Outcome.SERVED, village=world.village2)
    p.on(who, DEC + dt.timedelta(days=5), Outcome.SERVED, status=RosterStatus.DRAFT)
    p.on(who, DEC - dt.timedelta(days=1), Outcome.SERVED)  # November
    for day in (3, 4, 5):
        _case(world, DEC + dt.timedelta(days=day), group=world.group1)
    for day in (6, 7):
        _case(world, DEC + dt.timedelta(days=day))  # no villager group recorded
    _case(world, DEC + dt.timedelta(days=8), "fire", group=world.group1)
    _case(world, DEC + dt.timedelta(days=9), outcome=CaseOutcome.UNFOUNDED)
    _case(world, DEC - dt.timedelta(days=3))  # November
    _case(world, DEC + dt.timedelta(days=3), village=world.village2)
    mediation(world, DEC + dt.timedelta(days=2), MediationStatus.AGREED, "赔偿500元", serial=1)
    mediation(world, DEC + dt.timedelta(days=4), serial=2)
    mediation(world, DEC - dt.timedelta(days=4), MediationStatus.AGREED, "和解", serial=3)
    escalated = _case(world, DEC + dt.timedelta(days=10), "fire", group=world.group1)
    Escalation.objects.update_or_create(  # the rules may have asked for it already
        case=escalated,
        level=Level.TOWNSHIP,
        defaults={
            "due_at": at(DEC + dt.timedelta(days=10), 23),
            "sent_at": at(DEC + dt.timedelta(days=10), 23),
            "sent_by": world.director1,
        },
    )
    opinion(world, at(DEC + dt.timedelta(days=1)), at(DEC + dt.timedelta(days=3)))
    opinion(world, at(DEC + dt.timedelta(days=20)))
    opinion(world, at(DEC - dt.timedelta(days=5)), at(DEC + dt.timedelta(days=2)))
    sanction(world, Action.BONUS, at(DEC + dt.timedelta(days=5)), person=who)
    sanction(world, Action.COMMENDATION, at(DEC + dt.timedelta(days=6)), person=who)
    sanction(world, Action.WARNING, at(DEC + dt.timedelta(days=7)), person=who)
    sanction(world, Action.WARNING, at(DEC + dt.timedelta(days=7)), SanctionStatus.APPROVED, who)
    sanction(world, Action.BONUS, at(DEC - dt.timedelta(days=7)), person=who)
    return who


# ---- the figures ------------------------------------------------------------------------------


def test_the_figures_count_the_villages_records_of_the_period(world, december):
    report = svc.report_compile(village=world.village1, period="2028-12", by=world.director1)

    f = report.figures
    assert f["period"] == "2028-12" and f["first"] == "2028-12-01" and f["through"] == "2028-12-31"
    # 8 + 8 + half of 8; the missed, another village's, a draft roster's and November's not
    assert f["patrols"]["hours"] == 20.0 and f["patrols"]["patrols"] == 3
    assert f["patrols"]["nights"] == 31 and f["patrols"]["nights_covered"] == 3
    assert f["patrols"]["night_coverage"] == 10  # 3 of 31
    incidents = f["incidents"]
    # 5 thefts (3 in group 1, 2 with no group), 2 fires in group 1; unfounded, November's and
    # the next village's not
    assert incidents["total"] == 7
    assert incidents["types"] == [
        {
            "type": "theft",
            "name": "盗窃",
            "name_en": "Theft",
            "count": 5,
            "places": [{"place": "第一村民小组", "count": 3}, {"place": "", "count": 2}],
        }
    ]
    assert incidents["other"] == 2  # two fires: a kind with fewer than three is merged
    assert f["mediation"] == {"mediated": 2, "agreed": 1, "escalated": 1}
    assert f["opinions"] == {"received": 2, "answered": 2}
    assert f["sanctions"] == {
        "rewards": 2,
        "punishments": 1,
        "by_action": {"commendation": 1, "bonus": 1, "warning": 1},
    }


def test_the_figures_hold_no_personal_data(world, december):
    report = svc.report_compile(village=world.village1, period="2028-12", by=world.director1)

    text = json.dumps(report.figures, ensure_ascii=False)
    for secret in (REPORTER, TITLE, ADDRESS, PHONE, "电动车", "排水沟", world.director1.full_name):
        assert secret not in text


def test_small_counts_are_merged_so_nobody_is_recognised():
    rows = [("theft", "盗窃", "Theft", "一组")] * 2 + [("theft", "盗窃", "Theft", "二组")] * 4
    rows += [("fraud", "诈骗", "Fraud", "三组")] * 2 + [("fire", "火灾", "Fire", "")]

    found = svc.coarsen(rows)

    assert found["total"] == 9
    assert found["types"] == [
        {
            "type": "theft",
            "name": "盗窃",
            "name_en": "Theft",
            "count": 6,
            "places": [{"place": "二组", "count": 4}, {"place": "", "count": 2}],
        }
    ]
    assert found["other"] == 3  # 2 frauds and a fire, with no place
    assert "一组" not in json.dumps(found, ensure_ascii=False)
    assert "三组" not in json.dumps(found, ensure_ascii=False)


def test_compiling_costs_the_same_queries_however_many_records(world, december):
    period = Period.parse("2028-12")
    now = timezone.now()
    with CaptureQueriesContext(connection) as few:
        svc.compile_figures(world.village1, period, now)
    p = Patrols(world)
    more = person_in(world.village1, "村民丙")
    for day in range(10, 25):
        p.on(more, DEC + dt.timedelta(days=day), Outcome.SERVED)
        _case(world, DEC + dt.timedelta(days=day), "fraud", group=world.group1)
        opinion(world, at(DEC + dt.timedelta(days=day)))
    with CaptureQueriesContext(connection) as many:
        svc.compile_figures(world.village1, period, now)

    # assignments, cases, mediation, upward reports, opinions, sanctions
    assert len(few) == len(many) == 6


def test_a_registered_section_adds_its_figures(world, monkeypatch):
    section = svc.ReportSection(
        key="money",
        compute=lambda village, period, now: {"in": "100.00", "village": village.code},
        template="governance/reports/_figures.html",
    )
    monkeypatch.setattr(svc, "REPORT_SECTIONS", [section])

    report = svc.report_compile(village=world.village1, period="2028-12", by=world.director1)

    assert report.figures["sections"] == {"money": {"in": "100.00", "village": "330681109290"}}


def test_the_current_month_reads_the_nights_that_are_over(world):
    p = Patrols(world)
    who = person_in(world.village1, "村民丁")
    p.on(who, dt.date(2029, 1, 2), Outcome.SERVED)
    p.on(who, dt.date(2029, 1, 10), Outcome.SERVED)  # tonight: not over

    report = svc.report_compile(village=world.village1, period="2029-01", by=world.director1)

    patrols = report.figures["patrols"]
    assert patrols["nights"] == 9 and patrols["nights_covered"] == 1
    assert report.figures["through"] == "2029-01-10"


# ---- compiling: refusals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "words"),
    [
        ("2029-02", "has not begun yet"),
        ("2029-Q2", "has not begun yet"),
        ("2028", "not a whole year"),
        ("December", "is not a period"),
        ("2028-13", "is not a period"),
    ],
)
def test_a_period_that_is_not_a_begun_month_or_quarter_is_refused(world, period, words):
    with pytest.raises(ValidationError, match=words):
        svc.report_compile(village=world.village1, period=period, by=world.director1)
    assert not WorkReport.objects.exists()


def test_only_the_villages_director_or_the_township_compiles(world):
    for outsider in (world.director2, world.township2_officer, world.mediator1, world.patrol1):
        with pytest.raises(PermissionDenied):
            svc.report_compile(village=world.village1, period="2028-12", by=outsider)
    assert not WorkReport.objects.exists()
    svc.report_compile(village=world.village1, period="2028-12", by=world.township_officer)
    svc.report_compile(village=world.village1, period="2028-Q4", by=world.director1)
    assert WorkReport.objects.count() == 2


def test_compiling_again_refreshes_the_draft(world):
    first = svc.report_compile(village=world.village1, period="2028-12", by=world.director1)
    _case(world, DEC + dt.timedelta(days=3), group=world.group1)

    again = svc.report_compile(village=world.village1, period="2028-12", by=world.director1)

    assert again.pk == first.pk and again.figures["incidents"]["total"] == 1
    assert first.history.count() == 2


# ---- publishing -------------------------------------------------------------------------------


def test_publishing_freezes_the_figures(world, december):
    report = svc.report_compile(village=world.village1, period="2028-12", by=world.director1)
    svc.report_update_remarks(report=report, remarks=" 本月巡逻正常。 ", by=world.director1)

    published = svc.report_publish(report=report, by=world.director1)

    assert published.status == ReportStatus.PUBLISHED
    assert published.published_at == timezone.now()
    assert published.published_by == world.director1 and published.remarks == "本月巡逻正常。"
    frozen = dict(published.figures)
    _case(world, DEC + dt.timedelta(days=12), group=world.group1)
    with pytest.raises(ValidationError, match="already been published"):
        svc.report_compile(village=world.village1, period="2028-12", by=world.director1)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        svc.report_update_remarks(report=published, remarks="改一改", by=world.director1)
    with pytest.raises(ValidationError, match="already been published"):
        svc.report_publish(report=published, by=world.township_officer)
    published.refresh_from_db()
    assert published.figures == frozen and published.remarks == "本月巡逻正常。"


def test_a_period_is_published_once_it_is_over(world):
    report = svc.report_compile(village=world.village1, period="2029-01", by=world.director1)

    with pytest.raises(ValidationError, match="from 2029-02-01 on"):
        svc.report_publish(report=report, by=world.director1)

    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.published_at is None


def test_another_village_does_not_publish(world):
    report = svc.report_compile(village=world.village1, period="2028-12", by=world.director1)
    with pytest.raises(PermissionDenied):
        svc.report_publish(report=report, by=world.director2)
    with pytest.raises(PermissionDenied):
        svc.report_update_remarks(report=report, remarks="x", by=world.township2_officer)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.remarks == ""


# ---- satisfaction -----------------------------------------------------------------------------


def phone(cookie="a" * 43, address="10.1.2.3"):
    request = RequestFactory().post("/", REMOTE_ADDR=address)
    if cookie:
        request.COOKIES[svc.COOKIE] = cookie
    return request


@pytest.fixture
def published(world):
    report = svc.report_compile(village=world.village1, period="2028-12", by=world.director1)
    return svc.report_publish(report=report, by=world.director1)


def test_a_phone_answers_a_published_report_once(world, published):
    answer = svc.satisfaction_answer(report=published, rating=3, comment=" 很好 ", request=phone())
    assert answer.rating == 3 and answer.comment == "很好" and answer.region == world.village1
    assert len(answer.client) > 30 and "a" * 43 not in answer.client  # a keyed hash

    with pytest.raises(ValidationError, match="already answered") as refused:
        svc.satisfaction_answer(report=published, rating=1, comment="", request=phone())

    assert refused.value.error_list[0].code == "answered"
    assert list(SatisfactionAnswer.objects.values_list("rating", flat=True)) == [3]
    # another phone on the same wifi answers
    svc.satisfaction_answer(report=published, rating=1, comment="", request=phone("b" * 43))
    assert SatisfactionAnswer.objects.count() == 2


def test_a_phone_without_the_cookie_is_known_by_its_address(world, published):
    svc.satisfaction_answer(report=published, rating=2, comment="", request=phone(None))

    with pytest.raises(ValidationError, match="already answered"):
        svc.satisfaction_answer(report=published, rating=2, comment="", request=phone(""))
    with pytest.raises(ValidationError, match="already answered"):  # a forged cookie
        svc.satisfaction_answer(report=published, rating=2, comment="", request=phone("x<y"))
    svc.satisfaction_answer(report=published, rating=2, comment="", request=phone(None, "10.9.9.9"))
    assert SatisfactionAnswer.objects.count() == 2


def test_answers_over_the_rate_limit_are_refused(world, published):
    for n in range(svc.CLIENT_LIMIT):
        svc.satisfaction_answer(report=published, rating=3, comment="", request=phone(f"{n:043d}"))

    with pytest.raises(ValidationError, match="Too many answers") as refused:
        svc.satisfaction_answer(report=published, rating=3, comment="", request=phone("z" * 43))

    assert refused.value.error_list[0].code == "limited"
    assert SatisfactionAnswer.objects.count() == svc.CLIENT_LIMIT
    # another connection still answers
    svc.satisfaction_answer(
        report=published, rating=3, comment="", request=phone("z" * 43, "10.5.5.5")
    )


def test_the_village_limit_holds_whatever_the_connection(world, published, monkeypatch):
    monkeypatch.setattr(svc, "VILLAGE_LIMIT", 2)
    for n in range(2):
        svc.satisfaction_answer(
            report=published, rating=3, comment="", request=phone(f"{n:043d}", f"10.0.0.{n}")
        )
    with pytest.raises(ValidationError, match="Too many answers"):
        svc.satisfaction_answer(
            report=published, rating=3, comment="", request=phone("q" * 43, "10.0.1.1")
        )
    assert SatisfactionAnswer.objects.count() == 2


@pytest.mark.parametrize(
    ("rating", "comment", "words"),
    [
        (0, "", "three answers"),
        ("4", "", "three answers"),
        ("x", "", "three answers"),
        (3, "长" * 301, "at most 300"),
    ],
)
def test_a_bad_answer_is_refused(world, published, rating, comment, words):
    with pytest.raises(ValidationError, match=words):
        svc.satisfaction_answer(report=published, rating=rating, comment=comment, request=phone())
    assert not SatisfactionAnswer.objects.exists()


def test_a_draft_takes_no_answers(world):
    draft = svc.report_compile(village=world.village1, period="2028-12", by=world.director1)
    with pytest.raises(ValidationError, match="not been published"):
        svc.satisfaction_answer(report=draft, rating=3, comment="", request=phone())
    assert not SatisfactionAnswer.objects.exists()


def test_the_refusals_read_in_chinese_too(world, published):
    svc.satisfaction_answer(report=published, rating=3, comment="", request=phone())
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        svc.satisfaction_answer(report=published, rating=3, comment="", request=phone())
    assert "手机" in refused.value.messages[0]


# ---- the assessment indicator -----------------------------------------------------------------


def _answer(report, rating, when, n):
    return SatisfactionAnswer.objects.create(
        report=report, region=report.region, rating=rating, client=f"k{n}", answered_at=when
    )


def test_satisfaction_counts_the_answers_made_in_the_period_by_the_cutoff(world):
    nov = svc.report_compile(village=world.village1, period="2028-11", by=world.director1)
    nov = svc.report_publish(report=nov, by=world.director1)
    quarter = svc.report_compile(village=world.village2, period="2028-Q3", by=world.director2)
    quarter = svc.report_publish(report=quarter, by=world.director2)
    draft = WorkReport.objects.create(region=world.village1, period="2028-10")
    december = at(dt.date(2028, 12, 20))
    for n, rating in enumerate((3, 3, 2, 1)):
        _answer(nov, rating, december, n)  # November's report, answered in December
    _answer(nov, 1, at(dt.date(2028, 12, 30)), 9)  # in December, after an early cut-off
    _answer(quarter, 2, december, 10)
    _answer(nov, 1, at(dt.date(2028, 11, 30)), 11)  # answered in November
    _answer(draft, 3, december, 12)  # a report not published counts for nothing
    load()
    indicator = INDICATORS["villager_satisfaction"]

    def items(period, cutoff=None):
        ctx = Context(
            period=Period.parse(period),
            cutoff=cutoff or at(dt.date(2029, 1, 5)),
            township=world.township.pk,
            villages=[world.village1.pk, world.village2.pk],
        )
        return list(indicator.compute(ctx))

    by_village: dict[int, list[Decimal]] = {}
    for item in items("2028-12"):
        by_village.setdefault(item.village, []).append(item.done)
    assert sorted(by_village[world.village1.pk]) == [0, 0, Decimal("0.5"), 1, 1]
    assert by_village[world.village2.pk] == [Decimal("0.5")]
    assert {i.ref[0] for i in items("2028-12")} == {"work_report"}
    assert len(items("2028-12", cutoff=at(dt.date(2028, 12, 25)))) == 5  # not the 30th's
    assert [i.done for i in items("2028-11")] == [0]
    assert len(items("2028")) == 7
    assert "half" in str(indicator.explanation)


# ---- the demo ---------------------------------------------------------------------------------


@pytest.mark.parametrize("moment", [MIDWEEK, AWKWARD], ids=["midweek", "new-year"])
def test_the_demo_year_of_reports_tells_the_story(db, moment, time_machine):
    """Run on regions and accounts only (the figures are then empty, which is all the step
    needs): the strong villages publish every month, the paralysed one stopped, one slipping
    village's last report waits, and the strong villages' villagers are the more satisfied."""
    import random
    import time

    from qunfang.core.demo import DemoContext, step_accounts, step_regions
    from qunfang.core.demo.reference import (
        PARALYSED_VILLAGE,
        SLIPPING_VILLAGES,
        STRONG_VILLAGES,
        VILLAGE_3,
    )
    from qunfang.governance.demo import reports as demo

    time_machine.move_to(moment, tick=False)
    context = DemoContext(password="Demo-pass-2026", rng=random.Random(20261128))
    step_regions(context)
    step_accounts(context)
    started = time.monotonic()

    demo.step(context)

    assert time.monotonic() - started < 20  # < 5 s on an idle machine
    last = Period.month_of(context.today.replace(day=1) - dt.timedelta(days=1))
    published = dict.fromkeys([*STRONG_VILLAGES, *SLIPPING_VILLAGES, PARALYSED_VILLAGE], 0)
    for code, status in WorkReport.objects.values_list("region__code", "status"):
        published[code] += status == ReportStatus.PUBLISHED
    assert published[STRONG_VILLAGES[0]] == published[STRONG_VILLAGES[1]] == 12
    assert published[PARALYSED_VILLAGE] == 8
    assert published[VILLAGE_3] == 11
    waiting = WorkReport.objects.get(region__code=VILLAGE_3, period=last.key)
    assert waiting.status == ReportStatus.DRAFT
    assert not WorkReport.objects.filter(published_at__gt=timezone.now()).exists()
    assert not SatisfactionAnswer.objects.filter(answered_at__gt=timezone.now()).exists()

    def share(codes):
        answers = SatisfactionAnswer.objects.filter(region__code__in=codes)
        return answers.filter(rating__gte=2).count() / answers.count()

    assert share(STRONG_VILLAGES) > share(SLIPPING_VILLAGES) + 0.1
