"""Self-service: a member's own page, absences, swaps and the director's decision, who is on
duty now, notifications, reminders and the cron commands."""

import datetime as dt
import uuid
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qunfang.core.models import Notification
from qunfang.core.roles import Role
from qunfang.core.services import user_create
from qunfang.patrols.models import (
    Absence,
    Assignment,
    CheckInKind,
    Outcome,
    SwapRequest,
    SwapStatus,
)
from qunfang.patrols.selectors.people import replacement_problems
from qunfang.patrols.services import checkin, signs, swaps
from qunfang.patrols.services.checkin import Scan
from tests.patrols.test_checkin import live_roster

pytestmark = pytest.mark.django_db


class StubSms:
    """A stand-in SMS gateway (QUNFANG_SMS_GATEWAY points here): it records what it would send."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        StubSms.sent.append((phone, text))


def later(world, patrol, days=2, **kw):
    """A published night shift in `days` days with patrol1's person and a partner."""
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return live_roster(world, patrol, start=start, **kw)


# ---- the member's page ----------------------------------------------------------------------


def test_my_page_shows_shifts_partners_absences_and_swaps(client_for, world, patrol):
    now_shift = live_roster(world, patrol)
    upcoming = later(world, patrol)
    Absence.objects.create(
        person=patrol.people[0],
        starts_on=timezone.localdate() + dt.timedelta(days=20),
        ends_on=timezone.localdate() + dt.timedelta(days=21),
        reason="进城打工",
        declared_by=world.patrol1,
    )
    SwapRequest.objects.create(
        assignment=upcoming.mine,
        region=world.village1,
        replacement=patrol.people[3],
        requested_by=world.patrol1,
        reason="家里有事",
    )
    response = client_for(world.patrol1).get(reverse("patrols:my"))
    assert response.status_code == 200
    assert response.context["assignments"] == [now_shift.mine, upcoming.mine]
    assert response.context["current"] == now_shift.mine
    html = response.content.decode()
    assert patrol.people[1].name in html  # the partner
    assert "夜巡路线" in html and "进城打工" in html and patrol.people[3].name in html
    assert reverse("patrols:checkin_action", args=[now_shift.mine.pk]) in html
    assert [stop["point"] for stop in response.context["round"]] == patrol.points


def test_my_page_without_a_linked_person_is_a_friendly_note(client_for, world):
    response = client_for(world.director1).get(reverse("patrols:my"))
    assert response.status_code == 200 and response.context["person"] is None


def test_drafts_and_other_peoples_shifts_are_not_on_my_page(client_for, world, patrol):
    draft = later(world, patrol)
    draft.roster.status = "draft"
    draft.roster.save()
    later(world, patrol, days=3, people=patrol.people[2:4])
    response = client_for(world.patrol1).get(reverse("patrols:my"))
    assert response.context["assignments"] == []


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_my_page_queries_stay_flat_as_shifts_grow(client_for, world, patrol):
    client = client_for(world.patrol1)
    live_roster(world, patrol)
    later(world, patrol, days=1)
    few = _queries(client, reverse("patrols:my"))
    for days in range(2, 9):
        later(world, patrol, days=days, people=patrol.people[:3])
    assert _queries(client, reverse("patrols:my")) == few


def test_on_duty_queries_stay_flat_as_shifts_grow(client_for, world, patrol):
    client = client_for(world.director1)
    live_roster(world, patrol)
    few = _queries(client, reverse("patrols:on_duty"))
    for k in range(5):
        s = live_roster(world, patrol, people=patrol.people[2 + k % 3 : 4 + k % 3])
        checkin.check_in(
            assignment=s.mine,
            user=_account(world, s.mine),
            scan=Scan(client_id=uuid.uuid4(), kind=CheckInKind.START),
        )
    assert _queries(client, reverse("patrols:on_duty")) == few


def _account(world, assignment):
    person = assignment.person
    if person.account_id is None:
        person.account = user_create(
            username=f"p{person.pk}",
            password=None,
            region=world.village1,
            roles={Role.PATROL_MEMBER},
        )
        person.save()
    return person.account


# ---- absences -------------------------------------------------------------------------------


def test_declaring_an_absence_lists_the_published_shifts_it_clashes_with(client_for, world, patrol):
    upcoming = later(world, patrol, days=3)
    day = upcoming.shift.service_date
    client = client_for(world.patrol1)
    response = client.post(
        reverse("patrols:absence_create"),
        {
            "starts_on": day.isoformat(),
            "ends_on": (day + dt.timedelta(days=1)).isoformat(),
            "reason": "住院",
        },
        follow=True,
    )
    absence = Absence.objects.get()
    assert absence.person == patrol.people[0] and absence.declared_by == world.patrol1
    assert response.context["clashes"] == [upcoming.mine]
    assert reverse("patrols:swap_create", args=[upcoming.mine.pk]) in response.content.decode()


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        (5, 3, "ends before it starts"),
        (-10, -5, "in the past"),
        (1, 400, "at most a year"),
        (None, 3, ""),
    ],
    ids=["reversed", "past", "too-long", "missing"],
)
def test_a_bad_absence_is_refused_and_nothing_saved(
    client_for, world, patrol, starts, ends, message
):
    today = timezone.localdate()
    data = {"ends_on": (today + dt.timedelta(days=ends)).isoformat()}
    if starts is not None:
        data["starts_on"] = (today + dt.timedelta(days=starts)).isoformat()
    response = client_for(world.patrol1).post(reverse("patrols:absence_create"), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert Absence.objects.count() == 0


def test_an_account_without_a_person_cannot_declare_an_absence(client_for, world):
    client = client_for(world.director1)
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("patrols:absence_create"), {"starts_on": today, "ends_on": today}
    )
    assert response.status_code == 200 and response.context["person"] is None
    assert Absence.objects.count() == 0


# ---- swaps ----------------------------------------------------------------------------------


def test_a_member_asks_for_a_swap_to_someone_free(client_for, world, patrol):
    upcoming = later(world, patrol)
    client = client_for(world.patrol1)
    page = client.get(reverse("patrols:swap_create", args=[upcoming.mine.pk]))
    offered = [p for p, _ in page.context["offered"]]
    assert patrol.people[3] in offered and patrol.people[0] not in offered
    assert patrol.people[1] not in offered  # already on this shift
    response = client.post(
        reverse("patrols:swap_create", args=[upcoming.mine.pk]),
        {"replacement": patrol.people[3].pk, "reason": "家里有事"},
    )
    assert response.status_code == 302
    swap = SwapRequest.objects.get()
    assert swap.status == SwapStatus.PENDING and swap.replacement == patrol.people[3]
    assert swap.requested_by == world.patrol1


def test_a_person_in_two_places_is_refused_as_replacement(client_for, world, patrol):
    """The replacement is already on another shift at that time: not offered, the reason is
    shown, and a forged post changes nothing."""
    upcoming = later(world, patrol)
    busy = patrol.people[5]
    live_roster(
        world,
        patrol,
        start=upcoming.shift.starts_at + dt.timedelta(hours=2),
        pattern=patrol.day,
        people=[busy],
    )
    problems = replacement_problems(upcoming.mine, busy)
    assert any("已在" in p or "already on a shift" in p for p in problems), problems
    client = client_for(world.patrol1)
    page = client.get(reverse("patrols:swap_create", args=[upcoming.mine.pk]))
    refused = dict(page.context["refused"])
    assert busy in refused and busy not in [p for p, _ in page.context["offered"]]
    assert busy.name in page.content.decode()
    response = client.post(
        reverse("patrols:swap_create", args=[upcoming.mine.pk]), {"replacement": busy.pk}
    )
    assert response.status_code == 200 and response.context["form"].errors["replacement"]
    assert SwapRequest.objects.count() == 0


def test_a_started_shift_cannot_be_swapped(client_for, world, patrol):
    running = live_roster(world, patrol)
    client = client_for(world.patrol1)
    response = client.post(
        reverse("patrols:swap_create", args=[running.mine.pk]), {"replacement": patrol.people[3].pk}
    )
    assert response.status_code == 200 and response.context["closed"]
    assert SwapRequest.objects.count() == 0


def test_a_member_cannot_swap_someone_elses_shift(client_for, world, patrol):
    upcoming = later(world, patrol)
    partner = upcoming.assignments[1]
    assert (
        client_for(world.patrol1).get(reverse("patrols:swap_create", args=[partner.pk])).status_code
        == 403
    )
    assert (
        client_for(world.patrol2).get(reverse("patrols:swap_create", args=[partner.pk])).status_code
        == 404
    )


def test_a_household_turn_is_offered_to_members_of_the_group(client_for, world, patrol):
    start = timezone.now() + dt.timedelta(days=2)
    household = patrol.households[0]
    member = household.members.order_by("name").first()
    member.account = world.patrol1
    patrol.people[0].account = None
    patrol.people[0].save()
    member.save()
    turn = live_roster(world, patrol, start=start, pattern=patrol.rota, people=[member], hours=3)
    turn.mine.household = household
    turn.mine.save()
    page = client_for(world.patrol1).get(reverse("patrols:swap_create", args=[turn.mine.pk]))
    offered = [p for p, _ in page.context["offered"]]
    assert offered[0].household_id == household.pk  # the own household first
    assert {p.household.number for p in offered} <= {
        f"H{k:03d}" for k in range(8)
    }  # exempt households left out


def test_the_requester_withdraws_a_pending_swap(client_for, world, patrol):
    upcoming = later(world, patrol)
    swap = swaps.request_swap(
        assignment=upcoming.mine, replacement=patrol.people[3], reason="", by=world.patrol1
    )
    client = client_for(world.patrol1)
    assert client.get(reverse("patrols:swap_withdraw", args=[swap.pk])).status_code == 405
    assert client.post(reverse("patrols:swap_withdraw", args=[swap.pk])).status_code == 302
    swap.refresh_from_db()
    assert swap.status == SwapStatus.WITHDRAWN
    response = client.post(reverse("patrols:swap_withdraw", args=[swap.pk]), follow=True)  # again
    assert any("已" in str(m) or "already" in str(m) for m in response.context["messages"])


def test_the_director_approves_a_swap_and_the_member_is_told(
    client_for, world, patrol, django_capture_on_commit_callbacks
):
    upcoming = later(world, patrol)
    swap = swaps.request_swap(
        assignment=upcoming.mine, replacement=patrol.people[3], reason="", by=world.patrol1
    )
    client = client_for(world.director1)
    listing = client.get(reverse("patrols:swap_list"))
    assert list(listing.context["pending"]) == [swap]
    with django_capture_on_commit_callbacks(execute=True):  # the member is told once it is saved
        response = client.post(
            reverse("patrols:swap_decide", args=[swap.pk]),
            {"decision": "approve", "note": "同意"},
            follow=True,
        )
    assert response.status_code == 200
    upcoming.mine.refresh_from_db()
    swap.refresh_from_db()
    assert upcoming.mine.person == patrol.people[3] and swap.status == SwapStatus.APPROVED
    assert swap.decision_note == "同意" and swap.decided_by == world.director1
    assert Notification.objects.filter(user=world.patrol1).exists()
    # deciding again is refused with a clear message, nothing changes
    again = client.post(
        reverse("patrols:swap_decide", args=[swap.pk]), {"decision": "reject"}, follow=True
    )
    assert any("已" in str(m) or "already" in str(m) for m in again.context["messages"])
    swap.refresh_from_db()
    assert swap.status == SwapStatus.APPROVED


def test_the_director_rejects_and_a_bad_decision_is_refused(client_for, world, patrol):
    upcoming = later(world, patrol)
    swap = swaps.request_swap(
        assignment=upcoming.mine, replacement=patrol.people[3], reason="", by=world.patrol1
    )
    client = client_for(world.director1)
    client.post(reverse("patrols:swap_decide", args=[swap.pk]), {"decision": "maybe"})
    swap.refresh_from_db()
    assert swap.status == SwapStatus.PENDING
    client.post(reverse("patrols:swap_decide", args=[swap.pk]), {"decision": "reject"})
    swap.refresh_from_db()
    upcoming.mine.refresh_from_db()
    assert swap.status == SwapStatus.REJECTED and upcoming.mine.person == patrol.people[0]


def test_an_approval_that_became_impossible_is_refused(client_for, world, patrol):
    upcoming = later(world, patrol)
    swap = swaps.request_swap(
        assignment=upcoming.mine, replacement=patrol.people[3], reason="", by=world.patrol1
    )
    # meanwhile the replacement was put on an overlapping shift: a person in two places
    live_roster(
        world,
        patrol,
        start=upcoming.shift.starts_at + dt.timedelta(hours=1),
        pattern=patrol.day,
        people=[patrol.people[3]],
    )
    response = client_for(world.director1).post(
        reverse("patrols:swap_decide", args=[swap.pk]), {"decision": "approve"}, follow=True
    )
    assert any(patrol.people[3].name in str(m) for m in response.context["messages"])
    swap.refresh_from_db()
    upcoming.mine.refresh_from_db()
    assert swap.status == SwapStatus.PENDING and upcoming.mine.person == patrol.people[0]


def test_swap_pages_need_the_right_permission(client_for, world, patrol):
    assert client_for(world.patrol1).get(reverse("patrols:swap_list")).status_code == 403
    upcoming = later(world, patrol)
    swap = swaps.request_swap(
        assignment=upcoming.mine, replacement=patrol.people[3], reason="", by=world.patrol1
    )
    assert (
        client_for(world.patrol1)
        .post(reverse("patrols:swap_decide", args=[swap.pk]), {"decision": "approve"})
        .status_code
        == 403
    )
    assert (
        client_for(world.director2)
        .post(reverse("patrols:swap_decide", args=[swap.pk]), {"decision": "approve"})
        .status_code
        == 404
    )
    assert (
        client_for(world.director2).get(reverse("patrols:swap_list")).context["pending"].count()
        == 0
    )


# ---- on duty, notifications -----------------------------------------------------------------


def test_who_is_on_duty_now_with_the_last_check_in(client_for, world, patrol):
    running = live_roster(world, patrol)
    later(world, patrol)  # not running now
    point = patrol.points[1]
    checkin.check_in(
        assignment=running.mine,
        user=world.patrol1,
        scan=Scan(
            client_id=uuid.uuid4(),
            kind=CheckInKind.POINT,
            point=point,
            code=signs.current_code(point),
        ),
    )
    response = client_for(world.patrol1).get(reverse("patrols:on_duty"))
    assert response.context["shifts"] == [running.shift]
    html = response.content.decode()
    assert patrol.people[0].name in html and patrol.people[1].name in html and point.name in html
    # another village sees none of it
    other = client_for(world.director2).get(reverse("patrols:on_duty"))
    assert other.context["shifts"] == [] and patrol.people[0].name not in other.content.decode()


def test_on_duty_needs_patrol_or_view_patrols(client_for, world):
    assert client_for(world.mediator1).get(reverse("patrols:on_duty")).status_code == 403
    assert client_for(world.police).get(reverse("patrols:on_duty")).status_code == 200


def test_notifications_are_my_own_and_are_marked_read(client_for, world):
    mine = Notification.objects.create(user=world.patrol1, text="明晚夜班提醒", url="/patrols/my/")
    Notification.objects.create(user=world.director1, text="别人的消息")
    evil = Notification.objects.create(user=world.patrol1, text="外链", url="https://evil.example/")
    client = client_for(world.patrol1)
    response = client.get(reverse("patrols:notifications"))
    html = response.content.decode()
    assert "明晚夜班提醒" in html and "别人的消息" not in html
    assert 'href="/patrols/my/"' in html and "evil.example" not in html
    assert all(n.was_unread for n in response.context["rows"])
    mine.refresh_from_db()
    evil.refresh_from_db()
    assert mine.read_at is not None and evil.read_at is not None
    assert not any(
        n.was_unread for n in client.get(reverse("patrols:notifications")).context["rows"]
    )


# ---- reminders and the cron commands ------------------------------------------------------


def test_reminders_are_sent_once_in_app_by_email_and_sms(
    world, patrol, settings, django_capture_on_commit_callbacks
):
    settings.QUNFANG_SMS_GATEWAY = "tests.patrols.test_self_service.StubSms"
    settings.QUNFANG_REMINDER_HOURS = 12
    StubSms.sent = []
    world.patrol1.email = "xiaojun@example.cn"
    world.patrol1.save()
    soon = live_roster(world, patrol, start=timezone.now() + dt.timedelta(hours=3))
    later(world, patrol, days=3)  # too far off to remind yet
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # sent once the reminder is saved
        call_command("send_reminders", stdout=out)
    assert "2" in out.getvalue()  # patrol1 and the partner
    call_command("send_reminders", stdout=(again := StringIO()))
    assert "0" in again.getvalue()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["xiaojun@example.cn"]
    assert patrol.people[0].phone in [phone for phone, _ in StubSms.sent] and len(StubSms.sent) == 2
    assert Notification.objects.filter(user=world.patrol1).count() == 1
    assert all(a.reminded_at for a in Assignment.objects.filter(shift=soon.shift))


def test_no_sms_without_a_gateway(world, patrol, settings):
    settings.QUNFANG_SMS_GATEWAY = ""
    StubSms.sent = []
    live_roster(world, patrol, start=timezone.now() + dt.timedelta(hours=3))
    call_command("send_reminders", stdout=StringIO())
    assert StubSms.sent == []
    assert Notification.objects.filter(user=world.patrol1).count() == 1


def test_close_shifts_command_is_idempotent(world, patrol):
    old = live_roster(world, patrol, start=timezone.now() - dt.timedelta(hours=20))
    call_command("close_shifts", stdout=(out := StringIO()))
    assert "2" in out.getvalue()
    call_command("close_shifts", stdout=(again := StringIO()))
    assert "0" in again.getvalue()
    old.mine.refresh_from_db()
    assert old.mine.outcome == Outcome.MISSED
