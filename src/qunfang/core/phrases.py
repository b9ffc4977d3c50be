"""A sentence kept untranslated until someone reads it: its English msgid and its parameters,
stored as JSON and rendered in the reader's language when shown or sent (STYLE.md §15).

    Phrase(gettext_noop("Your swap for %(day)s was %(verdict)s."),
           day="2029-01-10", verdict=Phrase(gettext_noop("approved")))

Write the msgid inside `gettext_noop(...)` (with `msgctxt=` for a pgettext msgid) so that
`make messages` finds it; a sentence with plural forms is given as
`ngettext_lazy(singular, plural, "n")`, whose two msgids the Phrase keeps. A parameter is a
plain value (text, number, date) kept as it is, or a Phrase, which is translated too; a
`gettext_lazy` string (a choice's label) becomes a Phrase of its msgid. Translated text
(`gettext(...)`) cannot be told from other text: never pass it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

from django.utils import translation
from django.utils.functional import Promise

Value = str | int | float | Any


class Phrase:
    __slots__ = ("context", "msgid", "number", "params", "plural")

    def __init__(
        self,
        msgid: str | Promise,
        /,
        *,
        msgctxt: str = "",
        msgid_plural: str = "",
        plural_by: str = "n",
        **params: Value,
    ) -> None:
        """`msgid_plural` (with `plural_by`, the parameter that counts) for ngettext's two
        forms. The options are named as in gettext, so that no sentence's parameter is taken
        for one."""
        if isinstance(msgid, Promise):
            msgid, msgid_plural, plural_by, msgctxt = _plural_msgids(msgid)
        if not isinstance(msgid, str):
            raise TypeError("a Phrase's msgid is the English text itself")
        self.msgid, self.context, self.plural, self.number = (
            msgid,
            msgctxt,
            msgid_plural,
            plural_by,
        )
        self.params = {name: _kept(name, value) for name, value in params.items()}

    def __repr__(self) -> str:
        return f"Phrase({self.msgid!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phrase) and self.as_json() == other.as_json()

    def __hash__(self) -> int:
        return hash(self.msgid)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"msgid": self.msgid}
        if self.context:
            data["context"] = self.context
        if self.plural:
            data["plural"], data["number"] = self.plural, self.number
        if self.params:
            data["params"] = {
                k: v.as_json() if isinstance(v, Phrase) else v for k, v in self.params.items()
            }
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Phrase:
        params = {
            k: cls.from_json(v) if isinstance(v, Mapping) else v
            for k, v in (data.get("params") or {}).items()
        }
        return cls(
            data["msgid"],
            msgctxt=data.get("context", ""),
            msgid_plural=data.get("plural", ""),
            plural_by=data.get("number", "n"),
            **params,
        )

    def render(self, language: str | None = None) -> str:
        """The sentence in `language` (the active language when None)."""
        with translation.override(language) if language else nullcontext():
            return self._text()

    def _text(self) -> str:
        values = {k: v._text() if isinstance(v, Phrase) else v for k, v in self.params.items()}
        template = self._template(values)
        if not values:
            return template
        for text in (template, self.msgid):  # a broken translation: show the English
            try:
                return text % values
            except (KeyError, ValueError, TypeError):
                continue
        return self.msgid

    def _template(self, values: dict[str, Any]) -> str:
        if self.plural:
            count = values.get(self.number, 0)
            if self.context:
                return translation.npgettext(self.context, self.msgid, self.plural, count)
            return translation.ngettext(self.msgid, self.plural, count)
        if self.context:
            return translation.pgettext(self.context, self.msgid)
        return translation.gettext(self.msgid)


def _plural_msgids(lazy: Promise) -> tuple[str, str, str, str]:
    """The msgids of an `ngettext_lazy(singular, plural, "n")` (or npgettext_lazy), read from
    its pickled form; any other lazy string would keep the sender's language, so it is refused."""
    try:
        reduced: Any = lazy.__reduce__()
        _unpickle, (_func, _cls, number, kwargs) = reduced
        if not isinstance(number, str):
            raise ValueError(number)
        return kwargs["singular"], kwargs["plural"], number, kwargs.get("context", "")
    except (TypeError, ValueError, KeyError):
        raise TypeError(
            "a Phrase takes the English msgid (gettext_noop), or ngettext_lazy(singular, "
            'plural, "n") for plural forms'
        ) from None


def _lazy_phrase(name: str, lazy: Promise) -> Phrase:
    """A `gettext_lazy`/`pgettext_lazy` string, still untranslated, as a Phrase of its msgid."""
    try:  # its pickled form: (unpickle, (func, args, kwargs, *result classes))
        reduced: Any = lazy.__reduce__()
        func, args = reduced[1][:2]
    except (TypeError, ValueError, IndexError):
        func, args = None, ()
    if func is translation.gettext and len(args) == 1:
        return Phrase(args[0])
    if func is translation.pgettext and len(args) == 2:
        return Phrase(args[1], msgctxt=args[0])
    raise TypeError(f"parameter {name!r}: pass a Phrase for this lazy string")


def _kept(name: str, value: Value) -> Value:
    """What a parameter is stored as: JSON that reads back the same in every language."""
    if isinstance(value, Phrase | bool | int | float) or value is None:
        return value
    if isinstance(value, Promise):
        return _lazy_phrase(name, value)
    if isinstance(value, dt.datetime):
        raise TypeError(f"parameter {name!r}: format the time first (it has no time zone here)")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
