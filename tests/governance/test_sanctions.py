"""Rewards and punishments (奖惩): the triggers read from the records as of a run's cut-off, the
township's rules, proposals from the results (once per rule, period and subject) and by hand,
four-eyes decisions, payment requests and publishing. Every refusal changes nothing."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from qunfang.casebook.models import (
    Case,
    CaseOutcome,
    CaseStatus,
    CaseType,
    Hazard,
    Inspection,
    OrderStatus,
    RectificationOrder,
    ReporterKind,
)
from qunfang.core.models import Notification
from qunfang.core.permissions import NotYours
from qunfang.core.roles import Role
from qunfang.core.services import user_create
from qunfang.governance import payments
from qunfang.governance.assessment.periods import Period
from qunfang.governance.assessment.triggers import TRIGGERS, TriggerContext
from qunfang.governance.models import (
    Action,
    AssessmentRun,
    Level,
    PaymentRequest,
    PaymentStatus,
    Sanction,
    SanctionRule,
    SanctionStatus,
    Scheme,
    SchemeGrade,
    SchemeStatus,
    Score,
)
from qunfang.governance.services import sanctions as svc
from qunfang.patrols.models import (
    Assignment,
    CheckIn,
    Finding,
    Outcome,
    Roster,
    RosterStatus,
    Shift,
    ShiftPattern,
)
from qunfang.registry.models import Organisation, OrgKind, Person
from tests.clock import MIDWEEK, SHANGHAI
from tests.factories import TEST_PASSWORD, organisation_for, post_holder

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]

JANUARY = "2029-01"  # MIDWEEK is Wednesday 2029-01-10


def at(day: int, hour: int = 20) -> dt.datetime:
    return dt.datetime(2029, 1, day, hour, tzinfo=SHANGHAI)


def everything() -> dict:
    """Every row a refusal must leave alone."""
    return {
        "rules": list(SanctionRule.objects.order_by("pk").values()),
        "sanctions": list(Sanction.objects.order_by("pk").values()),
        "payments": list(PaymentRequest.objects.order_by("pk").values()),
        "history": SanctionRule.history.count() + Sanction.history.count(),
    }


@pytest.fixture
def w(world, records):
    return make_w(world, records)


def make_w(world, records):
    """Village 1's security committee (楼阿根 holds a post in it) and a patrol member of it, a
    second officer of 枫桥镇 (four eyes), and a member of village 2's committee."""
    officer2 = user_create(
        username="township_b",
        password=TEST_PASSWORD,
        region=world.township,
        roles={Role.TOWNSHIP_OFFICER},
        full_name="孟晓东",
    )
    member = post_holder(records.org, name="周立强")
    other_org = organisation_for(world.village2, name="乐山村治保会", members=1)
    theirs = Person.objects.get(memberships__post__organisation=other_org)
    return SimpleNamespace(
        world=world,
        officer=world.township_officer,
        officer2=officer2,
        director=world.director1,
        org=records.org,
        person=records.person,
        member=member,
        other_org=other_org,
        theirs=theirs,
    )


def closed_run(w, *, level=Level.PERSON, period=JANUARY, cutoff=None) -> AssessmentRun:
    now = timezone.now()
    scheme = Scheme.objects.create(
        region=w.world.township,
        name=f"{level}考核办法",
        level=level,
        status=SchemeStatus.ACTIVE,
        created_by=w.officer,
    )
    return AssessmentRun.objects.create(
        region=w.world.township,
        scheme=scheme,
        period=period,
        level=level,
        scheme_spec={"indicators": [], "grades": [], "vetoes": [], "appeal_days": 7},
        cutoff=cutoff or now,
        computed_at=now,
        appeals_until=now,
        status="closed",
        closed_at=now,
        closed_by=w.officer,
    )


def shifts(w, person, outcomes, *, first_day=2, village=None):
    """`person` rostered on consecutive January nights from `first_day`, with these outcomes."""
    village = village or person.region
    roster = Roster.objects.create(
        region=village,
        starts_on=dt.date(2029, 1, 1),
        ends_on=dt.date(2029, 1, 31),
        status=RosterStatus.PUBLISHED,
        created_by=w.director,
        published_by=w.director,
        published_at=timezone.now(),
    )
    pattern = ShiftPattern.objects.create(
        region=village,
        name=f"夜班{roster.pk}",
        starts_at=dt.time(20),
        duration_minutes=480,
        valid_from=dt.date(2029, 1, 1),
    )
    out = []
    for i, outcome in enumerate(outcomes):
        start = at(first_day + i)
        shift = Shift.objects.create(
            roster=roster,
            region=village,
            pattern=pattern,
            service_date=start.date(),
            starts_at=start,
            ends_at=start + dt.timedelta(hours=8),
            night=True,
            headcount=1,
        )
        out.append(
            Assignment.objects.create(shift=shift, region=village, person=person, outcome=outcome)
        )
    return out


_serials = iter(range(1, 10_000))


def a_case(w, *, village=None, **fields) -> Case:
    fields.setdefault("reported_at", at(5, 10))
    return Case.objects.create(
        region=village or w.world.village1,
        case_type=CaseType.objects.get(code="theft"),
        title="柴房起火",
        description="夜巡发现",
        occurred_at=fields["reported_at"],
        reporter_kind=fields.pop("reporter_kind", ReporterKind.PERSON),
        owner=w.director,
        registered_by=w.director,
        year=2029,
        serial=next(_serials),
        **fields,
    )


def check_in(w, assignment) -> CheckIn:
    return CheckIn.objects.create(
        assignment=assignment,
        region=assignment.region,
        kind="point",
        recorded_at=assignment.shift.starts_at + dt.timedelta(hours=1),
        finding=Finding.INCIDENT,
        by=w.director,
    )


def order(w, *, deadline, status=OrderStatus.OPEN, reinspected_on=None) -> RectificationOrder:
    inspection = Inspection.objects.create(
        region=w.world.village1,
        place_name="村东出租房",
        place_kind="rental",
        inspected_on=dt.date(2028, 12, 20),
        status="done",
        created_by=w.director,
    )
    hazard = Hazard.objects.create(inspection=inspection, description="电线老化")
    return RectificationOrder.objects.create(
        hazard=hazard,
        responsible="房东",
        measures="更换电线",
        deadline=deadline,
        status=status,
        reinspected_on=reinspected_on,
    )


def hits(w, code, *, run=None, grade=""):
    ctx = TriggerContext(
        period=Period.parse(JANUARY),
        cutoff=timezone.now(),
        township=w.world.township.pk,
        villages=[w.world.village1.pk, w.world.village2.pk],
        run=run,
        grade=grade,
    )
    return list(TRIGGERS[code].compute(ctx))


def rule(w, trigger, times, action, amount=None, grade="") -> SanctionRule:
    return svc.sanction_rule_save(
        township=w.world.township,
        trigger=trigger,
        times=times,
        action=action,
        amount=amount,
        grade=grade,
        by=w.officer,
    )


# ---- triggers ---------------------------------------------------------------------------------


def test_a_missed_shift_is_a_hit_and_an_excused_or_served_one_is_not(w):
    shifts(w, w.person, [Outcome.MISSED, Outcome.SERVED, Outcome.EXCUSED, Outcome.MISSED])
    found = hits(w, "missed_shift")
    assert [(i.person, i.ref[0], i.ref[2]) for i in found] == [
        (w.person.pk, "shift", "01-02"),
        (w.person.pk, "shift", "01-05"),
    ]
    assert {i.village for i in found} == {w.world.village1.pk}


def test_a_miss_recorded_after_the_cut_off_does_not_count(w, time_machine):
    (kept,) = shifts(w, w.person, [Outcome.SERVED])
    cutoff = timezone.now()
    time_machine.shift(dt.timedelta(days=2))
    kept.outcome = Outcome.MISSED  # corrected afterwards
    kept.save()
    ctx = TriggerContext(
        period=Period.parse(JANUARY),
        cutoff=cutoff,
        township=w.world.township.pk,
        villages=[w.world.village1.pk],
    )
    assert list(TRIGGERS["missed_shift"].compute(ctx)) == []
    assert len(hits(w, "missed_shift")) == 1  # as the records stand now


def test_an_exemplary_report_is_a_patrol_finding_that_became_a_case_or_a_solved_report(w):
    (assignment,) = shifts(w, w.member, [Outcome.SERVED])
    found_on_patrol = a_case(w, source_check_in=check_in(w, assignment))
    solved = a_case(
        w,
        reporter=w.person,
        status=CaseStatus.CLOSED,
        outcome=CaseOutcome.RESOLVED,
        closed_at=at(8, 9),
    )
    a_case(  # unsolved
        w,
        reporter=w.person,
        status=CaseStatus.CLOSED,
        outcome=CaseOutcome.NOT_RESOLVED,
        closed_at=at(8, 9),
    )
    a_case(  # a confidential reporter is never named by a reward
        w,
        reporter=w.person,
        reporter_confidential=True,
        status=CaseStatus.CLOSED,
        outcome=CaseOutcome.RESOLVED,
        closed_at=at(8, 9),
    )
    a_case(  # closed before the period
        w,
        reporter=w.person,
        reported_at=at(1, 1) - dt.timedelta(days=10),
        status=CaseStatus.CLOSED,
        outcome=CaseOutcome.MEDIATED,
        closed_at=at(1, 1) - dt.timedelta(days=5),
    )
    found = hits(w, "exemplary_report")
    assert sorted((i.person, i.ref[1]) for i in found) == sorted(
        [(w.member.pk, found_on_patrol.pk), (w.person.pk, solved.pk)]
    )
    assert {i.ref[2] for i in found} == {found_on_patrol.number, solved.number}


def test_an_overdue_unverified_rectification_order_counts_against_the_security_committee(w):
    late = order(w, deadline=dt.date(2029, 1, 5))
    order(
        w,
        deadline=dt.date(2029, 1, 6),
        status=OrderStatus.VERIFIED,
        reinspected_on=dt.date(2029, 1, 6),
    )
    order(w, deadline=dt.date(2029, 1, 20))  # not yet due
    verified_late = order(
        w,
        deadline=dt.date(2029, 1, 3),
        status=OrderStatus.VERIFIED,
        reinspected_on=dt.date(2029, 1, 9),
    )
    Organisation.objects.create(
        region=w.world.village1, name="枫源村巡逻队", kind=OrgKind.PATROL_TEAM
    )
    found = hits(w, "rectification_overdue")
    assert {i.organisation for i in found} == {w.org.pk}
    assert sorted(i.ref[1] for i in found) == sorted(
        [late.hazard.inspection_id, verified_late.hazard.inspection_id]
    )


def test_the_grade_trigger_reads_the_run_s_scores(w):
    run = closed_run(w)
    Score.objects.create(
        run=run, region=w.world.village1, person=w.person, computed=95, final=95, grade="优秀"
    )
    Score.objects.create(
        run=run, region=w.world.village1, person=w.member, computed=50, final=50, grade="不合格"
    )
    Score.objects.create(run=run, region=w.world.village1, computed=80, final=80, grade="优秀")
    assert [i.person for i in hits(w, "grade", run=run, grade="优秀")] == [w.person.pk]
    assert hits(w, "grade", grade="优秀") == []  # no run, no results


# ---- rules --------------------------------------------------------------------------------------


def test_the_township_sets_a_rule_and_the_usual_ones_once(w):
    added = svc.default_rules(w.world.township, w.officer)
    assert {(r.trigger, r.times, r.action, r.amount) for r in added} >= {
        ("exemplary_report", 1, Action.COMMENDATION, None),
        ("exemplary_report", 1, Action.BONUS, Decimal("200.00")),
        ("missed_shift", 1, Action.WARNING, None),
        ("missed_shift", 3, Action.RECTIFICATION, None),
    }
    assert svc.default_rules(w.world.township, w.officer) == []
    made = rule(w, "missed_shift", 2, Action.MAKE_UP_DUTY)
    assert made.region == w.world.township and made.active


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"action": Action.WARNING, "amount": "50"}, "amount"),  # a warning carries no amount
        ({"action": Action.BONUS, "amount": None}, "amount"),  # a bonus needs one
        ({"action": Action.SUBSIDY, "amount": "0"}, "amount"),
        ({"action": Action.BONUS, "amount": "12.345"}, "amount"),
        ({"times": 0}, "times"),
        ({"trigger": "nothing"}, "trigger"),
        ({"trigger": "grade", "grade": ""}, "grade"),  # the grade trigger names its grade
        ({"trigger": "grade", "grade": "特等"}, "grade"),  # not one of the schemes' grades
        ({"action": "fine"}, "action"),
    ],
)
def test_a_bad_rule_is_refused_by_field_and_nothing_is_saved(w, fields, field):
    scheme = Scheme.objects.create(
        region=w.world.township, name="办法", level=Level.PERSON, created_by=w.officer
    )
    SchemeGrade.objects.create(scheme=scheme, label="优秀", min_score=90)
    given = {"trigger": "missed_shift", "times": 1, "action": Action.WARNING, "amount": None}
    given.update(fields)
    before = everything()
    with pytest.raises(ValidationError) as refused:
        svc.sanction_rule_save(township=w.world.township, by=w.officer, **given)
    assert field in refused.value.message_dict
    assert everything() == before


def test_a_grade_rule_takes_a_grade_of_the_township_s_schemes(w):
    made = rule(w, "grade", 1, Action.COMMENDATION, grade="优秀")
    assert made.grade == "优秀"  # no scheme has grades yet: any label
    assert rule(w, "missed_shift", 1, Action.WARNING, grade="优秀").grade == ""


def test_a_rule_in_use_twice_is_refused(w):
    rule(w, "missed_shift", 1, Action.WARNING)
    before = everything()
    with pytest.raises(ValidationError):
        rule(w, "missed_shift", 1, Action.WARNING)
    assert everything() == before


def test_a_village_director_and_another_township_set_no_rule(w):
    before = everything()
    for user, township in (
        (w.director, w.world.township),
        (w.world.township2_officer, w.world.township),
    ):
        with pytest.raises(NotYours):
            svc.sanction_rule_save(
                township=township, trigger="missed_shift", times=1, action="warning", by=user
            )
        with pytest.raises(NotYours):
            svc.default_rules(township, user)
    assert everything() == before


def test_a_rule_that_proposed_something_is_only_switched_off(w):
    made = rule(w, "missed_shift", 1, Action.WARNING)
    shifts(w, w.person, [Outcome.MISSED])
    svc.sanctions_propose_from_results(run=closed_run(w), by=w.officer)
    before = everything()
    with pytest.raises(ValidationError):
        svc.sanction_rule_save(
            township=w.world.township,
            trigger="missed_shift",
            times=2,
            action=Action.WARNING,
            rule=made,
            by=w.officer,
        )
    assert everything() == before
    off = svc.sanction_rule_save(
        township=w.world.township,
        trigger="missed_shift",
        times=1,
        action=Action.WARNING,
        active=False,
        rule=made,
        by=w.officer,
    )
    assert not off.active and off.times == 1


# ---- proposals from the results -----------------------------------------------------------------


def test_the_results_propose_one_sanction_per_rule_and_subject_and_never_twice(w):
    svc.default_rules(w.world.township, w.officer)
    shifts(w, w.person, [Outcome.MISSED, Outcome.MISSED, Outcome.MISSED, Outcome.SERVED])
    shifts(w, w.member, [Outcome.MISSED], first_day=20)  # after the cut-off: not yet served
    shifts(w, w.theirs, [Outcome.MISSED, Outcome.MISSED], village=w.world.village2)
    (patrol,) = shifts(w, w.member, [Outcome.SERVED], first_day=8)
    a_case(w, source_check_in=check_in(w, patrol), reported_at=at(9, 1))
    order(w, deadline=dt.date(2029, 1, 4))
    run = closed_run(w)

    made = svc.sanctions_propose_from_results(run=run, by=w.officer)

    got = {(s.subject.name, s.action) for s in made}
    assert got == {
        (w.person.name, Action.RECTIFICATION),  # three misses: the top rung, not the warning too
        (w.theirs.name, Action.WARNING),
        (w.member.name, Action.COMMENDATION),
        (w.member.name, Action.BONUS),
        (w.org.name, Action.WARNING),
    }
    order_ = next(s for s in made if s.person == w.person)
    assert order_.region == w.world.village1
    assert order_.period == JANUARY and order_.run == run and order_.proposed_by == w.officer
    assert order_.status == SanctionStatus.PROPOSED and order_.amount is None
    assert [ref[0] for ref in order_.refs] == ["shift"] * 3
    assert "3" in order_.reason and JANUARY in order_.reason
    bonus = next(s for s in made if s.action == Action.BONUS)
    assert bonus.amount == Decimal("200.00") and bonus.refs[0][0] == "case"
    theirs = next(s for s in made if s.person == w.theirs)
    assert theirs.region == w.world.village2

    # proposing again, from this run or another of the period, adds nothing
    before = everything()
    assert svc.sanctions_propose_from_results(run=run, by=w.officer2) == []
    other_level = closed_run(w, level=Level.ORGANISATION)
    assert svc.sanctions_propose_from_results(run=other_level, by=w.officer) == []
    assert everything() == before


def test_what_goes_on_the_board_and_into_the_books_is_in_the_sites_language(
    w, django_capture_on_commit_callbacks
):
    rule(w, "missed_shift", 1, Action.BONUS, amount="50")  # (a bonus, to reach the books)
    shifts(w, w.person, [Outcome.MISSED])
    with translation.override("en"):  # an officer who reads English proposes and approves
        (made,) = svc.sanctions_propose_from_results(run=closed_run(w), by=w.officer)
        with django_capture_on_commit_callbacks(execute=True):
            svc.sanction_decide(sanction=made, approve=True, by=w.officer2)
    made.refresh_from_db()
    assert "1次" in made.reason and "time" not in made.reason
    purpose = PaymentRequest.objects.get(sanction=made).purpose
    assert "奖金" in purpose and " for " not in purpose


def test_the_other_officers_are_told_proposals_wait(w):
    rule(w, "missed_shift", 1, Action.WARNING)
    shifts(w, w.person, [Outcome.MISSED])
    svc.sanctions_propose_from_results(run=closed_run(w), by=w.officer)
    assert Notification.objects.filter(user=w.officer2, kind="assessment").count() == 1
    assert not Notification.objects.filter(user=w.officer).exists()


def test_a_grade_rule_proposes_from_the_run_s_grades(w):
    rule(w, "grade", 1, Action.COMMENDATION, grade="优秀")
    run = closed_run(w)
    Score.objects.create(
        run=run, region=w.world.village1, person=w.person, computed=95, final=95, grade="优秀"
    )
    (made,) = svc.sanctions_propose_from_results(run=run, by=w.officer)
    assert made.person == w.person and "优秀" in made.reason and made.refs[0][0] == "score"


def test_results_of_an_open_run_or_for_someone_else_propose_nothing(w):
    rule(w, "missed_shift", 1, Action.WARNING)
    shifts(w, w.person, [Outcome.MISSED])
    run = closed_run(w)
    before = everything()
    for user in (w.director, w.world.township2_officer):
        with pytest.raises(NotYours):
            svc.sanctions_propose_from_results(run=run, by=user)
    AssessmentRun.objects.filter(pk=run.pk).update(status="open")
    run.refresh_from_db()
    with pytest.raises(ValidationError):
        svc.sanctions_propose_from_results(run=run, by=w.officer)
    assert everything() == before


def test_a_rule_switched_off_proposes_nothing(w):
    made = rule(w, "missed_shift", 1, Action.WARNING)
    svc.sanction_rule_save(
        township=w.world.township,
        trigger="missed_shift",
        times=1,
        action=Action.WARNING,
        active=False,
        rule=made,
        by=w.officer,
    )
    shifts(w, w.person, [Outcome.MISSED])
    assert svc.sanctions_propose_from_results(run=closed_run(w), by=w.officer) == []


# ---- proposals by hand --------------------------------------------------------------------------


def test_a_director_proposes_for_a_person_or_organisation_of_the_village(w):
    made = svc.sanction_propose(
        person=w.person, action=Action.COMMENDATION, reason="扑灭柴房火情", by=w.director
    )
    assert (made.region, made.status, made.rule, made.refs) == (
        w.world.village1,
        SanctionStatus.PROPOSED,
        None,
        [],
    )
    bonus = svc.sanction_propose(
        organisation=w.org, action=Action.BONUS, amount="300", reason="全年无发案", by=w.officer
    )
    assert bonus.amount == Decimal("300.00") and bonus.organisation == w.org


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"action": Action.WARNING, "amount": "100"}, "amount"),  # no amount on a warning
        ({"action": Action.BONUS}, "amount"),  # a bonus needs its amount
        ({"reason": "  "}, "reason"),
        ({"action": "detention"}, "action"),
    ],
)
def test_a_bad_proposal_is_refused_by_field(w, fields, field):
    given = {"person": w.person, "action": Action.WARNING, "reason": "漏巡"}
    given.update(fields)
    before = everything()
    with pytest.raises(ValidationError) as refused:
        svc.sanction_propose(by=w.director, **given)
    assert field in refused.value.message_dict
    assert everything() == before


def test_another_village_s_person_or_organisation_is_refused(w):
    before = everything()
    with pytest.raises(ValidationError) as refused:
        svc.sanction_propose(person=w.theirs, action="warning", reason="漏巡", by=w.director)
    assert "person" in refused.value.message_dict
    with pytest.raises(ValidationError):
        svc.sanction_propose(
            organisation=w.other_org, action="warning", reason="漏巡", by=w.director
        )
    with pytest.raises(ValidationError):  # one subject, not two, not none
        svc.sanction_propose(
            person=w.person, organisation=w.org, action="warning", reason="x", by=w.director
        )
    with pytest.raises(NotYours):  # a patrol member proposes nothing
        svc.sanction_propose(person=w.person, action="warning", reason="x", by=w.world.patrol1)
    assert everything() == before


# ---- deciding -----------------------------------------------------------------------------------


def proposed(w, action=Action.BONUS, amount="200", by=None, **fields):
    return svc.sanction_propose(
        person=fields.pop("person", w.person),
        action=action,
        amount=amount if action in (Action.BONUS, Action.SUBSIDY) else None,
        reason="夜巡发现火情",
        by=by or w.officer,
        **fields,
    )


def test_the_proposer_does_not_decide_four_eyes(w):
    sanction = proposed(w)
    before = everything()
    with pytest.raises(ValidationError, match="双人把关"):
        svc.sanction_decide(sanction=sanction, approve=True, by=w.officer)
    assert everything() == before


def test_a_village_director_or_another_township_does_not_decide(w):
    sanction = proposed(w, by=w.director)
    before = everything()
    for user in (w.director, w.world.township2_officer):
        with pytest.raises(NotYours):
            svc.sanction_decide(sanction=sanction, approve=True, by=user)
    assert everything() == before


def test_an_approved_bonus_becomes_a_payment_request_to_be_paid(
    w, django_capture_on_commit_callbacks
):
    sanction = proposed(w, by=w.director)
    with django_capture_on_commit_callbacks(execute=True):
        decided = svc.sanction_decide(sanction=sanction, approve=True, note="同意", by=w.officer)
    assert decided.status == SanctionStatus.APPROVED and decided.decided_by == w.officer
    payment = PaymentRequest.objects.get(sanction=sanction)
    assert (payment.amount, payment.payee_person, payment.region, payment.status) == (
        Decimal("200.00"),
        w.person,
        w.world.village1,
        PaymentStatus.TO_BE_PAID,  # no funds book has registered yet
    )
    assert Notification.objects.filter(user=w.director, kind="assessment").exists()
    before = everything()
    with pytest.raises(ValidationError):  # decided once
        svc.sanction_decide(sanction=sanction, approve=False, note="撤回", by=w.officer2)
    assert everything() == before


def test_a_registered_funds_book_takes_the_request_after_commit(
    w, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(payments, "HANDLERS", [])
    payments.register(lambda request: f"FB-{request.pk}")
    sanction = proposed(w, action=Action.SUBSIDY, amount="88.50")
    with django_capture_on_commit_callbacks(execute=True):
        svc.sanction_decide(sanction=sanction, approve=True, by=w.officer2)
    payment = PaymentRequest.objects.get(sanction=sanction)
    assert payment.status == PaymentStatus.HANDED_ON and payment.reference == f"FB-{payment.pk}"


def test_a_warning_approved_asks_no_payment_and_a_rejection_needs_its_reason(w):
    warning = proposed(w, action=Action.WARNING)
    svc.sanction_decide(sanction=warning, approve=True, by=w.officer2)
    assert not PaymentRequest.objects.exists()
    bonus = proposed(w)
    before = everything()
    with pytest.raises(ValidationError) as refused:
        svc.sanction_decide(sanction=bonus, approve=False, note=" ", by=w.officer2)
    assert "note" in refused.value.message_dict
    assert everything() == before
    rejected = svc.sanction_decide(sanction=bonus, approve=False, note="证据不足", by=w.officer2)
    assert rejected.status == SanctionStatus.REJECTED and not PaymentRequest.objects.exists()


# ---- publishing ---------------------------------------------------------------------------------


def test_only_an_approved_sanction_is_published(w):
    sanction = proposed(w, action=Action.COMMENDATION)
    before = everything()
    with pytest.raises(ValidationError):
        svc.sanction_publish(sanction=sanction, by=w.officer2)
    assert everything() == before
    svc.sanction_decide(sanction=sanction, approve=False, note="不予表彰", by=w.officer2)
    with pytest.raises(ValidationError):
        svc.sanction_publish(sanction=sanction, by=w.officer2)
    assert Sanction.objects.get(pk=sanction.pk).published_at is None


def test_publishing_puts_it_on_the_board_and_duty_gets_a_due_date(w):
    duty = proposed(w, action=Action.MAKE_UP_DUTY)
    svc.sanction_decide(sanction=duty, approve=True, by=w.officer2)
    published = svc.sanction_publish(sanction=duty, by=w.director)  # the village's director
    assert published.status == SanctionStatus.PUBLISHED and published.published_at
    assert published.due_on == timezone.localdate() + dt.timedelta(days=14)
    with pytest.raises(ValidationError):
        svc.sanction_publish(sanction=duty, by=w.officer)  # once

    order_ = proposed(w, action=Action.RECTIFICATION)
    svc.sanction_decide(sanction=order_, approve=True, by=w.officer2)
    before = everything()
    with pytest.raises(ValidationError) as refused:
        svc.sanction_publish(sanction=order_, due_on=timezone.localdate(), by=w.officer)
    assert "due_on" in refused.value.message_dict
    assert everything() == before
    day = timezone.localdate() + dt.timedelta(days=45)
    assert svc.sanction_publish(sanction=order_, due_on=day, by=w.officer).due_on == day

    praise = proposed(w, action=Action.COMMENDATION)
    svc.sanction_decide(sanction=praise, approve=True, by=w.officer2)
    assert svc.sanction_publish(sanction=praise, due_on=day, by=w.officer).due_on is None


def test_another_village_s_director_does_not_publish(w):
    sanction = proposed(w, action=Action.COMMENDATION)
    svc.sanction_decide(sanction=sanction, approve=True, by=w.officer2)
    before = everything()
    for user in (w.world.director2, w.world.township2_officer):
        with pytest.raises(NotYours):
            svc.sanction_publish(sanction=sanction, by=user)
    assert everything() == before


# ---- the escalation ladder ----------------------------------------------------------------------


def test_a_subject_gets_only_the_highest_rung_it_reaches(w):
    svc.default_rules(w.world.township, w.officer)
    shifts(w, w.person, [Outcome.MISSED] * 3)
    shifts(w, w.member, [Outcome.MISSED] * 2, first_day=6)

    made = svc.sanctions_propose_from_results(run=closed_run(w), by=w.officer)

    assert sorted((s.subject.name, s.action) for s in made) == sorted(
        [(w.person.name, Action.RECTIFICATION), (w.member.name, Action.WARNING)]
    )
    assert not Sanction.objects.filter(person=w.person, action=Action.WARNING).exists()


def test_climbing_the_ladder_later_in_the_period_adds_only_the_higher_rung(w, time_machine):
    svc.default_rules(w.world.township, w.officer)
    shifts(w, w.person, [Outcome.MISSED])
    (first,) = svc.sanctions_propose_from_results(run=closed_run(w), by=w.officer)
    assert first.action == Action.WARNING

    time_machine.shift(dt.timedelta(hours=1))
    shifts(w, w.person, [Outcome.MISSED] * 2, first_day=6)
    later = closed_run(w, level=Level.ORGANISATION)
    (second,) = svc.sanctions_propose_from_results(run=later, by=w.officer)
    assert second.action == Action.RECTIFICATION and second.person == w.person
    before = everything()
    assert svc.sanctions_propose_from_results(run=later, by=w.officer2) == []  # idempotent
    assert everything() == before


def test_no_lower_rung_once_a_higher_one_was_proposed_for_the_period(w, time_machine):
    svc.default_rules(w.world.township, w.officer)
    misses = shifts(w, w.person, [Outcome.MISSED] * 3)
    (top,) = svc.sanctions_propose_from_results(run=closed_run(w), by=w.officer)
    assert top.action == Action.RECTIFICATION

    time_machine.shift(dt.timedelta(hours=1))
    for assignment in misses[1:]:  # two misses excused afterwards: one left
        assignment.outcome = Outcome.EXCUSED
        assignment.save()
    before = everything()
    later = closed_run(w, level=Level.ORGANISATION)
    assert svc.sanctions_propose_from_results(run=later, by=w.officer) == []
    assert everything() == before


def test_each_grade_is_a_ladder_of_its_own(w):
    rule(w, "grade", 1, Action.COMMENDATION, grade="优秀")
    rule(w, "grade", 1, Action.WARNING, grade="不合格")
    run = closed_run(w)
    Score.objects.create(
        run=run, region=w.world.village1, person=w.person, computed=95, final=95, grade="优秀"
    )
    Score.objects.create(
        run=run, region=w.world.village1, person=w.member, computed=40, final=40, grade="不合格"
    )
    made = svc.sanctions_propose_from_results(run=run, by=w.officer)
    assert sorted((s.subject.name, s.action) for s in made) == sorted(
        [(w.person.name, Action.COMMENDATION), (w.member.name, Action.WARNING)]
    )


# ---- what goes on the village board -------------------------------------------------------------


def test_id_and_phone_numbers_in_a_reason_are_refused_and_named_masked(w):
    before = everything()
    with pytest.raises(ValidationError) as refused:
        svc.sanction_propose(
            person=w.person,
            action=Action.COMMENDATION,
            reason="身份证330681199001011234，电话13812345678",
            by=w.director,
        )
    (message,) = refused.value.message_dict["reason"]
    assert "330681***********4" in message and "138****5678" in message
    assert "13812345678" not in message and "199001011234" not in message
    assert everything() == before


def test_a_due_day_not_after_today_is_refused_saying_it_must_be_after_today(w):
    order_ = proposed(w, action=Action.RECTIFICATION)
    svc.sanction_decide(sanction=order_, approve=True, by=w.officer2)
    for language, text in (("en", "must be after today"), ("zh-hans", "须在今天之后")):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            svc.sanction_publish(sanction=order_, due_on=timezone.localdate(), by=w.officer)
        assert text in refused.value.message_dict["due_on"][0]


# ---- deciding many at once ----------------------------------------------------------------------


def test_many_are_decided_at_once_but_never_the_user_s_own(w):
    mine = proposed(w, action=Action.WARNING, by=w.officer2)
    others = [proposed(w, action=Action.COMMENDATION, by=w.officer), proposed(w, by=w.director)]

    done = svc.sanctions_decide_many(sanctions=[*others, mine], approve=True, by=w.officer2)

    assert [s.pk for s in done.decided] == [s.pk for s in others] and done.own == [mine]
    assert done.skipped == []
    assert set(Sanction.objects.filter(decided_by=w.officer2).values_list("status", flat=True)) == {
        SanctionStatus.APPROVED
    }
    assert Sanction.objects.get(pk=mine.pk).status == SanctionStatus.PROPOSED  # four eyes
    assert PaymentRequest.objects.get().sanction_id == others[1].pk  # the bonus asks to be paid
    for proposer in (w.officer, w.director):  # each told once
        assert Notification.objects.filter(user=proposer, kind="assessment").count() == 1
    # decided already: skipped, not decided again
    before = everything()
    again = svc.sanctions_decide_many(sanctions=others, approve=False, note="撤回", by=w.officer2)
    assert again.decided == [] and len(again.skipped) == 2
    assert everything() == before


def test_rejecting_many_takes_one_note_asked_before_anything_is_decided(w):
    rows = [proposed(w, action=Action.WARNING, by=w.officer) for _ in range(2)]
    before = everything()
    with pytest.raises(ValidationError) as refused:
        svc.sanctions_decide_many(sanctions=rows, approve=False, note="  ", by=w.officer2)
    assert "note" in refused.value.message_dict
    assert everything() == before
    done = svc.sanctions_decide_many(sanctions=rows, approve=False, note="证据不足", by=w.officer2)
    assert [(s.status, s.decision_note) for s in done.decided] == [
        (SanctionStatus.REJECTED, "证据不足")
    ] * 2


def test_a_director_or_another_township_decides_none_of_many(w):
    rows = [proposed(w, action=Action.WARNING, by=w.officer)]
    before = everything()
    for user in (w.director, w.world.township2_officer):
        done = svc.sanctions_decide_many(sanctions=rows, approve=True, by=user)
        assert done.decided == [] and done.skipped == rows
    assert everything() == before
