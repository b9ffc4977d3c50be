"""`get_<field>_display()` without re-translating every choice on every call.

Django's version rebuilds the field's choices into a dict on each call, and building it hashes
every lazy label, which translates each one: a list of 50 rows showing two choice fields ran
hundreds of translations per page (a quarter of the escalation inbox's time). Here the
value → label table is made once per field, and only the label shown is translated.
"""

from collections.abc import Iterable
from functools import cache, partialmethod
from typing import Any

from django.db import models
from django.utils.encoding import force_str


@cache
def _labels(field: models.Field[Any, Any]) -> dict[Any, Any]:
    return dict(field.flatchoices)


def _display(instance: models.Model, field: models.Field[Any, Any]) -> object:
    value = getattr(instance, field.attname)
    try:
        label = _labels(field).get(value, value)
    except TypeError:  # an unhashable value (a JSON choice): Django's own way
        return instance._get_FIELD_display(field)  # type: ignore[attr-defined]  # Django's own
    return force_str(label, strings_only=True)


def install(model_classes: Iterable[type[models.Model]]) -> None:
    """Replace the `get_<field>_display` that Django made for each field with choices (one it
    made itself: a model's own method of that name is left alone)."""
    for model in model_classes:
        for field in model._meta.concrete_fields:
            name = f"get_{field.name}_display"
            method = model.__dict__.get(name)
            if field.choices is not None and isinstance(method, partialmethod):
                setattr(model, name, partialmethod(_display, field=field))
