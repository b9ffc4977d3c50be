import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from qunfang.core.models import Notification, NotificationPreference
from qunfang.core.notify import mark_read, notify, send_digests, sent_at
from qunfang.core.phrases import Phrase
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

HANDED = Phrase(gettext_noop("A case is being handed to you: %(case)s."), case="2026-0001 偷牛")
REPORTED = Phrase(gettext_noop("Reported to you: %(case)s."), case="2026-0001")
ROSTER = Phrase(gettext_noop("A new roster is out: %(roster)s."), roster="枫源村 12月")


def test_a_message_is_kept_in_app_and_mailed_after_commit(
    world, django_capture_on_commit_callbacks
):
    world.director1.email = "d1@example.cn"
    world.director1.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.director1, "assignment", HANDED, "/books/cases/1/")
    assert Notification.objects.filter(user=world.director1, kind="assignment").count() == 1
    assert len(mail.outbox) == 1 and "案件移交给您" in mail.outbox[0].body  # the reader's Chinese


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
        assert notify(world.director1, "overdue", REPORTED, "") is not None
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
        notify(world.director1, "escalation", REPORTED, "")
        notify(world.director1, "roster", ROSTER, "")
    assert mail.outbox == []  # digest users get no single mails
    assert send_digests() == 1
    assert (
        len(mail.outbox) == 1
        and "上报给您的案件：2026-0001" in mail.outbox[0].body
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
        notify(world.director1, "escalation", REPORTED, "")
        notify(world.director1, "roster", ROSTER, "")
    assert RecordingGateway.sent == [("13857500111", "上报给您的案件：2026-0001。")]


# ---- the reader's language ----------------------------------------------------------------

SWAP = Phrase(
    gettext_noop("Your swap for %(day)s was %(verdict)s."),
    day=dt.date(2029, 1, 10),
    verdict=Phrase(gettext_noop("approved")),
)


def _readers(world):
    """director1 reads English, the township officer Chinese; both want every mail at once."""
    world.director1.language, world.director1.email = "en", "d1@example.cn"
    world.director1.save()
    world.township_officer.email = "t@example.cn"
    world.township_officer.save()
    return world.director1, world.township_officer


def test_the_same_message_reads_in_each_readers_language_on_the_page_and_by_mail(
    world, client, django_capture_on_commit_callbacks
):
    english, chinese = _readers(world)
    with django_capture_on_commit_callbacks(execute=True):
        for reader in (english, chinese):
            notify(reader, "roster", SWAP, "/patrols/my/")
    stored = Notification.objects.filter(user=english).get()
    assert stored.text == "" and stored.message["params"]["verdict"] == {"msgid": "approved"}
    mails = {m.to[0]: m for m in mail.outbox}
    assert mails["d1@example.cn"].body == "Your swap for 2029-01-10 was approved."
    assert mails["d1@example.cn"].subject.startswith("Qunfang: Your swap")
    assert mails["t@example.cn"].body == "您 2029-01-10 的换班申请已批准。"
    assert mails["t@example.cn"].subject.startswith("群防：")
    for reader, seen in ((english, "was approved"), (chinese, "的换班申请已批准")):
        client.force_login(reader)
        page = client.get(reverse("patrols:notifications")).content.decode()
        assert seen in page
        client.logout()
        client.cookies.clear()


def test_the_digest_is_in_the_readers_language(world, django_capture_on_commit_callbacks):
    english, _chinese = _readers(world)
    NotificationPreference.objects.create(user=english, email_kinds=["roster"], daily_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify(english, "roster", SWAP)
    assert mail.outbox == [] and send_digests() == 1
    (digest,) = mail.outbox
    assert digest.subject == "Qunfang: 1 messages today"
    assert "Your swap for 2029-01-10 was approved." in digest.body


def test_older_messages_kept_as_text_still_show(world, client):
    Notification.objects.create(user=world.patrol1, text="明晚夜班提醒")
    client.force_login(world.patrol1)
    assert "明晚夜班提醒" in client.get(reverse("patrols:notifications")).content.decode()


def test_a_history_written_afterwards_dates_its_messages_when_they_were_sent(world):
    """The demo publishes last month's roster "five days ago": every message the service sends
    inside the block carries that time, and the next one is dated now again."""
    then = timezone.now() - dt.timedelta(days=5)
    with sent_at(then):
        old = notify(world.director1, "roster", ROSTER, "/patrols/rosters/1/")
    new = notify(world.director1, "roster", ROSTER, "/patrols/rosters/1/")
    assert old.created_at == then and new.created_at > then + dt.timedelta(days=4)


def test_marking_read_touches_only_the_readers_own_unread_messages(world):
    earlier = timezone.now() - dt.timedelta(hours=1)
    seen = notify(world.patrol1, "roster", ROSTER)
    fresh = notify(world.patrol1, "roster", ROSTER)
    other = notify(world.director1, "roster", ROSTER)
    Notification.objects.filter(pk=seen.pk).update(read_at=earlier)
    ids = [seen.pk, fresh.pk, other.pk]
    assert mark_read(user=world.patrol1, notifications=ids) == 1
    for note in (seen, fresh, other):
        note.refresh_from_db()
    assert seen.read_at == earlier and fresh.read_at is not None and other.read_at is None


def test_a_message_must_stay_untranslated_until_it_is_read(world):
    with pytest.raises(TypeError):
        notify(world.director1, "roster", "已经翻译好的文字")
    with pytest.raises(ValueError):
        notify(world.director1, "no-such-kind", ROSTER)
    assert not Notification.objects.exists()


# ---- the account's language ---------------------------------------------------------------


def test_the_account_language_chooses_the_page_language(world, client):
    world.director1.language = "en"
    world.director1.save()
    client.force_login(world.director1)
    response = client.get("/")
    assert response["Content-Language"] == "en" and "Sign out" in response.content.decode()
    assert response.cookies["django_language"].value == "en"  # the browser keeps it


def test_signing_in_brings_the_account_language_to_a_shared_pc(world, client):
    world.director1.language = "en"
    world.director1.save()
    client.cookies["django_language"] = "zh-hans"  # the last user of this PC read Chinese
    response = client.post(reverse("login"), {"username": "director1", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    assert "Sign out" in client.get("/").content.decode()


def test_the_switch_on_a_page_changes_the_account_language(world, client):
    client.force_login(world.director1)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    world.director1.refresh_from_db()
    assert world.director1.language == "en"
    client.post(reverse("set_language"), {"language": "xx-evil", "next": "/"})
    world.director1.refresh_from_db()
    assert world.director1.language == "en"  # an unknown language changes nothing


def test_the_language_is_chosen_with_the_message_settings(world, client):
    client.force_login(world.director1)
    url = reverse("core:notification_settings")
    assert client.get(url).context["form"].initial["email_kinds"]  # unsaved: every kind mailed
    response = client.post(url, {"email_kinds": ["escalation"], "language": "en"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    world.director1.refresh_from_db()
    assert world.director1.language == "en"
    assert "Message settings" in client.get(url).content.decode()
    bad = client.post(url, {"email_kinds": ["roster"], "language": "xx"})
    assert bad.status_code == 200 and bad.context["language_form"].errors
    world.director1.refresh_from_db()
    prefs = NotificationPreference.objects.get(user=world.director1)
    assert world.director1.language == "en" and prefs.email_kinds == ["escalation"]
