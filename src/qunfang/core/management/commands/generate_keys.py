from typing import Any

from django.core.management.base import BaseCommand

from qunfang.keys import generate_env_lines


class Command(BaseCommand):
    help = (
        "Print a fresh set of production keys as environment lines "
        "(keep them secret and backed up)."
    )
    requires_system_checks = []

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(generate_env_lines())
