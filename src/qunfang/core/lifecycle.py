"""The lifecycle of a book's records: one transition table and the one place a status changes.

A book keeps its table as data (each state and the states it may become) and builds one
`Lifecycle` from it, adding only what is its own: who may make a move, the line its book keeps
of a move, the notices a move sends, and (the case register) the line it keeps of a refused
attempt. The rest is the same in every book:

    LIFECYCLE = Lifecycle(Case, CaseStatus, TRANSITIONS, may=..., record=..., on_refused=...)
    LIFECYCLE.move(case, CaseStatus.CLOSED, by=user, note=note, check=..., apply=...)
    LIFECYCLE.allowed(case, user)  # the moves this user may make now: the page's buttons

`move()` works on the row locked for update. It refuses a move the user may not make, one the
table does not allow, and one the caller's `check` finds wanting; then it lets the caller's
`apply` set what the move brings, sets the new state, saves, writes the book's line and sends
the book's notices through `notify()` once the transaction has committed (a move rolled back
tells nobody). A move the table does not allow raises `MoveRefused`, a ValidationError whose
one message names both states in the reader's language. A refused move changes nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextvars import copy_context
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from qunfang.core.models import User
from qunfang.core.notify import notify
from qunfang.core.phrases import Phrase

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise as Text
else:
    Text = str | Promise  # text or a lazy translation

M = TypeVar("M", bound=models.Model)

# The one refusal of a move: the book's word for the record ("case", "roster"), then both states.
REFUSAL = gettext_lazy("This %(thing)s is “%(current)s” and cannot become “%(requested)s”.")


class MoveRefused(ValidationError):
    """A move the lifecycle refuses: one the table does not allow from the current state, or
    one this user may not make. A ValidationError, so views put it on the form like every other
    refusal of a service; the message is rendered in the language active when it is shown.
    `current` and `requested` are the two states' codes."""

    def __init__(
        self,
        message: Text,
        *,
        current: str,
        requested: str,
        params: Mapping[str, object] | None = None,
        field: str | None = None,
    ) -> None:
        values = dict(params or {})
        if field:
            super().__init__({field: ValidationError(message, code="move_refused", params=values)})
        else:
            super().__init__(message, code="move_refused", params=values)
        self.current, self.requested = current, requested


@dataclass(frozen=True)
class Notice:
    """A message a move sends, through `notify()` once the move is committed."""

    user: User | None
    kind: str
    message: Phrase
    url: str = ""


@dataclass(frozen=True)
class Move(Generic[M]):
    """A move just saved, for the book's line and notices: the row as it is now, a copy of it
    as it was before the move, the state it moved to, who moved it and why."""

    obj: M
    before: M
    to: str
    by: User | None
    note: str


class Lifecycle(Generic[M]):
    """The transition table of `model`'s `field` (the codes of `states`) and the one `move()`.

    Options, each the book's own:
    - `may(obj, user, to)`: who may make a move (all who reach the book's service, without it).
      A move refused by it raises MoveRefused with `refused_by_who`, or PermissionDenied.
    - `refusals`: a wording of the refusal for a requested state, where the action's name says
      more than the two states ("Only a draft roster can be published.").
    - `refusal_field`: the form field the refusal belongs to (none: the form's own errors).
    - `stale(seen, locked)`: True when the caller's copy is out of date (the move is then refused
      with `stale_message`, and nothing is written); without it the locked row is what counts.
    - `record(move)`: the book's line of a move, written in the move's transaction (a book whose
      history rows are its line needs none), and whatever else the move sets off in the book.
    - `notices(move)`: the messages the move sends, after the commit.
    - `on_refused(obj, by, message)`: the book's line of a refused attempt, written outside the
      move's own block (which wrote nothing), so it stays unless the caller's transaction rolls
      back.
    - `related`: the relations to read with the locked row.
    """

    def __init__(
        self,
        model: type[M],
        states: type[models.TextChoices],
        table: Mapping[str, Collection[str]],
        *,
        field: str = "status",
        thing: Text | None = None,
        may: Callable[[M, User, str], bool] | None = None,
        refused_by_who: Text | None = None,
        refusals: Mapping[str, Text] | None = None,
        refusal_field: str | None = None,
        stale: Callable[[M, M], bool] | None = None,
        stale_message: Text = "",
        record: Callable[[Move[M]], None] | None = None,
        notices: Callable[[Move[M]], Iterable[Notice]] | None = None,
        on_refused: Callable[[M, User | None, str], None] | None = None,
        related: Sequence[str] = (),
    ) -> None:
        codes = list(states.values)
        if set(table) != set(codes) or any(set(row) - set(codes) for row in table.values()):
            raise ImproperlyConfigured(
                f"{model.__name__}: the transition table must have a row for every state of "
                f"{states.__name__} and lead only to its states"
            )
        if stale is not None and not stale_message:
            raise ImproperlyConfigured(f"{model.__name__}: a stale check needs its message")
        self.model, self.states, self.field = model, states, field
        self.table: dict[str, frozenset[str]] = {s: frozenset(table[s]) for s in codes}
        self.thing: Text = thing if thing is not None else model._meta.verbose_name or ""
        self.may, self.refused_by_who = may, refused_by_who
        self.refusals: dict[str, Text] = dict(refusals or {})
        self.refusal_field, self.stale, self.stale_message = refusal_field, stale, stale_message
        self.record, self.notices, self.on_refused = record, notices, on_refused
        self.related = tuple(related)

    # ---- reading -----------------------------------------------------------------------------

    def state(self, obj: M) -> str:
        return str(getattr(obj, self.field))

    def label(self, state: str) -> Text:
        """A state's label; a code that is no state is shown as it came."""
        return self.states(state).label if state in self.states.values else state

    def next_states(self, obj: M) -> list[str]:
        """The states the table lets `obj` become now, in the order the states are declared."""
        row = self.table.get(self.state(obj), frozenset())
        return [s for s in self.states.values if s in row]

    def allowed(self, obj: M, user: User) -> list[str]:
        """The moves `user` may make on `obj` now (for the page's buttons)."""
        return [to for to in self.next_states(obj) if self.may is None or self.may(obj, user, to)]

    def refusal(self, obj: M, to: str) -> MoveRefused:
        """The one refusal of a move from `obj`'s state to `to`."""
        current = self.state(obj)
        return MoveRefused(
            self.refusals.get(to, REFUSAL),
            current=current,
            requested=to,
            params={
                "thing": self.thing,
                "current": self.label(current),
                "requested": self.label(to),
            },
            field=self.refusal_field,
        )

    # ---- moving ------------------------------------------------------------------------------

    def move(
        self,
        obj: M,
        to: str,
        *,
        by: User | None,
        note: str = "",
        check: Callable[[M], None] | None = None,
        apply: Callable[[M], None] | None = None,
    ) -> M:
        """Move `obj` to the state `to` and return the row as saved. `check(locked)` raises a
        ValidationError for what the book's rules find wanting in this move (counted as a
        refusal), `apply(locked)` sets the fields the move brings; both see the row locked, still
        in its old state."""
        with transaction.atomic():
            locked = self._locked(obj)
            if self.stale is not None and self.stale(obj, locked):
                raise ValidationError(self.stale_message)
            refused = self._refused(locked, to, by, check)
            if refused is None:
                before = copy.copy(locked)
                if apply is not None:
                    apply(locked)
                setattr(locked, self.field, to)
                locked.save()
                done = Move(obj=locked, before=before, to=to, by=by, note=note)
                if self.record is not None:
                    self.record(done)
                sent = list(self.notices(done)) if self.notices is not None else []
                if sent:  # in the context of the move (a demo's `notify.sent_at` holds)
                    send = partial(copy_context().run, _send, sent)
                    transaction.on_commit(send, robust=True)
        if refused is not None:
            # outside the move's block, which wrote nothing: the book's line of the attempt stays
            if self.on_refused is not None:
                self.on_refused(locked, by, " ".join(refused.messages))
            raise refused
        return locked

    def _locked(self, obj: M) -> M:
        rows = self.model._default_manager.select_for_update(of=("self",))
        if self.related:
            rows = rows.select_related(*self.related)
        return rows.get(pk=obj.pk)

    def _refused(
        self, obj: M, to: str, by: User | None, check: Callable[[M], None] | None
    ) -> ValidationError | None:
        """Why the move is refused (None: it may happen). Who may make it, then the table, then
        the book's own rules for this move."""
        if self.may is not None and (by is None or not self.may(obj, by, to)):
            if self.refused_by_who is None:
                raise PermissionDenied
            return MoveRefused(
                self.refused_by_who, current=self.state(obj), requested=to, field=self.refusal_field
            )
        if to not in self.table.get(self.state(obj), frozenset()):
            return self.refusal(obj, to)
        if check is not None:
            try:
                check(obj)
            except ValidationError as error:
                return error
        return None


def _send(notices: list[Notice]) -> None:
    for notice in notices:
        notify(notice.user, notice.kind, notice.message, notice.url)
