"""Security contracts (治安承包): drafting, the lifecycle, renewal, the scanned agreement, the
printed agreement, scoping and query counts — through the screens and the services."""

import datetime as dt
import io
import struct
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from qunfang.registry.forms import RenewForm
from qunfang.registry.models import (
    ContractStatus,
    Organisation,
    OrgKind,
    PerformanceTerm,
    Person,
    SecurityContract,
)
from qunfang.registry.selectors import plain_number, rmb_in_words
from qunfang.registry.services.contracts import (
    CONTRACT_TRANSITIONS,
    contract_renew,
    contract_save_draft,
    contract_set_status,
)
from tests.factories import MINIMAL_PDF, contract_for
from tests.images import bomb_png, metadata_left, phone_photo

ID_NUMBER = "330681198005170017"  # valid check digit


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def director(client, world):
    client.force_login(world.director1)
    return client


@pytest.fixture
def officer(client, world):
    client.force_login(world.township_officer)
    return client


def _person(village, name="楼阿根", **fields):
    return Person.objects.create(
        region=village, name=name, sex="M", birth_date=dt.date(1980, 5, 17), **fields
    )


def _formset(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def _draft_data(world, person, **overrides):
    terms = overrides.pop(
        "terms",
        [
            {"metric": "thefts", "comparator": "lte", "target": "2", "deduction": "500"},
            {"metric": "patrol_hours", "comparator": "gte", "target": "40", "deduction": "300"},
        ],
    )
    payments = overrides.pop(
        "payments",
        [
            {"due_on": "2026-01-15", "amount": "6000", "note": "首期"},
            {"due_on": "2026-12-15", "amount": "6000", "note": "考核后"},
        ],
    )
    data = {
        "region": world.village1.pk,
        "number": "FY-2026-01",
        "title": "枫源村夜间巡逻承包",
        "contractor_person": person.pk if person else "",
        "contractor_team": "",
        "area": [world.village1.pk, world.group1.pk],
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "amount": "12000",
        "duties": "夜间巡逻每周不少于三次\n看护村委会",
        "rights": "按月领取报酬",
        "benefits": "意外伤害保险",
        **_formset("terms", terms),
        **_formset("payments", payments),
    }
    data.update(overrides)
    return data


def _png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "white").save(buffer, format="JPEG")
    return buffer.getvalue()


# ---- drafting -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_director_drafts_a_contract_with_terms_area_and_instalments(director, world):
    person = _person(world.village1)
    response = director.post(reverse("registry:contract_create"), _draft_data(world, person))
    contract = SecurityContract.objects.get(number="FY-2026-01")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:contract_detail", args=[contract.pk])
    assert contract.status == ContractStatus.DRAFT and contract.contractor == person
    assert set(contract.area.all()) == {world.village1, world.group1}
    assert sorted(contract.terms.values_list("metric", flat=True)) == ["patrol_hours", "thefts"]
    assert sum(p.amount for p in contract.payments.all()) == Decimal("12000")


@pytest.mark.django_db
def test_the_form_offers_only_the_users_own_villages_people_and_area(director, world):
    _person(world.village1, "本村人")
    _person(world.village2, "外村人")
    body = director.get(reverse("registry:contract_create")).content.decode()
    assert "本村人" in body and world.group1.name in body
    assert "外村人" not in body and world.village2.name not in body


@pytest.mark.django_db
def test_bad_input_is_shown_next_to_the_fields_and_nothing_is_saved(director, world):
    person = _person(world.village1)
    data = _draft_data(
        world,
        person,
        ends_on="2025-06-30",
        amount="-5",
        terms=[{"metric": "thefts", "comparator": "lte", "target": "-1", "deduction": "0"}],
        payments=[{"due_on": "2026-01-15", "amount": "0", "note": ""}],
    )
    response = director.post(reverse("registry:contract_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "ends_on" in form.errors and "amount" in form.errors
    assert "target" in response.context["terms"].forms[0].errors
    assert "amount" in response.context["payments"].forms[0].errors
    assert not SecurityContract.objects.exists() and not PerformanceTerm.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["neither", "both"])
def test_the_contractor_is_exactly_one_person_or_team(director, world, which):
    person = _person(world.village1)
    team = Organisation.objects.create(
        region=world.village1, name="枫源村巡逻队", kind=OrgKind.PATROL_TEAM
    )
    data = _draft_data(world, person if which == "both" else None)
    data["contractor_team"] = team.pk if which == "both" else ""
    response = director.post(reverse("registry:contract_create"), data)
    errors = response.context["form"].errors
    assert response.status_code == 200 and (
        "contractor_person" in errors or "contractor_team" in errors
    )
    assert not SecurityContract.objects.exists()


@pytest.mark.django_db
def test_a_team_can_be_the_contractor(director, world):
    team = Organisation.objects.create(
        region=world.village1, name="枫源村巡逻队", kind=OrgKind.PATROL_TEAM
    )
    data = _draft_data(world, None, contractor_team=team.pk)
    assert director.post(reverse("registry:contract_create"), data).status_code == 302
    assert SecurityContract.objects.get().contractor == team


@pytest.mark.django_db
def test_the_contractor_must_be_in_the_contracts_village(officer, world):
    """The township officer sees both villages, so both people are offered; the rule still holds."""
    stranger = _person(world.village2, "外村人")
    response = officer.post(reverse("registry:contract_create"), _draft_data(world, stranger))
    assert response.status_code == 200
    assert "contractor_person" in response.context["form"].errors
    team = Organisation.objects.create(
        region=world.village2, name="乐山村巡逻队", kind=OrgKind.PATROL_TEAM
    )
    response = officer.post(
        reverse("registry:contract_create"), _draft_data(world, None, contractor_team=team.pk)
    )
    assert "contractor_team" in response.context["form"].errors
    assert not SecurityContract.objects.exists()


@pytest.mark.django_db
def test_a_forged_contractor_or_area_from_another_village_fails_like_a_typo(director, world):
    stranger = _person(world.village2, "外村人")
    response = director.post(reverse("registry:contract_create"), _draft_data(world, stranger))
    assert "contractor_person" in response.context["form"].errors
    data = _draft_data(world, _person(world.village1), area=[world.village2.pk])
    response = director.post(reverse("registry:contract_create"), data)
    assert "area" in response.context["form"].errors
    data = _draft_data(world, _person(world.village1, "另一人"), region=world.village2.pk)
    assert (
        "region" in director.post(reverse("registry:contract_create"), data).context["form"].errors
    )
    assert not SecurityContract.objects.exists()


@pytest.mark.django_db
def test_the_area_must_lie_in_the_contracts_village(officer, world):
    data = _draft_data(world, _person(world.village1), area=[world.village2.pk])
    response = officer.post(reverse("registry:contract_create"), data)
    assert "area" in response.context["form"].errors and not SecurityContract.objects.exists()


@pytest.mark.django_db
def test_a_measure_appears_once_and_a_number_once_per_village(director, world):
    person = _person(world.village1)
    twice = [{"metric": "thefts", "comparator": "lte", "target": "2", "deduction": "0"}] * 2
    response = director.post(
        reverse("registry:contract_create"), _draft_data(world, person, terms=twice)
    )
    assert "metric" in response.context["terms"].forms[1].errors
    contract_for(world.village1, number="FY-2026-01")
    response = director.post(reverse("registry:contract_create"), _draft_data(world, person))
    assert "number" in response.context["form"].errors
    assert SecurityContract.objects.count() == 1


@pytest.mark.django_db
def test_a_draft_is_edited_rows_replaced_and_removed(director, world):
    contract = contract_for(world.village1)
    term = contract.terms.get()
    payments = list(contract.payments.all())
    data = _draft_data(
        world,
        contract.contractor_person,
        number=contract.number,
        title="改过的标题",
        terms=[
            {
                "id": term.pk,
                "metric": "thefts",
                "comparator": "lte",
                "target": "1",
                "deduction": "800",
            },
            {"metric": "incidents", "comparator": "lte", "target": "5", "deduction": "200"},
        ],
        payments=[
            {"id": payments[0].pk, "due_on": "2026-01-01", "amount": "6000", "note": ""},
            {
                "id": payments[1].pk,
                "due_on": "2026-12-31",
                "amount": "6000",
                "note": "",
                "DELETE": "on",
            },
        ],
    )
    data.update({"terms-INITIAL_FORMS": "1", "payments-INITIAL_FORMS": "2"})
    response = director.post(reverse("registry:contract_edit", args=[contract.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    contract.refresh_from_db()
    assert contract.title == "改过的标题"
    assert {(t.metric, t.target) for t in contract.terms.all()} == {
        ("thefts", Decimal("1.00")),
        ("incidents", Decimal("5.00")),
    }
    assert contract.payments.count() == 1


@pytest.mark.django_db
def test_editing_a_signed_contract_is_refused_and_changes_nothing(director, world):
    contract = contract_for(world.village1, status=ContractStatus.SIGNED)
    url = reverse("registry:contract_edit", args=[contract.pk])
    for response in (
        director.get(url, follow=True),
        director.post(
            url, _draft_data(world, contract.contractor_person, title="偷改"), follow=True
        ),
    ):
        assert response.redirect_chain[-1][0] == reverse(
            "registry:contract_detail", args=[contract.pk]
        )
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    contract.refresh_from_db()
    assert contract.title != "偷改" and contract.terms.count() == 1
    with pytest.raises(ValidationError):
        contract_save_draft(contract=contract, area=[], terms=[], payments=[])
    assert (
        contract.terms.count() == 1
        and SecurityContract.objects.get().status == ContractStatus.SIGNED
    )


# ---- lifecycle ----------------------------------------------------------------------------


def _move(client, contract, to, note="", on="2026-01-05"):
    return client.post(
        reverse("registry:contract_transition", args=[contract.pk]),
        {"to": to, "note": note, "on": on},
    )


@pytest.mark.django_db
def test_the_whole_lifecycle_through_the_screens(director, world):
    contract = contract_for(world.village1)
    assert _move(director, contract, ContractStatus.SIGNED).status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED and contract.signed_on == dt.date(2026, 1, 5)
    assert _move(director, contract, ContractStatus.ACTIVE).status_code == 302

    response = _move(director, contract, ContractStatus.TERMINATED)  # no note
    assert response.status_code == 200 and "note" in response.context["transition_form"].errors
    # settling is governance's, against the terms (tests/governance/test_settlements.py)
    response = _move(director, contract, ContractStatus.SETTLED, note="全年盗窃1起，全额结算")
    assert response.status_code == 200 and response.context["transition_form"].non_field_errors()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE

    assert (
        _move(director, contract, ContractStatus.TERMINATED, note="承包方退出").status_code == 302
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED and contract.close_note == "承包方退出"

    response = _move(director, contract, ContractStatus.TERMINATED, note="再试一次")  # final
    assert response.status_code == 200 and response.context["transition_form"].non_field_errors()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED and contract.close_note == "承包方退出"
    statuses = [
        row["record"].status
        for row in director.get(reverse("registry:contract_detail", args=[contract.pk])).context[
            "history"
        ]
        if row["status_changed"]
    ]
    assert statuses == ["terminated", "active", "signed", "draft"]


@pytest.mark.django_db
def test_the_detail_page_offers_exactly_the_allowed_moves(director, world):
    contract = contract_for(world.village1, status=ContractStatus.ACTIVE)
    body = director.get(reverse("registry:contract_detail", args=[contract.pk])).content.decode()
    # settling is offered by governance's section, against the terms, not as a bare move
    assert 'value="settled"' not in body and 'value="terminated"' in body
    assert 'value="signed"' not in body and 'value="active"' not in body
    closed = contract_for(world.village1, status=ContractStatus.TERMINATED)
    body = director.get(reverse("registry:contract_detail", args=[closed.pk])).content.decode()
    assert 'name="to"' not in body


@pytest.mark.django_db
def test_the_move_buttons_speak_the_readers_language(director, world):
    """The labels are translated for each reader, not once when the module was imported."""
    contract = contract_for(world.village1, status=ContractStatus.ACTIVE)
    url = reverse("registry:contract_detail", args=[contract.pk])
    body = director.get(url).content.decode()
    assert "结算" in body and "Settle" not in body  # an active contract: settle or terminate
    director.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = director.get(url).content.decode()
    assert "Settle" in body and "Terminate" in body


@pytest.mark.django_db
def test_signing_through_the_screen_needs_a_performance_term(director, world):
    contract = contract_for(world.village1)
    contract.terms.all().delete()
    response = _move(director, contract, ContractStatus.SIGNED)
    assert response.status_code == 200 and response.context["transition_form"].non_field_errors()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT and contract.signed_on is None


ALL = list(ContractStatus)


@pytest.mark.django_db
@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("target", ALL)
def test_every_move_is_allowed_or_refused_by_the_table(world, start, target):
    contract = contract_for(world.village1, status=start)
    allowed = target in CONTRACT_TRANSITIONS[start]
    if allowed:
        contract_set_status(
            contract=contract,
            to=target,
            on=dt.date(2026, 2, 1),
            note="结算说明",
            against_terms=True,
        )
        assert SecurityContract.objects.get(pk=contract.pk).status == target
    else:
        with pytest.raises(ValidationError):
            contract_set_status(
                contract=contract, to=target, on=dt.date(2026, 2, 1), note="结算说明"
            )
        assert SecurityContract.objects.get(pk=contract.pk).status == start
    assert allowed == (
        (start, target)
        in {
            ("draft", "signed"),
            ("draft", "terminated"),
            ("signed", "active"),
            ("signed", "terminated"),
            ("active", "settled"),
            ("active", "terminated"),
        }
    )


@pytest.mark.django_db
def test_the_service_wants_a_term_to_sign_and_a_note_to_close(world):
    bare = contract_for(world.village1)
    bare.terms.all().delete()
    with pytest.raises(ValidationError):
        contract_set_status(contract=bare, to=ContractStatus.SIGNED, on=dt.date(2026, 1, 1))
    active = contract_for(world.village1, status=ContractStatus.ACTIVE)
    for to in (ContractStatus.SETTLED, ContractStatus.TERMINATED):
        with pytest.raises(ValidationError):
            contract_set_status(
                contract=active, to=to, on=dt.date(2026, 1, 1), note="  ", against_terms=True
            )
    assert SecurityContract.objects.get(pk=active.pk).status == ContractStatus.ACTIVE


@pytest.mark.django_db
def test_a_contract_is_settled_only_against_its_terms_where_governance_settles(world):
    active = contract_for(world.village1, status=ContractStatus.ACTIVE)
    with pytest.raises(ValidationError):
        contract_set_status(
            contract=active, to=ContractStatus.SETTLED, on=dt.date(2026, 12, 31), note="全额结算"
        )
    assert SecurityContract.objects.get(pk=active.pk).status == ContractStatus.ACTIVE


# ---- renewal ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_renewal_copies_terms_and_area_links_both_ways_and_is_refused_twice(director, world):
    contract = contract_for(world.village1, status=ContractStatus.ACTIVE)
    contract.area.set([world.village1, world.group1])
    url = reverse("registry:contract_renew", args=[contract.pk])
    assert director.get(url).context["form"].initial["number"] == contract.number + "-2"
    response = director.post(
        url, {"number": "CT-2027", "starts_on": "2027-01-01", "ends_on": "2027-12-31"}
    )
    renewal = SecurityContract.objects.get(number="CT-2027")
    assert response.status_code == 302 and renewal.status == ContractStatus.DRAFT
    assert renewal.renewed_from == contract and renewal.contractor == contract.contractor
    assert set(renewal.area.all()) == {world.village1, world.group1}
    assert [(t.metric, t.comparator, t.target, t.deduction) for t in renewal.terms.all()] == [
        (t.metric, t.comparator, t.target, t.deduction) for t in contract.terms.all()
    ]
    old_page = director.get(
        reverse("registry:contract_detail", args=[contract.pk])
    ).content.decode()
    new_page = director.get(reverse("registry:contract_detail", args=[renewal.pk])).content.decode()
    assert reverse("registry:contract_detail", args=[renewal.pk]) in old_page
    assert reverse("registry:contract_detail", args=[contract.pk]) in new_page

    assert director.get(url).context["refusal"]
    response = director.post(
        url, {"number": "CT-2027b", "starts_on": "2027-01-01", "ends_on": "2027-12-31"}
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert SecurityContract.objects.filter(renewed_from=contract).count() == 1
    with pytest.raises(ValidationError):
        contract_renew(
            contract=contract,
            number="CT-x",
            starts_on=dt.date(2027, 1, 1),
            ends_on=dt.date(2027, 12, 31),
        )


@pytest.mark.django_db
def test_a_draft_cannot_be_renewed_and_a_taken_number_is_refused(director, world):
    draft = contract_for(world.village1)
    response = director.post(
        reverse("registry:contract_renew", args=[draft.pk]),
        {"number": "CT-new", "starts_on": "2027-01-01", "ends_on": "2027-12-31"},
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    active = contract_for(world.village1, status=ContractStatus.ACTIVE)
    response = director.post(
        reverse("registry:contract_renew", args=[active.pk]),
        {"number": draft.number, "starts_on": "2027-01-01", "ends_on": "2026-12-31"},
    )
    errors = response.context["form"].errors
    assert "number" in errors and "ends_on" in errors
    assert SecurityContract.objects.count() == 2


# ---- the scanned agreement ----------------------------------------------------------------


def _upload(client, contract, name, content, content_type):
    return client.post(
        reverse("registry:contract_scan", args=[contract.pk]),
        {"scan": SimpleUploadedFile(name, content, content_type=content_type)},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.jpg", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"),
        ("scan.jpg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
        ("scan.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("scan.pdf", b"MZ\x90\x00 an executable"),
    ],
)
def test_a_disguised_upload_is_refused_with_a_clear_message(director, world, name, content):
    contract = contract_for(world.village1)
    response = _upload(director, contract, name, content, "image/jpeg")
    assert response.status_code == 200
    errors = response.context["scan_form"].errors["scan"]
    assert "PDF" in errors[0] and "JPEG" in errors[0]
    contract.refresh_from_db()
    assert not contract.agreement_scan


@pytest.mark.django_db
def test_a_scan_over_10_mb_is_refused(director, world):
    contract = contract_for(world.village1)
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
    response = _upload(director, contract, "big.pdf", big, "application/pdf")
    assert "scan" in response.context["scan_form"].errors
    contract.refresh_from_db()
    assert not contract.agreement_scan


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.png", _png(), "image/png"),
        ("协议.pdf", MINIMAL_PDF, "application/pdf"),
        ("photo.jpeg", _jpeg(), "image/jpeg"),
    ],
)
def test_a_real_scan_is_stored_and_served_only_as_a_download(
    director, world, name, content, content_type
):
    contract = contract_for(world.village1)
    response = _upload(director, contract, name, content, "application/octet-stream")
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.agreement_scan and name not in contract.agreement_scan.name  # our own name
    response = director.get(reverse("registry:contract_scan", args=[contract.pk]))
    served = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == content_type
    if content_type == "application/pdf":
        assert served == content  # a PDF is stored as given
    else:  # a photo is stored re-encoded without its metadata (tests/core/test_uploads.py)
        assert Image.open(io.BytesIO(served)).size == Image.open(io.BytesIO(content)).size
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_photographed_scan_is_stored_without_its_gps_and_a_bomb_is_refused(
    director, world, settings
):
    contract = contract_for(world.village1)
    response = _upload(director, contract, "bomb.png", bomb_png(20000, 20000), "image/png")
    assert "400" in response.context["scan_form"].errors["scan"][0]
    contract.refresh_from_db()
    assert not contract.agreement_scan
    assert not any(p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*"))
    response = _upload(director, contract, "IMG_1.jpg", phone_photo("JPEG"), "image/jpeg")
    assert response.status_code == 302
    contract.refresh_from_db()
    with contract.agreement_scan.open("rb") as handle:
        assert metadata_left(handle.read()) == []


@pytest.mark.django_db
def test_the_scan_is_404_for_an_outsider_and_uploads_from_outside_change_nothing(client, world):
    contract = contract_for(world.village1, scan=True)
    url = reverse("registry:contract_scan", args=[contract.pk])
    for outsider in (world.director2, world.township2_officer):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        upload = SimpleUploadedFile("x.png", _png(), content_type="image/png")
        assert client.post(url, {"scan": upload}).status_code == 404
    contract.refresh_from_db()
    assert contract.agreement_scan.name.endswith(".pdf")


@pytest.mark.django_db
def test_no_scan_yet_answers_404_and_a_viewer_cannot_upload(client, world):
    contract = contract_for(world.village1)
    client.force_login(world.mediator1)  # may view the registry, not change it
    url = reverse("registry:contract_scan", args=[contract.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"scan": SimpleUploadedFile("x.pdf", MINIMAL_PDF)}).status_code == 403


# ---- reading: detail, print, list ---------------------------------------------------------


@pytest.mark.django_db
def test_the_detail_page_warns_when_the_instalments_do_not_add_up(director, world):
    contract = contract_for(world.village1)
    url = reverse("registry:contract_detail", args=[contract.pk])
    assert director.get(url).context["summary"]["warnings"] == []
    contract.payments.last().delete()
    response = director.get(url)
    assert len(response.context["summary"]["warnings"]) == 1
    assert "6000.00" in response.content.decode()


@pytest.mark.django_db
def test_the_printed_agreement_names_the_parties_and_terms_and_masks_the_id(director, world):
    person = _person(world.village1, id_number=ID_NUMBER, address="枫源村8号")
    contract = contract_for(world.village1, contractor=person)
    body = director.get(reverse("registry:contract_print", args=[contract.pk])).content.decode()
    assert world.township.name in body and world.village1.name in body  # party A
    assert person.name in body and contract.number in body and "夜间巡逻每周不少于三次" in body
    assert "壹万贰仟元整" in body  # the amount in words, as Chinese contracts write it
    assert "330681***********7" in body and ID_NUMBER not in body
    css = Path(finders.find("registry/contracts.css")).read_text()
    assert "@media print" in css and "size: A4" in css


@pytest.mark.django_db
def test_the_printed_agreement_follows_the_readers_language(director, world):
    contract = contract_for(world.village1)
    director.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = director.get(reverse("registry:contract_print", args=[contract.pk])).content.decode()
    assert "Security contracting agreement" in body and "Party A" in body and "壹万" not in body
    assert "Thefts in the area per month: at most 2" in body


@pytest.mark.django_db
def test_contract_pages_open_in_chinese_by_default(director, world):
    contract = contract_for(world.village1)
    for url in (
        reverse("registry:contract_list"),
        reverse("registry:contract_detail", args=[contract.pk]),
        reverse("registry:contract_print", args=[contract.pk]),
    ):
        response = director.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        body = response.content.decode()
        assert (
            response["Content-Language"] == "zh-hans" and 'lang="zh-CN"' in body and "退出" in body
        )


@pytest.mark.django_db
def test_the_list_filters_by_status_village_and_search(officer, world):
    mine = contract_for(world.village1, status=ContractStatus.ACTIVE, title="枫源村夜巡")
    theirs = contract_for(world.village2, title="乐山村看护")
    url = reverse("registry:contract_list")

    def numbers(**params):
        return {c.number for c in officer.get(url, params).context["page"].object_list}

    assert numbers() == {mine.number, theirs.number}
    assert numbers(status="active") == {mine.number}
    assert numbers(village=world.village2.code) == {theirs.number}
    assert numbers(q="夜巡") == {mine.number}
    assert numbers(q=theirs.number) == {theirs.number}
    assert numbers(status="nonsense") == {mine.number, theirs.number}


@pytest.mark.django_db
def test_each_village_sees_only_its_own_contracts(client, world):
    mine = contract_for(world.village1)
    client.force_login(world.director2)
    assert mine.number not in client.get(reverse("registry:contract_list")).content.decode()
    for name in (
        "contract_detail",
        "contract_print",
        "contract_edit",
        "contract_transition",
        "contract_renew",
    ):
        assert client.get(reverse(f"registry:{name}", args=[mine.pk])).status_code == 404


@pytest.mark.django_db
def test_permissions_view_needs_registry_access_and_changes_need_manage(client, world):
    contract = contract_for(world.village1)
    client.force_login(world.patrol1)
    assert client.get(reverse("registry:contract_list")).status_code == 403
    client.force_login(world.mediator1)
    assert client.get(reverse("registry:contract_detail", args=[contract.pk])).status_code == 200
    assert client.get(reverse("registry:contract_create")).status_code == 403
    assert _move(client, contract, ContractStatus.SIGNED).status_code == 403
    assert SecurityContract.objects.get().status == ContractStatus.DRAFT


def _list_queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("registry:contract_list")).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_list_query_count_stays_flat_as_rows_grow(officer, world):
    # session, user (with region), roles, count, villages for the filter, rows
    team = Organisation.objects.create(
        region=world.village2, name="乐山村巡逻队", kind=OrgKind.PATROL_TEAM
    )
    contract_for(world.village1)
    contract_for(world.village2, contractor=team)
    small = _list_queries(officer)
    for i in range(15):
        contract_for(world.village1 if i % 2 else world.village2)
    assert _list_queries(officer) == small
    assert small <= 8


@pytest.mark.django_db
def test_the_detail_query_count_does_not_grow_with_terms_and_payments(director, world):
    contract = contract_for(world.village1)
    url = reverse("registry:contract_detail", args=[contract.pk])
    with CaptureQueriesContext(connection) as small:
        director.get(url)
    for day in range(2, 12):
        contract.payments.create(due_on=dt.date(2026, 3, day), amount=10)
    for metric in ("patrol_hours", "incidents", "response_minutes"):
        contract.terms.create(metric=metric, comparator="gte", target=1)
    contract.title = "改名"
    contract.save()
    with CaptureQueriesContext(connection) as large:
        director.get(url)
    assert len(large) == len(small)


# ---- words and numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.50", "伍角整"),
        ("0.05", "伍分"),
        ("8", "捌元整"),
        ("12000", "壹万贰仟元整"),
        ("12000.50", "壹万贰仟元伍角整"),
        ("1002.05", "壹仟零贰元零伍分"),
        ("1010", "壹仟零壹拾元整"),
        ("100000", "壹拾万元整"),
        ("100000001", "壹亿零壹元整"),
        ("10010000", "壹仟零壹万元整"),
        ("36800.08", "叁万陆仟捌佰元零捌分"),
    ],
)
def test_amounts_are_written_in_capital_numerals(amount, words):
    assert rmb_in_words(Decimal(amount)) == words


@pytest.mark.django_db
def test_a_renewal_is_offered_the_next_period_with_the_year_moved_on(world):
    contract = contract_for(world.village1, number="FY-2026-01", status=ContractStatus.ACTIVE)
    assert RenewForm.suggestion(contract) == {
        "number": "FY-2027-01",
        "starts_on": dt.date(2027, 1, 1),
        "ends_on": dt.date(2027, 12, 31),
    }


def test_targets_read_as_people_write_them():
    assert plain_number(Decimal("2.00")) == "2"
    assert plain_number(Decimal("95.50")) == "95.5"
    assert plain_number(Decimal("100.00")) == "100"
