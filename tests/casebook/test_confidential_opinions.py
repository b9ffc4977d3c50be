"""Confidential senders in the opinion book (举报人保密): a confidential entry's name and contact
are masked on the list, the entry's page, the printed register, the search and every message for
readers without Perm.VIEW_CONFIDENTIAL, and shown to those with it only through a logged POST;
an entry and the case opened from it are confidential together; the public form offers it (ticked
for named entries); the form's replay guard keeps no finer time than the entry's own hour."""

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from qunfang.casebook.models import Case, CaseType, Opinion, ReporterKind
from qunfang.casebook.services import opinions
from qunfang.core.models import Notification, SecurityEvent

pytestmark = pytest.mark.django_db

SENDER = "钱秀梅"  # a sender's name that nothing else in these tests contains
PHONE = "13700002222"
MASKED_PHONE = "137****2222"
TEXT = "后山茶棚夜里有人聚众赌博。"
SHANGHAI_10_37 = dt.datetime(2029, 1, 10, 2, 37, 12, tzinfo=dt.UTC)  # 10:37:12 in Shanghai


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the public form's limiter and replay guard count in the cache
    yield
    cache.clear()


def confidential_opinion(world, **fields) -> Opinion:
    values = {
        "region": world.village1,
        "kind": "report",
        "text": TEXT,
        "anonymous": False,
        "name": SENDER,
        "contact": PHONE,
        "channel": "in_person",
        "entered_by": world.director1,
        "confidential": True,
    }
    values.update(fields)
    return Opinion.objects.create(**values)


def sender_url(opinion: Opinion) -> str:
    return reverse("casebook:opinion_sender_reveal", args=[opinion.pk])


def register_url(opinion: Opinion) -> str:
    day = timezone.localtime(opinion.created_at).date()
    return (
        reverse("casebook:opinion_register_print")
        + f"?village={opinion.region.code}&from={day}&to={day}"
    )


def search_url(text: str) -> str:
    return reverse("casebook:opinion_list") + f"?q={text}"


def reveals() -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind="personal_data_revealed"))


def case_data() -> dict:
    occurred = timezone.localtime(timezone.now() - dt.timedelta(hours=3))
    return {
        "case_type": CaseType.objects.get(code="gambling").pk,
        "severity": 2,
        "title": "后山有人聚众赌博",
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
    }


def traces(body: str) -> list[str]:
    """What of the sender a page shows (the search box may echo the words searched for)."""
    body = body.replace(f'value="{SENDER}"', "")
    return [t for t in (SENDER, PHONE, MASKED_PHONE) if t in body]


# ---- masked for every reader ---------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["director1", "mediator1", "auditor"])
def test_readers_without_the_permission_never_see_a_confidential_sender(client, world, reader):
    opinion = confidential_opinion(world)
    client.force_login(getattr(world, reader))
    pages = {
        "list": client.get(reverse("casebook:opinion_list")),
        "detail": client.get(opinion.get_absolute_url()),
        "register": client.get(register_url(opinion)),
        "search": client.get(search_url(SENDER)),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert traces(response.content.decode()) == [], name
    listed = pages["list"].content.decode()
    assert listed.count('data-testid="opinion-row"') == 1 and "confidential sender" in listed
    detail = pages["detail"].content.decode()
    assert 'data-testid="sender-confidential"' in detail
    assert 'data-testid="reveal-sender"' not in detail  # no button for those who may not
    assert 'data-testid="reveal-contact"' not in detail  # nor a way round through the contact
    assert "confidential sender" in pages["register"].content.decode()
    assert 'data-testid="opinion-row"' not in pages["search"].content.decode()  # no hit by name
    by_words = client.get(search_url("聚众赌博")).content.decode()
    assert by_words.count('data-testid="opinion-row"') == 1  # the entry is found by its words
    assert traces(by_words) == []
    assert reveals() == []


def test_a_sender_that_is_not_confidential_is_shown_and_found_as_before(client, world):
    opinion = confidential_opinion(world, confidential=False)
    client.force_login(world.mediator1)
    assert SENDER in client.get(opinion.get_absolute_url()).content.decode()
    assert SENDER in client.get(register_url(opinion)).content.decode()
    search = client.get(search_url(SENDER)).content.decode()
    assert search.count('data-testid="opinion-row"') == 1
    response = client.post(sender_url(opinion))  # nothing hidden: nothing logged either
    assert response.status_code == 200 and SENDER in response.content.decode()
    assert PHONE not in response.content.decode()  # the contact keeps its own logged reveal
    assert reveals() == []


# ---- the logged reveal ---------------------------------------------------------------------------


@pytest.mark.parametrize("officer", ["township_officer", "police"])
def test_the_township_and_police_see_the_sender_only_through_the_logged_reveal(
    client, world, officer
):
    opinion = confidential_opinion(world)
    user = getattr(world, officer)
    client.force_login(user)
    detail = client.get(opinion.get_absolute_url())
    assert traces(detail.content.decode()) == []
    assert 'data-testid="reveal-sender"' in detail.content.decode()
    assert "no-store" in detail["Cache-Control"]
    assert reveals() == []  # opening the page reveals nothing and logs nothing

    response = client.post(sender_url(opinion))
    body = response.content.decode()
    assert response.status_code == 200
    assert SENDER in body and PHONE in body
    assert "no-store" in response["Cache-Control"]
    (event,) = reveals()
    assert (event.actor, event.region) == (user, world.village1)
    assert event.detail == {
        "field": "confidential_sender",
        "record": "casebook.Opinion",
        "id": opinion.pk,
    }
    assert SENDER not in repr(event.__dict__) and PHONE not in repr(event.__dict__)

    # the list, prints and search stay masked for them too
    for url in (reverse("casebook:opinion_list"), register_url(opinion), search_url(SENDER)):
        assert traces(client.get(url).content.decode()) == [], url
    assert 'data-testid="opinion-row"' not in client.get(search_url(SENDER)).content.decode()
    assert len(reveals()) == 1


@pytest.mark.parametrize("reader", ["director1", "mediator1", "auditor"])
def test_the_reveal_is_refused_without_the_permission(client, world, reader):
    opinion = confidential_opinion(world)
    client.force_login(getattr(world, reader))
    response = client.post(sender_url(opinion))
    assert response.status_code == 403 and traces(response.content.decode()) == []
    contact = client.post(reverse("casebook:opinion_contact_reveal", args=[opinion.pk]))
    assert contact.status_code == 403 and PHONE not in contact.content.decode()
    assert reveals() == []


@pytest.mark.parametrize("outsider", ["director2", "township2_officer"])
def test_the_reveal_answers_404_outside_the_jurisdiction(client, world, outsider):
    opinion = confidential_opinion(world)
    client.force_login(getattr(world, outsider))
    assert client.post(sender_url(opinion)).status_code == 404
    assert reveals() == []


def test_the_reveal_takes_only_post_and_needs_a_sender(client, world):
    opinion = confidential_opinion(world)
    anonymous = Opinion.objects.create(
        region=world.village1, kind="report", text="x", anonymous=True, channel="public_form"
    )
    client.force_login(world.township_officer)
    assert client.get(sender_url(opinion)).status_code == 405
    assert client.post(sender_url(anonymous)).status_code == 404
    assert reveals() == []


# ---- an entry and its case are confidential together ---------------------------------------------


def test_a_case_opened_from_a_confidential_entry_is_confidential(client, world):
    opinion = confidential_opinion(world)
    client.force_login(world.director1)
    page = client.get(opinion.get_absolute_url()).content.decode()
    assert 'name="name_openly"' not in page  # nobody may name a confidential sender openly
    data = {**case_data(), "name_openly": "on"}  # and a forged field changes nothing
    response = client.post(reverse("casebook:opinion_to_case", args=[opinion.pk]), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.reporter_confidential and case.reporter_name == SENDER
    assert SENDER not in client.get(case.get_absolute_url()).content.decode()
    # the same through the service, whatever its caller asks
    other = confidential_opinion(world)
    made = opinions.to_case(
        opinion=other,
        case_type=CaseType.objects.get(code="gambling"),
        severity=2,
        title="又有人赌博",
        occurred_at=timezone.now(),
        by=world.director1,
        confidential=False,
    )
    assert made.reporter_confidential


def test_an_entry_whose_case_is_confidential_becomes_confidential(client, world):
    opinion = confidential_opinion(world, confidential=False)
    client.force_login(world.director1)
    assert SENDER in client.get(opinion.get_absolute_url()).content.decode()
    response = client.post(reverse("casebook:opinion_to_case", args=[opinion.pk]), case_data())
    assert response.status_code == 302
    assert Case.objects.get().reporter_confidential  # the default (举报人保密)
    opinion.refresh_from_db()
    assert opinion.confidential
    # the book no longer names whom the case keeps secret
    for url in (
        opinion.get_absolute_url(),
        reverse("casebook:opinion_list"),
        register_url(opinion),
    ):
        assert traces(client.get(url).content.decode()) == [], url
    assert 'data-testid="opinion-row"' not in client.get(search_url(SENDER)).content.decode()


def test_a_public_form_sender_who_unticked_the_box_is_confidential_once_a_case(world):
    opinion = confidential_opinion(world, confidential=False, channel="public_form")
    case = opinions.to_case(
        opinion=opinion,
        case_type=CaseType.objects.get(code="gambling"),
        severity=2,
        title="有人赌博",
        occurred_at=timezone.now(),
        by=world.director1,
        confidential=False,
    )
    assert case.reporter_kind == ReporterKind.PUBLIC_FORM and case.reporter_confidential
    opinion.refresh_from_db()
    assert opinion.confidential


def test_an_entry_named_openly_in_its_case_stays_open_until_marked(client, world):
    opinion = confidential_opinion(world, confidential=False)
    client.force_login(world.director1)
    data = {**case_data(), "name_openly": "on"}
    assert (
        client.post(reverse("casebook:opinion_to_case", args=[opinion.pk]), data).status_code == 302
    )
    case = Case.objects.get()
    opinion.refresh_from_db()
    assert not case.reporter_confidential and not opinion.confidential

    page = client.get(opinion.get_absolute_url()).content.decode()
    assert 'data-testid="mark-confidential"' in page
    response = client.post(reverse("casebook:opinion_confidential", args=[opinion.pk]))
    assert response.status_code == 302
    opinion.refresh_from_db()
    case.refresh_from_db()
    assert opinion.confidential and case.reporter_confidential  # the case follows the entry
    assert traces(client.get(opinion.get_absolute_url()).content.decode()) == []
    assert SENDER not in client.get(case.get_absolute_url()).content.decode()
    assert opinion.history.first().confidential  # the change is in the entry's history


@pytest.mark.parametrize(("who", "status"), [("auditor", 403), ("police", 403), ("director2", 404)])
def test_only_the_villages_staff_mark_a_sender_confidential(client, world, who, status):
    opinion = confidential_opinion(world, confidential=False)
    client.force_login(getattr(world, who))
    url = reverse("casebook:opinion_confidential", args=[opinion.pk])
    assert client.post(url).status_code == status
    opinion.refresh_from_db()
    assert not opinion.confidential


def test_an_anonymous_entry_cannot_be_marked_and_nothing_changes(client, world):
    anonymous = Opinion.objects.create(
        region=world.village1, kind="report", text="x", anonymous=True, channel="public_form"
    )
    client.force_login(world.director1)
    response = client.post(
        reverse("casebook:opinion_confidential", args=[anonymous.pk]), follow=True
    )
    assert "An anonymous entry keeps no sender to keep confidential." in response.content.decode()
    anonymous.refresh_from_db()
    assert not anonymous.confidential


def test_a_mediation_from_a_confidential_entry_does_not_name_the_sender(client, world):
    opinion = confidential_opinion(world)
    client.force_login(world.mediator1)
    response = client.get(reverse("casebook:mediation_create") + f"?opinion={opinion.pk}")
    assert response.status_code == 200 and SENDER not in response.content.decode()


# ---- the public form and the staff form ----------------------------------------------------------


_ages = iter(range(10, 10_000))


def send_entry(client, village, **fields):
    data = {
        "kind": "report",
        "text": TEXT,
        "anonymous": None,
        "name": SENDER,
        "contact": PHONE,
        "started": opinions.form_token(village, now=time.time() - next(_ages)),
    }
    data.update(fields)
    return client.post(
        reverse("casebook:public_form", args=[village.code]),
        {k: v for k, v in data.items() if v is not None},
    )


def test_the_public_form_offers_confidentiality_ticked(client, world):
    body = client.get(reverse("casebook:public_form", args=[world.village1.code])).content.decode()
    (box,) = [tag for tag in body.split("<input")[1:] if 'name="confidential"' in tag]
    assert 'type="checkbox"' in box and "checked" in box
    assert "police station may see my name and contact" in body


@pytest.mark.parametrize(
    ("fields", "confidential"),
    [
        ({"confidential": "on"}, True),
        ({}, False),
        ({"confidential": "on", "anonymous": "on"}, False),
    ],
)
def test_the_public_form_keeps_what_the_sender_chose(client, world, fields, confidential):
    assert send_entry(client, world.village1, **fields).status_code == 200
    assert Opinion.objects.get().confidential is confidential


def test_a_confidential_public_entry_names_nobody_in_messages_or_on_the_tracking_page(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_entry(client, world.village1, confidential="on")
    opinion = Opinion.objects.get()
    assert opinion.confidential and opinion.name == SENDER
    notes = list(Notification.objects.all())
    assert notes and all(traces(f"{n.text_in()} {n.url}") == [] for n in notes)
    track = client.post(reverse("casebook:public_track"), {"code": opinion.tracking_code})
    body = track.content.decode()
    assert track.status_code == 200 and TEXT in body  # the entry was found
    assert traces(body) == []


def test_staff_mark_an_entry_in_person_confidential(client, world):
    client.force_login(world.director1)
    page = client.get(reverse("casebook:opinion_create")).content.decode()
    assert 'name="confidential"' in page
    response = client.post(
        reverse("casebook:opinion_create"),
        {
            "village": world.village1.code,
            "kind": "report",
            "text": TEXT,
            "name": SENDER,
            "contact": PHONE,
            "confidential": "on",
        },
    )
    assert response.status_code == 302
    opinion = Opinion.objects.get()
    assert opinion.confidential and opinion.channel == "in_person"
    assert traces(client.get(opinion.get_absolute_url()).content.decode()) == []


# ---- the replay guard keeps the hour only --------------------------------------------------------


def expiries() -> dict[str, float]:
    """What the (local-memory) cache of the tests holds: key -> expiry (a Unix time)."""
    return {k: v for k, v in cache._expire_info.items() if ":qf:" in k}


@pytest.mark.parametrize("minute", [0, 37, 59])
def test_a_used_form_token_expires_on_a_whole_hour(world, time_machine, minute):
    moment = SHANGHAI_10_37.replace(minute=minute, second=59 if minute == 59 else 12)
    time_machine.move_to(moment, tick=False)
    assert not opinions.token_used("a form token")
    assert opinions.token_used("a form token")  # the replay is refused
    ((key, expiry),) = expiries().items()
    assert "opinion-token" in key
    hour = timezone.localtime(moment).replace(minute=0, second=0)
    assert expiry == (hour + dt.timedelta(hours=opinions.TOKEN_KEEP_HOURS)).timestamp()
    # long enough: the token could be sent again until FORM_MAX_SECONDS after it was handed out
    assert expiry >= moment.timestamp() + opinions.FORM_MAX_SECONDS


def test_nothing_a_public_entry_leaves_in_the_cache_tells_its_minute(client, world, time_machine):
    seen = []
    for minute in (0, 37, 59):
        cache.clear()
        time_machine.move_to(SHANGHAI_10_37.replace(minute=minute), tick=False)
        assert send_entry(client, world.village1, anonymous="on").status_code == 200
        held = expiries()
        assert any("opinion-token" in k for k in held) and any(":rl:" in k for k in held)
        seen.append(sorted(held.values()))
    assert seen[0] == seen[1] == seen[2]
    assert all(value % 60 == 0 for value in seen[0])


@pytest.fixture
def database_cache(settings):
    """The deployment's default: the cache in a database table, whose rows anyone with the
    database (or a backup of it) can read."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "qf_test_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    yield
    cache.clear()


def stored_expiries() -> list[dt.datetime]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM qf_test_cache ORDER BY expires")
        return [row[0] for row in cursor.fetchall()]


def test_the_database_cache_keeps_the_hour_of_an_entry_only(
    client, world, time_machine, database_cache
):
    seen = []
    for minute, second in ((0, 0), (37, 12), (59, 59)):
        cache.clear()
        time_machine.move_to(SHANGHAI_10_37.replace(minute=minute, second=second), tick=False)
        assert send_entry(client, world.village1, anonymous="on").status_code == 200
        assert send_entry(client, world.village1, anonymous="on").status_code == 200
        rows = stored_expiries()
        assert len(rows) == 4  # two used tokens, the client's and the village's counters
        seen.append(rows)
    assert seen[0] == seen[1] == seen[2]  # the same whatever the minute of sending
    hours = {str(row)[:16] for row in seen[0]}
    assert all(str(row)[14:19] in ("00:00", "01:00") for row in seen[0]), hours
    # and the limiter still counts both entries of the hour
    assert cache.get(f"qf:rl:opinion-village:{world.village1.code}:{int(time.time() // 3600)}") == 2
