"""The assessment's indicators from the governance and registry records: meetings held, meeting
attendance, training hours, rules in force and decisions done in time. Each is computed on a
small township as its records stood at the cut-off: a change written after the cut-off (the
clock moved on, the record saved) leaves what is computed as of the cut-off as it was, and is
seen by a run with a later cut-off."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from qunfang.governance.assessment.catalogue import INDICATORS, REF_PAGES, Context, Unit
from qunfang.governance.assessment.indicators import governance as ind
from qunfang.governance.assessment.periods import Period
from qunfang.governance.models import (
    Attendance,
    AttendanceStatus,
    Decision,
    DecisionStatus,
    Enrolment,
    Mandate,
    MeetingStatus,
)
from qunfang.registry.models import OrgStatus, Person, TrainingRecord
from tests.clock import MIDWEEK, SHANGHAI
from tests.factories import (
    course_for,
    meeting_for,
    meeting_schedule_for,
    organisation_for,
    rule_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]

LATER = MIDWEEK + dt.timedelta(days=1)  # when the records are changed, after the cut-off
DECEMBER = "2028-12"  # the period assessed: MIDWEEK (2029-01-10) is the cut-off, after it


def context(world, period=DECEMBER, cutoff=MIDWEEK):
    return Context(
        period=Period.parse(period),
        cutoff=cutoff,
        township=world.township.pk,
        villages=[world.village1.pk, world.village2.pk],
    )


def at(day, hour=9):
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=SHANGHAI)


def tally(items, key):
    """{subject: (done, due)} over the items, `key` picking the subject of an item."""
    out = {}
    for item in items:
        done, due = out.get(key(item), (Decimal(0), Decimal(0)))
        out[key(item)] = (done + item.done, due + item.due)
    return out


def by_org(items):
    return tally(items, lambda item: item.organisation)


def by_person(items):
    return tally(items, lambda item: item.person)


def person_of(village, name):
    return Person.objects.create(region=village, name=name, sex="F", birth_date=dt.date(1980, 1, 1))


def test_the_five_are_registered_with_their_pages():
    codes = {
        "meetings_held": (Unit.RATE, 100),
        "meeting_attendance": (Unit.RATE, 90),
        "training_hours": (Unit.AMOUNT, 2),
        "rules_in_force": (Unit.RATE, 100),
        "decisions_done_in_time": (Unit.RATE, 90),
    }
    for code, (unit, target) in codes.items():
        found = INDICATORS[code]
        assert (found.unit, found.default_target) == (unit, Decimal(target))
        with translation.override("en"):
            english = (str(found.label), str(found.explanation))
        assert (str(found.label), str(found.explanation)) != english  # translated, both
        assert all(english)
    assert str(INDICATORS["training_hours"].unit_label) == "学时"
    for kind in ("meeting", "meeting_schedule", "course", "training", "rule", "organisation"):
        assert reverse(REF_PAGES[kind], args=[1])


# ---- meetings held ----------------------------------------------------------------------------


@pytest.fixture
def meetings(world):
    """Village 1's committee with meetings held, missed, cancelled and out of the period;
    village 2's patrol team on two monthly schedules, one occurrence booked and held, one never
    put in the book; a dissolved team's schedule; a meeting of another township's village."""
    org = organisation_for(world.village1, members=0)
    team = organisation_for(world.village2, kind="patrol_team", members=0)
    gone = organisation_for(world.village2, kind="patrol_team", members=0)
    gone.status = OrgStatus.DISSOLVED
    gone.save()
    booked = meeting_schedule_for(team, day_of_month=20)
    never = meeting_schedule_for(team, day_of_month=15, title="巡逻队月度例会")
    meeting_schedule_for(gone, day_of_month=15)
    held = meeting_for(org, status="held", scheduled_at=at(dt.date(2028, 12, 5)), invite=False)
    missed = meeting_for(org, scheduled_at=at(dt.date(2028, 12, 12)), invite=False)
    meeting_for(org, status="cancelled", scheduled_at=at(dt.date(2028, 12, 19)), invite=False)
    late = meeting_for(org, scheduled_at=at(dt.date(2028, 12, 26)), invite=False)
    meeting_for(org, status="held", scheduled_at=at(dt.date(2028, 11, 28)), invite=False)
    meeting_for(org, status="held", scheduled_at=at(dt.date(2029, 1, 3)), invite=False)
    twentieth = meeting_for(
        team,
        status="held",
        schedule=booked,
        scheduled_at=at(dt.date(2028, 12, 20)),
        invite=False,
    )
    meeting_for(world.village3, scheduled_at=at(dt.date(2028, 12, 12)), invite=False)
    return locals()


def test_meetings_held_counts_held_of_due_and_leaves_cancelled_out(world, meetings):
    items = ind.meetings_held(context(world))
    org, team = meetings["org"], meetings["team"]
    assert by_org(items) == {org.pk: (1, 3), team.pk: (1, 2)}
    assert {item.village for item in items} == {world.village1.pk, world.village2.pk}
    missed = {item.ref for item in items if item.done == 0}
    assert missed == {
        ("meeting", meetings["missed"].pk, "12-12"),
        ("meeting", meetings["late"].pk, "12-26"),
        ("meeting_schedule", meetings["never"].pk, "12-15"),
    }
    assert ("meeting", meetings["held"].pk, "12-05") in {item.ref for item in items}


def test_meetings_held_as_of_the_cutoff(world, meetings, time_machine):
    time_machine.move_to(LATER, tick=False)
    late = meetings["late"]
    late.status, late.held_at, late.minutes = MeetingStatus.HELD, late.scheduled_at, "补记"
    late.save()
    meeting_for(  # the missed occurrence put in the book afterwards, as held
        meetings["team"],
        status="held",
        schedule=meetings["never"],
        scheduled_at=at(dt.date(2028, 12, 15)),
        invite=False,
    )
    org, team = meetings["org"], meetings["team"]
    assert by_org(ind.meetings_held(context(world))) == {org.pk: (1, 3), team.pk: (1, 2)}
    later = by_org(ind.meetings_held(context(world, cutoff=timezone.now())))
    assert later == {org.pk: (2, 3), team.pk: (2, 2)}


def test_meetings_held_before_the_period_ends(world, meetings):
    """A run cut off on 2029-01-10 at noon: a planned meeting of the 9th is missed, one of that
    morning is not due yet unless it was held, one of the 11th is after the cut-off; a
    schedule's occurrence of the cut-off's day is not missed yet."""
    org, team = meetings["org"], meetings["team"]
    ninth = meeting_for(org, scheduled_at=at(dt.date(2029, 1, 9)), invite=False)
    meeting_for(org, scheduled_at=at(dt.date(2029, 1, 10)), invite=False)
    meeting_for(org, status="held", scheduled_at=at(dt.date(2029, 1, 10), 8), invite=False)
    meeting_for(org, scheduled_at=at(dt.date(2029, 1, 11)), invite=False)
    meeting_schedule_for(team, day_of_month=10, title="巡逻队十日例会")
    items = ind.meetings_held(context(world, period="2029-01"))
    assert by_org(items) == {org.pk: (2, 3)}  # the 3rd (held), the 9th, the 10th at 08:00
    assert [item.ref for item in items if item.done == 0] == [("meeting", ninth.pk, "01-09")]


# ---- meeting attendance -----------------------------------------------------------------------


@pytest.fixture
def roll(world):
    """A meeting of village 1 held on 12-05 with one person each way on the roll; a planned
    and a cancelled meeting with people on their rolls; a meeting of 12-30 held on 01-02."""
    org = organisation_for(world.village1, members=0)
    people = {
        status: person_of(world.village1, f"村民{n}")
        for n, status in enumerate(AttendanceStatus.values)
    }
    held = meeting_for(org, status="held", scheduled_at=at(dt.date(2028, 12, 5)), invite=False)
    marks = {
        status: Attendance.objects.create(meeting=held, person=person, status=status)
        for status, person in people.items()
    }
    planned = meeting_for(org, scheduled_at=at(dt.date(2028, 12, 12)), invite=False)
    cancelled = meeting_for(
        org, status="cancelled", scheduled_at=at(dt.date(2028, 12, 19)), invite=False
    )
    next_year = meeting_for(
        org,
        status="held",
        scheduled_at=at(dt.date(2028, 12, 30)),
        held_at=at(dt.date(2029, 1, 2)),
        invite=False,
    )
    for meeting in (planned, cancelled, next_year):
        Attendance.objects.create(
            meeting=meeting, person=people["absent"], status=AttendanceStatus.ABSENT
        )
    return locals()


def test_attendance_counts_present_and_late_of_those_due(world, roll):
    items = ind.meeting_attendance(context(world))
    people = roll["people"]
    assert by_person(items) == {
        people["present"].pk: (1, 1),
        people["late"].pk: (1, 1),
        people["absent"].pk: (0, 1),
        people["invited"].pk: (0, 1),  # left unmarked on a held meeting's roll: absent
    }
    assert {item.village for item in items} == {world.village1.pk}
    assert {item.ref for item in items} == {("meeting", roll["held"].pk, "12-05")}
    january = ind.meeting_attendance(context(world, period="2029-01"))
    assert by_person(january) == {people["absent"].pk: (0, 1)}  # held on 01-02


def test_attendance_as_of_the_cutoff(world, roll, time_machine):
    time_machine.move_to(LATER, tick=False)
    absent = roll["marks"]["absent"]
    absent.status = AttendanceStatus.PRESENT
    absent.save()
    newcomer = person_of(world.village1, "后补者")
    Attendance.objects.create(
        meeting=roll["held"], person=newcomer, status=AttendanceStatus.PRESENT
    )
    people = roll["people"]
    before = by_person(ind.meeting_attendance(context(world)))
    assert before[people["absent"].pk] == (0, 1)
    assert newcomer.pk not in before
    after = by_person(ind.meeting_attendance(context(world, cutoff=timezone.now())))
    assert after[people["absent"].pk] == (1, 1)
    assert after[newcomer.pk] == (1, 1)


# ---- training hours ---------------------------------------------------------------------------


@pytest.fixture
def training(world):
    """Village 1's 金花 with four hours from a course, three failed and records outside the
    period; village 2's 银花 with two hours entered in the registry; a person of another
    township's village with hours."""
    jin = person_of(world.village1, "金花")
    yin = person_of(world.village2, "银花")
    other = person_of(world.village3, "铜花")

    def record(person, day, hours, passed=None):
        return TrainingRecord.objects.create(
            person=person,
            kind="patrol",
            course="巡逻技能",
            held_on=day,
            hours=Decimal(hours),
            passed=passed,
        )

    course = course_for(world.village1, people=[jin], status="held", starts_on=dt.date(2028, 12, 3))
    from_course = record(jin, dt.date(2028, 12, 3), "4")
    Enrolment.objects.filter(course=course, person=jin).update(
        attended=True, passed=True, record=from_course
    )
    failed = record(jin, dt.date(2028, 12, 10), "3", passed=False)
    record(jin, dt.date(2028, 11, 30), "5")
    record(jin, dt.date(2029, 1, 2), "2")
    entered = record(yin, dt.date(2028, 12, 31), "2")
    record(other, dt.date(2028, 12, 5), "6")
    return locals()


def test_training_hours_of_the_period_a_failed_course_keeps_its_hours(world, training):
    items = ind.training_hours(context(world))
    jin, yin = training["jin"], training["yin"]
    assert by_person(items) == {jin.pk: (7, 0), yin.pk: (2, 0)}
    assert {(item.person, item.village) for item in items} == {
        (jin.pk, world.village1.pk),
        (yin.pk, world.village2.pk),
    }
    refs = {item.ref: item.done for item in items}
    assert refs == {
        ("course", training["course"].pk, "12-03"): 4,
        ("training", jin.pk, "12-10"): 3,  # failed: the hours count, as in the training book
        ("training", yin.pk, "12-31"): 2,
    }


def test_training_hours_as_of_the_cutoff(world, training, time_machine):
    time_machine.move_to(LATER, tick=False)
    entered = training["entered"]
    entered.hours = Decimal("8")
    entered.save()
    TrainingRecord.objects.create(  # entered late, for a day in the period
        person=training["jin"],
        kind="law",
        course="法律常识",
        held_on=dt.date(2028, 12, 20),
        hours=3,
    )
    jin, yin = training["jin"], training["yin"]
    assert by_person(ind.training_hours(context(world))) == {jin.pk: (7, 0), yin.pk: (2, 0)}
    later = by_person(ind.training_hours(context(world, cutoff=timezone.now())))
    assert later == {jin.pk: (10, 0), yin.pk: (8, 0)}


# ---- rules in force ---------------------------------------------------------------------------


@pytest.fixture
def rules(world):
    """The township requires its security committees to have the confidentiality and meetings
    rules. Village 1's committee has confidentiality in force and its meetings rule repealed in
    December; village 2's patrol team (no mandate set: the defaults) has only the patrol rule,
    adopted after the period; a suspended team is not asked."""
    Mandate.objects.create(
        region=world.township,
        org_kind="security_committee",
        text="治安保卫",
        required_rules=["confidentiality", "meetings"],
    )
    committee = organisation_for(world.village1, members=0)
    team = organisation_for(world.village2, kind="patrol_team", members=0)
    idle = organisation_for(world.village2, kind="patrol_team", members=0)
    idle.status = OrgStatus.SUSPENDED
    idle.save()
    secret = rule_for(committee, kind="confidentiality")
    repealed = rule_for(
        committee, kind="meetings", repealed_on=dt.date(2028, 12, 15), repeal_reason="修订"
    )
    rule_for(team, kind="patrol", adopted_on=dt.date(2029, 1, 5))
    outside = organisation_for(world.village3, members=0)
    return locals()


def test_rules_in_force_per_required_rule(world, rules):
    items = ind.rules_in_force(context(world))
    committee, team = rules["committee"], rules["team"]
    # the defaults for a patrol team: meetings, patrol, assessment, rewards
    assert by_org(items) == {committee.pk: (1, 2), team.pk: (0, 4)}
    missing = {item.ref for item in items if item.done == 0 and item.organisation == committee.pk}
    assert missing == {("rule", rules["repealed"].pk, rules["repealed"].title)}
    assert {item.ref[0] for item in items if item.organisation == team.pk} == {"organisation"}
    january = by_org(ind.rules_in_force(context(world, period="2029-01")))
    assert january[team.pk] == (1, 4)  # the patrol rule adopted on 01-05


def test_rules_in_force_as_of_the_cutoff(world, rules, time_machine):
    time_machine.move_to(LATER, tick=False)
    committee = rules["committee"]
    secret = rules["secret"]
    secret.repealed_on, secret.repeal_reason = dt.date(2028, 12, 20), "补记废止"
    secret.save()
    rule_for(committee, kind="meetings", adopted_on=dt.date(2028, 12, 16))
    mandate = Mandate.objects.get(region=world.township, org_kind="security_committee")
    mandate.required_rules = ["confidentiality", "meetings", "reporting"]
    mandate.save()
    assert by_org(ind.rules_in_force(context(world)))[committee.pk] == (1, 2)
    later = by_org(ind.rules_in_force(context(world, cutoff=timezone.now())))
    assert later[committee.pk] == (1, 3)  # meetings now; confidentiality repealed; reporting new


# ---- decisions done in time -------------------------------------------------------------------


@pytest.fixture
def decisions(world):
    """Decisions of a meeting of village 1 held on 12-01, owned by two people: done in time,
    done late, still open, dropped, and due outside the period; one of another township's."""
    org = organisation_for(world.village1, members=0)
    meeting = meeting_for(org, status="held", scheduled_at=at(dt.date(2028, 12, 1)), invite=False)
    ann, bo = person_of(world.village1, "安"), person_of(world.village1, "波")

    def decision(owner, due, status=DecisionStatus.OPEN, done_on=None, on=meeting):
        return Decision.objects.create(
            meeting=on, text="整改", owner=owner, due_on=due, status=status, done_on=done_on
        )

    done = DecisionStatus.DONE
    in_time = decision(ann, dt.date(2028, 12, 10), done, dt.date(2028, 12, 9))
    late = decision(ann, dt.date(2028, 12, 12), done, dt.date(2028, 12, 14))
    still_open = decision(bo, dt.date(2028, 12, 20))
    decision(bo, dt.date(2028, 12, 22), DecisionStatus.DROPPED)
    decision(bo, dt.date(2028, 11, 28))
    decision(bo, dt.date(2029, 1, 5))
    early = decision(bo, dt.date(2029, 1, 9))
    decision(bo, dt.date(2029, 1, 11))
    elsewhere = meeting_for(world.village3, status="held", scheduled_at=at(dt.date(2028, 12, 1)))
    stranger = person_of(world.village3, "丙")
    decision(stranger, dt.date(2028, 12, 10), on=elsewhere)
    return locals()


def test_decisions_done_by_their_due_day(world, decisions):
    items = ind.decisions_done_in_time(context(world))
    ann, bo = decisions["ann"], decisions["bo"]
    assert by_person(items) == {ann.pk: (1, 2), bo.pk: (0, 1)}
    assert {item.village for item in items} == {world.village1.pk}
    meeting = decisions["meeting"].pk
    assert {item.ref for item in items if item.done == 0} == {
        ("meeting", meeting, "12-12"),
        ("meeting", meeting, "12-20"),
    }
    # cut off on 01-10: due on the 5th and the 9th, not yet the one due on the 11th
    january = ind.decisions_done_in_time(context(world, period="2029-01"))
    assert by_person(january) == {bo.pk: (0, 2)}


def test_decisions_as_of_the_cutoff(world, decisions, time_machine):
    time_machine.move_to(LATER, tick=False)
    still_open = decisions["still_open"]
    still_open.status, still_open.done_on = DecisionStatus.DONE, dt.date(2028, 12, 19)
    still_open.save()
    late = decisions["late"]
    late.due_on = dt.date(2028, 12, 31)  # moved afterwards to make it look in time
    late.save()
    ann, bo = decisions["ann"], decisions["bo"]
    assert by_person(ind.decisions_done_in_time(context(world))) == {
        ann.pk: (1, 2),
        bo.pk: (0, 1),
    }
    later = by_person(ind.decisions_done_in_time(context(world, cutoff=timezone.now())))
    assert later == {ann.pk: (2, 2), bo.pk: (1, 1)}


# ---- all five: a few queries --------------------------------------------------------------------


def test_the_five_read_in_a_few_queries_whatever_the_records(
    world, meetings, roll, training, rules, decisions, django_assert_max_num_queries
):
    ctx = context(world)
    with django_assert_max_num_queries(18):
        for code in (
            "meetings_held",
            "meeting_attendance",
            "training_hours",
            "rules_in_force",
            "decisions_done_in_time",
        ):
            assert list(INDICATORS[code].compute(ctx))
