"""Security contracts settled against their terms (治安承包结算): each measure on a small world,
the settlement computed and approved, every refusal, four eyes, the payment request and the
contract's status after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from qunfang.casebook.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseOutcome,
    CaseStatus,
    CaseType,
    ReporterKind,
)
from qunfang.casebook.services.cases import register_case
from qunfang.core.days import local_midnight
from qunfang.core.roles import Role
from qunfang.core.services import user_create
from qunfang.governance.assessment import metrics
from qunfang.governance.models import (
    ContractSettlement,
    PaymentRequest,
    PaymentStatus,
    SettlementLine,
    SettlementStatus,
)
from qunfang.governance.services import settlements as svc
from qunfang.patrols.models import Assignment, Outcome, Roster, RosterStatus, Shift, ShiftPattern
from qunfang.registry.models import (
    ContractStatus,
    Membership,
    Metric,
    PerformanceTerm,
    Person,
    Post,
    SecurityContract,
)
from tests.clock import MIDWEEK
from tests.factories import TEST_PASSWORD, contract_for, organisation_for

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]


@pytest.fixture(autouse=True)
def _english():
    """The refusals are matched by their English words."""
    with translation.override("en"):
        yield


FIRST, LAST = dt.date(2028, 1, 1), dt.date(2028, 12, 31)  # a whole year: exactly 12 months
M = Metric


# ---- a small world ------------------------------------------------------------------------------


def person_in(village, name: str) -> Person:
    return Person.objects.create(region=village, name=name, sex="M", birth_date=dt.date(1980, 1, 1))


def active_contract(village, *, contractor=None, terms=(), amount="12000.00", **fields):
    """A contract in force over 2028 (its term over on MIDWEEK) with exactly `terms`:
    (metric, comparator, target, deduction, bonus)."""
    values = {"starts_on": FIRST, "ends_on": LAST, "amount": Decimal(amount), **fields}
    contract = contract_for(village, status="active", contractor=contractor, **values)
    contract.terms.all().delete()
    for metric, comparator, target, deduction, bonus in terms:
        PerformanceTerm.objects.create(
            contract=contract,
            metric=metric,
            comparator=comparator,
            target=Decimal(target),
            deduction=Decimal(deduction),
            bonus=Decimal(bonus),
        )
    return contract


class Patrols:
    """Published rosters of 8-hour night shifts, one pattern per village."""

    def __init__(self, world) -> None:
        self.world, self.patterns, self.rosters = world, {}, {}

    def roster(self, village, status=RosterStatus.PUBLISHED) -> Roster:
        key = (village.pk, status)
        if key not in self.rosters:
            self.rosters[key] = Roster.objects.create(
                region=village,
                starts_on=dt.date(2027, 12, 1),
                ends_on=dt.date(2029, 1, 31),
                status=status,
                created_by=self.world.township_officer,
            )
        return self.rosters[key]

    def shift(self, village, day: dt.date, *, status=RosterStatus.PUBLISHED, hours=8) -> Shift:
        if village.pk not in self.patterns:
            self.patterns[village.pk] = ShiftPattern.objects.create(
                region=village,
                name=f"{village.name}夜班",
                starts_at=dt.time(20),
                duration_minutes=hours * 60,
                headcount=2,
                valid_from=dt.date(2027, 1, 1),
            )
        pattern = self.patterns[village.pk]
        starts = local_midnight(day) + dt.timedelta(hours=20)
        roster = self.roster(village, status)
        shift, _ = Shift.objects.get_or_create(
            roster=roster,
            pattern=pattern,
            service_date=day,
            defaults={
                "region": village,
                "starts_at": starts,
                "ends_at": starts + dt.timedelta(hours=hours),
                "night": True,
                "headcount": 2,
            },
        )
        return shift

    def on(self, person, day, outcome, village=None, **kw) -> Assignment:
        village = village or person.region
        shift = self.shift(village, day, **kw)
        return Assignment.objects.create(
            shift=shift, region=village, person=person, outcome=outcome
        )


def case_in(world, day: dt.date, code="theft", *, village=None, hour=22, **fields) -> Case:
    village = village or world.village1
    director = world.director1 if village == world.village1 else world.director2
    occurred = local_midnight(day) + dt.timedelta(hours=hour)
    return register_case(
        case=Case(
            region=village,
            case_type=CaseType.objects.get(code=code),
            title="夜间电动车被盗",
            description="停在院里的电动车不见了。",
            occurred_at=occurred,
            reported_at=fields.pop("reported_at", occurred + dt.timedelta(minutes=30)),
            reporter_kind=ReporterKind.PERSON,
            reporter_name="楼阿根",
            **fields,
        ),
        by=director,
    )


def taken_up(case: Case, after: dt.timedelta, by) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.TRANSITION,
        from_status=CaseStatus.REGISTERED,
        to_status=CaseStatus.ACCEPTED,
        by=by,
        at=case.reported_at + after,
    )


def officer2(world):
    return user_create(
        username="township_b",
        password=TEST_PASSWORD,
        region=world.township,
        roles={Role.TOWNSHIP_OFFICER},
        full_name="钱海波",
    )


def measured(contract, *wanted, cutoff=None):
    found = metrics.measure(contract, wanted, cutoff or timezone.now())
    return found if len(wanted) > 1 else found[wanted[0]]


# ---- the measures -------------------------------------------------------------------------------


def test_patrol_hours_and_completion_count_the_contractors_shifts_in_the_area(world):
    p = Patrols(world)
    who = person_in(world.village1, "承包人甲")
    other = person_in(world.village1, "村民乙")
    served = p.on(who, dt.date(2028, 2, 1), Outcome.SERVED)
    p.on(who, dt.date(2028, 3, 1), Outcome.LATE)
    p.on(who, dt.date(2028, 4, 1), Outcome.PARTIAL)
    missed = p.on(who, dt.date(2028, 5, 1), Outcome.MISSED)
    p.on(who, dt.date(2028, 6, 1), Outcome.EXCUSED)  # not due: neither done nor missed
    # not counted: another village's shift, a day outside the term, a draft roster, someone else
    p.on(who, dt.date(2028, 7, 1), Outcome.SERVED, village=world.village2)
    p.on(who, dt.date(2027, 12, 31), Outcome.SERVED)
    p.on(who, dt.date(2028, 8, 1), Outcome.SERVED, status=RosterStatus.DRAFT)
    p.on(other, dt.date(2028, 9, 1), Outcome.SERVED)
    contract = active_contract(world.village1, contractor=who)

    found = measured(contract, M.PATROL_HOURS, M.PATROL_COMPLETION)

    hours, completion = found[M.PATROL_HOURS], found[M.PATROL_COMPLETION]
    assert hours.actual == Decimal("2.00")  # 3 shifts × 8 h over 12 months
    assert [ref[0:2] for ref in hours.refs][:1] == [("shift", served.shift_id)]
    assert len(hours.refs) == 3 and hours.refs[0][2] == "2028-02-01"
    assert completion.actual == Decimal("75.00")  # 3 attended of 4 due
    assert completion.refs == [("shift", missed.shift_id, "2028-05-01")]  # what cost it


def test_a_team_counts_its_members_on_the_days_they_held_a_post(world):
    p = Patrols(world)
    team = organisation_for(world.village1, kind="patrol_team", members=0)
    post = Post.objects.create(organisation=team, title="队员", seats=5)
    a, b, outsider = (person_in(world.village1, n) for n in ("队员甲", "队员乙", "非队员"))
    Membership.objects.create(person=a, post=post, started_on=dt.date(2028, 1, 1))
    Membership.objects.create(
        person=b, post=post, started_on=dt.date(2028, 6, 1), ended_on=dt.date(2028, 8, 31)
    )
    p.on(a, dt.date(2028, 2, 1), Outcome.SERVED)
    p.on(b, dt.date(2028, 3, 1), Outcome.SERVED)  # before b joined: not the team's
    p.on(b, dt.date(2028, 7, 1), Outcome.MISSED)
    p.on(b, dt.date(2028, 10, 1), Outcome.SERVED)  # after b left
    p.on(outsider, dt.date(2028, 7, 2), Outcome.SERVED)
    contract = active_contract(world.village1, contractor=team)

    found = measured(contract, M.PATROL_HOURS, M.PATROL_COMPLETION)

    assert found[M.PATROL_HOURS].actual == Decimal("0.67")  # 8 h / 12
    assert found[M.PATROL_COMPLETION].actual == Decimal("50.00")


def test_nothing_rostered_is_nothing_to_measure_for_completion_but_zero_hours(world):
    contract = active_contract(world.village1)
    found = measured(contract, M.PATROL_HOURS, M.PATROL_COMPLETION, M.RESPONSE_MINUTES)
    assert found[M.PATROL_HOURS] == (Decimal("0.00"), [])
    assert found[M.PATROL_COMPLETION] == (None, [])
    assert found[M.RESPONSE_MINUTES] == (None, [])


def test_thefts_and_incidents_per_month_in_the_area(world):
    thefts = [case_in(world, dt.date(2028, 3, 5)), case_in(world, dt.date(2028, 9, 9))]
    burglary = case_in(world, dt.date(2028, 11, 1), "burglary")
    dispute = case_in(world, dt.date(2028, 4, 4), "dispute")
    unfounded = case_in(world, dt.date(2028, 5, 5))
    unfounded.status, unfounded.outcome = CaseStatus.CLOSED, CaseOutcome.UNFOUNDED
    unfounded.save()
    case_in(world, dt.date(2028, 6, 6), village=world.village2)  # another village
    case_in(world, dt.date(2027, 12, 30))  # before the term
    contract = active_contract(world.village1)

    found = measured(contract, M.THEFTS, M.INCIDENTS)

    assert found[M.THEFTS].actual == Decimal("0.25")  # 3 / 12
    assert {r[1] for r in found[M.THEFTS].refs} == {thefts[0].pk, thefts[1].pk, burglary.pk}
    assert found[M.THEFTS].refs[0][2] == thefts[0].number
    assert found[M.INCIDENTS].actual == Decimal("0.33")  # 4 / 12
    assert dispute.pk in {r[1] for r in found[M.INCIDENTS].refs}


def test_an_area_of_villager_groups_counts_the_cases_of_those_groups(world):
    in_group = case_in(world, dt.date(2028, 3, 5), group=world.group1)
    case_in(world, dt.date(2028, 3, 6))  # the village, no group given
    contract = active_contract(world.village1)
    contract.area.set([world.group1])
    found = measured(contract, M.INCIDENTS)
    assert [r[1] for r in found.refs] == [in_group.pk]


def test_response_minutes_is_the_median_wait_for_the_first_handling(world):
    quick = case_in(world, dt.date(2028, 3, 5))
    slow = case_in(world, dt.date(2028, 4, 5))
    waiting = case_in(world, dt.date(2028, 12, 31), hour=23)  # never taken up
    taken_up(quick, dt.timedelta(minutes=20), world.director1)
    taken_up(slow, dt.timedelta(minutes=95), world.director1)
    later = taken_up(slow, dt.timedelta(hours=9), world.director1)  # not the first
    assert later.at > slow.reported_at
    contract = active_contract(world.village1)

    found = measured(contract, M.RESPONSE_MINUTES)

    assert found.actual == Decimal("95.00")  # median of 20, 95 and the waiting one's minutes
    labels = {r[1]: r[2] for r in found.refs}
    assert labels[quick.pk] == f"{quick.number} · 20′"
    waited = int((timezone.now() - waiting.reported_at).total_seconds() // 60)
    assert labels[waiting.pk] == f"{waiting.number} · {waited}′"


def test_the_measures_read_the_records_as_they_stood_at_the_cut_off(world, time_machine):
    p = Patrols(world)
    who = person_in(world.village1, "承包人甲")
    shift_row = p.on(who, dt.date(2028, 2, 1), Outcome.SERVED)
    p.on(who, dt.date(2028, 3, 1), Outcome.SERVED)
    contract = active_contract(world.village1, contractor=who)
    cutoff = timezone.now()
    time_machine.move_to(MIDWEEK + dt.timedelta(hours=2), tick=False)
    shift_row.outcome = Outcome.MISSED  # corrected later
    shift_row.save()
    case_in(world, dt.date(2028, 3, 3))  # registered later

    then = measured(contract, M.PATROL_COMPLETION, M.INCIDENTS, cutoff=cutoff)
    now = measured(contract, M.PATROL_COMPLETION, M.INCIDENTS)

    assert then[M.PATROL_COMPLETION].actual == Decimal("100.00")
    assert then[M.INCIDENTS].actual == Decimal("0.00")
    assert now[M.PATROL_COMPLETION].actual == Decimal("50.00")
    assert now[M.INCIDENTS].actual == Decimal("0.08")


def test_a_part_of_a_month_counts_by_its_days(world):
    contract = active_contract(
        world.village1, starts_on=dt.date(2028, 1, 15), ends_on=dt.date(2028, 2, 14)
    )
    scope = metrics.scope_of(contract, timezone.now())
    assert scope.months == Decimal(17) / 31 + Decimal(14) / 29


# ---- computing ----------------------------------------------------------------------------------


@pytest.fixture
def s(world):
    """A contractor who served 3 of 4 shifts in 2028 (24 h); two thefts in the village."""
    p = Patrols(world)
    who = person_in(world.village1, "承包人甲")
    for month, outcome in ((2, Outcome.SERVED), (3, Outcome.SERVED), (4, Outcome.SERVED)):
        p.on(who, dt.date(2028, month, 1), outcome)
    p.on(who, dt.date(2028, 5, 1), Outcome.MISSED)
    case_in(world, dt.date(2028, 3, 5))
    case_in(world, dt.date(2028, 9, 9))
    terms = [
        (M.THEFTS, "lte", "1", "500", "300"),  # 0.17 a month: met → +300
        (M.PATROL_COMPLETION, "gte", "90", "1000", "200"),  # 75 %: missed → −1000
        (M.PATROL_HOURS, "gte", "2", "400", "100"),  # 2.00 h a month: met → +100
        (M.RESPONSE_MINUTES, "lte", "30", "250", "50"),  # nothing reported taken up → huge
    ]
    contract = active_contract(world.village1, contractor=who, terms=terms)
    return SimpleNamespace(world=world, who=who, contract=contract, patrols=p)


def _status(contract) -> str:
    return SecurityContract.objects.get(pk=contract.pk).status


def test_a_director_settles_a_contract_term_by_term(s):
    settlement = svc.settlement_compute(contract=s.contract, by=s.world.director1)

    lines = {line.metric: line for line in settlement.lines.all()}
    assert lines[M.THEFTS].met and lines[M.THEFTS].bonus == Decimal(300)
    assert lines[M.THEFTS].deduction == 0 and lines[M.THEFTS].actual == Decimal("0.17")
    missed = lines[M.PATROL_COMPLETION]
    assert not missed.met and missed.deduction == Decimal(1000) and missed.bonus == 0
    assert lines[M.PATROL_HOURS].met and lines[M.PATROL_HOURS].bonus == Decimal(100)
    assert not lines[M.RESPONSE_MINUTES].met
    assert lines[M.RESPONSE_MINUTES].deduction == Decimal(250)
    assert settlement.deductions == Decimal("1250.00")
    assert settlement.bonuses == Decimal("400.00")
    assert settlement.total == Decimal("11150.00")  # 12000 − 1250 + 400
    assert settlement.status == SettlementStatus.COMPUTED
    assert settlement.computed_by == s.world.director1
    assert settlement.cutoff == timezone.now() and settlement.region == s.world.village1
    assert _status(s.contract) == ContractStatus.ACTIVE  # settled only once approved
    assert not PaymentRequest.objects.exists()


def test_the_township_is_told_a_settlement_waits_for_approval(s):
    from qunfang.core.models import Notification

    svc.settlement_compute(contract=s.contract, by=s.world.director1)
    told = Notification.objects.filter(user=s.world.township_officer)
    assert told.count() == 1 and "/settlements/" in told.get().url
    assert not Notification.objects.filter(user=s.world.township2_officer).exists()


def test_a_term_with_nothing_to_measure_costs_and_earns_nothing(world):
    contract = active_contract(
        world.village1, terms=[(M.PATROL_COMPLETION, "gte", "90", "1000", "200")]
    )
    settlement = svc.settlement_compute(contract=contract, by=world.director1)
    line = settlement.lines.get()
    assert line.actual is None and not line.met
    assert (line.deduction, line.bonus) == (0, 0)
    assert settlement.total == contract.amount


def test_computing_again_replaces_the_figures_until_approved(s, time_machine):
    first = svc.settlement_compute(contract=s.contract, by=s.world.director1)
    time_machine.move_to(MIDWEEK + dt.timedelta(hours=1), tick=False)
    before = first.lines.get(metric=M.RESPONSE_MINUTES).actual
    for case in Case.objects.filter(region=s.world.village1):
        taken_up(case, dt.timedelta(minutes=10), s.world.director1)  # entered late
    again = svc.settlement_compute(contract=s.contract, by=s.world.township_officer)
    assert again.pk == first.pk
    assert ContractSettlement.objects.count() == 1
    assert SettlementLine.objects.filter(settlement=again).count() == 4
    response = again.lines.get(metric=M.RESPONSE_MINUTES)
    assert response.actual == Decimal(10) < before and response.met and response.bonus == 50
    assert again.total == Decimal("11450.00")  # 12000 − 1000 + 300 + 100 + 50
    assert again.computed_by == s.world.township_officer and again.cutoff > first.cutoff


def test_the_total_is_never_below_nothing_and_nothing_is_paid(world):
    contract = active_contract(
        world.village1, amount="300.00", terms=[(M.PATROL_HOURS, "gte", "10", "500", "0")]
    )
    settlement = svc.settlement_compute(contract=contract, by=world.director1)
    assert settlement.deductions == Decimal(500) and settlement.total == 0
    svc.settlement_approve(settlement=settlement, by=world.township_officer)
    assert _status(contract) == ContractStatus.SETTLED
    assert not PaymentRequest.objects.exists()


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (ContractStatus.DRAFT, "draft"),
        (ContractStatus.SIGNED, "not put in force"),
        (ContractStatus.TERMINATED, "terminated"),
        (ContractStatus.SETTLED, "already been settled"),
    ],
)
def test_only_a_contract_in_force_is_settled(world, status, words):
    contract = contract_for(world.village1, status=status, starts_on=FIRST, ends_on=LAST)
    with pytest.raises(ValidationError) as refused:
        svc.settlement_compute(contract=contract, by=world.director1)
    assert words in refused.value.messages[0]
    assert not ContractSettlement.objects.exists()
    assert _status(contract) == status


def test_a_contract_is_settled_once_its_term_is_over(world):
    today = timezone.localdate()
    contract = active_contract(world.village1, starts_on=FIRST, ends_on=today)
    with pytest.raises(ValidationError) as refused:
        svc.settlement_compute(contract=contract, by=world.director1)
    assert f"{today + dt.timedelta(days=1):%Y-%m-%d}" in refused.value.messages[0]
    assert not ContractSettlement.objects.exists()
    contract.ends_on = today - dt.timedelta(days=1)
    contract.save()
    assert svc.settlement_compute(contract=contract, by=world.director1).pk


@pytest.mark.parametrize("who", ["director2", "township2_officer", "police", "auditor", "patrol1"])
def test_only_the_village_and_its_township_compute(s, who):
    with pytest.raises(PermissionDenied):
        svc.settlement_compute(contract=s.contract, by=getattr(s.world, who))
    assert not ContractSettlement.objects.exists()


# ---- approving ----------------------------------------------------------------------------------


def test_the_township_approves_the_contract_is_settled_and_funds_are_asked_to_pay(s):
    settlement = svc.settlement_compute(contract=s.contract, by=s.world.director1)
    approved = svc.settlement_approve(settlement=settlement, by=s.world.township_officer)

    assert approved.status == SettlementStatus.APPROVED
    assert approved.approved_by == s.world.township_officer
    assert approved.approved_at == timezone.now()
    contract = SecurityContract.objects.get(pk=s.contract.pk)
    assert contract.status == ContractStatus.SETTLED
    assert contract.closed_on == timezone.localdate()
    assert "11150.00" in contract.close_note and "1250.00" in contract.close_note
    payment = PaymentRequest.objects.get()
    assert payment.settlement == approved and payment.amount == Decimal("11150.00")
    assert payment.payee_person == s.who and payment.payee_organisation is None
    assert payment.region == s.world.village1 and payment.status == PaymentStatus.TO_BE_PAID
    assert s.contract.number in payment.purpose


def test_a_teams_settlement_is_paid_to_the_team(world):
    team = organisation_for(world.village1, kind="patrol_team", members=1)
    contract = active_contract(world.village1, contractor=team)
    settlement = svc.settlement_compute(contract=contract, by=world.township_officer)
    svc.settlement_approve(settlement=settlement, by=officer2(world))
    payment = PaymentRequest.objects.get()
    assert payment.payee_organisation == team and payment.payee_person is None
    assert payment.amount == contract.amount


def test_four_eyes_who_computed_does_not_approve(s):
    settlement = svc.settlement_compute(contract=s.contract, by=s.world.township_officer)
    with pytest.raises(ValidationError, match="someone other than"):
        svc.settlement_approve(settlement=settlement, by=s.world.township_officer)
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.COMPUTED
    assert _status(s.contract) == ContractStatus.ACTIVE
    assert not PaymentRequest.objects.exists()
    svc.settlement_approve(settlement=settlement, by=officer2(s.world))
    assert _status(s.contract) == ContractStatus.SETTLED


def test_a_settlement_is_approved_once(s):
    settlement = svc.settlement_compute(contract=s.contract, by=s.world.director1)
    svc.settlement_approve(settlement=settlement, by=s.world.township_officer)
    with pytest.raises(ValidationError, match="already been approved"):
        svc.settlement_approve(settlement=settlement, by=officer2(s.world))
    assert PaymentRequest.objects.count() == 1
    with pytest.raises(ValidationError, match="already been settled"):
        svc.settlement_compute(
            contract=SecurityContract.objects.get(pk=s.contract.pk), by=s.world.director1
        )


@pytest.mark.parametrize("who", ["director1", "director2", "township2_officer", "police"])
def test_only_the_township_approves(s, who):
    settlement = svc.settlement_compute(contract=s.contract, by=s.world.township_officer)
    with pytest.raises(PermissionDenied):
        svc.settlement_approve(settlement=settlement, by=getattr(s.world, who))
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.COMPUTED
    assert _status(s.contract) == ContractStatus.ACTIVE


def test_a_contract_terminated_meanwhile_is_not_settled(s):
    settlement = svc.settlement_compute(contract=s.contract, by=s.world.director1)
    SecurityContract.objects.filter(pk=s.contract.pk).update(status=ContractStatus.TERMINATED)
    with pytest.raises(ValidationError, match="cannot be approved"):
        svc.settlement_approve(settlement=settlement, by=s.world.township_officer)
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.COMPUTED
    assert not PaymentRequest.objects.exists()
