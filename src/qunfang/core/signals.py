"""Security events from Django's and axes' signals: sign-in, failure, lockout, sign-out."""

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from qunfang.core.audit import security_event_record
from qunfang.core.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from qunfang.core.models import SecurityEventKind, User


@receiver(user_logged_in)
def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_SEEN_KEY] = now
    security_event_record(kind=SecurityEventKind.LOGIN_SUCCEEDED, request=request, user=user)


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    user = User.objects.filter(username=username).select_related("region").first()
    security_event_record(
        kind=SecurityEventKind.LOGIN_FAILED, request=request, user=user, username=username
    )


@receiver(user_locked_out)
def on_locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str, **kwargs: Any
) -> None:
    username = str(username or "")[:150]
    user = User.objects.filter(username=username).select_related("region").first()
    security_event_record(
        kind=SecurityEventKind.LOCKED_OUT, request=request, user=user, username=username
    )


@receiver(user_logged_out)
def on_logged_out(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is not None:
        security_event_record(kind=SecurityEventKind.LOGGED_OUT, request=request, user=user)
