"""`manage.py check`: a book that would not chain its lines, or not keep them unique in their
chain, is refused before it runs."""

from typing import Any

from django.apps import apps
from django.core import checks
from django.db import models


@checks.register(checks.Tags.models)
def check_books(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from qunfang.core.books.base import AppendOnly

    return [e for m in apps.get_models() if issubclass(m, AppendOnly) for e in book_problems(m)]


def book_problems(model: type[models.Model]) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    if not getattr(model, "book", ""):
        errors.append(_error(model, "sets no `book` (the first part of its chains' names)", 1))
    if not any(
        isinstance(c, models.UniqueConstraint) and tuple(c.fields) == ("chain", "seq")
        for c in model._meta.constraints
    ):
        errors.append(
            _error(model, "lost the unique (chain, seq): write `class Meta(AppendOnly.Meta)`", 2)
        )
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            text = f"{field.name}: auto_now is set after the line is hashed; use a default"
            errors.append(_error(model, text, 3))
    return errors


def _error(model: type[models.Model], text: str, number: int) -> checks.Error:
    return checks.Error(f"{model._meta.label} {text}", obj=model, id=f"qunfang.books.E00{number}")
