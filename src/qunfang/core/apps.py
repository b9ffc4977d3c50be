from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qunfang.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from qunfang.core import signals  # noqa: F401  (connects the security-event receivers)

        post_migrate.connect(_create_cache_table, sender=self)


def _create_cache_table(*, using: str = "default", **kwargs) -> None:
    """`migrate` also makes the database cache's table, so no deployment step can be forgotten
    (a no-op when the table exists or the cache is Redis)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
