from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qunfang.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.apps import apps
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from qunfang.core import choices, signals  # noqa: F401  (signals: the security-event receivers)
        from qunfang.core.books import checks  # noqa: F401  (registers the books' checks)
        from qunfang.core.triggers import register_unlock_function

        choices.install(apps.get_models(include_auto_created=True))
        connection_created.connect(register_unlock_function)
        post_migrate.connect(_create_cache_table, sender=self)
        post_migrate.connect(_make_book_triggers, sender=self)


def _create_cache_table(*, using: str = "default", **kwargs: Any) -> None:
    """`migrate` also makes the database cache's table, so no deployment step can be forgotten
    (a no-op when the table exists or the cache is Redis)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


def _make_book_triggers(*, using: str = "default", **kwargs: Any) -> None:
    """`migrate` also makes the append-only triggers of every book and history table that
    lacks them: a new book needs no migration for them, and a table that SQLite remade (which
    drops its triggers) gets them back."""
    from django.db import connections

    from qunfang.core.triggers import ensure_append_only_triggers

    ensure_append_only_triggers(connections[using])
