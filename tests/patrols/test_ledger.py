"""The ten-household duty ledger (十户联防): turns owed on publishing, settled by serving, an
excuse, a payment; stand-ins from the same household; the rotation and household screens."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from qunfang.patrols.models import (
    Assignment,
    CheckIn,
    CheckInKind,
    DutyLedgerEntry,
    LedgerKind,
    Outcome,
)
from qunfang.patrols.selectors.records import ledger_balances
from qunfang.patrols.services import rostering, shifts
from qunfang.patrols.services.checkin import close_assignment
from qunfang.patrols.services.rostering import RosterRequest, generate_roster
from qunfang.registry.models import Person
from tests.patrols.conftest import MONDAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The services' refusals are matched by their English msgids."""
    with translation.override("en"):
        yield


BEFORE = at(MONDAY - dt.timedelta(days=2), 12)  # the Saturday before the roster's week
AFTER = at(MONDAY + dt.timedelta(days=9), 12)  # when the week is over


@pytest.fixture
def clock(monkeypatch):
    state = {"now": BEFORE}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])
    return state


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = (
        "en"  # English msgids, stable before translation
    )
    return client


def _publish(world, patrol, starts_on=MONDAY, days=7):
    """A published roster of the household turns only (the patrol patterns are paused, so no
    solver run is needed)."""
    for pattern in (patrol.day, patrol.night):
        pattern.active = False
        pattern.save()
    req = RosterRequest(
        region=world.village1, starts_on=starts_on, ends_on=starts_on + dt.timedelta(days=days - 1)
    )
    roster = generate_roster(req, by=world.director1)
    return rostering.publish_roster(roster=roster, by=world.director1)


@pytest.fixture
def week(world, patrol, clock):
    roster = _publish(world, patrol)
    turns = list(
        Assignment.objects.filter(shift__roster=roster)
        .select_related("household", "shift")
        .order_by("shift__starts_at")
    )
    return {"roster": roster, "turns": turns}


def _balance(patrol, household):
    return ledger_balances(patrol.group)[household.pk]


def _ledger_count():
    return DutyLedgerEntry.objects.count()


# ---- owed, served, corrected ---------------------------------------------------------------------


def test_turns_are_owed_when_the_roster_is_published(world, patrol, clock):
    req = RosterRequest(
        region=world.village1, starts_on=MONDAY, ends_on=MONDAY + dt.timedelta(days=6)
    )
    for pattern in (patrol.day, patrol.night):
        pattern.active = False
        pattern.save()
    roster = generate_roster(req, by=world.director1)
    assert _ledger_count() == 0  # a draft owes nothing
    rostering.publish_roster(roster=roster, by=world.director1)
    owed = DutyLedgerEntry.objects.filter(kind=LedgerKind.OWED)
    assert owed.count() == 7
    assert {e.group_id for e in owed} == {patrol.group.pk}
    balances = ledger_balances(patrol.group)
    assert sum(b["open"] for b in balances.values()) == 7
    exempt = {patrol.households[8].pk, patrol.households[9].pk}
    assert not exempt & set(balances)


def test_serving_the_turn_settles_it(world, patrol, week, clock):
    turn = week["turns"][0]
    start = turn.shift.starts_at
    person = turn.person
    person.account = world.patrol2  # any account; check-ins are made here directly
    for kind, minutes, point in (
        (CheckInKind.START, 1, None),
        (CheckInKind.POINT, 30, patrol.points[0]),
        (CheckInKind.END, 170, None),
    ):
        CheckIn.objects.create(
            client_id=uuid.uuid4(),
            assignment=turn,
            region=turn.region,
            kind=kind,
            point=point,
            recorded_at=start + dt.timedelta(minutes=minutes),
            by=world.patrol1,
        )
    clock["now"] = AFTER
    close_assignment(turn, now=AFTER)
    close_assignment(turn, now=AFTER)  # closing again changes nothing
    turn.refresh_from_db()
    assert turn.outcome == Outcome.SERVED
    assert list(DutyLedgerEntry.objects.filter(assignment=turn).values_list("kind", flat=True)) == [
        "owed",
        "served",
    ]
    b = _balance(patrol, turn.household)
    assert (b["owed"], b["served"], b["open"]) == (1, 1, 0)


def test_a_missed_turn_stays_open_and_a_correction_replaces_the_verdict(world, patrol, week, clock):
    clock["now"] = AFTER
    turn = week["turns"][1]
    shifts.record_outcome(assignment=turn, outcome=Outcome.SERVED, by=world.director1)
    shifts.record_outcome(
        assignment=turn, outcome=Outcome.MISSED, by=world.director1, note="记错了，其实没来"
    )
    b = _balance(patrol, turn.household)
    assert (b["served"], b["missed"], b["open"]) == (0, 1, 1)  # not counted twice
    assert (
        DutyLedgerEntry.objects.filter(assignment=turn).count() == 3
    )  # owed, served, missed: nothing erased


def test_the_ledger_is_append_only(world, patrol, week):
    entry = DutyLedgerEntry.objects.first()
    entry.note = "改一改"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        DutyLedgerEntry.objects.filter(pk=entry.pk).update(note="改一改")
    with pytest.raises(PermissionError):
        DutyLedgerEntry.objects.all().delete()
    assert DutyLedgerEntry.objects.get(pk=entry.pk).note == ""


# ---- excuses ------------------------------------------------------------------------------------


def test_excusing_a_turn_needs_a_reason(world, patrol, week, client):
    client.force_login(world.director1)
    turn = week["turns"][0]
    url = reverse("patrols:assignment_outcome", args=[turn.pk])
    before = _ledger_count()
    response = client.post(url, {"outcome": "excused", "note": "", "back": "rotation"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Give the reason for the excuse." in body and 'data-testid="turn-error"' in body
    assert _ledger_count() == before
    response = client.post(url, {"outcome": "excused", "note": "户主住院", "back": "rotation"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "patrols:rotation", args=[patrol.group.pk]
    )
    turn.refresh_from_db()
    assert turn.outcome == Outcome.EXCUSED
    line = DutyLedgerEntry.objects.filter(assignment=turn).latest("id")
    assert (line.kind, line.note) == (LedgerKind.EXCUSED, "户主住院")
    assert _balance(patrol, turn.household)["open"] == 0


# ---- buying out a turn -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Enter the amount paid, more than 0 yuan."),
        ("-5", "Enter the amount paid, more than 0 yuan."),
        ("abc", "Enter the amount as a number of yuan"),
        ("", "Enter the amount paid, more than 0 yuan."),
        ("NaN", "Enter the amount as a number of yuan"),
        ("1.234", "at most two decimal places"),
        ("1e20", "That amount is too large."),
    ],
)
def test_buy_out_refuses_a_bad_amount_and_writes_nothing(
    world, patrol, week, client, amount, message
):
    client.force_login(world.director1)
    turn = week["turns"][0]
    before = _ledger_count()
    response = client.post(reverse("patrols:ledger_buyout", args=[turn.pk]), {"amount": amount})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _ledger_count() == before
    turn.refresh_from_db()
    assert turn.outcome == Outcome.PLANNED


def test_buy_out_records_the_payment_once(world, patrol, week, client):
    client.force_login(world.director1)
    turn = week["turns"][0]
    url = reverse("patrols:ledger_buyout", args=[turn.pk])
    response = client.post(url, {"amount": "50.00", "note": "收据 0012"})
    assert response.status_code == 302
    line = DutyLedgerEntry.objects.get(assignment=turn, kind=LedgerKind.BOUGHT_OUT)
    assert (
        line.amount == Decimal("50.00")
        and line.note == "收据 0012"
        and line.recorded_by == world.director1
    )
    turn.refresh_from_db()
    assert turn.outcome == Outcome.EXCUSED
    b = _balance(patrol, turn.household)
    assert (b["bought_out"], b["open"]) == (1, 0)
    before = _ledger_count()
    response = client.post(url, {"amount": "50.00"})
    assert response.status_code == 200
    assert "This turn has already been bought out." in response.content.decode()
    assert _ledger_count() == before
    page = client.get(reverse("patrols:rotation", args=[patrol.group.pk])).content.decode()
    assert "50.00" in page  # the payment shows in the ledger, for the funds books


def test_buy_out_service_refuses_what_the_form_would_not_send(world, patrol, week):
    turn = week["turns"][0]
    for amount in (Decimal(0), Decimal(-1), Decimal("NaN"), None, 12.5):
        with pytest.raises(ValidationError):
            shifts.buy_out(assignment=turn, amount=amount, by=world.director1)
    assert not DutyLedgerEntry.objects.filter(kind=LedgerKind.BOUGHT_OUT).exists()


def test_a_missed_turn_can_still_be_paid_for_but_not_a_served_one(
    world, patrol, week, clock, client
):
    clock["now"] = AFTER
    missed, served = week["turns"][0], week["turns"][1]
    shifts.record_outcome(assignment=missed, outcome=Outcome.MISSED, by=world.director1)
    shifts.record_outcome(assignment=served, outcome=Outcome.SERVED, by=world.director1)
    client.force_login(world.director1)
    page = client.get(reverse("patrols:rotation", args=[patrol.group.pk])).content.decode()
    assert reverse("patrols:ledger_buyout", args=[missed.pk]) in page
    assert reverse("patrols:ledger_buyout", args=[served.pk]) not in page
    assert (
        client.post(
            reverse("patrols:ledger_buyout", args=[missed.pk]), {"amount": "30"}
        ).status_code
        == 302
    )
    assert _balance(patrol, missed.household)["open"] == 0
    response = client.post(reverse("patrols:ledger_buyout", args=[served.pk]), {"amount": "30"})
    assert "This turn was served; there is nothing to buy out." in response.content.decode()


# ---- stand-ins --------------------------------------------------------------------------------


def test_a_household_member_may_stand_in_and_the_ledger_does_not_change(
    world, patrol, week, client
):
    client.force_login(world.director1)
    turn = week["turns"][0]
    rostered = turn.person
    other = turn.household.members.exclude(pk=rostered.pk).get()
    lines = _ledger_count()
    response = client.post(reverse("patrols:stand_in", args=[turn.pk]), {"person": other.pk})
    assert response.status_code == 302
    turn.refresh_from_db()
    assert turn.person == other and turn.household == week["turns"][0].household
    assert _ledger_count() == lines
    assert turn.history.earliest().person_id == rostered.pk  # the history keeps who was rostered


def test_stand_in_refuses_a_person_of_another_household(world, patrol, week, client):
    client.force_login(world.director1)
    turn = week["turns"][0]
    stranger = next(
        p for p in Person.objects.filter(household__isnull=False).exclude(household=turn.household)
    )
    response = client.post(reverse("patrols:stand_in", args=[turn.pk]), {"person": stranger.pk})
    assert response.status_code == 200
    assert (
        f"{stranger.name} is not a member of household {turn.household.number}"
        in response.content.decode()
    )
    turn.refresh_from_db()
    assert turn.person_id != stranger.pk
    for bad in ("", "nonsense", "999999"):
        response = client.post(reverse("patrols:stand_in", args=[turn.pk]), {"person": bad})
        assert (
            response.status_code == 200 and 'data-testid="turn-error"' in response.content.decode()
        )
    turn.refresh_from_db()
    assert turn.person == week["turns"][0].person


def test_stand_in_refuses_a_member_who_may_not_serve(world, patrol, week):
    turn = week["turns"][0]
    other = turn.household.members.exclude(pk=turn.person_id).get()
    other.may_serve = False
    other.save()
    with pytest.raises(ValidationError, match="may not stand the household's turn"):
        shifts.stand_in(assignment=turn, person=other, by=world.director1)


# ---- screens -----------------------------------------------------------------------------------


def test_rotation_shows_turns_stand_ins_and_exempt_households(world, patrol, week, client):
    client.force_login(world.director1)
    response = client.get(reverse("patrols:rotation", args=[patrol.group.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="turn-row"') == 7
    turn = response.context["turns"][0]
    assert [p.name for p in turn.stand_ins] == [
        m.name for m in turn.assignment.household.members.exclude(pk=turn.assignment.person_id)
    ]
    assert body.count('data-testid="ledger-row"') == 10  # exempt households too
    assert "exempt: elderly only" in body and "exempt: away" in body
    assert reverse("patrols:stand_in", args=[turn.assignment.pk]) in body
    client.force_login(world.police)  # may look, may not act
    body = client.get(reverse("patrols:rotation", args=[patrol.group.pk])).content.decode()
    assert body.count('data-testid="turn-row"') == 7
    assert reverse("patrols:stand_in", args=[turn.assignment.pk]) not in body
    assert (
        client.post(
            reverse("patrols:stand_in", args=[turn.assignment.pk]), {"person": 1}
        ).status_code
        == 403
    )
    client.force_login(world.patrol1)
    assert client.get(reverse("patrols:rotation", args=[patrol.group.pk])).status_code == 403


def test_household_ledger_lists_every_line(world, patrol, week, clock, client):
    clock["now"] = AFTER
    turn = week["turns"][0]
    shifts.record_outcome(assignment=turn, outcome=Outcome.MISSED, by=world.director1)
    shifts.buy_out(assignment=turn, amount=Decimal("40"), by=world.director1)
    client.force_login(world.director1)
    response = client.get(reverse("patrols:household_ledger", args=[turn.household.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="ledger-line"') == 3  # owed, missed, bought out
    assert "40.00" in body
    exempt = client.get(
        reverse("patrols:household_ledger", args=[patrol.households[8].pk])
    ).content.decode()
    assert "elderly only" in exempt


def test_rotation_query_count_stays_flat(world, patrol, clock, client):
    client.force_login(world.director1)
    counts = []
    for k in range(2):
        _publish(world, patrol, starts_on=MONDAY + dt.timedelta(days=14 * k), days=7 + 7 * k)
        with CaptureQueriesContext(connection) as captured:
            assert (
                client.get(reverse("patrols:rotation", args=[patrol.group.pk])).status_code == 200
            )
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
