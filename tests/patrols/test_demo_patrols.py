"""The demo's year of patrols: a reduced township (five villages, the joint zone's three
among them) built by the real demo steps, then checked for consistency."""

import random
from collections import Counter

import pytest
from django.db.models import Q
from django.utils import timezone

from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext, step_accounts, step_regions
from qunfang.core.models import Notification, User
from qunfang.patrols.demo import MONTHS, VILLAGE_3, step_patrols
from qunfang.patrols.models import (
    Assignment,
    BusySeason,
    CheckIn,
    DutyLedgerEntry,
    Finding,
    JointZone,
    LedgerKind,
    Outcome,
    PatrolPoint,
    PatrolProfile,
    PatrolSettings,
    PointDisplay,
    Roster,
    RosterStatus,
    RouteStop,
    SwapRequest,
    SwapStatus,
)
from qunfang.patrols.selectors.common import GRACE, may_change
from qunfang.patrols.services.checkin import outcome_from_check_ins
from qunfang.registry.demo import step_registry
from tests.clock import AWKWARD

SETTLES = {
    Outcome.SERVED: {LedgerKind.SERVED},
    Outcome.LATE: {LedgerKind.SERVED},
    Outcome.PARTIAL: {LedgerKind.SERVED},
    Outcome.MISSED: {LedgerKind.MISSED},
    Outcome.EXCUSED: {LedgerKind.EXCUSED, LedgerKind.BOUGHT_OUT},
}


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    context = DemoContext(password="Demo-pass-2026", rng=random.Random(20261128))
    step_regions(context)
    step_accounts(context)
    keep = {VILLAGE_1, VILLAGE_2, VILLAGE_3}
    others = sorted(v.code for v in context.villages if v.code not in keep)[:2]
    context.villages = [v for v in context.villages if v.code in keep | set(others)]
    with django_capture_on_commit_callbacks(execute=True):  # the demo commits: its messages go
        step_registry(context)
        step_patrols(context)
    return context


# The demo follows the calendar: on a month's last evening the month's roster has no shift left
# to come (the next one is a draft), so the checks below run at one fixed, awkward instant (the
# first half hour of a week, a month and a year in Shanghai, still the day before in UTC).
@pytest.mark.time_machine(AWKWARD)
def test_the_demo_year_of_patrols_is_consistent(demo):
    now, today = timezone.now(), timezone.localdate()
    published = Assignment.objects.filter(shift__roster__status=RosterStatus.PUBLISHED)

    # a published roster for every month of the year in every village, a draft for next month
    for village in demo.villages:
        months = Roster.objects.filter(region=village, zone=None, status=RosterStatus.PUBLISHED)
        assert months.count() == MONTHS, village.name
        assert PatrolPoint.objects.filter(region=village).count() in range(3, 6)
    rosters = Roster.objects.filter(status=RosterStatus.PUBLISHED)
    first, last = rosters.order_by("starts_on").first(), rosters.order_by("-starts_on").first()
    assert first.starts_on.day == 1 and last.starts_on <= today <= last.ends_on
    assert (
        today.year - first.starts_on.year
    ) * 12 + today.month - first.starts_on.month == MONTHS - 1
    zone = JointZone.objects.get()
    assert zone.villages.count() == 3 and sum(s.cost_share for s in zone.shares.all()) == 100
    assert Roster.objects.filter(zone=zone, status=RosterStatus.PUBLISHED).count() == MONTHS
    assert Roster.objects.filter(
        region__code=VILLAGE_1, status=RosterStatus.DRAFT, starts_on__gt=today
    ).exists()
    assert BusySeason.objects.filter(region=demo.township).count() >= 4
    assert PatrolProfile.objects.filter(experienced=True).exists()
    assert PatrolProfile.objects.filter(prefers="day").exists()

    # every ended shift is closed; none to come has an outcome but an excuse
    ended = published.filter(shift__ends_at__lt=now - GRACE)
    assert not ended.filter(Q(outcome=Outcome.PLANNED) | Q(closed_at__isnull=True)).exists()
    assert (
        not published.filter(shift__starts_at__gt=now)
        .exclude(outcome__in=[Outcome.PLANNED, Outcome.EXCUSED])
        .exists()
    )
    outcomes = Counter(ended.values_list("outcome", flat=True))
    total = sum(outcomes.values())
    assert 0.02 <= outcomes[Outcome.MISSED] / total <= 0.20, outcomes
    assert all(
        outcomes[o] for o in (Outcome.SERVED, Outcome.LATE, Outcome.PARTIAL, Outcome.EXCUSED)
    ), outcomes

    # each outcome is what the check-ins say (a sample, through the real rule)
    closed = list(ended.exclude(outcome=Outcome.EXCUSED).values_list("pk", flat=True))
    for pk in random.Random(1).sample(closed, min(300, len(closed))):
        a = Assignment.objects.select_related("shift__pattern__route").get(pk=pk)
        assert outcome_from_check_ins(a, list(a.check_ins.all())) == a.outcome, (a.pk, a.outcome)

    # accepted scans are at points of the shift's round
    stops = set(RouteStop.objects.values_list("route_id", "point_id"))
    village_points = set(PatrolPoint.objects.values_list("pk", "region_id"))
    zone_points = set(
        PatrolPoint.objects.filter(region__in=zone.villages.all()).values_list("pk", flat=True)
    )
    scans = CheckIn.objects.filter(accepted=True, point__isnull=False)
    for point, route, region, zone_id in scans.values_list(
        "point_id", "assignment__shift__pattern__route_id", "region_id", "zone_id"
    ):
        if route:
            assert (route, point) in stops
        elif zone_id:
            assert point in zone_points
        else:
            assert (point, region) in village_points
    assert CheckIn.objects.filter(accepted=False, refusal="stale_code").exists()
    assert CheckIn.objects.filter(
        accepted=False, refusal="far_from_point", far_from_point=True
    ).exists()
    assert CheckIn.objects.exclude(finding=Finding.NOTHING).exclude(note="").exists()

    # check-in proof: some scans came without a position; 枫源村 requires one, so there such a
    # scan is refused (and kept), elsewhere it is accepted and marked; its screen has a link
    without = scans.filter(latitude__isnull=True)
    assert without.exists() and not without.filter(point__region__code=VILLAGE_1).exists()
    assert PatrolSettings.objects.get(region__code=VILLAGE_1).positions_required
    assert CheckIn.objects.filter(
        accepted=False, refusal="no_position", point__region__code=VILLAGE_1
    ).exists()
    live = PointDisplay.objects.get(revoked_at=None)
    assert live.point.region.code == VILLAGE_1 and live.point.sign_period == 60
    assert not PatrolPoint.objects.filter(sign_period__gt=7 * 86400).exists()

    # the duty ledger: a turn owed per household turn on a published roster, each closed
    # turn settled the way it ended
    owed = Counter(
        DutyLedgerEntry.objects.filter(kind=LedgerKind.OWED).values_list("household_id", flat=True)
    )
    passed = Counter(
        DutyLedgerEntry.objects.filter(kind=LedgerKind.SWAPPED).values_list(
            "household_id", flat=True
        )
    )
    turns = Counter(
        published.filter(household__isnull=False).values_list("household_id", flat=True)
    )
    assert turns and all(owed[h] - passed[h] == turns[h] for h in set(owed) | set(turns))
    lines = {}
    for assignment_id, kind in DutyLedgerEntry.objects.exclude(kind=LedgerKind.OWED).values_list(
        "assignment_id", "kind"
    ):
        lines.setdefault(assignment_id, set()).add(kind)
    for pk, outcome in ended.filter(household__isnull=False).values_list("pk", "outcome"):
        assert lines.get(pk, set()) & SETTLES[outcome], (pk, outcome, lines.get(pk))
    assert DutyLedgerEntry.objects.filter(kind=LedgerKind.BOUGHT_OUT, amount__gt=0).exists()

    # the demo accounts: patrol1 and patrol2 have shifts today and to come, patrol1 has
    # messages, director1 has a swap to decide
    for username, code in (("patrol1", VILLAGE_1), ("patrol2", VILLAGE_2)):
        user = User.objects.get(username=username)
        person = user.person
        assert person.region.code == code and person.name == user.full_name
        mine = published.filter(person=person)
        assert mine.filter(shift__service_date=today).exists(), username
        assert mine.filter(shift__ends_at__gt=now).exists(), username
    patrol1 = User.objects.get(username="patrol1")
    assert Notification.objects.filter(user=patrol1).count() >= 2
    director1 = User.objects.get(username="director1")
    pending = SwapRequest.objects.visible_to(director1).filter(status=SwapStatus.PENDING)
    assert pending.exists()
    assert SwapRequest.objects.filter(status=SwapStatus.APPROVED).exists()
    assert SwapRequest.objects.filter(status=SwapStatus.REJECTED).exists()

    # seeing is not changing: the joint zone's rosters are made and published by the township
    # that runs it, never by a member village; every decision is made by someone who may
    assert Roster.objects.filter(zone=zone).exists()
    for roster in Roster.objects.select_related("zone__region", "region", "created_by__region"):
        assert may_change(roster.created_by, roster), roster
        if roster.published_by_id:
            assert may_change(roster.published_by, roster), roster
    decided = SwapRequest.objects.exclude(status=SwapStatus.PENDING).select_related(
        "zone__region", "region", "decided_by__region"
    )
    assert all(may_change(s.decided_by, s) for s in decided if s.status != SwapStatus.WITHDRAWN)
