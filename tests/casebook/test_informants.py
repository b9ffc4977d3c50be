"""Informants (举报人保密): confidential reporters are masked on every page, print and search for
readers without Perm.VIEW_CONFIDENTIAL and shown to those with it only through a logged POST;
nothing sent or logged about a new anonymous opinion ties it to the sender's request; an
opinion's contact is masked and revealed only through a logged POST."""

import datetime as dt
import logging
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from qunfang.casebook.models import Case, CaseType, Opinion, ReporterKind, Severity
from qunfang.casebook.selectors.opinions import spaced
from qunfang.casebook.services import cases, opinions
from qunfang.core.models import Notification, NotificationPreference, SecurityEvent
from qunfang.core.notify import send_digests

pytestmark = pytest.mark.django_db

INFORMANT = "钱秀梅"  # a reporter's name that nothing else in these tests contains
TITLE = "后山有人聚众赌博"
SHANGHAI_10_37 = dt.datetime(2029, 1, 10, 2, 37, 12, tzinfo=dt.UTC)  # 10:37:12 in Shanghai


def confidential_case(world, *, by=None, **fields) -> Case:
    now = timezone.now()
    values = {
        "reporter_kind": ReporterKind.PERSON,
        "reporter_name": INFORMANT,
        "reporter_confidential": True,
    }
    values.update(fields)
    return cases.register_case(
        case=Case(
            region=world.village1,
            case_type=CaseType.objects.get(code="gambling"),
            severity=Severity.ORDINARY,
            title=TITLE,
            description="晚上后山茶棚里有人赌钱。",
            occurred_at=now - dt.timedelta(hours=2),
            reported_at=now - dt.timedelta(minutes=5),
            **values,
        ),
        by=by or world.director1,
    )


def reveal_url(case: Case) -> str:
    return reverse("casebook:case_reporter_reveal", args=[case.pk])


def register_url(case: Case) -> str:
    day = timezone.localtime(case.reported_at).date()
    return (
        reverse("casebook:case_register_print") + f"?village={case.region.code}&from={day}&to={day}"
    )


def reveals() -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind="personal_data_revealed"))


# ---- confidential reporters ----------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["director1", "mediator1", "auditor"])
def test_readers_without_the_permission_never_see_a_confidential_name(client, world, reader):
    case = confidential_case(world)
    cases.report_upward(case=case, by=world.director1, level=None)  # notifications about the case
    client.force_login(getattr(world, reader))
    pages = {
        "detail": client.get(case.get_absolute_url()),
        "list": client.get(reverse("casebook:case_list")),
        "register": client.get(register_url(case)),
        "search": client.get(reverse("casebook:case_list") + f"?q={INFORMANT}"),
    }
    for name, response in pages.items():
        body = response.content.decode().replace(f'value="{INFORMANT}"', "")  # the search box
        assert response.status_code == 200, name
        assert INFORMANT not in body, name
    detail = pages["detail"].content.decode()
    assert 'data-testid="reporter-confidential"' in detail and "confidential reporter" in detail
    assert 'data-testid="reveal-reporter"' not in detail  # no button for those who may not
    assert TITLE in pages["list"].content.decode()  # the case itself is listed
    assert (
        'data-testid="case-row"' not in pages["search"].content.decode()
    )  # the name finds nothing
    assert "confidential reporter" in pages["register"].content.decode()
    assert not any(INFORMANT in n.text_in() for n in Notification.objects.all())
    assert reveals() == []


def test_a_confidential_reporter_from_the_registry_is_masked_with_the_link(client, world, records):
    case = confidential_case(world, reporter=records.person, reporter_name="")
    client.force_login(world.director1)
    body = client.get(case.get_absolute_url()).content.decode()
    assert records.person.name not in body
    assert records.person.get_absolute_url() not in body
    assert records.person.name not in client.get(register_url(case)).content.decode()


@pytest.mark.parametrize("officer", ["township_officer", "police"])
def test_the_township_and_police_see_the_name_only_through_the_logged_reveal(
    client, world, officer
):
    case = confidential_case(world)
    user = getattr(world, officer)
    client.force_login(user)
    detail = client.get(case.get_absolute_url())
    body = detail.content.decode()
    assert INFORMANT not in body and 'data-testid="reveal-reporter"' in body
    assert "no-store" in detail["Cache-Control"]
    assert reveals() == []  # opening the page reveals nothing and logs nothing

    response = client.post(reveal_url(case))
    assert response.status_code == 200
    assert INFORMANT in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    (event,) = reveals()
    assert (event.actor, event.region) == (user, world.village1)
    assert event.detail == {
        "field": "confidential_reporter",
        "record": "casebook.Case",
        "id": case.pk,
    }
    assert INFORMANT not in repr(event.__dict__)  # the log line names the case, not the reporter

    # prints and search stay masked for them too
    assert INFORMANT not in client.get(register_url(case)).content.decode()
    search = client.get(reverse("casebook:case_list") + f"?q={INFORMANT}").content.decode()
    assert 'data-testid="case-row"' not in search


def test_a_linked_person_is_revealed_with_the_link(client, world, records):
    case = confidential_case(world, reporter=records.person, reporter_name="")
    client.force_login(world.township_officer)
    body = client.post(reveal_url(case)).content.decode()
    assert records.person.name in body and records.person.get_absolute_url() in body
    assert len(reveals()) == 1


@pytest.mark.parametrize("reader", ["director1", "mediator1", "auditor"])
def test_the_reveal_is_refused_without_the_permission(client, world, reader):
    case = confidential_case(world)
    client.force_login(getattr(world, reader))
    response = client.post(reveal_url(case))
    assert response.status_code == 403
    assert INFORMANT not in response.content.decode()
    assert reveals() == []


@pytest.mark.parametrize("outsider", ["director2", "township2_officer"])
def test_the_reveal_answers_404_outside_the_jurisdiction(client, world, outsider):
    case = confidential_case(world)
    client.force_login(getattr(world, outsider))
    assert client.post(reveal_url(case)).status_code == 404
    assert reveals() == []


def test_the_reveal_takes_only_post(client, world):
    case = confidential_case(world)
    client.force_login(world.township_officer)
    assert client.get(reveal_url(case)).status_code == 405
    assert reveals() == []


def test_a_reporter_that_is_not_confidential_is_shown_and_found_as_before(client, world):
    case = confidential_case(world, reporter_confidential=False)
    client.force_login(world.director1)
    assert INFORMANT in client.get(case.get_absolute_url()).content.decode()
    assert INFORMANT in client.get(register_url(case)).content.decode()
    search = client.get(reverse("casebook:case_list") + f"?q={INFORMANT}").content.decode()
    assert search.count('data-testid="case-row"') == 1
    by_number = client.get(reverse("casebook:case_list") + f"?q={case.number}").content.decode()
    assert by_number.count('data-testid="case-row"') == 1
    assert client.post(reveal_url(case)).status_code == 200  # nothing to hide: no log either
    assert reveals() == []


def test_a_case_opened_from_a_named_opinion_is_confidential_by_default(client, world):
    opinion = Opinion.objects.create(
        region=world.village1,
        kind="report",
        text="后山茶棚夜里有人赌钱。",
        anonymous=False,
        name=INFORMANT,
        contact="13700002222",
        channel="in_person",
    )
    client.force_login(world.director1)
    data = {
        "case_type": CaseType.objects.get(code="gambling").pk,
        "severity": 2,
        "title": TITLE,
        "occurred_at": timezone.localtime(timezone.now() - dt.timedelta(hours=3)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
    }
    response = client.post(reverse("casebook:opinion_to_case", args=[opinion.pk]), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.reporter_confidential and case.reporter_name == INFORMANT
    assert INFORMANT not in client.get(case.get_absolute_url()).content.decode()


def test_staff_may_name_an_in_person_sender_openly_but_never_a_public_form_sender(world):
    gambling = CaseType.objects.get(code="gambling")
    made = {}
    for channel in ("in_person", "public_form"):
        opinion = Opinion.objects.create(
            region=world.village1,
            kind="report",
            text="有人赌钱。",
            anonymous=False,
            name=INFORMANT,
            channel=channel,
        )
        made[channel] = opinions.to_case(
            opinion=opinion,
            case_type=gambling,
            severity=2,
            title=TITLE,
            occurred_at=timezone.now(),
            by=world.director1,
            confidential=False,
        )
    assert not made["in_person"].reporter_confidential
    assert made["public_form"].reporter_confidential


@pytest.mark.parametrize(
    ("kind", "ticked", "confidential"),
    [
        ("person", False, False),
        ("person", True, True),
        ("hotline", False, True),
        ("public_form", False, True),
    ],
)
def test_the_case_form_marks_reporters_confidential(client, world, kind, ticked, confidential):
    client.force_login(world.director1)
    assert (
        'name="reporter_confidential"'
        in client.get(reverse("casebook:case_create")).content.decode()
    )
    now = timezone.localtime()
    data = {
        "region": world.village1.pk,
        "case_type": CaseType.objects.get(code="gambling").pk,
        "severity": 2,
        "title": TITLE,
        "description": "有人赌钱。",
        "occurred_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "reported_at": now.strftime("%Y-%m-%dT%H:%M"),
        "reporter_kind": kind,
        "reporter_name": INFORMANT,
        "parties-TOTAL_FORMS": 0,
        "parties-INITIAL_FORMS": 0,
    }
    if ticked:
        data["reporter_confidential"] = "on"
    response = client.post(reverse("casebook:case_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Case.objects.get().reporter_confidential is confidential


def test_the_case_page_query_count_does_not_grow_with_a_confidential_reporter(
    client, world, django_assert_max_num_queries
):
    open_case = confidential_case(world, reporter_confidential=False)
    client.force_login(world.township_officer)
    with django_assert_max_num_queries(40) as open_queries:
        client.get(open_case.get_absolute_url())
    masked = confidential_case(world)
    with django_assert_max_num_queries(len(open_queries)):
        client.get(masked.get_absolute_url())


# ---- anonymous opinions: nothing that leaves or is logged ties the entry to the request ----------


class RecordingSms:
    sent: list = []

    def send(self, phone, text):
        RecordingSms.sent.append((phone, text))


_ages = iter(range(10, 10_000))


def send_entry(client, village, **fields):
    data = {
        "kind": "report",
        "text": "后山茶棚夜里有人赌钱。",
        "anonymous": "on",
        "started": opinions.form_token(village, now=time.time() - next(_ages)),
    }
    data.update(fields)
    return client.post(
        reverse("casebook:public_form", args=[village.code]),
        {k: v for k, v in data.items() if v is not None},
    )


@pytest.fixture
def outbox(world, settings):
    """Directors who want every message by e-mail at once, an SMS gateway that records."""
    settings.QUNFANG_SMS_GATEWAY = "tests.casebook.test_informants.RecordingSms"
    RecordingSms.sent.clear()
    world.director1.email = "director1@example.org"
    world.director1.language = "en"  # the messages are matched in English
    world.director1.save()
    mail.outbox.clear()
    return mail.outbox


def _moments(opinion: Opinion) -> list[str]:
    """The ways an exact time of the request could be written."""
    at = timezone.localtime(SHANGHAI_10_37)
    return [f"{at:%H:%M}", f"{at:%H:%M:%S}", f"{at:%H}:{at:%M}", at.isoformat()]


def _traces(opinion: Opinion) -> list[str]:
    return [
        opinion.get_absolute_url(),
        f"/{opinion.pk}/",
        opinion.tracking_code,
        spaced(opinion.tracking_code),
        *_moments(opinion),
    ]


@pytest.mark.time_machine(SHANGHAI_10_37, tick=False)
def test_an_anonymous_entry_sends_and_logs_nothing_at_once(
    client, world, outbox, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    events = SecurityEvent.objects.count()  # the accounts' creation
    with django_capture_on_commit_callbacks(execute=True):
        assert send_entry(client, world.village1).status_code == 200
    opinion = Opinion.objects.get()
    assert opinion.created_at == timezone.localtime(SHANGHAI_10_37).replace(minute=0, second=0)
    assert Notification.objects.count() == 0
    assert outbox == [] and RecordingSms.sent == []
    assert SecurityEvent.objects.count() == events
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for trace in _traces(opinion):
        assert trace not in logged


@pytest.mark.time_machine(SHANGHAI_10_37, tick=False)
def test_the_hourly_batch_tells_the_directors_without_id_code_or_time(
    client, world, outbox, time_machine, django_capture_on_commit_callbacks
):
    send_entry(client, world.village1)
    send_entry(client, world.village1)
    send_entry(client, world.village2)
    entries = list(Opinion.objects.filter(region=world.village1))
    assert opinions.send_held_notices() == 0  # the hour is not over: nothing leaves
    assert Notification.objects.count() == 0

    time_machine.move_to(SHANGHAI_10_37 + dt.timedelta(minutes=23, seconds=5))  # 11:00:17
    with django_capture_on_commit_callbacks(execute=True):
        assert opinions.send_held_notices() == 2  # one message per village's director
    (note,) = Notification.objects.filter(user=world.director1)
    assert note.text_in("en") == "2 new anonymous entries in the opinion book of 枫源村."
    assert note.url == reverse("casebook:opinion_list") + f"?village={world.village1.code}"
    assert note.created_at >= timezone.localtime().replace(minute=0, second=0, microsecond=0)
    assert (
        Notification.objects.get(user=world.director2)
        .text_in("en")
        .startswith("1 new anonymous entry")
    )
    (message,) = outbox
    assert message.to == ["director1@example.org"] and world.village1.name in message.body
    assert RecordingSms.sent == []
    for opinion in entries:
        for trace in _traces(opinion):
            for text in (note.text_in(), note.url, message.subject, message.body):
                assert trace not in text
    assert not Opinion.objects.filter(notice_pending=True).exists()
    # no history line about the notice: the entry's history keeps the hour of its arrival only
    assert all(o.history.count() == 1 for o in entries)

    with django_capture_on_commit_callbacks(execute=True):
        assert opinions.send_held_notices() == 0  # told once
    assert Notification.objects.count() == 2 and len(outbox) == 1


@pytest.mark.time_machine(SHANGHAI_10_37, tick=False)
def test_a_digest_reader_gets_the_batch_in_the_digest_only(
    client, world, outbox, time_machine, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(
        user=world.director1, email_kinds=["assignment"], daily_digest=True
    )
    send_entry(client, world.village1)
    time_machine.move_to(SHANGHAI_10_37 + dt.timedelta(minutes=50))  # 11:27:12
    with django_capture_on_commit_callbacks(execute=True):
        opinions.send_held_notices()
    assert outbox == []
    time_machine.move_to(SHANGHAI_10_37 + dt.timedelta(hours=10))
    assert send_digests() == 1
    (digest,) = outbox
    opinion = Opinion.objects.get()
    assert "1 new anonymous entry in the opinion book of 枫源村." in digest.body
    for trace in _traces(opinion):
        assert trace not in digest.body


def test_the_command_sends_the_held_notices(world, capsys):
    Opinion.objects.create(
        region=world.village1,
        kind="report",
        text="x",
        anonymous=True,
        channel="public_form",
        created_at=timezone.now() - dt.timedelta(hours=2),
        notice_pending=True,
    )
    call_command("send_opinion_notices")
    assert "sent 1 messages" in capsys.readouterr().out
    assert Notification.objects.get().user == world.director1


def test_a_named_entry_is_still_told_at_once_with_its_link(client, world):
    send_entry(client, world.village1, anonymous=None, name=INFORMANT)
    opinion = Opinion.objects.get()
    assert not opinion.notice_pending
    assert Notification.objects.get(user=world.director1).url == opinion.get_absolute_url()


# ---- an opinion's contact ------------------------------------------------------------------------


def named_opinion(world, contact="13700002222") -> Opinion:
    return Opinion.objects.create(
        region=world.village1,
        kind="complaint",
        text="垃圾桶三天没人清。",
        anonymous=False,
        name="楼阿根",
        contact=contact,
        channel="in_person",
    )


def contact_url(opinion: Opinion) -> str:
    return reverse("casebook:opinion_contact_reveal", args=[opinion.pk])


def test_the_contact_is_revealed_whole_only_through_a_logged_post(client, world):
    opinion = named_opinion(world)
    client.force_login(world.director1)
    page = client.get(opinion.get_absolute_url())
    assert "13700002222" not in page.content.decode() and "137****2222" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert reveals() == []
    response = client.post(contact_url(opinion))
    assert response.status_code == 200 and "13700002222" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    (event,) = reveals()
    assert (event.actor, event.region) == (world.director1, world.village1)
    assert event.detail == {"field": "contact", "record": "casebook.Opinion", "id": opinion.pk}
    assert "13700002222" not in repr(event.__dict__)


def test_a_contact_that_is_not_a_phone_is_hidden_whole(client, world):
    opinion = named_opinion(world, contact="微信 louagen88")
    client.force_login(world.director1)
    body = client.get(opinion.get_absolute_url()).content.decode()
    assert "louagen88" not in body and opinions.CONTACT_MASK in body


@pytest.mark.parametrize(
    ("who", "status"),
    [("mediator1", 403), ("auditor", 403), ("director2", 404), ("township2_officer", 404)],
)
def test_the_contact_reveal_is_refused_to_others(client, world, who, status):
    opinion = named_opinion(world)
    client.force_login(getattr(world, who))
    response = client.post(contact_url(opinion))
    assert response.status_code == status and "13700002222" not in response.content.decode()
    assert reveals() == []


def test_the_contact_reveal_takes_only_post_and_needs_a_contact(client, world):
    opinion = named_opinion(world)
    anonymous = Opinion.objects.create(
        region=world.village1, kind="complaint", text="x", anonymous=True, channel="public_form"
    )
    client.force_login(world.director1)
    assert client.get(contact_url(opinion)).status_code == 405
    assert client.post(contact_url(anonymous)).status_code == 404
    assert reveals() == []
