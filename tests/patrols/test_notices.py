"""Patrol notices go through core.notify: a published roster, a decided swap, a stand-in and a
shift reminder each respect the reader's e-mail and digest preferences and language, and a
reminder reaches the phone by SMS whatever the e-mail preferences."""

import datetime as dt

import pytest
from django.core import mail

from qunfang.core.models import Notification, NotificationPreference
from qunfang.core.notify import send_digests
from qunfang.patrols.models import Assignment, Roster, RosterStatus, Shift
from qunfang.patrols.services import rostering, shifts, swaps
from tests.clock import MIDWEEK
from tests.patrols.test_self_service import StubSms, later

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]


def publish(world, patrol):
    """A draft roster with the member on two shifts, published: one message, not two."""
    day = dt.date(2029, 1, 15)
    roster = Roster.objects.create(
        region=world.village1,
        starts_on=day,
        ends_on=day + dt.timedelta(days=1),
        status=RosterStatus.DRAFT,
        created_by=world.director1,
    )
    for k in range(2):
        start = dt.datetime(2029, 1, 15 + k, 12, tzinfo=dt.UTC)
        shift = Shift.objects.create(
            roster=roster,
            region=world.village1,
            pattern=patrol.night,
            service_date=day + dt.timedelta(days=k),
            starts_at=start,
            ends_at=start + dt.timedelta(hours=8),
            night=True,
            headcount=1,
        )
        Assignment.objects.create(shift=shift, region=world.village1, person=patrol.people[0])
    rostering.publish_roster(roster=roster, by=world.director1)
    return "新排班表已发布", "A new roster is out"


def decide_swap(world, patrol):
    upcoming = later(world, patrol)
    swap = swaps.request_swap(
        assignment=upcoming.mine, replacement=patrol.people[3], reason="", by=world.patrol1
    )
    swaps.decide_swap(swap=swap, approve=False, by=world.director1)
    return "换班申请被驳回", "was rejected"


def stand_in(world, patrol):
    household, member = patrol.households[0], patrol.people[0]
    head = household.members.get(name="户主0")
    member.household = household  # the patrol member joins the household and serves its turn
    member.save()
    turn = later(world, patrol, pattern=patrol.rota, people=[head]).mine
    turn.household = household
    turn.save()
    shifts.stand_in(assignment=turn, person=member, by=world.director1)
    return "代表本户值班", "You stand in for your household"


def remind(world, patrol):
    later(world, patrol, days=0.25)  # six hours from now
    assert shifts.send_reminders(hours=12) == 2  # the member and the partner
    return "提醒：", "Reminder: you are on"


NOTICES = {"roster": publish, "swap": decide_swap, "stand-in": stand_in, "reminder": remind}
KIND = {"roster": "roster", "swap": "roster", "stand-in": "roster", "reminder": "reminder"}


@pytest.fixture
def member(world):
    world.patrol1.email = "xiaojun@example.cn"
    world.patrol1.save()
    return world.patrol1


def _prefer(user, kinds, digest=False):
    NotificationPreference.objects.create(user=user, email_kinds=kinds, daily_digest=digest)


@pytest.mark.parametrize("notice", NOTICES)
def test_a_patrol_notice_is_mailed_at_once_when_the_reader_wants_it(
    notice, world, patrol, member, django_capture_on_commit_callbacks
):
    _prefer(member, [KIND[notice]])
    with django_capture_on_commit_callbacks(execute=True):
        chinese, _english = NOTICES[notice](world, patrol)
    (note,) = Notification.objects.filter(user=member)
    assert note.kind == KIND[notice] and chinese in note.text_in(member.language)
    (message,) = mail.outbox
    assert message.to == [member.email] and chinese in message.body


@pytest.mark.parametrize("notice", NOTICES)
def test_a_patrol_notice_is_not_mailed_when_the_reader_turned_that_kind_off(
    notice, world, patrol, member, django_capture_on_commit_callbacks
):
    _prefer(member, [k for k in ("assignment", "escalation", "overdue") if k != KIND[notice]])
    with django_capture_on_commit_callbacks(execute=True):
        NOTICES[notice](world, patrol)
    assert Notification.objects.filter(user=member, kind=KIND[notice]).count() == 1
    assert mail.outbox == []
    assert send_digests() == 0


@pytest.mark.parametrize("notice", NOTICES)
def test_a_patrol_notice_waits_for_the_digest_in_the_readers_language(
    notice, world, patrol, member, django_capture_on_commit_callbacks
):
    member.language = "en"
    member.save()
    _prefer(member, [KIND[notice]], digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        _chinese, english = NOTICES[notice](world, patrol)
    assert mail.outbox == []
    assert send_digests() == 1
    (digest,) = mail.outbox
    assert english in digest.body and digest.subject.startswith("Qunfang:")


def test_a_reminder_with_mail_off_still_reaches_the_phone_by_sms(
    world, patrol, member, settings, django_capture_on_commit_callbacks
):
    """The real reader: a patrol member whose phone gets an SMS where the app will not load."""
    settings.QUNFANG_SMS_GATEWAY = "tests.patrols.test_self_service.StubSms"
    StubSms.sent = []
    _prefer(member, [])
    with django_capture_on_commit_callbacks(execute=True):
        remind(world, patrol)
    assert mail.outbox == []
    texts = dict(StubSms.sent)
    partner = patrol.people[1]  # no account: the SMS alone, at the person's number
    assert texts[partner.phone].startswith("提醒：")
    assert texts[patrol.people[0].phone].startswith("提醒：")  # the registry's number
    assert Notification.objects.filter(user=member, kind="reminder").count() == 1
