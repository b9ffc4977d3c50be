"""The assessment screens (考核): a township runs a period from its page and reads the ranking,
printable and as a PDF; a village's director sees its own scores line by line (nothing of the
other villages) and appeals (申诉); the township decides and the score and rank change; four eyes
on adjustments, closing refused while an appeal waits, a closed period refusing appeals; the
refusals shown on the pages with nothing changed, both languages, the home panel and query
counts that stay flat as rows grow."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.core.models import Region, RegionKind
from qunfang.core.roles import Role
from qunfang.core.services import user_create
from qunfang.governance.assessment.periods import Period
from qunfang.governance.models import (
    Adjustment,
    Appeal,
    AppealStatus,
    Approval,
    AssessmentRun,
    Level,
    RunStatus,
    Scheme,
    SchemeGrade,
    SchemeIndicator,
    SchemeStatus,
    Score,
)
from qunfang.governance.selectors.assessment import assessment_summary, run_list
from qunfang.governance.services.assessment import appeal_lodge, run_assess, run_close
from qunfang.patrols.models import Assignment, Outcome, Roster, RosterStatus, Shift, ShiftPattern
from qunfang.registry.models import Person
from tests.clock import MIDWEEK, SHANGHAI
from tests.core.test_pdf import _assert_chinese_pdf, renders

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]

PERIOD = Period.parse("2028-12")
RECORDED = dt.datetime(2028, 12, 31, 12, tzinfo=SHANGHAI)  # the shifts have been settled
AFTER_APPEALS = MIDWEEK + dt.timedelta(days=8)  # a run at MIDWEEK takes appeals for 7 days


# ---- the world: a scheme and a month of shifts --------------------------------------------------


@pytest.fixture
def scheme(world):
    return _scheme(world, Level.VILLAGE, "村级考核办法")


def _scheme(world, level, name):
    """A scheme in use at `level`: shift attendance alone, three grades."""
    scheme = Scheme.objects.create(
        region=world.township,
        name=name,
        level=level,
        status=SchemeStatus.ACTIVE,
        appeal_days=7,
        created_by=world.township_officer,
    )
    SchemeIndicator.objects.create(
        scheme=scheme, indicator="shift_attendance", weight=100, target=100
    )
    for label, score in (("优秀", 90), ("合格", 60), ("不合格", 0)):
        SchemeGrade.objects.create(scheme=scheme, label=label, min_score=score)
    return scheme


def _shifts(village, by, days, month=PERIOD):
    pattern = ShiftPattern.objects.create(
        region=village,
        name="夜班",
        starts_at=dt.time(20),
        duration_minutes=480,
        headcount=1,
        valid_from=dt.date(2028, 1, 1),
    )
    roster = Roster.objects.create(
        region=village,
        starts_on=month.first,
        ends_on=month.last,
        status=RosterStatus.PUBLISHED,
        created_by=by,
    )
    out = []
    for day in range(1, days + 1):
        starts = dt.datetime(month.first.year, month.first.month, day, 20, tzinfo=SHANGHAI)
        out.append(
            Shift.objects.create(
                roster=roster,
                region=village,
                pattern=pattern,
                service_date=starts.date(),
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=8),
                headcount=1,
            )
        )
    return out


def _serve(village, by, outcomes, month=PERIOD, name=None):
    """A villager's shifts of `month`, one a day, with these outcomes."""
    with time_machine.travel(RECORDED if month == PERIOD else month.ends, tick=False):
        person = Person.objects.create(
            region=village,
            name=name or f"{village.name}队员",
            sex="M",
            birth_date=dt.date(1980, 1, 1),
        )
        return [
            Assignment.objects.create(shift=shift, region=village, person=person, outcome=outcome)
            for shift, outcome in zip(
                _shifts(village, by, len(outcomes), month), outcomes, strict=True
            )
        ]


@pytest.fixture
def duty(world, scheme):
    """Village 1 served 3 of its 4 December shifts (the 4th missed), village 2 both of its 2."""
    served = [Outcome.SERVED, Outcome.SERVED, Outcome.LATE, Outcome.MISSED]
    one = _serve(world.village1, world.director1, served)
    _serve(world.village2, world.director2, [Outcome.SERVED, Outcome.SERVED])
    return one


@pytest.fixture
def run(world, duty):
    return run_assess(
        township=world.township, level=Level.VILLAGE, period=PERIOD, by=world.township_officer
    )


def _score(run, village):
    return Score.objects.get(run=run, region=village, organisation=None, person=None)


def _second_officer(world):
    return user_create(
        username="leader",
        password=None,
        region=world.township,
        roles={Role.TOWNSHIP_OFFICER},
        full_name="俞志明",
    )


def _text(response):
    return response.content.decode()


def _rows(response):
    return [(s.rank, str(s.subject), s.final, s.grade) for s in response.context["scores"]]


# ---- running a period and reading the ranking ---------------------------------------------------


def test_a_township_runs_a_period_from_the_page_and_sees_the_ranking(world, duty, client):
    client.force_login(world.township_officer)
    page = client.get(reverse("governance:run_list"))
    assert 'data-testid="run-form"' in _text(page)
    response = client.post(
        reverse("governance:run_assess"),
        {"township": world.township.pk, "period": "2028-12", "level": Level.VILLAGE},
    )
    run = AssessmentRun.objects.get(region=world.township, period="2028-12")
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    ranking = client.get(run.get_absolute_url())
    assert _rows(ranking) == [
        (1, "乐山村", Decimal("100.00"), "优秀"),
        (2, "枫源村", Decimal("75.00"), "合格"),
    ]
    body = _text(ranking)
    assert body.index("乐山村") < body.index("枫源村")  # the ranking is in rank order
    assert 'data-testid="scheme-used"' in body and "村级考核办法" in body
    assert 'data-testid="run-close"' in body  # the township closes it here
    sanctions = reverse("governance:sanctions_propose", args=[run.pk])
    assert sanctions in body
    listed = _text(client.get(reverse("governance:run_list")))
    assert run.get_absolute_url() in listed and "2028-12" in listed


def test_computing_again_says_when_the_time_for_appeals_moved(world, duty, client, time_machine):
    client.force_login(world.township_officer)
    form = {"township": world.township.pk, "period": "2028-12", "level": Level.VILLAGE}
    client.post(reverse("governance:run_assess"), form)
    time_machine.shift(dt.timedelta(minutes=5))  # (signed in still: the session lasts 15)
    same = client.post(reverse("governance:run_assess"), form, follow=True)
    assert "申诉期限顺延" not in _text(same)  # nothing changed: the same time for appeals
    duty[3].outcome = Outcome.SERVED
    duty[3].save()
    moved = client.post(reverse("governance:run_assess"), form, follow=True)
    assert "得分有变化，各村的申诉期限顺延至" in _text(moved)


def test_the_run_form_shows_each_refusal_and_runs_nothing(world, duty, client, settings):
    client.force_login(world.township_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("governance:run_assess")

    def refused(period, level=Level.VILLAGE):
        response = client.post(
            url, {"township": world.township.pk, "period": period, "level": level}
        )
        assert response.status_code == 200
        assert 'data-testid="run-form"' in _text(response)
        form = response.context["form"]
        return " ".join(str(e) for errors in form.errors.values() for e in errors)

    assert "write a month as 2026-11" in refused("2028-13")
    assert "has not begun" in refused("2029-02")
    assert "no assessment scheme in use" in refused("2028-12", Level.ORGANISATION)
    assert not AssessmentRun.objects.exists()
    run = run_assess(
        township=world.township, level=Level.VILLAGE, period=PERIOD, by=world.township_officer
    )
    with time_machine.travel(AFTER_APPEALS, tick=False):
        run_close(run=run, by=world.township_officer)
        client.force_login(world.township_officer)  # a week on: signed in afresh
        assert "is closed" in refused("2028-12")
    run.refresh_from_db()
    assert run.computed_at == MIDWEEK and run.status == RunStatus.CLOSED


def test_a_village_may_not_run_an_assessment(world, duty, client):
    client.force_login(world.director1)
    assert 'data-testid="run-form"' not in _text(client.get(reverse("governance:run_list")))
    response = client.post(
        reverse("governance:run_assess"),
        {"township": world.township.pk, "period": "2028-12", "level": Level.VILLAGE},
    )
    assert response.status_code == 403
    assert not AssessmentRun.objects.exists()


# ---- what a village sees ------------------------------------------------------------------------


def test_a_director_sees_own_score_lines_and_lodges_an_appeal(world, run, duty, client):
    client.force_login(world.director1)
    own = _text(client.get(reverse("governance:run_list")))
    assert 'data-testid="own-scores"' in own and "75.00" in own
    assert "乐山村" not in own and "100.00" not in own
    # the run's page: their own score, nothing of the other villages
    page = client.get(run.get_absolute_url())
    assert _rows(page) == [(2, "枫源村", Decimal("75.00"), "合格")]
    assert "乐山村" not in _text(page) and 'data-testid="own-only"' in _text(page)
    assert 'data-testid="run-close"' not in _text(page)
    score = _score(run, world.village1)
    detail = client.get(score.get_absolute_url())
    body = _text(detail)
    line = detail.context["lines"][0]
    assert (line.done, line.due, line.rate, line.points) == ("3", "4", "75", Decimal("75.00"))
    missed = duty[3].shift
    assert reverse("patrols:shift_detail", args=[missed.pk]) in body  # the record that cost
    assert f"{missed.service_date:%m-%d}" in body
    assert 'data-testid="appeal-form"' in body and 'data-testid="adjustment-propose"' not in body
    response = client.post(
        reverse("governance:appeal_lodge", args=[score.pk]),
        {"indicator": "shift_attendance", "grounds": "12月4日夜班已到岗，漏记。"},
    )
    appeal = Appeal.objects.get(score=score)
    assert response.status_code == 302 and response["Location"] == appeal.get_absolute_url()
    assert appeal.status == AppealStatus.LODGED and appeal.lodged_by == world.director1
    shown = _text(client.get(appeal.get_absolute_url()))
    assert "12月4日夜班已到岗" in shown and 'data-testid="appeal-decide-form"' not in shown
    # a second one waits behind the first: the form is gone, a forged post refused on the page
    again = client.post(
        reverse("governance:appeal_lodge", args=[score.pk]), {"grounds": "再次申诉"}
    )
    assert again.status_code == 200 and again.context["appeal_form"].errors
    assert Appeal.objects.filter(score=score).count() == 1


def test_a_look_before_the_period_is_over_says_it_is_provisional_and_takes_no_appeal(
    world, duty, client, time_machine, settings
):
    time_machine.move_to(dt.datetime(2028, 12, 20, 9, tzinfo=SHANGHAI))
    look = run_assess(
        township=world.township, level=Level.VILLAGE, period=PERIOD, by=world.township_officer
    )
    client.force_login(world.township_officer)
    page = _text(client.get(look.get_absolute_url()))
    assert 'data-testid="run-provisional"' in page and "暂定" in page
    assert 'data-testid="run-close"' not in page  # closed once computed after the period's end
    paper = _text(client.get(reverse("governance:run_print", args=[look.pk])))
    assert "（暂定，考核期尚未结束）" in paper and "（盖章）" not in paper  # no seal on a look
    assert "前提出申诉" not in page and 'data-testid="run-appeals-until"' not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (look.get_absolute_url(), reverse("governance:run_print", args=[look.pk])):
        assert "Provisional" in _text(client.get(url))
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    client.force_login(world.director1)
    score = _score(look, world.village1)
    body = _text(client.get(score.get_absolute_url()))
    assert 'data-testid="run-provisional"' in body and 'data-testid="appeal-form"' not in body
    refused = client.post(
        reverse("governance:appeal_lodge", args=[score.pk]),
        {"grounds": "本月还没结束"},
        follow=True,
    )
    assert "请待镇里在期满后重新计算" in _text(refused) and not Appeal.objects.exists()


def test_a_line_shows_a_mean_as_such_and_each_record_once(world, run, duty, client):
    score = _score(run, world.village1)
    missed = duty[3].shift
    # a rate of shares (as a visit's score out of 100 is) and a record counted three times
    score.lines.update(
        done=Decimal("0.95"), due=Decimal(1), refs=[["shift", missed.pk, "12-04"]] * 3
    )
    client.force_login(world.township_officer)
    page = _text(client.get(score.get_absolute_url()))
    assert "1次平均95%" in page and "0.95 / 1" not in page
    assert page.count('data-testid="line-ref"') == 1 and "12-04 ×3" in page


def test_a_ranking_of_people_is_read_one_village_at_a_time(world, duty, scheme, client):
    _scheme(world, Level.PERSON, "个人考核办法")
    run = run_assess(
        township=world.township, level=Level.PERSON, period=PERIOD, by=world.township_officer
    )
    # the patrollers as the run would score them had they held posts
    for rank, (assignment, final) in enumerate(
        ((Assignment.objects.filter(region=world.village2).first(), 100), (duty[0], 75)), 1
    ):
        Score.objects.create(
            run=run,
            region=assignment.region,
            person=assignment.person,
            computed=final,
            final=final,
            grade="合格",
            rank=rank,
        )
    client.force_login(world.township_officer)
    whole = client.get(run.get_absolute_url())
    assert [row[1] for row in _rows(whole)] == ["乐山村队员", "枫源村队员"]
    assert 'data-testid="ranking-village"' in _text(whole)
    one = client.get(run.get_absolute_url(), {"village": world.village1.code})
    assert _rows(one) == [(2, "枫源村队员", Decimal("75.00"), "合格")]  # its township rank
    # a code not among the run's villages (another township's): the whole ranking, nothing else
    other = client.get(run.get_absolute_url(), {"village": world.village3.code})
    assert len(_rows(other)) == 2


def test_another_village_and_another_township_get_404(world, run, client):
    one, two = _score(run, world.village1), _score(run, world.village2)
    appeal = appeal_lodge(score=one, grounds="漏记", by=world.director1)
    client.force_login(world.director2)
    assert client.get(one.get_absolute_url()).status_code == 404
    assert client.get(appeal.get_absolute_url()).status_code == 404
    page = client.get(run.get_absolute_url())  # their own score in the same run
    assert _rows(page) == [(1, "乐山村", Decimal("100.00"), "优秀")]
    assert "枫源村" not in _text(page)
    assert "漏记" not in _text(client.get(reverse("governance:appeal_list")))
    assert client.get(two.get_absolute_url()).status_code == 200
    client.force_login(world.township2_officer)
    for url in (run.get_absolute_url(), one.get_absolute_url(), appeal.get_absolute_url()):
        assert client.get(url).status_code == 404
    assert client.get(reverse("governance:run_print", args=[run.pk])).status_code == 404
    assert "2028-12" not in _text(client.get(reverse("governance:run_list")))


# ---- appeals decided ----------------------------------------------------------------------------


def test_the_township_upholds_an_appeal_and_the_score_and_rank_change(world, run, client):
    score = _score(run, world.village1)
    appeal = appeal_lodge(score=score, grounds="12月4日夜班已到岗", by=world.director1)
    client.force_login(world.township_officer)
    listed = _text(client.get(reverse("governance:appeal_list"), {"status": "lodged"}))
    assert appeal.get_absolute_url() in listed
    url = reverse("governance:appeal_decide", args=[appeal.pk])
    assert "最多加25.00分" in _text(client.get(appeal.get_absolute_url()))  # 75 up to 100
    # reasons are required, and the points when upheld: refused on the page, nothing changed
    empty = client.post(url, {"outcome": "upheld", "points": "", "decision": ""})
    assert empty.status_code == 200
    assert {"points", "decision"} <= set(empty.context["form"].errors)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.LODGED
    response = client.post(
        url, {"outcome": "upheld", "points": "25", "decision": "核实巡逻记录，12月4日到岗属实。"}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    score.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD and appeal.decided_by == world.township_officer
    # the change waits for the second officer, and the appeal's page says so
    assert score.final == Decimal("75.00")
    assert 'data-testid="appeal-change-pending"' in _text(client.get(appeal.get_absolute_url()))
    client.force_login(world.director1)  # the village sees it waits, not the township's steps
    seen = _text(client.get(appeal.get_absolute_url()))
    assert 'data-testid="appeal-change-pending"' in seen and "#adjustments" not in seen
    client.force_login(_second_officer(world))
    client.post(
        reverse("governance:adjustment_decide", args=[appeal.adjustment.pk]),
        {"decision": "approve"},
    )
    client.force_login(world.township_officer)
    score.refresh_from_db()
    assert (score.adjustment, score.final, score.rank, score.grade) == (
        Decimal("25.00"),
        Decimal("100.00"),
        1,
        "优秀",
    )
    ranking = client.get(run.get_absolute_url())
    assert [row[0] for row in _rows(ranking)] == [1, 1]  # equal scores share a rank
    shown = _text(client.get(appeal.get_absolute_url()))
    assert 'data-testid="appeal-points"' in shown and "+25.00" in shown
    assert "核实巡逻记录" in shown
    client.force_login(world.director1)
    assert "100.00" in _text(client.get(score.get_absolute_url()))
    decided = _text(client.get(reverse("governance:appeal_list"), {"status": "decided"}))
    assert appeal.get_absolute_url() in decided


def test_an_appeal_dismissed_leaves_the_score(world, run, client):
    score = _score(run, world.village1)
    appeal = appeal_lodge(score=score, grounds="不服", by=world.director1)
    client.force_login(world.township_officer)
    client.post(
        reverse("governance:appeal_decide", args=[appeal.pk]),
        {"outcome": "dismissed", "decision": "记录无误，维持原分。"},
    )
    appeal.refresh_from_db()
    score.refresh_from_db()
    assert appeal.status == AppealStatus.DISMISSED and score.final == Decimal("75.00")
    assert not Adjustment.objects.filter(score=score).exists()


def test_a_village_may_not_decide_its_own_appeal(world, run, client):
    appeal = appeal_lodge(score=_score(run, world.village1), grounds="不服", by=world.director1)
    client.force_login(world.director1)
    response = client.post(
        reverse("governance:appeal_decide", args=[appeal.pk]),
        {"outcome": "upheld", "points": "25", "decision": "自己裁决"},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.LODGED


# ---- adjustments: four eyes ---------------------------------------------------------------------


def test_an_adjustment_is_approved_by_another_officer_the_refusal_on_the_page(world, run, client):
    score = _score(run, world.village1)
    client.force_login(world.township_officer)
    page = _text(client.get(score.get_absolute_url()))
    assert 'data-testid="adjustment-propose"' in page and 'data-testid="appeal-form"' not in page
    client.post(
        reverse("governance:adjustment_propose", args=[score.pk]),
        {"points": "-5", "reason": "台账不全"},
    )
    adjustment = Adjustment.objects.get(score=score)
    assert adjustment.status == Approval.PENDING and adjustment.points == Decimal("-5.00")
    decide = reverse("governance:adjustment_decide", args=[adjustment.pk])
    refused = client.post(decide, {"decision": "approve"})
    assert refused.status_code == 200 and 'data-testid="decide-errors"' in _text(refused)
    assert refused.context["decide_form"].non_field_errors()
    adjustment.refresh_from_db()
    score.refresh_from_db()
    assert adjustment.status == Approval.PENDING and score.final == Decimal("75.00")
    # a bad number is refused on the form
    bad = client.post(
        reverse("governance:adjustment_propose", args=[score.pk]), {"points": "x", "reason": "?"}
    )
    assert bad.status_code == 200 and "points" in bad.context["adjustment_form"].errors
    client.force_login(_second_officer(world))
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    adjustment.refresh_from_db()
    score.refresh_from_db()
    assert adjustment.status == Approval.APPROVED
    assert (score.adjustment, score.final) == (Decimal("-5.00"), Decimal("70.00"))
    shown = _text(client.get(run.get_absolute_url()))
    assert "-5.00" in shown and "70.00" in shown


def test_a_village_may_not_adjust_its_own_score(world, run, client):
    score = _score(run, world.village1)
    client.force_login(world.director1)
    response = client.post(
        reverse("governance:adjustment_propose", args=[score.pk]), {"points": "10", "reason": "x"}
    )
    assert response.status_code == 302
    assert not Adjustment.objects.exists()


# ---- closing ------------------------------------------------------------------------------------


def test_closing_is_refused_while_appeals_may_come_and_while_one_waits(
    world, run, client, time_machine
):
    client.force_login(world.township_officer)
    close = reverse("governance:run_close", args=[run.pk])
    early = _text(client.post(close, follow=True))
    # the refusal at the top of the page, above the ranking
    assert "申诉期" in early and early.index('class="messages"') < early.index(
        'data-testid="ranking"'
    )
    appeal = appeal_lodge(score=_score(run, world.village1), grounds="漏记", by=world.director1)
    time_machine.move_to(AFTER_APPEALS, tick=False)
    client.force_login(world.township_officer)  # a week on: signed in afresh
    waiting = _text(client.post(close, follow=True))
    assert "有申诉等待裁决" in waiting
    run.refresh_from_db()
    assert run.status == RunStatus.OPEN
    client.post(
        reverse("governance:appeal_decide", args=[appeal.pk]),
        {"outcome": "dismissed", "decision": "维持"},
    )
    assert client.post(close).status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.CLOSED and run.closed_by == world.township_officer
    page = _text(client.get(run.get_absolute_url()))
    assert 'data-testid="run-close"' not in page


def test_a_closed_period_refuses_appeals(world, run, client, time_machine):
    score = _score(run, world.village1)
    time_machine.move_to(AFTER_APPEALS, tick=False)
    run_close(run=run, by=world.township_officer)
    client.force_login(world.director1)
    page = _text(client.get(score.get_absolute_url()))
    assert 'data-testid="appeal-form"' not in page and 'data-testid="appeals-closed"' in page
    # a page left open from before the close: the refusal is said at the top, no form again
    response = client.post(
        reverse("governance:appeal_lodge", args=[score.pk]), {"grounds": "漏记"}, follow=True
    )
    page = _text(response)
    assert "考核期 2028-12 已结束" in page and 'data-testid="appeal-form"' not in page
    assert page.index('class="messages"') < page.index('data-testid="score-lines"')
    assert not Appeal.objects.exists()


def test_appeals_after_the_time_for_them_are_refused_on_the_page(world, run, client, time_machine):
    score = _score(run, world.village1)
    time_machine.move_to(AFTER_APPEALS, tick=False)
    client.force_login(world.director1)
    assert 'data-testid="appeals-over"' in _text(client.get(score.get_absolute_url()))
    response = client.post(
        reverse("governance:appeal_lodge", args=[score.pk]), {"grounds": "漏记"}, follow=True
    )
    assert "申诉期已于" in _text(response) and 'data-testid="appeal-form"' not in _text(response)
    assert not Appeal.objects.exists()


# ---- paper, languages, the panel ----------------------------------------------------------------


def test_the_ranking_prints(world, run, client):
    client.force_login(world.township_officer)
    url = reverse("governance:run_print", args=[run.pk])
    body = _text(client.get(url))
    assert 'data-testid="print-title"' in body and "?format=pdf" in body
    assert body.index("乐山村") < body.index("枫源村")
    assert "枫桥镇" in body and "2028-12" in body


@renders
def test_the_ranking_downloads_as_a_pdf_in_chinese(world, run, client, tmp_path):
    client.force_login(world.township_officer)
    response = client.get(reverse("governance:run_print", args=[run.pk]), {"format": "pdf"})
    _assert_chinese_pdf(response, tmp_path, "乐山村", "枫源村", "2028-12")


def test_the_pages_speak_both_languages(world, run, client, settings):
    client.force_login(world.township_officer)
    url = run.get_absolute_url()
    chinese = _text(client.get(url))
    assert "排名" in chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _text(client.get(url))
    assert "Ranking" in english and "Scheme used" in english
    score = _text(client.get(_score(run, world.village1).get_absolute_url()))
    assert "How the score was made" in score and "3 of 4" in score


def test_periods_are_listed_latest_first_a_year_beside_its_last_month(world, scheme):
    at = dt.datetime(2029, 1, 5, 9, tzinfo=SHANGHAI)
    for key in ("2028", "2028-10", "2028-Q4", "2028-12", "2028-11", "2028-Q3"):
        AssessmentRun.objects.create(
            region=world.township,
            scheme=scheme,
            period=key,
            level=Level.VILLAGE,
            scheme_spec={},
            cutoff=at,
            computed_at=at,
            appeals_until=at,
        )
    listed = [run.period for run in run_list(world.township_officer)]
    assert listed == ["2028-Q4", "2028-12", "2028", "2028-11", "2028-10", "2028-Q3"]


def test_the_home_panel_shows_the_runs_and_the_village_s_scores(
    world, run, django_assert_max_num_queries
):
    appeal_lodge(score=_score(run, world.village1), grounds="漏记", by=world.director1)
    with django_assert_max_num_queries(3):
        officer = assessment_summary(world.township_officer)
    assert officer["township_view"] and officer["runs"] == [run]
    assert officer["appeals_waiting"] == 1
    with django_assert_max_num_queries(2):
        village = assessment_summary(world.director1)
    assert [s.final for s in village["scores"]] == [Decimal("75.00")]
    assert village["appeals_waiting"] == 1
    assert assessment_summary(world.director2)["appeals_waiting"] == 0
    panel = "governance/assessment/_panel.html"
    township = render_to_string(panel, {"panel": officer})
    assert run.get_absolute_url() in township and 'data-testid="panel-appeals"' in township
    own = render_to_string(panel, {"panel": village})
    assert "75.00" in own and "100.00" not in own and "第 2 名" in own

    # a look at the month under way (MIDWEEK is in January) is the township's: not a village's
    # headline; the township's panel marks it
    look = run_assess(
        township=world.township,
        level=Level.VILLAGE,
        period=Period.parse("2029-01"),
        by=world.township_officer,
    )
    assert look.is_provisional
    assert [s.run for s in assessment_summary(world.director1)["scores"]] == [run]
    township = render_to_string(panel, {"panel": assessment_summary(world.township_officer)})
    assert "2029-01" in township and "暂定" in township


# ---- query counts -------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    return len(captured)


def test_the_list_and_the_ranking_cost_the_same_queries_however_many_rows(world, run, client):
    appeal_lodge(score=_score(run, world.village1), grounds="漏记", by=world.director1)
    urls = [
        reverse("governance:run_list"),
        run.get_absolute_url(),
        reverse("governance:run_print", args=[run.pk]),
        reverse("governance:appeal_list"),
    ]
    client.force_login(world.township_officer)
    few = [_queries(client, url) for url in urls]
    client.force_login(world.director1)
    own = [
        _queries(client, reverse("governance:run_list")),
        _queries(client, run.get_absolute_url()),
    ]
    for k in range(5):
        village = Region.objects.create(
            code=f"3306811093{k:02d}",
            name=f"新村{k}",
            kind=RegionKind.VILLAGE,
            parent=world.township,
        )
        _serve(village, world.township_officer, [Outcome.SERVED, Outcome.MISSED], name=f"队员{k}")
    for month in ("2028-10", "2028-11"):
        run_assess(
            township=world.township,
            level=Level.VILLAGE,
            period=Period.parse(month),
            by=world.township_officer,
        )
    run_assess(
        township=world.township, level=Level.VILLAGE, period=PERIOD, by=world.township_officer
    )
    for score in Score.objects.filter(run=run).exclude(region=world.village1)[:3]:
        Appeal.objects.create(
            score=score, grounds="不服", lodged_by=world.township_officer, lodged_at=MIDWEEK
        )
    assert Score.objects.filter(run=run).count() == 7
    client.force_login(world.township_officer)
    assert [_queries(client, url) for url in urls] == few
    client.force_login(world.director1)
    assert [
        _queries(client, reverse("governance:run_list")),
        _queries(client, run.get_absolute_url()),
    ] == own
