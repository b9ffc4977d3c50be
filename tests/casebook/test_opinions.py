"""The villagers' opinion book: the public form and its guards, tracking codes, satisfaction,
the staff screens, jurisdiction and query counts."""

import datetime as dt
import re
import time

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qunfang.casebook.models import Case, CaseType, Opinion, OpinionStatus, ReporterKind
from qunfang.casebook.selectors.opinions import spaced
from qunfang.casebook.services import opinions
from qunfang.core.models import Notification

pytestmark = pytest.mark.django_db

SENDER_IP = "203.0.113.77"
SENDER_AGENT = "Mozilla/5.0 (Linux; Android 13; 红米Note12) UniqueAgent-7731"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()  # the limiter counts in the cache
    yield
    cache.clear()


def _form_url(village):
    return reverse("casebook:public_form", args=[village.code])


_ages = iter(range(10, 10_000))


def _entry(village, **fields):
    """A filled public form, opened some seconds ago (each with its own token)."""
    data = {
        "kind": "suggestion",
        "text": "建议在文化礼堂门口装一盏路灯。",
        "anonymous": "on",
        "started": opinions.form_token(village, now=time.time() - next(_ages)),
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _send(client, village, **fields):
    return client.post(
        _form_url(village),
        _entry(village, **fields),
        REMOTE_ADDR=SENDER_IP,
        HTTP_USER_AGENT=SENDER_AGENT,
    )


def _opinion(world, **fields):
    values = {
        "region": world.village1,
        "kind": "complaint",
        "text": "垃圾桶三天没人清。",
        "anonymous": True,
        "channel": "public_form",
    }
    values.update(fields)
    return Opinion.objects.create(**values)


def _without_tokens(html: str) -> str:
    """Responses differ only by their per-response CSRF tokens."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


# ---- the public form ---------------------------------------------------------------------------


def test_the_public_form_opens_without_sign_in_and_shows_only_the_village_name(client, world):
    response = client.get(_form_url(world.village1))
    body = response.content.decode()
    assert response.status_code == 200
    assert world.village1.name in body
    assert world.township.name not in body and world.director1.full_name not in body
    assert 'class="mainnav"' not in body
    assert "no-store" in response["Cache-Control"]
    assert "<script>" not in body and 'style="' not in body  # CSP: nothing inline


def test_a_signed_in_staff_member_sees_the_public_form_without_the_staff_menu(client, world):
    client.force_login(world.director1)
    body = client.get(_form_url(world.village1)).content.decode()
    assert 'class="mainnav"' not in body


@pytest.mark.parametrize(
    "code", ["999999999999", "330681109290001", "330681109000", "abc", "3306811092900"]
)
def test_an_unknown_or_non_village_code_answers_404(client, world, code):
    assert client.get(f"/books/v/{code}/").status_code == 404
    assert client.get(f"/books/v/{code}/answers/").status_code == 404
    assert client.post(f"/books/v/{code}/", {"text": "x"}).status_code == 404
    assert Opinion.objects.count() == 0


def test_an_anonymous_entry_keeps_no_name_and_shows_its_tracking_code(client, world):
    # the villager typed a name, then ticked "anonymous": the name must not be kept
    response = _send(client, world.village1, name="楼阿根", contact="13700001111")
    assert response.status_code == 200
    opinion = Opinion.objects.get()
    assert (opinion.anonymous, opinion.name, opinion.contact) == (True, "", "")
    assert opinion.channel == "public_form" and opinion.status == OpinionStatus.RECEIVED
    assert opinion.region == world.village1 and opinion.entered_by is None
    body = response.content.decode()
    assert spaced(opinion.tracking_code) in body
    assert 'data-testid="tracking-code"' in body
    assert reverse("casebook:public_track") in body
    # the time is kept to the hour only
    assert (
        opinion.created_at.minute,
        opinion.created_at.second,
        opinion.created_at.microsecond,
    ) == (0, 0, 0)


def test_an_anonymous_entry_stores_no_address_or_browser_anywhere(client, world):
    _send(client, world.village1)
    opinion = Opinion.objects.get()
    history = list(opinion.history.all())
    assert len(history) == 1 and history[0].history_user is None
    assert history[0].history_date == opinion.created_at  # the hour, not the second
    # not in the entry, not in its history, not in any table of the database
    for model in apps.get_models(include_auto_created=True):
        for row in model._base_manager.values():
            text = repr(row)
            assert SENDER_IP not in text, model
            assert "UniqueAgent-7731" not in text, model


def test_a_new_named_public_entry_notifies_the_village_director(client, world):
    # anonymous entries wait for the hourly batch: tests/casebook/test_informants.py
    _send(client, world.village1, anonymous=None, name="楼阿根")
    opinion = Opinion.objects.get()
    notes = Notification.objects.filter(kind="assignment")
    assert [n.user for n in notes] == [world.director1]
    assert notes[0].url == opinion.get_absolute_url()
    assert opinion.text not in notes[0].text  # the message may go out by e-mail: no content


def test_a_named_entry_keeps_name_and_contact(client, world):
    response = _send(client, world.village1, anonymous=None, name="楼阿根", contact="13700001111")
    assert response.status_code == 200
    opinion = Opinion.objects.get()
    assert (opinion.anonymous, opinion.name, opinion.contact) == (False, "楼阿根", "13700001111")


def test_a_named_entry_without_name_or_contact_is_refused(client, world):
    response = _send(client, world.village1, anonymous=None)
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert Opinion.objects.count() == 0


def test_the_honeypot_refuses_a_bot_and_saves_nothing(client, world):
    response = _send(client, world.village1, website="http://spam.example")
    assert response.status_code == 400
    assert 'data-testid="refusal"' in response.content.decode()
    assert Opinion.objects.count() == 0


def test_a_form_sent_too_fast_is_refused_and_offered_again(client, world):
    data = _entry(world.village1, started=opinions.form_token(world.village1))  # opened just now
    response = client.post(_form_url(world.village1), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="refusal"' in body
    assert data["text"] in body  # the villager's words are kept for the next try
    assert Opinion.objects.count() == 0


@pytest.mark.parametrize("started", ["", "forged", "expired", "other-village"])
def test_a_missing_forged_or_stale_form_token_is_refused(client, world, started):
    token = {
        "expired": opinions.form_token(
            world.village1, now=time.time() - opinions.FORM_MAX_SECONDS - 5
        ),
        "other-village": opinions.form_token(world.village2, now=time.time() - 60),
        "forged": "eyJ2IjoiMzMwNjgxMTA5MjkwIiwidCI6MX0:forged:signature",
    }.get(started, started)
    response = client.post(_form_url(world.village1), _entry(world.village1, started=token))
    assert response.status_code == 400
    assert Opinion.objects.count() == 0


def test_the_same_form_sent_twice_makes_one_entry(client, world):
    data = _entry(world.village1)
    assert client.post(_form_url(world.village1), data).status_code == 200
    assert client.post(_form_url(world.village1), data).status_code == 409
    assert Opinion.objects.count() == 1


def test_one_client_is_limited_per_hour(client, world):
    for _ in range(opinions.CLIENT_LIMIT):
        assert _send(client, world.village1).status_code == 200
    response = _send(client, world.village1)
    assert response.status_code == 429
    assert 'data-testid="refusal"' in response.content.decode()
    assert Opinion.objects.count() == opinions.CLIENT_LIMIT
    # another client is not affected
    other = client.post(
        _form_url(world.village1), _entry(world.village1), REMOTE_ADDR="198.51.100.9"
    )
    assert other.status_code == 200


def test_a_village_is_limited_per_hour_whatever_the_client(client, world, monkeypatch):
    monkeypatch.setattr(opinions, "VILLAGE_LIMIT", 3)
    for n in range(3):
        ok = client.post(
            _form_url(world.village1), _entry(world.village1), REMOTE_ADDR=f"198.51.100.{n}"
        )
        assert ok.status_code == 200
    refused = client.post(
        _form_url(world.village1), _entry(world.village1), REMOTE_ADDR="198.51.100.50"
    )
    assert refused.status_code == 429
    assert Opinion.objects.count() == 3
    # the next village has its own allowance
    assert (
        client.post(
            _form_url(world.village2), _entry(world.village2), REMOTE_ADDR="198.51.100.51"
        ).status_code
        == 200
    )


def test_the_limiter_keeps_no_client_address_in_the_cache_keys(client, world, monkeypatch):
    names = []
    real_add = cache.add
    monkeypatch.setattr(
        cache, "add", lambda key, *a, **kw: names.append(key) or real_add(key, *a, **kw)
    )
    _send(client, world.village1)
    assert names and not any(SENDER_IP in name for name in names)


# ---- tracking codes ------------------------------------------------------------------------------


def _track(client, code, **extra):
    return client.post(
        reverse("casebook:public_track"), {"code": code, **extra}, REMOTE_ADDR=SENDER_IP
    )


def test_a_tracking_code_shows_status_and_answer_but_no_name(client, world):
    opinion = _opinion(
        world,
        anonymous=False,
        name="楼阿根",
        contact="13700001111",
        channel="in_person",
        status=OpinionStatus.ANSWERED,
        answer="已联系保洁员，每天清运。",
        answered_at=timezone.now(),
    )
    typed = spaced(opinion.tracking_code).lower()  # spaces and small letters are fine
    response = _track(client, typed)
    body = response.content.decode()
    assert response.status_code == 200
    assert "已联系保洁员" in body and opinion.get_status_display() in body
    assert "楼阿根" not in body and "13700001111" not in body
    assert world.township.name not in body
    assert "no-store" in response["Cache-Control"]


def test_every_wrong_code_gets_the_same_answer(client, world):
    _opinion(world)
    answers = [
        _without_tokens(_track(client, code).content.decode())
        for code in ("ABCD EFGH JKLM", "ZZZZZZZZZZZZ", "1", "'; drop table x;--", "😀" * 12)
    ]
    assert len(set(answers)) == 1
    assert 'data-testid="track-not-found"' in answers[0]
    assert "ABCD" not in answers[0]  # the code tried is not echoed


def test_tracking_lookups_are_rate_limited_so_codes_cannot_be_guessed(client, world):
    opinion = _opinion(world)
    for n in range(opinions.TRACK_LIMIT):
        assert _track(client, f"WRONG{n:07d}").status_code == 200
    limited = _track(client, opinion.tracking_code)  # even the right code, once over the limit
    assert limited.status_code == 429
    assert 'data-testid="track-limited"' in limited.content.decode()
    assert opinion.text not in limited.content.decode()
    # another connection is not affected
    other = client.post(
        reverse("casebook:public_track"),
        {"code": opinion.tracking_code},
        REMOTE_ADDR="198.51.100.7",
    )
    assert other.status_code == 200 and opinion.text in other.content.decode()


def test_satisfaction_only_after_closing_and_only_once(client, world):
    opinion = _opinion(
        world, status=OpinionStatus.ANSWERED, answer="已处理。", answered_at=timezone.now()
    )
    early = _track(client, opinion.tracking_code, action="rate", rating="5")
    assert 'data-testid="track-error"' in early.content.decode()
    opinion.refresh_from_db()
    assert opinion.satisfaction is None

    opinion.status = OpinionStatus.CLOSED
    opinion.save()
    page = _track(client, opinion.tracking_code).content.decode()
    assert 'name="rating"' in page
    thanks = _track(client, opinion.tracking_code, action="rate", rating="4")
    assert 'data-testid="track-thanks"' in thanks.content.decode()
    again = _track(client, opinion.tracking_code, action="rate", rating="1")
    assert 'data-testid="track-error"' in again.content.decode()
    opinion.refresh_from_db()
    assert opinion.satisfaction == 4
    assert opinion.history.first().history_user is None  # the rating names nobody


@pytest.mark.parametrize("rating", ["0", "6", "x", ""])
def test_a_rating_outside_1_to_5_is_refused(client, world, rating):
    opinion = _opinion(
        world, status=OpinionStatus.CLOSED, answer="已处理。", answered_at=timezone.now()
    )
    _track(client, opinion.tracking_code, action="rate", rating=rating)
    opinion.refresh_from_db()
    assert opinion.satisfaction is None


def test_rating_with_a_wrong_code_gets_the_not_found_answer(client, world):
    response = _track(client, "WRONGWRONG22", action="rate", rating="5")
    assert 'data-testid="track-not-found"' in response.content.decode()


def test_the_public_board_shows_published_answers_of_its_village_only_without_names(client, world):
    _opinion(
        world,
        anonymous=False,
        name="楼阿根",
        channel="in_person",
        text="私人的话OWN",
        status="answered",
        answer="公开的答复PUB",
        answer_published=True,
        answered_at=timezone.now(),
    )
    _opinion(world, status="answered", answer="未公开的答复HID", answered_at=timezone.now())
    _opinion(
        world,
        region=world.village2,
        status="answered",
        answer="乐山村的答复V2",
        answer_published=True,
        answered_at=timezone.now(),
    )
    body = client.get(reverse("casebook:public_board", args=[world.village1.code])).content.decode()
    assert "公开的答复PUB" in body
    assert "未公开的答复HID" not in body and "乐山村的答复V2" not in body
    assert "楼阿根" not in body and "私人的话OWN" not in body
    assert 'class="mainnav"' not in body


# ---- staff ---------------------------------------------------------------------------------------


def test_staff_enter_answer_publish_and_close_an_entry(client, world):
    client.force_login(world.director1)
    response = client.post(
        reverse("casebook:opinion_create"),
        {
            "village": world.village1.code,
            "kind": "report",
            "text": "河边护栏松动。",
            "name": "楼阿根",
            "contact": "13700001111",
        },
    )
    opinion = Opinion.objects.get()
    assert response.status_code == 302 and response["Location"] == opinion.get_absolute_url()
    assert (opinion.channel, opinion.entered_by, opinion.name) == (
        "in_person",
        world.director1,
        "楼阿根",
    )
    detail = client.get(opinion.get_absolute_url()).content.decode()
    assert spaced(opinion.tracking_code) in detail  # handed to the villager on a slip

    client.post(reverse("casebook:opinion_move", args=[opinion.pk]), {"to": "in_hand"})
    opinion.refresh_from_db()
    assert opinion.status == "in_hand"
    client.post(
        reverse("casebook:opinion_answer", args=[opinion.pk]),
        {"answer": "已加固护栏。", "publish": "on"},
    )
    opinion.refresh_from_db()
    assert (opinion.status, opinion.answer, opinion.answer_published) == (
        "answered",
        "已加固护栏。",
        True,
    )
    assert opinion.answered_by == world.director1
    board = client.get(
        reverse("casebook:public_board", args=[world.village1.code])
    ).content.decode()
    assert "已加固护栏。" in board

    client.post(reverse("casebook:opinion_answer", args=[opinion.pk]), {"action": "unpublish"})
    opinion.refresh_from_db()
    assert opinion.answer_published is False
    client.post(reverse("casebook:opinion_move", args=[opinion.pk]), {"to": "closed"})
    opinion.refresh_from_db()
    assert opinion.status == "closed"
    tracked = _track(client, opinion.tracking_code).content.decode()
    assert "已加固护栏。" in tracked and 'name="rating"' in tracked


def test_a_public_entry_shows_no_tracking_code_to_staff(client, world):
    """Staff must not be able to rate on a villager's behalf."""
    opinion = _opinion(world)
    client.force_login(world.director1)
    body = client.get(opinion.get_absolute_url()).content.decode()
    assert opinion.tracking_code not in body and spaced(opinion.tracking_code) not in body


@pytest.mark.parametrize(
    "start, to",
    [
        ("received", "closed"),
        ("received", "answered"),
        ("in_hand", "closed"),
        ("closed", "answered"),
        ("received", "nonsense"),
    ],
)
def test_forbidden_moves_are_refused_and_change_nothing(client, world, start, to):
    opinion = _opinion(world, status=start, answer="已处理。" if start == "closed" else "")
    with pytest.raises(ValidationError):
        opinions.move(opinion=opinion, to=to, by=world.director1)
    client.force_login(world.director1)
    response = client.post(
        reverse("casebook:opinion_move", args=[opinion.pk]), {"to": to}, follow=True
    )
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    opinion.refresh_from_db()
    assert opinion.status == start


def test_answering_a_closed_entry_or_with_no_text_is_refused(client, world):
    closed = _opinion(world, status="closed", answer="旧答复。", answered_at=timezone.now())
    with pytest.raises(ValidationError):
        opinions.answer(opinion=closed, text="新答复。", by=world.director1)
    fresh = _opinion(world)
    client.force_login(world.director1)
    response = client.post(reverse("casebook:opinion_answer", args=[fresh.pk]), {"answer": "  "})
    assert response.status_code == 200
    fresh.refresh_from_db()
    assert (fresh.status, fresh.answer) == ("received", "")
    response = client.post(
        reverse("casebook:opinion_answer", args=[fresh.pk]), {"action": "publish"}
    )
    fresh.refresh_from_db()
    assert fresh.answer_published is False  # nothing to publish yet


def test_a_closed_entry_can_be_reopened(world):
    opinion = _opinion(
        world, status="closed", answer="已处理。", answered_at=timezone.now(), satisfaction=2
    )
    opinion = opinions.move(opinion=opinion, to="in_hand", by=world.township_officer)
    assert (
        opinion.status == "in_hand" and opinion.satisfaction == 2
    )  # the villager rated once; it stays


def test_an_entry_becomes_a_case_once(client, world):
    opinion = _opinion(world)
    theft = CaseType.objects.get(code="theft")
    client.force_login(world.director1)
    data = {
        "case_type": theft.pk,
        "severity": 2,
        "title": "电动车被盗",
        "occurred_at": timezone.localtime(timezone.now() - dt.timedelta(hours=3)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
    }
    response = client.post(reverse("casebook:opinion_to_case", args=[opinion.pk]), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.source_opinion, case.region, case.owner) == (
        opinion,
        world.village1,
        world.director1,
    )
    assert case.reporter_kind == ReporterKind.ANONYMOUS and case.reporter_name == ""
    assert case.description == opinion.text
    opinion.refresh_from_db()
    assert opinion.status == "in_hand"
    again = client.post(reverse("casebook:opinion_to_case", args=[opinion.pk]), data)
    assert again.status_code == 200 and Case.objects.count() == 1


def test_an_empty_case_form_is_shown_again_with_errors(client, world):
    opinion = _opinion(world)
    client.force_login(world.director1)
    response = client.post(reverse("casebook:opinion_to_case", args=[opinion.pk]), {})
    assert response.status_code == 200 and Case.objects.count() == 0
    assert response.context["case_form"].errors


def test_the_mediation_link_carries_the_entry(client, world):
    opinion = _opinion(world)
    client.force_login(world.mediator1)
    response = client.get(opinion.get_absolute_url())
    url = response.context["mediation_url"]
    if url:  # the mediation group's route
        assert f"{url}?opinion={opinion.pk}" in response.content.decode()


def test_the_contact_is_masked_and_only_those_allowed_get_the_show_button(client, world):
    # the logged reveal itself: tests/casebook/test_informants.py
    opinion = _opinion(
        world, anonymous=False, name="楼阿根", contact="13700001111", channel="in_person"
    )
    client.force_login(world.mediator1)
    body = client.get(opinion.get_absolute_url()).content.decode()
    assert "13700001111" not in body and "137****1111" in body
    assert 'data-testid="reveal-contact"' not in body
    client.force_login(world.director1)
    body = client.get(opinion.get_absolute_url()).content.decode()
    assert "13700001111" not in body and "137****1111" in body
    assert 'data-testid="reveal-contact"' in body


def test_a_named_entry_in_person_becomes_a_case_with_its_reporter(world):
    opinion = _opinion(world, anonymous=False, name="楼阿根", channel="in_person")
    case = opinions.to_case(
        opinion=opinion,
        case_type=CaseType.objects.get(code="dispute"),
        severity=1,
        title="邻里纠纷",
        occurred_at=timezone.now(),
        by=world.mediator1,
    )
    assert (case.reporter_kind, case.reporter_name, case.owner) == (
        ReporterKind.PERSON,
        "楼阿根",
        world.mediator1,
    )


def test_staff_cannot_enter_an_opinion_for_another_village(client, world):
    client.force_login(world.director1)
    response = client.post(
        reverse("casebook:opinion_create"),
        {"village": world.village2.code, "kind": "opinion", "text": "x", "anonymous": "on"},
    )
    assert response.status_code == 200 and response.context["form"].errors["village"]
    assert Opinion.objects.count() == 0


def test_an_entry_of_another_village_cannot_be_entered(world):
    with pytest.raises(ValidationError):
        opinions.enter_in_person(
            village=world.village1,
            kind="opinion",
            text="x",
            anonymous=True,
            name="",
            contact="",
            received_at=None,
            by=world.director2,
        )


# ---- jurisdiction -------------------------------------------------------------------------------


def _record_urls(opinion, village):
    return [
        ("get", reverse("casebook:opinion_detail", args=[opinion.pk])),
        ("post", reverse("casebook:opinion_answer", args=[opinion.pk])),
        ("post", reverse("casebook:opinion_move", args=[opinion.pk])),
        ("post", reverse("casebook:opinion_to_case", args=[opinion.pk])),
        ("get", reverse("casebook:opinion_poster", args=[village.code])),
        ("get", reverse("casebook:opinion_register_print") + f"?village={village.code}"),
        ("get", reverse("casebook:opinion_list") + f"?village={village.code}"),
    ]


@pytest.mark.parametrize("outsider", ["director2", "township2_officer"])
def test_outsiders_get_404_on_village1_entries(client, world, outsider):
    opinion = _opinion(world, text="只有枫源村才有的意见MARK")
    client.force_login(getattr(world, outsider))
    for method, url in _record_urls(opinion, world.village1):
        response = getattr(client, method)(
            url, {"answer": "x", "to": "in_hand"} if method == "post" else None
        )
        assert response.status_code == 404, url
    assert "MARK" not in client.get(reverse("casebook:opinion_list")).content.decode()
    opinion.refresh_from_db()
    assert (opinion.status, opinion.answer) == ("received", "")


def test_the_village_and_township_reach_the_entries(client, world):
    opinion = _opinion(world, text="只有枫源村才有的意见MARK")
    for user in (world.director1, world.township_officer):
        client.force_login(user)
        for method, url in _record_urls(opinion, world.village1):
            if method == "get":
                assert client.get(url).status_code == 200, url
        assert "MARK" in client.get(reverse("casebook:opinion_list")).content.decode()


def test_viewers_read_but_do_not_act_and_patrol_members_see_nothing(client, world):
    opinion = _opinion(world)
    client.force_login(world.police)  # VIEW_REGISTRY only
    assert client.get(opinion.get_absolute_url()).status_code == 200
    assert (
        client.post(
            reverse("casebook:opinion_answer", args=[opinion.pk]), {"answer": "x"}
        ).status_code
        == 403
    )
    assert client.get(reverse("casebook:opinion_create")).status_code == 403
    assert (
        client.get(reverse("casebook:opinion_poster", args=[world.village1.code])).status_code
        == 403
    )
    client.force_login(world.patrol1)
    assert client.get(reverse("casebook:opinion_list")).status_code == 403
    assert client.get(opinion.get_absolute_url()).status_code == 403
    client.logout()
    assert client.get(reverse("casebook:opinion_list")).status_code == 302  # to the sign-in page


# ---- lists, register, poster ---------------------------------------------------------------------


def test_the_list_filters_and_puts_unanswered_entries_first(client, world):
    old_open = _opinion(
        world, text="旧的未答复OLD", created_at=timezone.now() - dt.timedelta(days=30)
    )
    _opinion(
        world, text="新的已答复NEW", status="answered", answer="好。", answered_at=timezone.now()
    )
    _opinion(world, region=world.village2, text="乐山村的意见V2", kind="suggestion")
    client.force_login(world.township_officer)
    response = client.get(reverse("casebook:opinion_list"))
    rows = list(response.context["page"].object_list)
    assert [o.status in opinions.UNANSWERED for o in rows] == [True, True, False]
    assert rows.index(old_open) < 2  # a month old, but still waiting: above the newer answered one
    only = client.get(
        reverse("casebook:opinion_list"), {"village": world.village1.code, "status": "answered"}
    )
    assert [o.text for o in only.context["page"].object_list] == ["新的已答复NEW"]
    kinds = client.get(reverse("casebook:opinion_list"), {"kind": "suggestion"})
    assert [o.text for o in kinds.context["page"].object_list] == ["乐山村的意见V2"]
    assert (
        client.get(reverse("casebook:opinion_list"), {"village": world.village3.code}).status_code
        == 404
    )


def _grow(world, n):
    for k in range(n):
        _opinion(
            world,
            anonymous=bool(k % 2),
            name="" if k % 2 else f"村民{k}",
            channel="in_person",
            region=world.village1 if k % 3 else world.village2,
            status=["received", "answered", "closed"][k % 3],
            answer="答复" if k % 3 else "",
            answer_published=bool(k % 3),
            answered_by=world.director1,
            answered_at=timezone.now(),
        )


@pytest.mark.parametrize("user", ["township_officer", "director1"])
def test_the_list_query_count_stays_flat(client, world, user):
    client.force_login(getattr(world, user))
    url = reverse("casebook:opinion_list")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _grow(world, 3)
    small = count()
    _grow(world, 20)
    assert count() == small


def test_the_public_board_and_register_query_counts_stay_flat(client, world):
    board = reverse("casebook:public_board", args=[world.village1.code])
    register = reverse("casebook:opinion_register_print") + f"?village={world.village1.code}"

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client.force_login(world.director1)
    _grow(world, 3)
    small = count(board), count(register)
    _grow(world, 20)
    assert (count(board), count(register)) == small


def _at(day: dt.date, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_the_register_prints_numbered_sheets_with_signoff_and_stamp_box(client, world):
    day = timezone.localdate().replace(month=1, day=10)
    for k in range(12):
        _opinion(world, created_at=_at(day + dt.timedelta(days=k)), text=f"意见{k:02d}")
    _opinion(world, region=world.village2, created_at=_at(day), text="乐山村的意见V2")
    client.force_login(world.director1)
    url = reverse("casebook:opinion_register_print")
    response = client.get(
        url, {"from": f"{day:%Y-%m-%d}", "to": f"{day + dt.timedelta(days=30):%Y-%m-%d}"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="register-row"') == 12
    assert body.count('data-testid="register-sheet"') == 2  # 8 rows a sheet
    assert body.count('data-testid="signoff"') == 2 and body.count('data-testid="stamp-box"') == 2
    assert f"{day.year}-0001" in body and f"{day.year}-0012" in body
    assert "乐山村的意见V2" not in body
    # a later period continues the year's running numbers
    later = client.get(
        url,
        {
            "from": f"{day + dt.timedelta(days=5):%Y-%m-%d}",
            "to": f"{day + dt.timedelta(days=30):%Y-%m-%d}",
        },
    )
    rows = [r["number"] for sheet in later.context["sheets"] for r in sheet["rows"]]
    assert rows[0] == f"{day.year}-0006"


def test_an_empty_period_still_prints_one_signed_sheet(client, world):
    client.force_login(world.director1)
    body = client.get(reverse("casebook:opinion_register_print")).content.decode()
    assert body.count('data-testid="register-sheet"') == 1 and 'data-testid="stamp-box"' in body


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2027-13-01"},
        {"from": "2027-02-30"},
        {"to": "yesterday"},
        {"from": "2027-05-01", "to": "2027-04-01"},
    ],
)
def test_bad_register_dates_get_a_clear_message(client, world, params):
    client.force_login(world.director1)
    response = client.get(reverse("casebook:opinion_register_print"), params)
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert response.context["first"] == timezone.localdate().replace(day=1)


def test_a_township_officer_chooses_the_village_to_print(client, world):
    client.force_login(world.township_officer)
    response = client.get(reverse("casebook:opinion_register_print"))
    assert 'data-testid="village-required"' in response.content.decode()


def test_the_poster_carries_the_qr_code_of_the_public_form(client, world):
    client.force_login(world.director1)
    response = client.get(reverse("casebook:opinion_poster", args=[world.village1.code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and world.village1.name in body
    assert f"http://testserver/books/v/{world.village1.code}/" in body
    assert (
        client.get(reverse("casebook:opinion_poster", args=[world.village2.code])).status_code
        == 404
    )
    assert (
        client.get(reverse("casebook:opinion_poster", args=[world.group1.code])).status_code == 404
    )
