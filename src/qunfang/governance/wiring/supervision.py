"""Menu entries and home panels of the supervision book; connected from `apps.ready()`."""


def connect() -> None:
    pass
