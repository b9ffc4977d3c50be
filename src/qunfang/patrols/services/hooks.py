"""Where a patrol's finding goes next. The casebook registers a handler here (in its
AppConfig.ready) to open an incident, hazard or dispute entry from a check-in; until then a
finding stays on the patrol log, where the director sees it."""

from collections.abc import Callable

FINDING_HANDLERS: list[Callable] = []


def finding_reported(check_in) -> None:
    for handler in FINDING_HANDLERS:
        handler(check_in)
