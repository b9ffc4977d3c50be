"""Texts built from a template and a number follow the reader's language, not the language
that happened to be active when the module was imported."""

from django.utils import translation

from qunfang.patrols.forms.self import CheckInForm


def test_the_check_in_codes_help_follows_the_language():
    with translation.override("en"):
        english = str(CheckInForm().fields["code"].help_text)
    with translation.override("zh-hans"):
        chinese = str(CheckInForm().fields["code"].help_text)
    assert "digits under the QR code" in english
    assert english != chinese and "二维码" in chinese
