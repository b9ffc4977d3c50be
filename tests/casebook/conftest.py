import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(client, settings):
    """Messages are matched in English (the UI's msgids), whatever the translators add; the
    Chinese pages are checked by the i18n and browser tests."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
