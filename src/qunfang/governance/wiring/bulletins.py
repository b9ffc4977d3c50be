"""Menu entries and home panels of the bulletins book; connected from `apps.ready()`."""


def connect() -> None:
    pass
