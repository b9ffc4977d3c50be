import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from qunfang.core.demo import DEMO_ACCOUNTS, DemoRefused, build_demo, demo_state, random_password


class Command(BaseCommand):
    help = (
        "Build the demo township (枫桥镇) with one account per role. Refuses a database that "
        "holds anything but a demo."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--password", help="password for every demo account (random if omitted)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (and succeed) when the demo is already built",
        )

    def handle(
        self, *args: Any, password: str | None = None, if_empty: bool = False, **options: Any
    ) -> None:
        state = demo_state()
        if state == "demo" and if_empty:
            logins_file = settings.DATA_DIR / "demo-logins.txt"
            logins = logins_file.read_text(encoding="utf-8") if logins_file.exists() else ""
            self.stdout.write("The demo township is already built.\nDemo accounts:\n" + logins)
            return
        if state != "empty":
            raise CommandError(
                "This database already holds data"
                + (" (a demo built earlier)" if state == "demo" else " that is not the demo")
                + ": nothing was changed. "
                "Use an empty database (QUNFANG_DATABASE_URL) for the demo."
            )
        password = password or random_password()
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        try:
            build_demo(password=password)
        except DemoRefused:
            raise CommandError("This database already holds data: nothing was changed.") from None
        logins = "\n".join(
            [f"  {name:<10} {role.label}" for name, role, *_ in DEMO_ACCOUNTS]
            + [f"  password for every demo account: {password}"]
        )
        self._save_logins(logins)
        self.stdout.write("Demo township built: 枫桥镇, 诸暨市.\nDemo accounts:\n" + logins)

    @staticmethod
    def _save_logins(logins: str) -> None:
        """`make run` prints this file each time, so a newcomer always finds the logins."""
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        path = settings.DATA_DIR / "demo-logins.txt"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(logins + "\n")
