"""Notifications, every kind through `notify()`: an in-app message always, an e-mail when the
reader wants that kind by e-mail (or later in the daily digest), an SMS for the kinds that must
reach a phone when a gateway is configured. The message is kept untranslated (a Phrase) and
rendered in the reader's language for the page, the e-mail and the SMS. Sending happens after
the transaction commits and never breaks or slows the work that caused it: a failing mail server
or gateway is logged, not raised."""

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qunfang.core.models import Notification, User
from qunfang.core.phrases import Phrase
from qunfang.core.sms import SmsGateway, gateway

log = logging.getLogger(__name__)
Mailer = Callable[..., Any]  # send_mail's signature

# Also by SMS when a gateway is configured, whatever the e-mail preferences: reports upward and
# overdue items are urgent, and a shift reminder is worth nothing unless it reaches the phone
# before the shift (a patrol member often has no e-mail and a weak signal: an SMS arrives where
# the app does not load).
BY_SMS = ("escalation", "overdue", "reminder")
KIND_LABELS = {
    "assignment": gettext_lazy("Something is handed to me"),
    "escalation": gettext_lazy("Reports upward and instructions"),
    "overdue": gettext_lazy("Something is overdue"),
    "answer": gettext_lazy("Answers to the opinion book"),
    "roster": gettext_lazy("Rosters and swaps"),
    "reminder": gettext_lazy("Shift reminders"),
    "decision": gettext_lazy("Meetings' decisions I am responsible for, falling due"),
    "assessment": gettext_lazy("Assessment results and appeals"),
    "supervision": gettext_lazy("The township's bulletins and organisations flagged"),
}


# When the messages being written were sent, for a history written in afterwards (the demo):
# None is now.
_SENT_AT: ContextVar[dt.datetime | None] = ContextVar("notify_sent_at", default=None)


@contextmanager
def sent_at(at: dt.datetime) -> Iterator[None]:
    """Every message `notify()` keeps inside the block is dated `at`, however deep in a service
    it is sent (a roster published in the demo "five days ago" tells its members then)."""
    token = _SENT_AT.set(at)
    try:
        yield
    finally:
        _SENT_AT.reset(token)


def mark_read(*, user: User, notifications: Iterable[int], at: dt.datetime | None = None) -> int:
    """The reader has seen these of their messages (ids): mark the unread ones read. Another
    user's ids are ignored."""
    unread = Notification.objects.filter(user=user, pk__in=list(notifications), read_at=None)
    return unread.update(read_at=at or timezone.now())


def reader_language(user: User) -> str:
    language: str = getattr(user, "language", "") or settings.LANGUAGE_CODE
    return language


def wants_mail_now(user: User, kind: str) -> bool:
    """An e-mail at once: the account has an address and the reader's preferences ask for this
    kind without the digest (no preferences saved yet: every kind, as the settings page shows)."""
    prefs = getattr(user, "notification_preference", None)
    return bool(user.email) and (prefs is None or prefs.mails(kind))


def notify(
    user: User | None,
    kind: str,
    message: Phrase,
    url: str = "",
    *,
    phone: str = "",
    sms: SmsGateway | None = None,
    mail: Mailer | None = None,
) -> Notification | None:
    """Tell `user`. `phone`: the number for the SMS instead of the account's (a rostered
    member's number in the registry); `sms` (a gateway) and `mail` (a send_mail) replace the
    configured ones."""
    if not isinstance(message, Phrase):
        raise TypeError("notify() takes a Phrase, rendered later in the reader's language")
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if user is None or not user.is_active:
        return None
    note = Notification(user=user, kind=kind, message=message.as_json(), url=url)
    if (at := _SENT_AT.get()) is not None:
        note.created_at = at
    note.save()
    language = reader_language(user)
    text = message.render(language)
    if wants_mail_now(user, kind):
        with translation.override(language):
            subject = _("Qunfang: %(text)s") % {"text": text[:60]}
        address = user.email
        transaction.on_commit(lambda: _mail(address, text, subject, mail))
    notify_by_sms(phone or user.phone, kind, text, sms=sms)
    return note


def notify_by_sms(
    phone: str, kind: str, text: str | Phrase, *, sms: SmsGateway | None = None
) -> bool:
    """The SMS part of `notify()`, also for someone without an account (a rostered villager):
    only for the kinds in BY_SMS, when a gateway is configured. A Phrase is rendered in the
    default language (who has no account has chosen none)."""
    if kind not in BY_SMS or not phone:
        return False
    if sms is None and not settings.QUNFANG_SMS_GATEWAY:
        return False
    rendered = text.render(settings.LANGUAGE_CODE) if isinstance(text, Phrase) else text
    transaction.on_commit(lambda: _sms(phone, rendered, sms))
    return True


def _sms(phone: str, text: str, sms: SmsGateway | None = None) -> None:
    try:
        # gateway() is None only when no gateway is configured, which the callers check first
        (sms or gateway()).send(phone, text)  # type: ignore[union-attr]
    except Exception:  # the gateway being down must not break the work that caused the message
        log.exception("notification SMS failed")


def _mail(address: str, text: str, subject: str, mail: Mailer | None = None) -> None:
    try:
        (mail or send_mail)(subject, text, None, [address])
    except Exception:  # a mail server down must not break the work that caused the message
        log.exception("notification e-mail to %s failed", address)


def send_digests(now: dt.datetime | None = None) -> int:
    """One e-mail per user who chose the daily digest, with what arrived since the last one.
    Idempotent: a digest goes out at most once a day."""
    from django.utils import timezone

    from qunfang.core.models import NotificationPreference

    now = now or timezone.now()
    sent = 0
    due = NotificationPreference.objects.filter(daily_digest=True, user__is_active=True).exclude(
        user__email=""
    )
    for prefs in due.select_related("user"):
        if prefs.digest_sent_at and prefs.digest_sent_at > now - dt.timedelta(hours=23):
            continue
        since = prefs.digest_sent_at or now - dt.timedelta(days=1)
        notes = list(
            prefs.user.notifications.filter(
                created_at__gt=since, kind__in=prefs.email_kinds or list(KIND_LABELS)
            )
        )
        prefs.digest_sent_at = now
        prefs.save(update_fields=["digest_sent_at"])
        with translation.override(reader_language(prefs.user)):  # the reader's, not the sender's
            heads = _book_heads(prefs.user, now)
            if not notes and not heads:
                continue
            body = "\n".join(
                f"{timezone.localtime(n.created_at):%m-%d %H:%M}  {n.text_in()}" for n in notes
            )
            subject = (
                _("Qunfang: %(n)d messages today") % {"n": len(notes)}
                if notes
                else _("Qunfang: the heads of the books today")
            )
        _mail(prefs.user.email, "\n\n".join(part for part in (body, heads) if part), subject)
        sent += 1
    return sent


def _book_heads(user: User, now: dt.datetime) -> str:
    """For auditors: each chain's line count and head, carried out of the database every day,
    so that a later `verify-books --anchors` finds lines removed from a chain's end."""
    from django.utils import timezone

    from qunfang.core.roles import Perm
    from qunfang.core.selectors import book_heads_visible

    if not user.can(Perm.VIEW_SECURITY_LOG):
        return ""
    heads = book_heads_visible(user=user)
    if not heads:
        return ""
    title = _("Heads of the books on %(day)s (chain, lines, hash); keep this message:") % {
        "day": timezone.localdate(now).isoformat()
    }
    return "\n".join([title, *(f"{h.name} {h.seq} {h.hash[:16]}" for h in heads)])
