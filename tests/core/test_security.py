"""Security baseline: lockout, no user enumeration, sessions, headers, the append-only log."""

import re
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from qunfang.core.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from qunfang.core.models import SecurityEvent, SecurityEventKind
from tests.factories import TEST_PASSWORD

LOGIN = "/login/"


def _attempt(client, username, password, ip="10.0.0.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_login_with_the_right_password_signs_in_and_is_logged(world, client):
    response = _attempt(client, "director1", TEST_PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN_SUCCEEDED)
    assert event.user == world.director1 and event.ip_address == "10.0.0.7"
    assert event.region == world.village1


@pytest.mark.django_db
def test_fifth_failure_locks_the_username_ip_pair(world, client):
    for _ in range(4):
        response = _attempt(client, "director1", "wrong-Password1")
        assert response.status_code == 200
        assert "请输入一个正确的" in response.content.decode()
    response = _attempt(client, "director1", "wrong-Password1")
    assert response.status_code == 429
    assert "暂停登录" in response.content.decode()
    # locked: even the right password is refused from this address…
    assert _attempt(client, "director1", TEST_PASSWORD).status_code == 429
    # …but the same person from another computer still gets in
    assert _attempt(client, "director1", TEST_PASSWORD, ip="10.0.0.8").status_code == 302
    kinds = list(SecurityEvent.objects.values_list("kind", flat=True))
    assert kinds.count(SecurityEventKind.LOGIN_FAILED) >= 5
    assert SecurityEventKind.LOCKED_OUT in kinds


@pytest.mark.django_db
def test_unknown_and_known_usernames_get_the_same_answers(world, client):
    """No user enumeration: same message before lockout and the same lockout after."""
    known = [_attempt(client, "director1", "wrong-Password1", ip="10.0.1.1") for _ in range(5)]
    unknown = [_attempt(client, "nobody-here", "wrong-Password1", ip="10.0.1.2") for _ in range(5)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [200] * 4 + [429]

    def clean(response):
        body = response.content.decode().replace("director1", "").replace("nobody-here", "")
        return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", body)  # per-response CSRF tokens

    assert clean(known[0]) == clean(unknown[0])


@pytest.mark.django_db
def test_a_successful_login_resets_the_failure_count(world, client):
    for _ in range(4):
        _attempt(client, "patrol1", "wrong-Password1")
    assert _attempt(client, "patrol1", TEST_PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _attempt(client, "patrol1", "wrong-Password1").status_code == 200


@pytest.mark.django_db
def test_idle_session_expires_with_a_message(world, client, settings):
    _attempt(client, "director1", TEST_PASSWORD)
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert "登录已超时" in response.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.SESSION_EXPIRED).count() == 1


@pytest.mark.django_db
def test_session_ends_after_its_absolute_lifetime_even_when_active(world, client, settings):
    _attempt(client, "director1", TEST_PASSWORD)
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - settings.SESSION_MAX_SECONDS - 5
    session[SESSION_SEEN_KEY] = int(time.time())
    session.save()
    assert client.get("/")["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_active_session_survives_within_the_idle_window(world, client, settings):
    _attempt(client, "director1", TEST_PASSWORD)
    session = client.session
    session[SESSION_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_SECONDS + 30
    session.save()
    assert client.get("/").status_code == 200
    assert client.session[SESSION_SEEN_KEY] >= int(time.time()) - 5  # the idle clock restarted


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Short1!", False),  # too short
        ("alllowercaseletters", False),  # one class
        ("lowercase12345", False),  # two classes
        ("Password123", False),  # three classes, but a common password
        ("Fengqiao-2026", True),
        ("枫桥镇治保2026ab", True),  # Chinese counts as "other"
    ],
)
def test_password_rules(password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


@pytest.mark.django_db
def test_pages_carry_security_headers(world, client):
    client.force_login(world.director1)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "frame-ancestors 'none'" in csp
        and "unsafe-inline" not in csp
    )
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "geolocation=(self)" in response["Permissions-Policy"]
    assert "http" not in response.content.decode().split("<body")[0].replace(
        "http-equiv", ""
    )  # no CDN


@pytest.mark.django_db
def test_security_log_cannot_be_changed_or_deleted(world):
    event = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, username="x")
    event.username = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        SecurityEvent.objects.filter(pk=event.pk).update(username="rewritten")
    with pytest.raises(PermissionError):
        SecurityEvent.objects.all().delete()
    # even raw SQL that bypasses the ORM is refused by the database trigger
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_securityevent SET username = 'rewritten'")
    assert SecurityEvent.objects.get(pk=event.pk).username == "x"


@pytest.mark.django_db
def test_csrf_failure_is_explained_and_changes_nothing(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.director1)
    response = strict.post(reverse("core:password_change"), {"old_password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()
