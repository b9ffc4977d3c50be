"""Form fields that choose people from the register and tell same-name people apart."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Count
from django.utils.translation import gettext as _

from qunfang.registry.models import Person


def twin_names(people: Any) -> set[tuple[int, str]]:
    """(village id, name) of the names two or more of `people` share in one village. One query."""
    return set(
        people.order_by()
        .values("region_id", "name")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("region_id", "name")
    )


def person_label(person: Person, twins: set[tuple[int, str]], *, village: bool = True) -> str:
    """The name, with the village when asked, and the birth year where a namesake in the same
    village would otherwise be taken for them (a bonus, a task must reach the right person)."""
    twin = (person.region_id, person.name) in twins
    if village and twin:
        return _("%(name)s (%(village)s, born %(year)s)") % {
            "name": person.name,
            "village": person.region.name,
            "year": person.birth_date.year,
        }
    if village:
        return _("%(name)s (%(village)s)") % {"name": person.name, "village": person.region.name}
    if twin:
        return _("%(name)s (born %(year)s)") % {"name": person.name, "year": person.birth_date.year}
    return person.name


class _NamesApart(forms.ModelChoiceField[Person]):
    """Labels by `person_label` (with the village unless `village` is False); the namesakes are
    worked out once per list of people."""

    def __init__(self, *args: Any, village: bool = True, **kwargs: Any) -> None:
        self.with_village = village
        self._twins: tuple[Any, set[tuple[int, str]]] = (None, set())
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Person) -> str:
        people, twins = self._twins
        if people is not self.queryset:  # a form sets its own people after the field is made
            twins = twin_names(self.queryset)
            self._twins = (self.queryset, twins)
        return person_label(obj, twins, village=self.with_village)


class PersonChoiceField(_NamesApart):
    """A person of the register."""


class PeopleChoiceField(_NamesApart, forms.ModelMultipleChoiceField[Person]):
    """Several people of the register."""
