"""ID numbers and phones: GB 11643 validation, encryption at rest, masking, logged reveals."""

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from qunfang.core.crypto import blind_index
from qunfang.core.models import SecurityEvent, SecurityEventKind, User
from qunfang.core.personal import (
    id_check_digit,
    id_numbers_fitting,
    mask_contact,
    mask_id_number,
    mask_phone,
    personal_numbers_in,
    validate_id_number,
    validate_phone,
)

VALID_ID = "11010519491231002X"  # the worked example of GB 11643-1999


def test_the_standards_worked_example_passes():
    assert validate_id_number(" 11010519491231002x ") == VALID_ID


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "id_checksum"),
        ("11010519491331002X", "id_birth_date"),  # month 13
        ("1101051949123100", "id_shape"),
        ("11010519491231002Y", "id_shape"),
    ],
)
def test_bad_id_numbers_are_refused_with_the_reason(number, code):
    with pytest.raises(ValidationError) as caught:
        validate_id_number(number)
    assert caught.value.code == code


@given(
    region=st.from_regex(r"[1-6][0-9]{5}", fullmatch=True),
    birth=st.dates(min_value=__import__("datetime").date(1900, 1, 1)),
    serial=st.from_regex(r"[0-9]{3}", fullmatch=True),
    position=st.integers(0, 16),
    delta=st.integers(1, 9),
)
def test_any_single_digit_typo_is_caught(region, birth, serial, position, delta):
    first17 = f"{region}{birth:%Y%m%d}{serial}"
    number = first17 + id_check_digit(first17)
    assert validate_id_number(number) == number
    typo = list(number)
    typo[position] = str((int(typo[position]) + delta) % 10)
    with pytest.raises(ValidationError):
        validate_id_number("".join(typo))


def test_masks_keep_only_what_is_needed_to_recognise_a_number():
    assert mask_id_number(VALID_ID) == "110105***********X"
    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("") == mask_id_number(None) == ""


def test_a_mask_beside_the_birth_date_and_sex_still_fits_dozens_of_numbers():
    """The old mask (first 6, last 4) hid only the birth date: beside it, it was the number."""
    born = __import__("datetime").date(1949, 12, 31)
    assert id_numbers_fitting("110105********002X", birth_date=born, sex="F") == 1
    assert id_numbers_fitting(mask_id_number(VALID_ID), birth_date=born, sex="F") >= 40


def test_contacts_are_masked_as_phones_or_by_their_ends():
    assert mask_contact("139 1234 5678") == "139****5678"
    assert mask_contact("wx_zhang2026") == "w**********6"
    assert mask_contact("") == ""


@pytest.mark.parametrize("phone", ["13912345678", "0575-87012345", "139 1234 5678"])
def test_phone_numbers_accepted(phone):
    assert validate_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "2391234567x", "1391234567"])
def test_bad_phone_numbers_refused(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)


@pytest.mark.django_db
def test_the_raw_database_never_holds_the_id_number(world):
    world.patrol1.id_number = VALID_ID
    world.patrol1.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM core_user WHERE id = %s", [world.patrol1.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert VALID_ID not in raw_id and raw_id.startswith("v1:k1:")
    assert "13912345678" not in raw_phone
    assert User.objects.get(pk=world.patrol1.pk).id_number == VALID_ID
    # exact search goes through the blind index; equality on the ciphertext refuses loudly
    assert User.objects.get(id_number_bidx=blind_index(VALID_ID.lower())) == world.patrol1
    with pytest.raises(FieldError):
        User.objects.filter(id_number=VALID_ID).exists()


@pytest.mark.django_db
def test_lists_show_masked_phones_only(world, client):
    client.force_login(world.township_officer)
    body = client.get(reverse("core:user_list")).content.decode()
    assert "139****5678" in body and "13912345678" not in body


@pytest.mark.django_db
def test_a_director_reveals_a_phone_and_the_reveal_is_logged(world, client):
    client.force_login(world.director1)
    url = reverse("core:user_reveal", args=[world.patrol1.pk, "phone"])
    response = client.post(url)
    assert response.status_code == 200 and "13912345678" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PERSONAL_DATA_REVEALED)
    assert (event.actor, event.user, event.detail) == (
        world.director1,
        world.patrol1,
        {"field": "phone"},
    )


@pytest.mark.django_db
def test_a_role_without_the_need_cannot_reveal(world, client):
    world.patrol1.id_number = VALID_ID
    world.patrol1.save()
    client.force_login(world.auditor)  # may list accounts, may not unmask
    assert (
        client.post(reverse("core:user_reveal", args=[world.patrol1.pk, "id_number"])).status_code
        == 403
    )
    assert client.get(reverse("core:user_detail", args=[world.patrol1.pk])).status_code == 200
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.PERSONAL_DATA_REVEALED).exists()


@pytest.mark.django_db
def test_reveal_needs_post_and_a_known_field(world, client):
    client.force_login(world.director1)
    assert (
        client.get(reverse("core:user_reveal", args=[world.patrol1.pk, "phone"])).status_code == 405
    )
    assert (
        client.post(reverse("core:user_reveal", args=[world.patrol1.pk, "password"])).status_code
        == 404
    )


# ---- forms never hold whole values -------------------------------------------------------


@pytest.mark.django_db
def test_the_person_form_shows_masks_and_logs_nothing(world, records, client):
    client.force_login(world.director1)
    url = reverse("registry:person_edit", args=[records.person.pk])
    body = client.get(url).content.decode()
    assert "330681198005170011" not in body and "13700001111" not in body
    assert "330681***********1" in body and "137****1111" in body
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.PERSONAL_DATA_REVEALED).exists()


def _person_post(person, **changes):
    data = {
        "region": person.region_id,
        "household": person.household_id or "",
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "id_number": "",
        "phone": "",
        "phone_reachable": "on",
        "education": "",
        "political_status": "",
        "address": "",
        "may_serve": "on",
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_left_empty_the_numbers_on_file_are_kept_typed_anew_they_change(world, records, client):
    from qunfang.registry.models import Person

    person = records.person
    client.force_login(world.director1)
    url = reverse("registry:person_edit", args=[person.pk])
    assert client.post(url, _person_post(person, address="新地址")).status_code == 302
    person = Person.objects.get(pk=person.pk)
    assert (person.address, person.id_number, person.phone) == (
        "新地址",
        "330681198005170011",
        "13700001111",
    )
    assert client.post(url, _person_post(person, phone="13800002222")).status_code == 302
    assert Person.objects.get(pk=person.pk).phone == "13800002222"
    assert client.post(url, _person_post(person, phone_remove="on")).status_code == 302
    person = Person.objects.get(pk=person.pk)
    assert (person.phone, person.id_number) == ("", "330681198005170011")


@pytest.mark.django_db
def test_the_admin_account_form_and_its_history_show_no_whole_values(world, client):
    world.director1.id_number = VALID_ID
    world.director1.save()
    client.force_login(world.admin)
    history = User.history.filter(id=world.director1.pk).latest("history_date")
    for url in (
        reverse("admin:core_user_change", args=[world.director1.pk]),
        reverse("admin:core_user_history", args=[world.director1.pk]),
        reverse("admin:core_user_simple_history", args=[world.director1.pk, history.history_id]),
    ):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert VALID_ID not in body and "13857500111" not in body, url
    assert (
        "110105***********X"
        in client.get(reverse("admin:core_user_change", args=[world.director1.pk])).content.decode()
    )


# ---- exports ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["auditor", "mediator1", "police"])
def test_roles_that_may_not_export_personal_data_get_403(world, records, client, role):
    client.force_login(getattr(world, role))
    assert client.get(reverse("registry:export", args=["people", "csv"])).status_code == 403
    assert "registry/export" not in client.get(reverse("registry:person_list")).content.decode()
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.DATA_EXPORTED).exists()


@pytest.mark.django_db
def test_each_export_is_a_line_in_the_security_log_with_its_filters_and_rows(
    world, records, client
):
    from qunfang.registry.models import Person

    Person.objects.create(
        region=world.village1,
        name="楼小英",
        sex="F",
        birth_date=__import__("datetime").date(1990, 2, 3),
    )
    client.force_login(world.township_officer)
    url = reverse("registry:export", args=["people", "csv"])
    everyone = client.get(url)
    only = client.get(url, {"village": world.village1.code, "q": "小英"})
    assert "no-store" in only["Cache-Control"]
    assert "楼阿根" in everyone.content.decode("utf-8-sig")
    assert "楼阿根" not in only.content.decode("utf-8-sig")
    assert "楼小英" in only.content.decode("utf-8-sig")
    lines = list(SecurityEvent.objects.filter(kind=SecurityEventKind.DATA_EXPORTED).order_by("id"))
    assert [(e.actor, e.detail) for e in lines] == [
        (world.township_officer, {"list": "people", "format": "csv", "rows": 2, "filters": {}}),
        (
            world.township_officer,
            {
                "list": "people",
                "format": "csv",
                "rows": 1,
                "filters": {"village": world.village1.code, "q": "小英"},
            },
        ),
    ]


@pytest.mark.django_db
def test_an_export_filtered_on_another_village_answers_404(world, records, client):
    client.force_login(world.director2)
    url = reverse("registry:export", args=["people", "csv"])
    assert client.get(url, {"village": world.village1.code}).status_code == 404
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.DATA_EXPORTED).exists()


@pytest.mark.django_db
def test_the_auditor_reads_who_exported_which_list_with_what_filters(world, records, client):
    client.force_login(world.director1)
    client.get(reverse("registry:export", args=["households", "xlsx"]), {"q": "0001"})
    client.force_login(world.auditor)
    body = client.get(reverse("core:security_log"), {"kind": "data_exported"}).content.decode()
    assert "导出名单" in body and "住户（xlsx），1 行；筛选：q=0001" in body


@pytest.mark.django_db
def test_a_persons_revealed_number_is_never_cached(world, records, client):
    client.force_login(world.director1)
    response = client.post(reverse("registry:person_reveal", args=[records.person.pk, "id_number"]))
    assert "330681198005170011" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_phone_and_id_numbers_are_found_in_free_text_masked():
    text = "联系人13812345678，证件330681198001011234；办公室0575-87654321"
    assert personal_numbers_in(text) == ["138****5678", "330681***********4", "057*****4321"]
    # as people write them: in groups, with dashes or spaces, in full-width digits
    written = (
        "电话 138-1234-5678，又 139 1234 5678，１３７１２３４５６７８，身份证330681 19800101 1234"
    )
    assert personal_numbers_in(written) == [
        "138****5678",
        "139****5678",
        "137****5678",
        "330681***********4",
    ]
    # figures, dates and codes are not numbers of a person
    assert personal_numbers_in("2026年11月巡逻120小时，村代码330681109290，编号20261101") == []
    assert personal_numbers_in("2026-12-05 共3人 15户，第1-3组") == []
