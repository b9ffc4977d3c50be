"""Who acts on which village's books: every book asks `user.works_in(region)`. A system
administrator without a region acts on mediations and inspections anywhere (as the services
always allowed), not on cases, opinions or situation reports."""

import pytest

from qunfang.casebook.models import Case
from qunfang.casebook.services import cases, inspections, mediation, opinions
from qunfang.core.roles import Role
from qunfang.core.services import user_create

pytestmark = pytest.mark.django_db


def _checks(village):
    return {
        "mediation": lambda user: mediation.can_act(user, village),
        "inspections": lambda user: inspections.can_act(user, village),
        "opinions": lambda user: opinions.can_act(user, village),
        "cases": lambda user: cases.can_hold(user, Case(region=village)),
    }


def test_a_director_acts_in_the_own_village_not_the_sibling_nor_the_township(world):
    for book, may in _checks(world.village1).items():
        assert may(world.director1), book
        assert not may(world.director2), book  # the sibling village's director
    for book, may in _checks(world.village2).items():
        assert not may(world.director1), book
        assert may(world.township_officer) == (book != "mediation"), book  # mediators only
    for book, may in _checks(world.village3).items():
        assert not may(world.township_officer), book  # the next township's village


def test_a_system_administrator_without_a_region(world):
    root = user_create(username="root", password=None, region=None, roles={Role.SYSTEM_ADMIN})
    acts = {book: may(root) for book, may in _checks(world.village1).items()}
    assert acts == {"mediation": True, "inspections": True, "opinions": False, "cases": False}
