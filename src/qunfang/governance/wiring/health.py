"""Menu entries and home panels of the health book; connected from `apps.ready()`."""


def connect() -> None:
    pass
