"""Slowing down password guessing spread over many addresses.

django-axes locks one (account, address) pair after five failures; an attacker with many
addresses gets five guesses from each. So failures are also counted per account, across
addresses, in the shared cache. Past QUNFANG_ACCOUNT_SLOWDOWN_AFTER failures in the lockout
window the account takes one attempt per QUNFANG_ACCOUNT_SLOWDOWN_SECONDS — except from a
browser it has signed in on before (a signed cookie), so the real user at their own phone or
office PC is never slowed, and anywhere else waits half a minute at most: a slow-down that
cannot be turned into a lock-out.
"""

import hashlib

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

DEVICE_COOKIE = "qf_device"
DEVICE_SALT = "qunfang.login.device"
DEVICE_MAX_AGE = 400 * 24 * 3600  # a year and a month: the browser's own cap


def _account(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def _window() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def _device_accounts(request: HttpRequest) -> list[str]:
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    try:
        return list(signing.loads(token, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE))
    except signing.BadSignature:
        return []


def known_device(request: HttpRequest, username: str) -> bool:
    return _account(username) in _device_accounts(request)


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a successful sign-in: this browser is one the account uses (up to five accounts,
    for a shared office PC)."""
    account = _account(username)
    others = [a for a in _device_accounts(request) if a != account][-4:]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps([*others, account], salt=DEVICE_SALT),
        max_age=DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def may_try(request: HttpRequest, username: str) -> bool:
    """False while the account is slowed down and this attempt is not the one it lets through."""
    failures = cache.get(f"qf:login-failures:{_account(username)}", 0)
    if failures < settings.QUNFANG_ACCOUNT_SLOWDOWN_AFTER or known_device(request, username):
        return True
    gate = f"qf:login-gate:{_account(username)}"
    return cache.add(gate, 1, timeout=settings.QUNFANG_ACCOUNT_SLOWDOWN_SECONDS)


def count_failure(username: str) -> None:
    key = f"qf:login-failures:{_account(username)}"
    cache.add(key, 0, timeout=_window())
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=_window())
