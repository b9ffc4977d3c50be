"""The case register (案件登记): the lifecycle through the service (every allowed and forbidden
move of the transition table), hand-overs, upward reports and acknowledgements, then the same
key moves through the screens, uploads, scoping, filters, query counts, the paper register,
the home panel and the patrol-finding hook."""

import datetime as dt
import itertools
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qunfang.casebook.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseOutcome,
    CaseParty,
    CaseStatus,
    CaseType,
    Escalation,
    Level,
    ReporterKind,
    Severity,
)
from qunfang.casebook.selectors.cases import case_summary, overdue_escalations
from qunfang.casebook.services import cases
from qunfang.casebook.services.patrol_findings import open_case_from_check_in
from qunfang.core.models import Notification, User
from tests.casebook.walk_cases import png_bytes
from tests.clock import SHANGHAI

pytestmark = pytest.mark.django_db
S = CaseStatus


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_case(
    world,
    *,
    village=None,
    by=None,
    severity=Severity.ORDINARY,
    code="theft",
    title="枫源村电动车被盗",
    ago=dt.timedelta(minutes=10),
    **fields,
) -> Case:
    now = timezone.now()
    return cases.register_case(
        case=Case(
            region=village or world.village1,
            case_type=CaseType.objects.get(code=code),
            severity=severity,
            title=title,
            description="昨夜停在院里的电动车不见了。",
            occurred_at=now - ago - dt.timedelta(hours=1),
            reported_at=now - ago,
            reporter_kind=ReporterKind.PERSON,
            reporter_name="楼阿根",
            **fields,
        ),
        by=by or world.director1,
    )


def set_status(case: Case, status: str) -> Case:
    """Put the case in a state directly (test set-up, not a move)."""
    outcome = CaseOutcome.RESOLVED if status == S.CLOSED else ""
    Case.objects.filter(pk=case.pk).update(status=status, outcome=outcome)
    case.refresh_from_db()
    return case


def refused(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=CaseEventKind.REFUSED))


# ---- the lifecycle through the service ---------------------------------------------------------

PAIRS = [(a, b) for a, b in itertools.product(S.values, S.values) if a != b]


@pytest.mark.parametrize(("start", "to"), PAIRS)
def test_every_move_of_the_transition_table(world, start, to):
    case = set_status(make_case(world), start)
    allowed = to in cases.TRANSITIONS[start]
    outcome = CaseOutcome.NOT_RESOLVED if to == S.CLOSED else ""
    note = "当事人要求重新处理" if (start, to) == cases.REOPEN else ""
    if allowed:
        moved = cases.move(case=case, to=to, by=world.director1, outcome=outcome, note=note)
        assert moved.status == to
        line = CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION).get()
        assert (line.from_status, line.to_status, line.by) == (start, to, world.director1)
        assert refused(case) == []
    else:
        with pytest.raises(ValidationError):
            cases.move(case=case, to=to, by=world.director1, outcome=outcome, note=note)
        case.refresh_from_db()
        assert case.status == start and case.owner == world.director1
        assert not CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION).exists()
        assert len(refused(case)) == 1


def test_the_table_is_the_one_described():
    assert cases.allowed_moves(Case(status=S.REGISTERED)) == sorted([S.ACCEPTED, S.CLOSED])
    assert set(cases.TRANSITIONS) == set(S.values)
    assert S.IN_HAND in cases.TRANSITIONS[S.CLOSED]  # reopen


def test_closing_without_an_outcome_is_refused_and_recorded(world):
    case = set_status(make_case(world), S.IN_HAND)
    for outcome in ("", "made_up"):
        with pytest.raises(ValidationError, match="outcome"):
            cases.move(case=case, to=S.CLOSED, by=world.director1, outcome=outcome)
    case.refresh_from_db()
    assert case.status == S.IN_HAND and case.outcome == "" and case.closed_at is None
    assert len(refused(case)) == 2
    closed = cases.move(
        case=case,
        to=S.CLOSED,
        by=world.director1,
        outcome=CaseOutcome.NOT_RESOLVED,
        note="查无线索",
    )
    assert (
        closed.status == S.CLOSED
        and closed.outcome == CaseOutcome.NOT_RESOLVED
        and closed.closed_at
    )


def test_only_the_owner_moves_a_case(world):
    case = make_case(world)
    for stranger in (world.mediator1, world.township_officer, world.police):
        with pytest.raises(ValidationError, match="owner"):
            cases.move(case=case, to=S.ACCEPTED, by=stranger)
    case.refresh_from_db()
    assert case.status == S.REGISTERED
    assert len(refused(case)) == 3


def test_reopening_by_a_non_owner_is_refused_but_a_township_officer_may(world):
    case = make_case(world)
    case = cases.move(case=case, to=S.CLOSED, by=world.director1, outcome=CaseOutcome.UNFOUNDED)
    for stranger in (world.mediator1, world.police, world.director2, world.township2_officer):
        with pytest.raises(ValidationError):
            cases.move(case=case, to=S.IN_HAND, by=stranger, note="再查")
    case.refresh_from_db()
    assert case.status == S.CLOSED and len(refused(case)) == 4
    with pytest.raises(ValidationError, match="why"):  # a reason is needed
        cases.move(case=case, to=S.IN_HAND, by=world.township_officer, note=" ")
    reopened = cases.move(
        case=case, to=S.IN_HAND, by=world.township_officer, note="群众反映未处理完"
    )
    assert reopened.status == S.IN_HAND and reopened.owner == world.township_officer
    assert reopened.outcome == "" and reopened.closed_at is None


def test_a_hand_over_is_accepted_by_its_receiver(world):
    case = make_case(world)
    cases.offer_handover(
        case=case, to=world.mediator1, reason="属邻里纠纷，交调解员", by=world.director1
    )
    case.refresh_from_db()
    assert (
        case.owner == world.director1 and case.handover_to == world.mediator1
    )  # still the director's
    assert Notification.objects.filter(user=world.mediator1, kind="assignment").exists()
    with pytest.raises(ValidationError):  # someone else answering
        cases.answer_handover(case=case, accept=True, by=world.police)
    assert len(refused(case)) == 1
    case = cases.answer_handover(case=case, accept=True, by=world.mediator1, note="接手")
    assert case.owner == world.mediator1 and case.handover_to is None and case.handover_reason == ""
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-1] == CaseEventKind.HANDOVER_ACCEPTED


def test_a_declined_hand_over_leaves_the_owner(world):
    case = make_case(world)
    cases.offer_handover(
        case=case, to=world.township_officer, reason="涉及多村", by=world.director1
    )
    case = cases.answer_handover(
        case=case, accept=False, by=world.township_officer, note="请村里先处理"
    )
    assert case.owner == world.director1 and case.handover_to is None
    assert case.events.last().kind == CaseEventKind.HANDOVER_DECLINED
    assert Notification.objects.filter(user=world.director1, kind="assignment").exists()


def test_hand_over_refusals(world):
    case = make_case(world)
    with pytest.raises(ValidationError):  # not the owner: refused and recorded
        cases.offer_handover(case=case, to=world.mediator1, reason="x", by=world.mediator1)
    assert len(refused(case)) == 1
    with pytest.raises(ValidationError):  # no reason
        cases.offer_handover(case=case, to=world.mediator1, reason=" ", by=world.director1)
    for unfit in (
        world.patrol1,
        world.director2,
        world.township2_officer,
    ):  # cannot hold a case of village 1
        with pytest.raises(ValidationError):
            cases.offer_handover(case=case, to=unfit, reason="试试", by=world.director1)
    case.refresh_from_db()
    assert case.handover_to is None


def test_escalations_are_planned_from_the_rules(world):
    major = make_case(world, severity=Severity.MAJOR)
    planned = {e.level: e for e in major.escalations.all()}
    assert set(planned) == {Level.TOWNSHIP, Level.POLICE}
    for e in planned.values():
        assert e.required and e.sent_at is None
        assert e.due_at == major.reported_at + dt.timedelta(minutes=60)
    critical = make_case(world, severity=Severity.CRITICAL)
    assert {e.due_at - critical.reported_at for e in critical.escalations.all()} == {
        dt.timedelta(minutes=30)
    }
    assert not make_case(world, severity=Severity.ORDINARY).escalations.exists()
    fire = make_case(world, severity=Severity.ORDINARY, code="fire")
    assert [(e.level, e.due_at - fire.reported_at) for e in fire.escalations.all()] == [
        (Level.TOWNSHIP, dt.timedelta(minutes=120))
    ]


def test_reporting_upward_notifies_the_receivers_and_only_the_owner_reports(world):
    case = make_case(world, severity=Severity.MAJOR)
    with pytest.raises(ValidationError):
        cases.report_upward(case=case, by=world.mediator1, level=None)
    assert len(refused(case)) == 1 and not case.escalations.filter(sent_at__isnull=False).exists()
    sent = cases.report_upward(case=case, by=world.director1, level=None)
    assert {e.level for e in sent} == {Level.TOWNSHIP, Level.POLICE}
    assert Notification.objects.filter(user=world.township_officer, kind="escalation").exists()
    assert Notification.objects.filter(user=world.police, kind="escalation").exists()
    assert not Notification.objects.filter(user=world.township2_officer).exists()


def test_moving_to_escalated_sends_the_reports(world):
    case = set_status(make_case(world, severity=Severity.MAJOR), S.ACCEPTED)
    cases.move(case=case, to=S.ESCALATED, by=world.director1)
    assert case.escalations.filter(sent_at__isnull=False).count() == 2


def test_nobody_acknowledges_their_own_report(world):
    case = make_case(world, by=world.township_officer, severity=Severity.MAJOR)
    [township] = cases.report_upward(case=case, by=world.township_officer, level=Level.TOWNSHIP)
    with pytest.raises(ValidationError, match="themselves"):
        cases.acknowledge(escalation=township, by=world.township_officer)
    township.refresh_from_db()
    assert township.acknowledged_at is None and len(refused(case)) == 1


def test_the_police_acknowledge_and_hand_back_instructions(world):
    case = make_case(world, severity=Severity.MAJOR)
    cases.report_upward(case=case, by=world.director1, level=None)
    police = case.escalations.get(level=Level.POLICE)
    with pytest.raises(PermissionDenied):  # the township office does not answer for the police
        cases.acknowledge(escalation=police, by=world.township_officer)
    with pytest.raises(PermissionDenied):
        cases.acknowledge(escalation=police, by=world.director1)
    cases.acknowledge(
        escalation=police, by=world.police, instructions="保护现场，派出所民警半小时内到达"
    )
    police.refresh_from_db()
    assert police.acknowledged_by == world.police and "保护现场" in police.instructions
    assert case.events.filter(kind=CaseEventKind.INSTRUCTION, by=world.police).exists()
    (told,) = Notification.objects.filter(user=world.director1, kind="escalation")
    assert case.number in told.text_in()


def test_an_unsent_report_cannot_be_acknowledged(world):
    case = make_case(world, severity=Severity.MAJOR)
    with pytest.raises(ValidationError, match="not been sent"):
        cases.acknowledge(
            escalation=case.escalations.get(level=Level.TOWNSHIP), by=world.township_officer
        )


def test_overdue_reports_are_flagged(world, client):
    late = make_case(
        world, severity=Severity.MAJOR, title="逾期未报的重大案件", ago=dt.timedelta(hours=2)
    )
    make_case(world, severity=Severity.MAJOR, title="刚登记的重大案件")  # due in 50 minutes
    assert {e.case for e in overdue_escalations(world.township_officer)} == {late}
    client.force_login(world.director1)
    body = client.get(reverse("casebook:case_list") + "?overdue=1").content.decode()
    assert "逾期未报的重大案件" in body and "刚登记的重大案件" not in body
    # the whole list flags the late case's row only
    rows = client.get(reverse("casebook:case_list")).content.decode().split("<tr ")
    flagged = [row for row in rows if 'data-testid="case-row"' in row and "cc-overdue-row" in row]
    assert len(flagged) == 1 and "逾期未报的重大案件" in flagged[0]
    assert 'data-testid="overdue"' in client.get(late.get_absolute_url()).content.decode()
    client.force_login(world.township_officer)
    inbox = client.get(reverse("casebook:escalation_inbox")).content.decode()
    assert "逾期未报的重大案件" in inbox and 'data-testid="overdue"' in inbox
    assert "刚登记的重大案件" not in inbox  # not yet due: still the village's business
    assert (
        case_summary(world.township_officer)["overdue_reports"] == 2
    )  # township and police levels
    # sent in time but not acknowledged an hour after the due time: overdue again
    cases.report_upward(case=late, by=world.director1, level=None)
    Escalation.objects.filter(case=late).update(due_at=timezone.now() - dt.timedelta(minutes=90))
    assert overdue_escalations(world.township_officer).count() == 2
    Escalation.objects.filter(case=late).update(due_at=timezone.now() - dt.timedelta(minutes=30))
    assert overdue_escalations(world.township_officer).count() == 0


# ---- the same moves through the screens --------------------------------------------------------


def form_data(world, **extra) -> dict:
    now = timezone.localtime()
    data = {
        "region": world.village1.pk,
        "group": world.group1.pk,
        "case_type": CaseType.objects.get(code="dispute").pk,
        "severity": Severity.ORDINARY,
        "title": "宅基地边界争执",
        "description": "两户因围墙位置发生争执。",
        "occurred_at": (now - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "reported_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "address": "枫源村3组",
        "latitude": "",
        "longitude": "",
        "reporter_kind": ReporterKind.PERSON,
        "reporter": "",
        "reporter_name": "楼阿根",
        "parties-TOTAL_FORMS": "3",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "20",
        "parties-0-name": "楼阿根",
        "parties-0-role": "party",
        "parties-0-note": "东邻",
        "parties-1-name": "",
        "parties-1-role": "",
        "parties-1-note": "",
        "parties-2-name": "",
        "parties-2-role": "",
        "parties-2-note": "",
    }
    data.update(extra)
    return data


def upload(name: str, content: bytes, content_type: str = "image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_director_registers_a_case_with_parties_and_a_photo(world, client):
    client.force_login(world.director1)
    assert client.get(reverse("casebook:case_create")).status_code == 200
    response = client.post(
        reverse("casebook:case_create"),
        form_data(world, attachments=[upload("现场.png", png_bytes(), "image/png")]),
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert (
        case.owner == world.director1 and case.registered_by == world.director1 and case.serial == 1
    )
    assert case.group == world.group1 and case.status == S.REGISTERED
    assert list(CaseParty.objects.filter(case=case).values_list("name", "role")) == [
        ("楼阿根", "party")
    ]
    attachment = Attachment.objects.get(case=case)
    assert attachment.content_type == "image/png" and attachment.original_name == "现场.png"
    assert "现场" not in attachment.file.name  # stored under a name of our own
    page = client.get(case.get_absolute_url()).content.decode()
    assert "宅基地边界争执" in page and "现场.png" in page and 'data-testid="move-accepted"' in page
    download = client.get(reverse("casebook:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == png_bytes()
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.jpg", b"<html><body><script>alert(1)</script></body></html>"),
        ("x.jpg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'),
        ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/></svg>'),
    ],
)
def test_a_disguised_upload_is_refused_and_nothing_is_saved(world, client, media, name, content):
    client.force_login(world.director1)
    response = client.post(
        reverse("casebook:case_create"),
        form_data(
            world, attachments=[upload("ok.png", png_bytes(), "image/png"), upload(name, content)]
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="form-errors"' in body and name in body
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_bad_case_input_is_refused_with_a_message(world, client):
    client.force_login(world.director1)
    now = timezone.localtime()
    bad = [
        {"occurred_at": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},  # in the future
        {
            "reported_at": (now - dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
        },  # before it happened
        {"latitude": "29.7"},  # without longitude
        {"latitude": "129.7", "longitude": "120.2"},
        {"reporter_kind": ReporterKind.ANONYMOUS},  # yet with a name
        {"region": world.village2.pk},  # not the director's village
        {"group": world.group1.pk, "region": world.village1.pk, "case_type": "999"},
        {"parties-0-role": ""},  # a party without a role
    ]
    for change in bad:
        response = client.post(reverse("casebook:case_create"), form_data(world, **change))
        assert response.status_code == 200, change
        assert 'data-testid="form-errors"' in response.content.decode(), change
    assert not Case.objects.exists()


def post_move(client, case, to, **extra):
    return client.post(reverse("casebook:case_move", args=[case.pk]), {"to": to, **extra})


def test_key_moves_through_the_screens(world, client):
    case = make_case(world)
    client.force_login(world.director1)
    assert post_move(client, case, S.ACCEPTED).status_code == 302
    assert post_move(client, case, S.IN_HAND, note="已到现场").status_code == 302
    response = post_move(client, case, S.CLOSED, outcome="")  # no outcome
    assert response.status_code == 200 and 'data-testid="refused"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.IN_HAND and len(refused(case)) == 1
    response = post_move(client, case, "vanished")  # a forged status
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == S.IN_HAND
    assert (
        post_move(client, case, S.CLOSED, outcome=CaseOutcome.MEDIATED, note="双方和解").status_code
        == 302
    )
    case.refresh_from_db()
    assert (case.status, case.outcome, case.outcome_note) == (
        S.CLOSED,
        CaseOutcome.MEDIATED,
        "双方和解",
    )
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="event-refused"' in page and 'data-testid="reopen"' in page
    client.force_login(world.police)  # not the owner, not the township office
    assert post_move(client, case, S.IN_HAND, note="再查").status_code == 200
    case.refresh_from_db()
    assert case.status == S.CLOSED
    client.force_login(world.mediator1)
    assert 'data-testid="reopen"' not in client.get(case.get_absolute_url()).content.decode()
    client.force_login(world.township_officer)
    assert 'data-testid="reopen"' in client.get(case.get_absolute_url()).content.decode()
    assert post_move(client, case, S.IN_HAND, note="群众反映仍未解决").status_code == 302
    case.refresh_from_db()
    assert case.status == S.IN_HAND and case.owner == world.township_officer


def test_a_stranger_sees_no_move_buttons(world, client):
    case = make_case(world)
    client.force_login(world.mediator1)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="moves"' not in page and 'data-testid="handover-offer"' not in page


def test_hand_over_through_the_screens(world, client):
    case = make_case(world)
    client.force_login(world.director1)
    page = client.get(case.get_absolute_url()).content.decode()
    assert (
        world.mediator1.full_name in page and world.patrol1.full_name not in page
    )  # only those who can hold it
    assert world.township2_officer.full_name not in page
    url = reverse("casebook:case_handover", args=[case.pk])
    assert (
        client.post(url, {"to": world.director2.pk, "reason": "x"}).status_code == 200
    )  # not on offer
    assert client.post(url, {"to": world.mediator1.pk, "reason": "邻里纠纷"}).status_code == 302
    case.refresh_from_db()
    assert case.handover_to == world.mediator1 and case.owner == world.director1
    answer = reverse("casebook:case_handover_answer", args=[case.pk])
    client.force_login(world.police)  # not the receiver
    assert client.post(answer, {"answer": "accept"}).status_code == 302
    case.refresh_from_db()
    assert case.owner == world.director1 and len(refused(case)) == 1
    client.force_login(world.mediator1)
    assert 'data-testid="handover-accept"' in client.get(case.get_absolute_url()).content.decode()
    assert client.post(answer, {"answer": "accept", "note": "接手调解"}).status_code == 302
    case.refresh_from_db()
    assert case.owner == world.mediator1 and case.handover_to is None
    assert list(Case.objects.filter(handover_to=world.mediator1)) == []


def test_decline_through_the_screens(world, client):
    case = make_case(world)
    cases.offer_handover(
        case=case, to=world.township_officer, reason="涉及多村", by=world.director1
    )
    client.force_login(world.township_officer)
    response = client.post(
        reverse("casebook:case_handover_answer", args=[case.pk]), {"answer": "decline"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner == world.director1 and case.handover_to is None


def test_report_and_acknowledge_through_the_screens(world, client):
    case = make_case(world, severity=Severity.MAJOR)
    client.force_login(world.director1)
    assert (
        client.post(
            reverse("casebook:case_report_upward", args=[case.pk]), {"level": ""}
        ).status_code
        == 302
    )
    assert case.escalations.filter(sent_at__isnull=False).count() == 2
    police = case.escalations.get(level=Level.POLICE)
    ack = reverse("casebook:escalation_acknowledge", args=[police.pk])
    assert client.post(ack, {"instructions": "自己确认"}).status_code == 302  # the director cannot
    police.refresh_from_db()
    assert police.acknowledged_at is None
    client.force_login(
        world.township_officer
    )  # the police's report is not the township's to acknowledge
    assert client.post(ack, {}).status_code == 302
    police.refresh_from_db()
    assert police.acknowledged_at is None
    client.force_login(world.police)
    inbox = client.get(reverse("casebook:escalation_inbox")).content.decode()
    assert case.title in inbox and 'data-testid="acknowledge"' in inbox
    response = client.post(ack, {"instructions": "请保护现场", "back": "inbox"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "casebook:escalation_inbox"
    )
    police.refresh_from_db()
    assert police.acknowledged_by == world.police and police.instructions == "请保护现场"
    client.force_login(world.director1)
    assert 'data-testid="instructions"' in client.get(case.get_absolute_url()).content.decode()


def test_acknowledging_ones_own_report_through_the_screens(world, client):
    case = make_case(world, by=world.township_officer, severity=Severity.MAJOR)
    cases.report_upward(case=case, by=world.township_officer, level=Level.TOWNSHIP)
    township = case.escalations.get(level=Level.TOWNSHIP)
    client.force_login(world.township_officer)
    assert 'data-testid="acknowledge"' not in client.get(case.get_absolute_url()).content.decode()
    response = client.post(reverse("casebook:escalation_acknowledge", args=[township.pk]), {})
    assert response.status_code == 200 and 'data-testid="refused"' in response.content.decode()
    township.refresh_from_db()
    assert township.acknowledged_at is None and len(refused(case)) == 1


def test_the_inbox_is_for_the_township_office_and_the_police(world, client):
    for user, status in (
        (world.director1, 403),
        (world.mediator1, 403),
        (world.patrol1, 403),
        (world.township_officer, 200),
        (world.police, 200),
    ):
        client.force_login(user)
        assert client.get(reverse("casebook:escalation_inbox")).status_code == status, user


def test_patrol_members_do_not_see_the_case_register(world, client):
    client.force_login(world.patrol1)
    for name in ("case_list", "case_create", "situation_list", "case_register_print"):
        assert client.get(reverse(f"casebook:{name}")).status_code == 403
    client.logout()
    assert client.get(reverse("casebook:case_list")).status_code == 302


# ---- scoping -------------------------------------------------------------------------------------


def test_other_villages_get_404_on_every_case_route(world, client, records):
    from tests.casebook import walk_cases

    made = walk_cases.records(world, records)
    routes = {name: getattr(made, attr).pk for name, attr in walk_cases.PK_OWNER.items()}
    for outsider in (world.director2, world.township2_officer):
        client.force_login(outsider)
        for name, pk in routes.items():
            url = reverse(name, args=[pk])
            assert client.get(url).status_code in (404, 405), (outsider, url)
            assert client.post(url).status_code == 404, (outsider, url)
    client.force_login(world.director1)
    for name, pk in routes.items():
        url = reverse(name, args=[pk])
        status = client.get(url).status_code
        assert status == 200 or (status == 405 and client.post(url).status_code in (200, 302)), url
    made.case.refresh_from_db()
    assert made.case.status == S.REGISTERED


def test_lists_show_nothing_of_another_village(world, client, records):
    from tests.casebook import walk_cases

    walk_cases.records(world, records)
    for outsider in (world.director2, world.township2_officer):
        client.force_login(outsider)
        for name in ("case_list", "case_create", "situation_list", "case_register_print"):
            body = client.get(reverse(f"casebook:{name}")).content.decode()
            for marker in (*walk_cases.MARKERS, world.village1.name):
                assert marker not in body, (outsider, name, marker)
        register = reverse("casebook:case_register_print") + f"?village={world.village1.code}"
        assert client.get(register).status_code == 404
    client.force_login(world.township2_officer)
    assert (
        walk_cases.MARKER_TITLE
        not in client.get(reverse("casebook:escalation_inbox")).content.decode()
    )


# ---- the list: filters and query counts ----------------------------------------------------------


def test_the_list_filters(world, client):
    theft = make_case(world, title="甲案盗窃")
    dispute = make_case(world, code="dispute", title="乙案纠纷", severity=Severity.MINOR)
    mine = make_case(world, by=world.mediator1, title="丙案调解员的")
    other_village = make_case(
        world, village=world.village2, by=world.township_officer, title="丁案乐山村"
    )
    set_status(dispute, S.IN_HAND)

    def titles(query, user=world.director1):
        client.force_login(user)
        body = client.get(reverse("casebook:case_list") + query).content.decode()
        return {c.title for c in (theft, dispute, mine, other_village) if c.title in body}

    assert titles("") == {"甲案盗窃", "乙案纠纷", "丙案调解员的"}
    assert titles("?status=in_hand") == {"乙案纠纷"}
    assert titles("?type=theft") == {"甲案盗窃", "丙案调解员的"}
    assert titles("?severity=1") == {"乙案纠纷"}
    assert titles("?owner=me") == {"甲案盗窃", "乙案纠纷"}
    assert titles("?owner=me", world.mediator1) == {"丙案调解员的"}
    assert titles("", world.township_officer) == {
        "甲案盗窃",
        "乙案纠纷",
        "丙案调解员的",
        "丁案乐山村",
    }
    assert titles(f"?village={world.village2.code}", world.township_officer) == {"丁案乐山村"}
    assert titles("?status=nonsense&severity=9&type=nope") == {
        "甲案盗窃",
        "乙案纠纷",
        "丙案调解员的",
    }
    client.force_login(world.director1)
    assert (
        client.get(reverse("casebook:case_list") + f"?village={world.village2.code}").status_code
        == 404
    )


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_case_list_query_count_stays_flat(world, client):
    client.force_login(world.township_officer)
    for k in range(3):
        make_case(world, severity=Severity.MAJOR, title=f"案件{k}", group=world.group1)
    few = _count_queries(client, reverse("casebook:case_list"))
    for k in range(3, 30):
        village = world.village1 if k % 2 else world.village2
        case = make_case(
            world,
            village=village,
            by=world.township_officer,
            severity=Severity.MAJOR,
            title=f"案件{k}",
        )
        cases.offer_handover(case=case, to=world.police, reason="移交", by=world.township_officer)
    many = _count_queries(client, reverse("casebook:case_list"))
    # session, user, roles; villages and types for the filters; count and page (with owner,
    # hand-over receiver, type, village and group joined, and the overdue flag as a subquery)
    assert many == few, (few, many)
    assert few <= 10


def test_the_escalation_inbox_query_count_stays_flat(world, client):
    def add(k, village=world.village1):
        case = make_case(
            world,
            village=village,
            by=world.township_officer if village == world.village2 else None,
            severity=Severity.MAJOR,
            title=f"上报{k}",
            ago=dt.timedelta(hours=2),
        )
        cases.report_upward(case=case, by=case.owner, level=None)

    for k in range(3):
        add(k)
    client.force_login(world.police)
    few = _count_queries(client, reverse("casebook:escalation_inbox"))
    for k in range(3, 30):
        add(k, world.village1 if k % 2 else world.village2)
    many = _count_queries(client, reverse("casebook:escalation_inbox"))
    # session, user, roles; count and page (case, village, type, owner, sender, acknowledger joined)
    assert many == few, (few, many)
    assert few <= 8


def test_the_case_page_query_count_stays_flat(world, client):
    case = make_case(world, severity=Severity.MAJOR)
    client.force_login(world.director1)
    few = _count_queries(client, case.get_absolute_url())
    for k in range(10):
        CaseParty.objects.create(case=case, name=f"当事人{k}", role="witness")
        with pytest.raises(ValidationError):
            cases.move(case=case, to=S.RESOLVED, by=world.director1)
    cases.report_upward(case=case, by=world.director1, level=None)
    many = _count_queries(client, case.get_absolute_url())
    assert many == few, (few, many)


# ---- the paper register --------------------------------------------------------------------------


# the cases are 10 to 19 minutes old and the register runs from the 1st: not just after midnight
@pytest.mark.time_machine(dt.datetime(2027, 6, 16, 10, 0, tzinfo=SHANGHAI))
def test_the_paper_register_prints_a_village_and_period(world, client):
    for k in range(10):
        make_case(world, title=f"登记簿案件{k}", ago=dt.timedelta(minutes=10 + k))
    make_case(world, village=world.village2, by=world.township_officer, title="乐山村的案件")
    client.force_login(world.director1)
    today = timezone.localdate()
    response = client.get(
        reverse("casebook:case_register_print") + f"?from={today.replace(day=1)}&to={today}"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="register-sheet"') == 2  # 10 rows, 8 to a sheet
    assert body.count('data-testid="register-row"') == 10 and "乐山村的案件" not in body
    assert body.count('data-testid="signoff"') == 2 and body.count('data-testid="stamp-box"') == 2
    numbers = [c.number for c in Case.objects.filter(region=world.village1).order_by("serial")]
    assert [body.index(n) for n in numbers] == sorted(
        body.index(n) for n in numbers
    )  # running order
    assert "print.css" in body
    earlier = client.get(
        reverse("casebook:case_register_print") + "?from=2020-01-01&to=2020-01-31"
    ).content.decode()
    assert (
        earlier.count('data-testid="register-row"') == 0
        and 'data-testid="register-sheet"' in earlier
    )
    bad = client.get(reverse("casebook:case_register_print") + "?from=yesterday")
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.content.decode()


def test_a_township_officer_chooses_the_village_first(world, client):
    client.force_login(world.township_officer)
    body = client.get(reverse("casebook:case_register_print")).content.decode()
    assert 'data-testid="village-required"' in body
    response = client.get(
        reverse("casebook:case_register_print") + f"?village={world.village2.code}"
    )
    assert 'data-testid="register-sheet"' in response.content.decode()


# ---- the home panel ------------------------------------------------------------------------------


def test_the_home_panel(world):
    mine = make_case(world)
    make_case(world, severity=Severity.MAJOR, ago=dt.timedelta(hours=2))  # both levels overdue
    cases.offer_handover(case=mine, to=world.mediator1, reason="调解", by=world.director1)
    summary = case_summary(world.director1)
    assert summary["open_mine"] == 2 and summary["overdue_reports"] == 2
    assert summary["villages_missing"] == 1 and summary["handovers_waiting"] == 0
    assert case_summary(world.mediator1)["handovers_waiting"] == 1
    assert case_summary(world.township_officer)["villages_missing"] == 2
    assert case_summary(world.township2_officer)["overdue_reports"] == 0
    html = render_to_string("casebook/cases/_panel.html", {"panel": summary})
    assert 'data-testid="cases-panel"' in html and "?owner=me" in html


# ---- the patrol-finding hook ---------------------------------------------------------------------


@pytest.fixture
def patrol_check_in(world, records):
    from tests.patrols.walk import patrol_records

    made = patrol_records(world, records)

    def check_in(finding, note="村口电线杆倾斜"):
        from qunfang.patrols.models import CheckIn, CheckInKind

        return CheckIn.objects.create(
            client_id=uuid.uuid4(),
            assignment=made.assignment,
            region=world.village1,
            kind=CheckInKind.POINT,
            point=made.point,
            recorded_at=timezone.now(),
            finding=finding,
            note=note,
            by=world.patrol1,
            latitude=Decimal("29.710001"),
            longitude=Decimal("120.240001"),
        )

    return check_in


def test_a_patrol_finding_opens_a_case(world, patrol_check_in):
    check_in = patrol_check_in("hazard")
    case = open_case_from_check_in(check_in)
    assert case.case_type.code == "hazard" and case.reporter_kind == ReporterKind.PATROL
    assert case.owner == world.director1 and case.registered_by == world.patrol1
    assert case.source_check_in == check_in and case.description == "村口电线杆倾斜"
    assert case.latitude == Decimal("29.710001") and case.region == world.village1
    assert open_case_from_check_in(check_in) == case  # once per check-in
    assert Case.objects.count() == 1
    assert Notification.objects.filter(user=world.director1, kind="assignment").exists()
    assert open_case_from_check_in(patrol_check_in("incident")).case_type.code == "other"
    assert open_case_from_check_in(patrol_check_in("dispute")).case_type.code == "dispute"
    assert open_case_from_check_in(patrol_check_in("nothing")) is None


def test_without_a_director_the_township_holds_the_patrols_case(world, patrol_check_in):
    User.objects.filter(pk=world.director1.pk).update(is_active=False)
    case = open_case_from_check_in(patrol_check_in("hazard"))
    assert case.owner == world.township_officer and case.registered_by == world.patrol1
