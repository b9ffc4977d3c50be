"""Menu entries and home panels of the reports book; connected from `apps.ready()`."""


def connect() -> None:
    pass
