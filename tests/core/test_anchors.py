"""The books' heads kept outside the database (issue 10, item 2): in the backup's manifest, in
the auditors' daily digest and at the foot of every printed register."""

import hashlib
import io
import json

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from qunfang.casebook.models import CaseEvent, CaseEventKind
from qunfang.core.models import ChainHead, NotificationPreference, SecurityEvent
from qunfang.core.notify import send_digests
from qunfang.core.triggers import books_unlocked
from qunfang.patrols.models import DutyLedgerEntry, LedgerKind
from tests.core.test_books import a_case


@pytest.mark.django_db(transaction=True)  # committed data, as when the command runs for real
def test_the_backup_keeps_every_head_beside_it_for_verify_books(world, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL is backed up with pg_dump")
    call_command("backup", to=tmp_path / "b.sqlite3")
    manifest = json.loads((tmp_path / "b.manifest.json").read_text())
    head = ChainHead.objects.get(name="security")
    assert manifest["chains"] == {"security": {"seq": head.seq, "hash": head.hash}}
    assert manifest["sha256"] == hashlib.sha256((tmp_path / "b.sqlite3").read_bytes()).hexdigest()
    call_command("verify_books", f"--anchors={tmp_path / 'b.manifest.json'}", stdout=io.StringIO())
    newest = SecurityEvent.objects.order_by("-seq").first()
    with books_unlocked():
        SecurityEvent._base_manager.filter(pk=newest.pk).delete()
    ChainHead.objects.filter(name="security").update(seq=head.seq - 1, hash=newest.prev_hash)
    with pytest.raises(CommandError, match="lines removed"):
        call_command(
            "verify_books", f"--anchors={tmp_path / 'b.manifest.json'}", stdout=io.StringIO()
        )


@pytest.mark.django_db
def test_the_auditors_digest_carries_the_heads_of_their_regions_books(world):
    for user in (world.auditor, world.director1):
        user.email = f"{user.username}@example.cn"
        user.save()
        NotificationPreference.objects.create(user=user, daily_digest=True)
    ours = CaseEvent.objects.create(case=a_case(world), kind=CaseEventKind.NOTE, by=world.director1)
    CaseEvent.objects.create(
        case=a_case(world, world.village3), kind=CaseEventKind.NOTE, by=world.director1
    )
    assert send_digests() == 1  # the director had no messages and reads no heads
    (message,) = mail.outbox
    assert message.to == ["auditor@example.cn"]
    assert f"casebook/{world.village1.pk} 1 {ours.hash[:16]}" in message.body
    assert f"casebook/{world.village3.pk} " not in message.body  # another township's
    head = ChainHead.objects.get(name="security")
    assert f"security {head.seq} {head.hash[:16]}" in message.body


@pytest.mark.django_db
def test_printed_registers_show_their_books_head_at_the_foot(world, records, client):
    event = CaseEvent.objects.create(
        case=a_case(world), kind=CaseEventKind.NOTE, by=world.director1
    )
    client.force_login(world.director1)
    body = client.get(reverse("casebook:case_register_print")).content.decode()
    assert body.count('data-testid="book-head"') == body.count('data-testid="register-sheet"') > 0
    assert f"账簿 casebook/{world.village1.pk}：打印时共 1 行" in body and event.hash[:16] in body
    line = DutyLedgerEntry.objects.create(
        region=world.village1,
        household=records.household,
        group=records.group,
        kind=LedgerKind.OWED,
        on=event.at.date(),
        recorded_by=world.director1,
    )
    body = client.get(reverse("patrols:register_print")).content.decode()
    assert f"账簿 duty/{world.village1.pk}：打印时共 1 行" in body and line.hash[:16] in body
