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
    mask_id_number,
    mask_phone,
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
    assert mask_id_number(VALID_ID) == "110105********002X"
    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("") == mask_id_number(None) == ""


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
