"""Accounts, roles and jurisdiction: changes go through one service and land in the logs."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qunfang.core.models import SecurityEvent, SecurityEventKind, User
from qunfang.core.roles import Perm, Role
from qunfang.core.services import user_set_roles_and_region


@pytest.mark.django_db
def test_role_and_jurisdiction_changes_are_logged_with_who_did_them(world):
    user_set_roles_and_region(
        user=world.patrol1,
        roles={Role.PATROL_MEMBER, Role.MEDIATOR},
        region=world.village2,
        by=world.admin,
    )
    events = SecurityEvent.objects.filter(user=world.patrol1).order_by("id")
    assert [(e.kind, e.actor) for e in events.exclude(kind=SecurityEventKind.ACCOUNT_CREATED)] == [
        (SecurityEventKind.JURISDICTION_CHANGED, world.admin),
        (SecurityEventKind.ROLE_GRANTED, world.admin),
    ]
    assert world.patrol1.can(Perm.HANDLE_MEDIATION)
    # the domain history keeps the old jurisdiction too
    assert [h.region_id for h in world.patrol1.history.order_by("history_id")] == [
        world.village1.pk,
        world.village2.pk,
    ]


@pytest.mark.django_db
def test_a_role_must_fit_the_level_of_its_jurisdiction(world):
    with pytest.raises(ValidationError, match="治保主任"):
        user_set_roles_and_region(
            user=world.patrol1, roles={Role.VILLAGE_DIRECTOR}, region=world.township, by=world.admin
        )
    world.patrol1.refresh_from_db()
    assert world.patrol1.region == world.village1
    assert set(world.patrol1.roles.values_list("role", flat=True)) == {Role.PATROL_MEMBER}


@pytest.mark.django_db
def test_the_admin_form_changes_roles_through_the_service(world, client):
    client.force_login(world.admin)
    url = reverse("admin:core_user_change", args=[world.patrol1.pk])
    form = {
        "username": "patrol1",
        "full_name": "何小军",
        "email": "",
        "region": world.village1.pk,
        "phone": "13912345678",
        "id_number": "",
        "is_active": "on",
        "roles_field": ["patrol_member", "mediator"],
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(pk=world.patrol1.pk).role_names == {"patrol_member", "mediator"}
    assert (
        SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_GRANTED, actor=world.admin).count()
        == 1
    )


@pytest.mark.django_db
def test_the_admin_form_refuses_a_bad_id_number_and_changes_nothing(world, client):
    client.force_login(world.admin)
    url = reverse("admin:core_user_change", args=[world.patrol1.pk])
    form = {
        "username": "patrol1",
        "full_name": "改名",
        "email": "",
        "region": world.village1.pk,
        "phone": "",
        "id_number": "110105194912310021",
        "is_active": "on",
        "roles_field": ["patrol_member"],
    }
    response = client.post(url, form)
    assert response.status_code == 200 and "校验位" in response.content.decode()
    world.patrol1.refresh_from_db()
    assert world.patrol1.full_name == "何小军" and world.patrol1.id_number == ""


@pytest.mark.django_db
def test_deactivated_accounts_lose_every_permission(world):
    world.director1.is_active = False
    world.director1.save()
    user = User.objects.get(pk=world.director1.pk)
    assert user.permissions == frozenset()


@pytest.mark.django_db
def test_opening_an_account_in_the_admin_shows_masks_so_reveals_nothing(world, client):
    client.force_login(world.admin)
    response = client.get(reverse("admin:core_user_change", args=[world.patrol1.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "13912345678" not in body and "139****5678" in body
