"""A Phrase keeps a sentence untranslated, as JSON, until a reader's language renders it."""

import datetime as dt

import pytest
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext_lazy

from qunfang.casebook.models import Level, OrderStatus
from qunfang.core.phrases import Phrase

ENTRIES = ngettext_lazy(
    "%(n)d new anonymous entry in the opinion book of %(village)s.",
    "%(n)d new anonymous entries in the opinion book of %(village)s.",
    "n",
)


def roundtrip(phrase: Phrase) -> Phrase:
    return Phrase.from_json(phrase.as_json())


def test_it_renders_in_the_language_asked_for_after_a_trip_through_json():
    swap = Phrase(
        gettext_noop("Your swap for %(day)s was %(verdict)s."),
        day=dt.date(2029, 1, 10),
        verdict=Phrase(gettext_noop("rejected")),
    )
    assert roundtrip(swap).render("en") == "Your swap for 2029-01-10 was rejected."
    assert roundtrip(swap).render("zh-hans") == "您 2029-01-10 的换班申请被驳回。"


def test_plural_forms_follow_the_count():
    assert roundtrip(Phrase(ENTRIES, n=1, village="枫源村")).render("en").startswith("1 new anon")
    assert "2 new anonymous entries" in roundtrip(Phrase(ENTRIES, n=2, village="X")).render("en")


def test_a_choice_label_is_kept_as_its_msgid_and_translated_for_the_reader():
    phrase = Phrase(gettext_noop("Reported to you: %(case)s."), case=Level.POLICE.label)
    assert phrase.as_json()["params"]["case"] == {"msgid": "Police station"}
    assert roundtrip(phrase).render("zh-hans") == "上报给您的案件：派出所。"
    with_context = roundtrip(Phrase("%(s)s", s=OrderStatus.OPEN.label)).as_json()
    assert with_context["params"]["s"] == {"msgid": "Open", "context": "rectification"}


def test_a_parameter_may_bear_any_name_even_that_of_an_option():
    phrase = Phrase(
        gettext_noop("You are a mediator on mediation case %(number)s."), number="2029-0001"
    )
    assert roundtrip(phrase).render("en").endswith("case 2029-0001.")


def test_a_broken_translation_falls_back_to_english_and_bad_input_is_refused():
    assert Phrase("%(missing)s and more", other=1).render("en") == "%(missing)s and more"
    with pytest.raises(TypeError):
        Phrase(gettext("approved"), when=dt.datetime(2029, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(TypeError):
        Phrase(gettext_lazy("approved"))  # a lazy msgid without plural forms
