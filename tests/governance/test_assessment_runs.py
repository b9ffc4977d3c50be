"""Assessment runs on real records: stored with their scheme and cut-off, checked by computing
again, final once closed; adjustments, appeals and the `assess` command."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qunfang.core.roles import Role
from qunfang.core.services import user_create
from qunfang.governance.assessment.periods import Period
from qunfang.governance.models import (
    Adjustment,
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
    ScoreLine,
)
from qunfang.governance.services.assessment import (
    adjustment_decide,
    adjustment_propose,
    appeal_decide,
    appeal_lodge,
    run_assess,
    run_check,
    run_close,
)
from qunfang.patrols.models import Assignment, Outcome, Roster, RosterStatus, Shift, ShiftPattern
from qunfang.registry.models import Person
from tests.clock import SHANGHAI

PERIOD = Period.parse("2028-12")
RECORDED = dt.datetime(2028, 12, 31, 12, tzinfo=SHANGHAI)  # the shifts are closed
RUN_AT = dt.datetime(2029, 1, 2, 9, tzinfo=SHANGHAI)  # the run reads the records
LATER = dt.datetime(2029, 1, 20, 9, tzinfo=SHANGHAI)  # after the appeals, a record changes


@pytest.fixture(autouse=True)
def _english(_default_language):
    """Refusals are matched by their English words (Chinese has its own tests of the pages)."""
    with translation.override("en"):
        yield


@pytest.fixture
def scheme(world):
    scheme = Scheme.objects.create(
        region=world.township,
        name="村级考核办法",
        level=Level.VILLAGE,
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


def _shifts(village, officer, days):
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
        starts_on=PERIOD.first,
        ends_on=PERIOD.last,
        status=RosterStatus.PUBLISHED,
        created_by=officer,
    )
    out = []
    for day in range(1, days + 1):
        starts = dt.datetime(2028, 12, day, 20, tzinfo=SHANGHAI)
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


def _person(village, name):
    return Person.objects.create(region=village, name=name, sex="M", birth_date=dt.date(1980, 1, 1))


@pytest.fixture
def duty(world, scheme):
    """Village 1 served 3 of its 4 shifts, village 2 both of its 2, as recorded on 31 December."""
    with time_machine.travel(RECORDED, tick=False):
        one, two = _person(world.village1, "何小军"), _person(world.village2, "斯伟东")
        served = [Outcome.SERVED, Outcome.SERVED, Outcome.LATE, Outcome.MISSED]
        assignments = [
            Assignment.objects.create(shift=shift, region=world.village1, person=one, outcome=o)
            for shift, o in zip(_shifts(world.village1, world.director1, 4), served, strict=True)
        ]
        for shift in _shifts(world.village2, world.director2, 2):
            Assignment.objects.create(
                shift=shift, region=world.village2, person=two, outcome=Outcome.SERVED
            )
    return assignments


def _assess(world, at=RUN_AT):
    with time_machine.travel(at, tick=False):
        return run_assess(
            township=world.township, level=Level.VILLAGE, period=PERIOD, by=world.township_officer
        )


def _assess_level(world, level):
    with time_machine.travel(RUN_AT, tick=False):
        return run_assess(township=world.township, level=level, period=PERIOD, by=None)


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


def test_a_run_stores_each_village_s_score_line_by_line_with_its_scheme_and_cut_off(world, duty):
    run = _assess(world)
    assert run.cutoff == RUN_AT and run.status == RunStatus.OPEN
    assert run.scheme_spec["indicators"][0]["code"] == "shift_attendance"
    assert run.appeals_until == RUN_AT + dt.timedelta(days=7)
    one, two = _score(run, world.village1), _score(run, world.village2)
    assert (one.computed, one.grade, one.rank) == (Decimal("75.00"), "合格", 2)
    assert (two.computed, two.grade, two.rank) == (Decimal("100.00"), "优秀", 1)
    line = one.lines.get(indicator="shift_attendance")
    assert (line.done, line.due) == (Decimal(3), Decimal(4))
    missed = duty[3].shift
    assert line.refs == [["shift", missed.pk, f"{missed.service_date:%m-%d}"]]
    # the other township's village is not scored by this township
    assert not Score.objects.filter(run=run, region=world.village3).exists()
    assert run_check(run) == []


def test_running_an_open_period_again_reads_the_records_afresh(world, duty):
    run = _assess(world)
    with time_machine.travel(LATER, tick=False):
        duty[3].outcome = Outcome.SERVED
        duty[3].save()
    again = _assess(world, at=LATER + dt.timedelta(hours=1))
    assert again.pk == run.pk
    assert _score(again, world.village1).computed == Decimal("100.00")
    # a score changed: the villages have the scheme's whole time for appeals from now
    assert again.appeals_until == LATER + dt.timedelta(hours=1, days=7)


def test_computing_again_with_the_same_result_keeps_the_time_for_appeals(world, duty):
    run = _assess(world)
    again = _assess(world, at=RUN_AT + dt.timedelta(days=3))
    assert again.cutoff == RUN_AT + dt.timedelta(days=3)
    assert again.appeals_until == run.appeals_until == RUN_AT + dt.timedelta(days=7)


def test_a_record_changed_after_the_cut_off_changes_nothing_of_a_closed_period(world, duty):
    run = _assess(world)
    with time_machine.travel(LATER, tick=False):
        run_close(run=run, by=world.township_officer)
        duty[3].outcome = Outcome.SERVED  # the missed shift is rewritten as served
        duty[3].save()
    run.refresh_from_db()
    assert _score(run, world.village1).computed == Decimal("75.00")
    assert run_check(run) == []  # computed again as of the cut-off: the same
    with pytest.raises(ValidationError, match="closed"):
        _assess(world, at=LATER)


def test_check_names_every_stored_figure_that_the_records_do_not_give(world, duty):
    run = _assess(world)
    ScoreLine.objects.filter(score__region=world.village1).update(done=4)
    Score.objects.filter(run=run, region=world.village2).update(computed=Decimal("90.00"))
    differences = run_check(run)
    assert [(d.who.split(":")[2], d.indicator, d.stored, d.recomputed) for d in differences] == [
        ("枫源村", "shift_attendance", "4.00/4.00=75.00", "3.00/4.00=75.00"),
        ("乐山村", "score", "90.00", "100.00"),
    ]


outcomes = st.lists(st.sampled_from(list(Outcome)), min_size=1, max_size=6)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(before=outcomes, after=st.data())
def test_stored_scores_equal_recomputed_ones_before_and_after_later_changes(
    world, scheme, before, after
):
    with transaction.atomic():
        with time_machine.travel(RECORDED, tick=False):
            person = _person(world.village1, "楼建平")
            shifts = _shifts(world.village1, world.director1, len(before))
            rows = [
                Assignment.objects.create(shift=s, region=world.village1, person=person, outcome=o)
                for s, o in zip(shifts, before, strict=True)
            ]
        run = _assess(world)
        stored = {s.pk: s.computed for s in run.scores.all()}
        assert run_check(run) == []
        changed = after.draw(
            st.lists(st.sampled_from(list(Outcome)), min_size=len(rows), max_size=len(rows))
        )
        with time_machine.travel(LATER, tick=False):
            for row, outcome in zip(rows, changed, strict=True):
                row.outcome = outcome
                row.save()
        assert run_check(run) == []
        assert {s.pk: s.computed for s in run.scores.all()} == stored
        transaction.set_rollback(True)


def test_an_adjustment_counts_once_another_officer_approves_it(world, duty):
    run = _assess(world)
    score = _score(run, world.village1)
    adjustment = adjustment_propose(
        score=score, points="20", reason="夜巡发现重大隐患及时报告", by=world.township_officer
    )
    with pytest.raises(ValidationError, match="someone other"):
        adjustment_decide(adjustment=adjustment, approve=True, by=world.township_officer)
    score.refresh_from_db()
    assert score.final == Decimal("75.00")
    adjustment_decide(adjustment=adjustment, approve=True, by=_second_officer(world))
    score.refresh_from_db()
    assert (score.final, score.grade, score.rank) == (Decimal("95.00"), "优秀", 2)
    with pytest.raises(ValidationError):
        adjustment_propose(score=score, points="0", reason="x", by=world.township_officer)
    with pytest.raises(ValidationError):
        adjustment_propose(score=score, points="abc", reason="x", by=world.township_officer)
    with pytest.raises(ValidationError):
        adjustment_propose(score=score, points="5", reason="  ", by=world.township_officer)
    with pytest.raises(PermissionDenied):
        adjustment_propose(score=score, points="5", reason="自己加分", by=world.director1)


def test_an_upheld_appeal_changes_the_score_and_a_dismissed_one_does_not(world, duty):
    run = _assess(world)
    score = _score(run, world.village1)
    with time_machine.travel(RUN_AT + dt.timedelta(days=1), tick=False):
        with pytest.raises(PermissionDenied):  # another village's score
            appeal_lodge(score=score, grounds="x", by=world.director2)
        appeal = appeal_lodge(
            score=score,
            grounds="12月4日夜班因暴雨经批准取消",
            indicator="shift_attendance",
            by=world.director1,
        )
        with pytest.raises(ValidationError, match="already waiting"):
            appeal_lodge(score=score, grounds="再次申诉", by=world.director1)
        with pytest.raises(ValidationError, match="waiting for a decision"):
            run_close(run=run, by=world.township_officer)
        # the shift attendance cost 25 points: no more is given back, and nothing taken
        for points, says in (
            ("25.01", "cost the score 25.00"),
            ("-5", "more than 0"),
            ("0", "more than 0"),
        ):
            with pytest.raises(ValidationError, match=says):
                appeal_decide(
                    appeal=appeal,
                    upheld=True,
                    decision="属实",
                    points=points,
                    by=world.township_officer,
                )
        appeal.refresh_from_db()
        assert appeal.status == AppealStatus.LODGED and not Adjustment.objects.exists()
        appeal_decide(
            appeal=appeal,
            upheld=True,
            decision="情况属实，该班次不计",
            points="25",
            by=world.township_officer,
        )
    score.refresh_from_db()
    appeal.refresh_from_db()
    # four eyes: upheld by one officer, the change counts once another approves it
    assert appeal.status == AppealStatus.UPHELD
    assert appeal.adjustment.status == Approval.PENDING
    assert score.final == Decimal("75.00")
    with pytest.raises(ValidationError, match="someone other than who proposed it"):
        adjustment_decide(adjustment=appeal.adjustment, approve=True, by=world.township_officer)
    adjustment_decide(adjustment=appeal.adjustment, approve=True, by=_second_officer(world))
    score.refresh_from_db()
    assert (score.final, score.rank) == (Decimal("100.00"), 1)
    with time_machine.travel(RUN_AT + dt.timedelta(days=2), tick=False):
        second = appeal_lodge(score=_score(run, world.village2), grounds="x", by=world.director2)
        appeal_decide(appeal=second, upheld=False, decision="无依据", by=world.township_officer)
    assert Adjustment.objects.filter(appeal=second).count() == 0


def test_an_upheld_appeal_whose_change_is_rejected_waits_again_for_a_decision(world, duty):
    run = _assess(world)
    score = _score(run, world.village1)
    leader = _second_officer(world)
    with time_machine.travel(RUN_AT + dt.timedelta(days=1), tick=False):
        appeal = appeal_lodge(score=score, grounds="夜班因暴雨取消", by=world.director1)
        appeal_decide(
            appeal=appeal, upheld=True, decision="属实", points="25", by=world.township_officer
        )
        change = Adjustment.objects.get(appeal=appeal)
        adjustment_decide(adjustment=change, approve=False, by=leader)
    appeal.refresh_from_db()
    change.refresh_from_db()
    score.refresh_from_db()
    assert appeal.status == AppealStatus.LODGED and appeal.decided_by is None
    assert change.status == Approval.REJECTED and change.appeal is None
    assert score.final == Decimal("75.00")
    with time_machine.travel(RUN_AT + dt.timedelta(days=2), tick=False):
        appeal_decide(appeal=appeal, upheld=False, decision="维持", by=leader)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.DISMISSED


def test_appeals_are_lodged_within_the_window_and_never_on_a_closed_period(world, duty):
    run = _assess(world)
    score = _score(run, world.village1)
    with time_machine.travel(RUN_AT + dt.timedelta(days=8), tick=False):
        with pytest.raises(ValidationError, match="could be lodged until"):
            appeal_lodge(score=score, grounds="迟到的申诉", by=world.director1)
        run_close(run=run, by=world.township_officer)
        with pytest.raises(ValidationError, match="closed"):
            appeal_lodge(score=score, grounds="迟到的申诉", by=world.director1)
        with pytest.raises(ValidationError, match="closed"):
            adjustment_propose(score=score, points="1", reason="x", by=world.township_officer)
    assert not score.appeals.exists()


def test_a_period_is_closed_only_after_the_time_for_appeals(world, duty):
    run = _assess(world)
    with time_machine.travel(RUN_AT + dt.timedelta(days=3), tick=False):
        with pytest.raises(ValidationError, match="until"):
            run_close(run=run, by=world.township_officer)
        with pytest.raises(PermissionDenied):
            run_close(run=run, by=world.township2_officer)
    run.refresh_from_db()
    assert run.status == RunStatus.OPEN


def test_a_look_before_the_period_is_over_is_provisional_until_computed_after_its_end(world, duty):
    during = dt.datetime(2028, 12, 20, 9, tzinfo=SHANGHAI)
    look = _assess(world, at=during)
    assert look.is_provisional
    # its time for appeals runs from the period's end, not from the look
    assert look.appeals_until == PERIOD.ends + dt.timedelta(days=7)
    score = _score(look, world.village1)
    with (
        time_machine.travel(during + dt.timedelta(days=1), tick=False),
        pytest.raises(ValidationError, match="before the period ended on 2028-12-31"),
    ):
        appeal_lodge(score=score, grounds="不服", by=world.director1)
    with (
        time_machine.travel(PERIOD.ends + dt.timedelta(days=8), tick=False),
        pytest.raises(ValidationError, match="before the period was over"),
    ):
        run_close(run=look, by=world.township_officer)
    assert not score.appeals.exists()
    result = _assess(world)  # after the end: the period's result, open to appeals
    assert result.pk == look.pk and not result.is_provisional
    with time_machine.travel(RUN_AT + dt.timedelta(days=1), tick=False):
        appeal_lodge(score=_score(result, world.village1), grounds="不服", by=world.director1)


def test_a_run_without_a_scheme_or_for_a_period_to_come_is_refused(world, duty, scheme):
    before = dt.datetime(2028, 11, 30, tzinfo=SHANGHAI)
    with pytest.raises(ValidationError, match="not begun"), time_machine.travel(before, tick=False):
        run_assess(township=world.township, level=Level.VILLAGE, period=PERIOD, by=None)
    with pytest.raises(ValidationError, match="no assessment scheme"):
        _assess_level(world, Level.PERSON)
    assert not AssessmentRun.objects.exists()


def test_the_command_assesses_a_period_and_checks_it(world, duty):
    out = StringIO()
    with time_machine.travel(RUN_AT, tick=False):
        call_command("assess", "--period", "2028-12", stdout=out)
    assert "枫桥镇 village 2028-12: 2 scores" in out.getvalue()
    assert "赵家镇" not in out.getvalue()  # no scheme there
    out = StringIO()
    call_command("assess", "--period", "2028-12", "--check", stdout=out)
    assert "assessments checked: 1; figures that differ: 0" in out.getvalue()
    Score.objects.filter(region=world.village2).update(computed=Decimal(50))
    out = StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command(
            "assess", "--period", "2028-12", "--check", "--region", "330681109000", stdout=out
        )
    assert exit_code.value.code == 1
    assert "乐山村\tscore\t50.00\t100.00" in out.getvalue()


def test_the_command_refuses_a_period_it_cannot_read(world):
    with pytest.raises(CommandError, match="2026-Q4"):
        call_command("assess", "--period", "2026-13")
    with pytest.raises(CommandError, match="no region"):
        call_command("assess", "--period", "2026-11", "--region", "999")
