import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from qunfang.core.models import Notification, NotificationPreference
from qunfang.core.notify import notify, send_digests

pytestmark = pytest.mark.django_db


def test_a_message_is_kept_in_app_and_mailed_after_commit(
    world, django_capture_on_commit_callbacks
):
    world.director1.email = "d1@example.cn"
    world.director1.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.director1, "assignment", "案件移交给您", "/books/cases/1/")
    assert Notification.objects.filter(user=world.director1, kind="assignment").count() == 1
    assert len(mail.outbox) == 1 and "案件移交给您" in mail.outbox[0].body


def test_a_broken_mail_server_never_breaks_the_request(
    world, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        9,
        1,
    )  # nothing listens
    world.director1.email = "d1@example.cn"
    world.director1.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(world.director1, "overdue", "逾期", "") is not None
    assert Notification.objects.filter(user=world.director1).count() == 1


def test_preferences_choose_mail_kinds_and_the_digest_goes_once_a_day(
    world, client, django_capture_on_commit_callbacks
):
    world.director1.email = "d1@example.cn"
    world.director1.save()
    client.force_login(world.director1)
    url = reverse("core:notification_settings")
    response = client.post(url, {"email_kinds": ["escalation"], "daily_digest": "on"})
    assert response.status_code == 302
    prefs = NotificationPreference.objects.get(user=world.director1)
    assert prefs.email_kinds == ["escalation"] and prefs.daily_digest
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.director1, "escalation", "上报：2026-0001", "")
        notify(world.director1, "roster", "新排班表", "")
    assert mail.outbox == []  # digest users get no single mails
    assert send_digests() == 1
    assert (
        len(mail.outbox) == 1
        and "上报：2026-0001" in mail.outbox[0].body
        and "新排班表" not in mail.outbox[0].body
    )
    assert send_digests() == 0  # once a day
    assert send_digests(now=timezone.now() + dt.timedelta(days=1)) == 0  # nothing new since


def test_bad_preferences_are_refused(world, client):
    client.force_login(world.director1)
    response = client.post(reverse("core:notification_settings"), {"email_kinds": ["nonsense"]})
    assert (
        response.status_code == 200
        and not NotificationPreference.objects.filter(email_kinds=["nonsense"]).exists()
    )


class RecordingGateway:
    sent: list = []

    def send(self, phone, text):
        RecordingGateway.sent.append((phone, text))


def test_urgent_messages_also_go_by_sms_when_a_gateway_is_set(
    world, settings, django_capture_on_commit_callbacks
):
    settings.QUNFANG_SMS_GATEWAY = "tests.core.test_notifications.RecordingGateway"
    RecordingGateway.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.director1, "escalation", "重大事项上报", "")
        notify(world.director1, "roster", "新排班表", "")
    assert RecordingGateway.sent == [("13857500111", "重大事项上报")]
