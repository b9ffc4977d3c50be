"""The real client address behind a reverse proxy, used by the lockout, the rate limits and
the security log; and the per-account slow-down that spread-out guessing meets."""

import datetime as dt
import ipaddress

import pytest
import time_machine
from django.test import RequestFactory
from django.utils import timezone

from qunfang.core.clientaddr import client_address
from qunfang.core.models import SecurityEvent, SecurityEventKind
from tests.factories import TEST_PASSWORD

LOGIN = "/login/"
PROXY = "127.0.0.1"


def _request(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.fixture
def behind_nginx(settings):
    settings.QUNFANG_TRUSTED_PROXIES = (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.8.0.0/16"),
    )


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.QUNFANG_TRUSTED_PROXIES = ()
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        (PROXY, "198.51.100.7", "198.51.100.7"),
        # each proxy appends what it saw: the rightmost hop that is not ours is the client,
        # whatever the client wrote to the left of it
        (PROXY, "1.2.3.4, 198.51.100.7, 10.8.1.2", "198.51.100.7"),
        (PROXY, "2001:db8::5", "2001:db8::5"),
        # a connection that does not come from our proxy may say what it likes
        ("198.51.100.7", "1.2.3.4", "198.51.100.7"),
        # a malformed hop: nothing to its left is believed
        (PROXY, "1.2.3.4, not-an-address", PROXY),
        (PROXY, "", PROXY),
    ],
)
def test_the_client_is_the_last_hop_that_is_not_a_trusted_proxy(
    behind_nginx, remote, forwarded, client
):
    assert client_address(_request(remote, forwarded)) == client


def _attempt(client, username, password, ip):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=ip,
    )


@pytest.mark.django_db
def test_behind_the_proxy_five_failures_lock_one_visitor_not_everyone(world, client, behind_nginx):
    for _ in range(5):
        last = _attempt(client, "director1", "wrong-Password1", "198.51.100.7")
    assert last.status_code == 429
    assert _attempt(client, "director1", TEST_PASSWORD, "198.51.100.7").status_code == 429
    # the director at the township office, behind the same nginx, still signs in
    assert _attempt(client, "director1", TEST_PASSWORD, "198.51.100.80").status_code == 302
    event = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN_SUCCEEDED)
    assert event.ip_address == "198.51.100.80"
    failed = SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED)
    assert failed.count() >= 5
    assert set(failed.values_list("ip_address", flat=True)) == {"198.51.100.7"}


# ---- the per-account slow-down ------------------------------------------------------------


def _guess_from_many_places(client, n):
    for i in range(n):
        response = client.post(
            LOGIN,
            {"username": "director1", "password": "wrong-Password1"},
            REMOTE_ADDR=f"198.51.100.{i + 1}",
        )
        assert response.status_code == 200


@pytest.mark.django_db
def test_guessing_from_many_addresses_slows_the_account_down_for_new_browsers(
    world, client, settings
):
    settings.QUNFANG_ACCOUNT_SLOWDOWN_AFTER = 10
    start = dt.datetime(2026, 12, 7, 10, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(start, tick=False) as clock:
        _guess_from_many_places(client, 10)  # two guesses short of an axes lock-out each
        first = client.post(
            LOGIN,
            {"username": "director1", "password": "wrong-Password1"},
            REMOTE_ADDR="203.0.113.1",
        )
        assert "请等半分钟" not in first.content.decode()  # one attempt gets through…
        slowed = client.post(
            LOGIN, {"username": "director1", "password": TEST_PASSWORD}, REMOTE_ADDR="203.0.113.2"
        )
        assert slowed.status_code == 200 and "请等半分钟" in slowed.content.decode()
        assert "_auth_user_id" not in client.session
        clock.shift(dt.timedelta(seconds=31))  # …and half a minute later the next one
        assert (
            client.post(
                LOGIN,
                {"username": "director1", "password": TEST_PASSWORD},
                REMOTE_ADDR="203.0.113.2",
            ).status_code
            == 302
        )


@pytest.mark.django_db
def test_a_browser_the_account_signed_in_on_before_is_never_slowed(world, client, settings):
    settings.QUNFANG_ACCOUNT_SLOWDOWN_AFTER = 3
    own = client.post(
        LOGIN, {"username": "director1", "password": TEST_PASSWORD}, REMOTE_ADDR="203.0.113.50"
    )
    assert own.status_code == 302 and own.cookies["qf_device"]["httponly"]
    device = own.cookies["qf_device"].value
    client.logout()  # the test client forgets every cookie here
    _guess_from_many_places(client, 5)
    for _ in range(2):  # no wait between attempts from the director's own office PC
        client.cookies["qf_device"] = device
        response = client.post(
            LOGIN, {"username": "director1", "password": TEST_PASSWORD}, REMOTE_ADDR="203.0.113.50"
        )
        assert response.status_code == 302
        client.logout()
