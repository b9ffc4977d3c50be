"""Menu entries and home panels of the leadership book; connected from `apps.ready()`."""


def connect() -> None:
    pass
