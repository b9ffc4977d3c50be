"""Choosing people: same-name people of one village are told apart by their birth year."""

import datetime as dt

import pytest

from qunfang.registry.fields import PeopleChoiceField, PersonChoiceField
from qunfang.registry.models import Person

pytestmark = pytest.mark.django_db


def _person(village, name, born):
    return Person.objects.create(region=village, name=name, sex="M", birth_date=dt.date(born, 5, 1))


def test_namesakes_of_one_village_are_told_apart_and_no_one_else(world):
    elder = _person(world.village1, "周志强", 1962)
    younger = _person(world.village1, "周志强", 1988)
    other_village = _person(world.village2, "周志强", 1970)
    alone = _person(world.village1, "楼阿根", 1975)
    field = PersonChoiceField(queryset=Person.objects.select_related("region").order_by("pk"))
    labels = {int(str(value)): label for value, label in list(field.choices)[1:]}
    assert labels == {
        elder.pk: "周志强（枫源村，1962年生）",
        younger.pk: "周志强（枫源村，1988年生）",
        other_village.pk: "周志强（乐山村）",  # the only one of that name in that village
        alone.pk: "楼阿根（枫源村）",
    }
    # one village's people, without the village: the year only where it is needed
    field = PeopleChoiceField(
        queryset=Person.objects.filter(region=world.village1).order_by("pk"), village=False
    )
    assert [label for _value, label in field.choices] == [
        "周志强（1962年生）",
        "周志强（1988年生）",
        "楼阿根",
    ]


def test_a_new_list_of_people_is_looked_at_afresh(world):
    _person(world.village1, "周志强", 1962)
    _person(world.village1, "周志强", 1988)
    field = PersonChoiceField(queryset=Person.objects.none(), village=False)
    assert list(field.choices)[1:] == []
    field.queryset = Person.objects.filter(region=world.village1).order_by("pk")
    assert [label for _value, label in list(field.choices)[1:]] == [
        "周志强（1962年生）",
        "周志强（1988年生）",
    ]
