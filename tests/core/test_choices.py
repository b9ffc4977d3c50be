"""`get_<field>_display()` from a table built once per field (core/choices.py): the label is
still translated for each reader, and a value outside the choices shows as itself."""

from django.utils import translation

from qunfang.core import choices
from qunfang.registry.models import Person


def test_every_choice_field_uses_the_table_and_labels_follow_the_language():
    person = Person(sex="F")
    assert Person.__dict__["get_sex_display"].func is choices._display
    with translation.override("zh-hans"):
        chinese = person.get_sex_display()
    with translation.override("en"):
        english = person.get_sex_display()
    assert english == "Female" and chinese != english and chinese  # translated per reader
    person.sex = "X"  # not a choice: shown as stored, like Django does
    assert person.get_sex_display() == "X"
