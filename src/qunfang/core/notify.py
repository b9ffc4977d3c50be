"""Notifications: an in-app message always, an e-mail when the user wants that kind by e-mail
(or later in the daily digest), an SMS for urgent kinds when a gateway is configured. Sending happens after the transaction commits and never
breaks or slows the request that caused it: a failing mail server is logged, not raised."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qunfang.core.models import Notification
from qunfang.core.sms import gateway

log = logging.getLogger(__name__)

URGENT = ("escalation", "overdue")  # also by SMS when a gateway is configured
KIND_LABELS = {
    "assignment": gettext_lazy("Something is handed to me"),
    "escalation": gettext_lazy("Reports upward and instructions"),
    "overdue": gettext_lazy("Something is overdue"),
    "answer": gettext_lazy("Answers to the opinion book"),
    "roster": gettext_lazy("Rosters and swaps"),
    "reminder": gettext_lazy("Shift reminders"),
}


def notify(user, kind: str, text: str, url: str = "") -> Notification | None:
    if user is None or not user.is_active:
        return None
    note = Notification.objects.create(user=user, kind=kind, text=text[:300], url=url)
    prefs = getattr(user, "notification_preference", None)
    wants_mail = bool(user.email) and (prefs is None or prefs.mails(kind))
    if wants_mail:
        transaction.on_commit(lambda: _mail(user.email, text))
    if kind in URGENT and user.phone and settings.QUNFANG_SMS_GATEWAY:
        transaction.on_commit(lambda: _sms(user.phone, text))
    return note


def _sms(phone: str, text: str) -> None:
    try:
        gateway().send(phone, text)
    except Exception:  # the gateway being down must not break the work that caused the message
        log.exception("notification SMS failed")


def _mail(address: str, text: str, subject: str = "") -> None:
    try:
        send_mail(subject or _("Qunfang: %(text)s") % {"text": text[:60]}, text, None, [address])
    except Exception:  # a mail server down must not break the work that caused the message
        log.exception("notification e-mail to %s failed", address)


def send_digests(now=None) -> int:
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
        if prefs.digest_sent_at and prefs.digest_sent_at > now - timezone.timedelta(hours=23):
            continue
        since = prefs.digest_sent_at or now - timezone.timedelta(days=1)
        notes = list(
            prefs.user.notifications.filter(
                created_at__gt=since, kind__in=prefs.email_kinds or list(KIND_LABELS)
            )
        )
        prefs.digest_sent_at = now
        prefs.save(update_fields=["digest_sent_at"])
        heads = _book_heads(prefs.user, now)
        if not notes and not heads:
            continue
        body = "\n".join(f"{timezone.localtime(n.created_at):%m-%d %H:%M}  {n.text}" for n in notes)
        subject = (
            _("Qunfang: %(n)d messages today") % {"n": len(notes)}
            if notes
            else _("Qunfang: the heads of the books today")
        )
        _mail(prefs.user.email, "\n\n".join(part for part in (body, heads) if part), subject)
        sent += 1
    return sent


def _book_heads(user, now) -> str:
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
