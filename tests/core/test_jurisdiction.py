"""The two questions every write asks: may this account use the page (`permission_required`,
one permission or any of several), and is this village theirs (`user.works_in(region)`)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from qunfang.core.models import User
from qunfang.core.permissions import permission_required
from qunfang.core.roles import Perm, Role
from qunfang.core.services import user_create


@pytest.mark.django_db
def test_works_in_is_the_own_region_and_below_never_a_sibling_or_a_parent(world):
    director = world.director1  # 枫源村
    assert director.works_in(world.village1) and director.works_in(world.group1)
    assert not director.works_in(world.village2)  # the sibling village
    assert not director.works_in(world.township)  # the parent township
    assert not director.works_in(world.village3) and not director.works_in(None)
    township = world.township_officer
    assert township.works_in(world.township) and township.works_in(world.village2)
    assert not township.works_in(world.village3)  # the next township's village


@pytest.mark.django_db
def test_an_inactive_account_or_one_without_a_region_works_nowhere(world):
    world.director1.is_active = False
    assert not world.director1.works_in(world.village1)
    assert not User(username="nowhere", region=None).works_in(world.village1)


@pytest.mark.django_db
def test_a_system_administrator_works_only_where_their_region_is(world):
    """Being a system administrator is a permission, not a place: the callers that let one act
    anywhere say so themselves."""
    assert world.admin.works_in(world.village3)  # the county is their region
    admin = user_create(username="root", password=None, region=None, roles={Role.SYSTEM_ADMIN})
    assert admin.is_system_admin and not admin.works_in(world.village1)


def _view(request):
    return HttpResponse("ok")


def _call(view, user):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    return view(request)


@pytest.mark.django_db
def test_any_of_lets_in_whoever_holds_one_of_the_permissions(world):
    view = permission_required(any_of=(Perm.MANAGE_VILLAGE, Perm.HANDLE_MEDIATION))(_view)
    assert view.required_permission == (Perm.MANAGE_VILLAGE, Perm.HANDLE_MEDIATION)
    assert _call(view, world.director1).status_code == 200
    assert _call(view, world.mediator1).status_code == 200
    for user in (world.auditor, world.patrol1):
        with pytest.raises(PermissionDenied):
            _call(view, user)
    assert _call(view, AnonymousUser()).status_code == 302  # to the sign-in page


@pytest.mark.django_db
def test_one_permission_is_asked_for_as_before(world):
    view = permission_required(Perm.HANDLE_MEDIATION)(_view)
    assert view.required_permission == Perm.HANDLE_MEDIATION
    assert _call(view, world.mediator1).status_code == 200
    with pytest.raises(PermissionDenied):
        _call(view, world.director1)


def test_it_takes_one_permission_or_any_of_never_both_or_neither():
    with pytest.raises(TypeError):
        permission_required(Perm.PATROL, any_of=(Perm.VIEW_PATROLS,))
    with pytest.raises(TypeError):
        permission_required()
    with pytest.raises(TypeError):
        permission_required(any_of=())
