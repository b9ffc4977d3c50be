"""Menu entries, home panels and hooks into other apps; connected from `apps.ready()`."""


def connect() -> None:
    pass
