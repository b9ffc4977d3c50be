"""The lifecycle kit (core/lifecycle.py): one move() that checks, saves, writes the book's line
and notifies after the commit; the moves a user may make; one refusal in the reader's language.

The kit is tried on the case register's table and model with hooks of its own (so a change in
the case book's rules does not hide a broken kit), then through the books that use it."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, gettext_noop

from qunfang.casebook.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseOutcome,
    CaseStatus,
    CaseType,
    ReporterKind,
)
from qunfang.casebook.services import cases
from qunfang.core.lifecycle import Lifecycle, Move, MoveRefused, Notice
from qunfang.core.models import Notification
from qunfang.core.phrases import Phrase

pytestmark = pytest.mark.django_db
S = CaseStatus


def make_case(world, status: str = S.REGISTERED) -> Case:
    now = timezone.now()
    case = cases.register_case(
        case=Case(
            region=world.village1,
            case_type=CaseType.objects.get(code="theft"),
            title="枫源村电动车被盗",
            description="昨夜停在院里的电动车不见了。",
            occurred_at=now - dt.timedelta(hours=2),
            reported_at=now - dt.timedelta(hours=1),
            reporter_kind=ReporterKind.PERSON,
            reporter_name="楼阿根",
        ),
        by=world.director1,
    )
    outcome = CaseOutcome.RESOLVED if status == S.CLOSED else ""
    Case.objects.filter(pk=case.pk).update(status=status, outcome=outcome)
    case.refresh_from_db()
    return case


def transitions(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION))


def refused_lines(case: Case) -> list[str]:
    return list(
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.REFUSED).values_list(
            "note", flat=True
        )
    )


def kit(**hooks) -> Lifecycle[Case]:
    """A lifecycle of the case model, with the case register's table and these hooks."""

    def record(move: Move[Case]) -> None:
        CaseEvent.objects.create(
            case=move.obj,
            kind=CaseEventKind.TRANSITION,
            from_status=move.before.status,
            to_status=move.to,
            note=move.note,
            by=move.by,
        )

    def refused(case: Case, by, message: str) -> None:
        CaseEvent.objects.create(case=case, kind=CaseEventKind.REFUSED, note=message, by=by)

    options = {"record": record, "on_refused": refused, **hooks}
    return Lifecycle(Case, CaseStatus, cases.TRANSITIONS, **options)


def tell_the_owner(move: Move[Case]) -> list[Notice]:
    message = Phrase(gettext_noop("Instructions on %(case)s."), case=move.obj)
    return [Notice(move.obj.owner, "escalation", message, move.obj.get_absolute_url())]


# ---- a move -----------------------------------------------------------------------------------


def test_an_allowed_move_saves_the_state_and_what_apply_sets_and_writes_the_line(world):
    case = make_case(world, S.ACCEPTED)

    def apply(locked: Case) -> None:
        assert locked.status == S.ACCEPTED  # apply sees the row still in its old state
        locked.outcome_note = "已到现场"

    moved = kit().move(case, S.IN_HAND, by=world.director1, note="出警", apply=apply)
    saved = Case.objects.get(pk=case.pk)
    assert moved.status == saved.status == S.IN_HAND and saved.outcome_note == "已到现场"
    (line,) = transitions(case)
    assert (line.from_status, line.to_status, line.note, line.by) == (
        S.ACCEPTED,
        S.IN_HAND,
        "出警",
        world.director1,
    )


def test_a_refused_move_changes_nothing_and_names_both_states_in_chinese_and_english(world):
    case = make_case(world, S.REGISTERED)
    applied = []
    with pytest.raises(MoveRefused) as refused:
        kit().move(case, S.RESOLVED, by=world.director1, apply=applied.append)
    assert isinstance(refused.value, ValidationError)  # the views put it on the form
    assert (refused.value.current, refused.value.requested) == (S.REGISTERED, S.RESOLVED)
    assert applied == [] and Case.objects.get(pk=case.pk).status == S.REGISTERED
    assert transitions(case) == []
    with translation.override("zh-hans"):
        assert refused.value.messages == ["该案件现为“已登记”，不能改为“已解决”。"]
    with translation.override("en"):
        assert refused.value.messages == ["This case is “Registered” and cannot become “Resolved”."]


def test_the_refusal_speaks_the_language_of_whoever_reads_it_not_of_whoever_moved(world):
    case = make_case(world, S.CLOSED)
    with translation.override("en"), pytest.raises(MoveRefused) as refused:
        kit().move(case, S.ACCEPTED, by=world.director1)
    with translation.override("zh-hans"):
        assert refused.value.messages == ["该案件现为“已办结”，不能改为“已受理”。"]


def test_a_state_that_does_not_exist_is_refused_as_it_came(world):
    case = make_case(world, S.ACCEPTED)
    with pytest.raises(MoveRefused) as refused:
        kit().move(case, "settled", by=world.director1)
    with translation.override("en"):
        assert refused.value.messages == ["This case is “Accepted” and cannot become “settled”."]


def test_a_refusal_belongs_to_the_form_field_the_book_names(world):
    case = make_case(world, S.REGISTERED)
    with pytest.raises(MoveRefused) as refused:
        kit(refusal_field="to").move(case, S.RESOLVED, by=world.director1)
    assert list(refused.value.message_dict) == ["to"]


def test_a_book_may_word_the_refusal_of_an_action(world):
    case = make_case(world, S.REGISTERED)
    word = gettext_lazy("Closing a case needs an outcome.")
    with pytest.raises(MoveRefused) as refused:
        kit(refusals={S.RESOLVED: word}).move(case, S.RESOLVED, by=world.director1)
    with translation.override("en"):
        assert refused.value.messages == ["Closing a case needs an outcome."]


def test_a_refused_attempt_leaves_the_books_line_though_the_move_is_rolled_back(world):
    """The table, the user and the caller's check are all refusals: nothing changes, and the
    book that keeps refused attempts keeps this one."""
    case = make_case(world, S.IN_HAND)
    lifecycle = kit(
        may=lambda c, user, to: user.pk == c.owner_id,
        refused_by_who=gettext_lazy("Only the case's owner can change it."),
    )

    def check(locked: Case) -> None:
        raise ValidationError(gettext_lazy("Closing a case needs an outcome."))

    with translation.override("en"):
        with pytest.raises(MoveRefused):
            lifecycle.move(case, S.ACCEPTED, by=world.director1)  # the table
        with pytest.raises(MoveRefused, match="owner"):
            lifecycle.move(case, S.RESOLVED, by=world.mediator1)  # the user
        with pytest.raises(ValidationError, match="outcome"):
            lifecycle.move(case, S.CLOSED, by=world.director1, check=check)  # the book's rule
    assert Case.objects.get(pk=case.pk).status == S.IN_HAND and transitions(case) == []
    assert refused_lines(case) == [
        "This case is “In hand” and cannot become “Accepted”.",
        "Only the case's owner can change it.",
        "Closing a case needs an outcome.",
    ]


def test_a_user_the_book_does_not_name_is_forbidden(world):
    case = make_case(world, S.IN_HAND)
    lifecycle = kit(may=lambda c, user, to: user.pk == c.owner_id)
    with pytest.raises(PermissionDenied):
        lifecycle.move(case, S.RESOLVED, by=world.mediator1)
    assert Case.objects.get(pk=case.pk).status == S.IN_HAND and transitions(case) == []


def test_a_stale_copy_is_refused_when_the_book_asks(world):
    case = make_case(world, S.ACCEPTED)
    seen = Case.objects.get(pk=case.pk)
    Case.objects.filter(pk=case.pk).update(status=S.IN_HAND)  # someone else moved it
    stale = kit(
        stale=lambda seen, locked: seen.status != locked.status,
        stale_message="Someone changed this case meanwhile. Look again and retry.",
    )
    with pytest.raises(ValidationError, match="meanwhile"):
        stale.move(seen, S.RESOLVED, by=world.director1)
    assert Case.objects.get(pk=case.pk).status == S.IN_HAND and refused_lines(case) == []
    # without the stale check the row as locked is what counts
    assert kit().move(seen, S.RESOLVED, by=world.director1).status == S.RESOLVED


def test_a_table_must_name_every_state_and_only_states():
    with pytest.raises(ImproperlyConfigured):
        Lifecycle(Case, CaseStatus, {S.REGISTERED: {S.CLOSED}})
    with pytest.raises(ImproperlyConfigured):
        Lifecycle(Case, CaseStatus, {**cases.TRANSITIONS, S.CLOSED: {"archived"}})


# ---- notices ------------------------------------------------------------------------------------


def test_notices_are_sent_only_after_the_commit(world, django_capture_on_commit_callbacks):
    case = make_case(world, S.ACCEPTED)
    with django_capture_on_commit_callbacks() as callbacks:
        kit(notices=tell_the_owner).move(case, S.IN_HAND, by=world.mediator1)
        assert not Notification.objects.exists()  # not while the move is being written
    assert not Notification.objects.exists() and len(callbacks) == 1
    callbacks[0]()  # the commit
    (note,) = Notification.objects.all()
    assert (note.user, note.kind, note.url) == (
        world.director1,
        "escalation",
        case.get_absolute_url(),
    )


def test_a_move_rolled_back_tells_nobody(world, django_capture_on_commit_callbacks):
    case = make_case(world, S.ACCEPTED)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        kit(notices=tell_the_owner).move(case, S.IN_HAND, by=world.mediator1)
        raise RuntimeError("the caller's transaction fails after the move")
    assert callbacks == [] and not Notification.objects.exists()
    assert Case.objects.get(pk=case.pk).status == S.ACCEPTED and transitions(case) == []


def test_a_refused_move_tells_nobody(world, django_capture_on_commit_callbacks):
    case = make_case(world, S.REGISTERED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(MoveRefused):
        kit(notices=tell_the_owner).move(case, S.RESOLVED, by=world.mediator1)
    assert callbacks == [] and not Notification.objects.exists()


# ---- the moves a user may make (the buttons) -----------------------------------------------------


def test_allowed_is_the_table_for_the_owner_and_nothing_for_others(world):
    case = make_case(world, S.ACCEPTED)
    owner_moves = [S.IN_HAND, S.REFERRED, S.ESCALATED, S.CLOSED]  # in the order of the states
    assert cases.LIFECYCLE.allowed(case, world.director1) == owner_moves
    assert cases.LIFECYCLE.next_states(case) == owner_moves
    for other in (world.mediator1, world.township_officer, world.director2, world.police):
        assert cases.LIFECYCLE.allowed(case, other) == []


def test_allowed_offers_a_township_officer_only_the_reopening_of_a_closed_case(world):
    case = make_case(world, S.CLOSED)
    assert cases.LIFECYCLE.allowed(case, world.director1) == [S.IN_HAND]  # the owner
    assert cases.LIFECYCLE.allowed(case, world.township_officer) == [S.IN_HAND]
    assert cases.LIFECYCLE.allowed(case, world.township2_officer) == []  # not their township
    assert cases.LIFECYCLE.allowed(case, world.mediator1) == []


def test_allowed_and_move_agree(world):
    """Every move allowed() offers a user goes through; every other one is refused."""
    for user in (world.director1, world.township_officer, world.mediator1):
        for start in S.values:
            case = make_case(world, start)
            offered = cases.LIFECYCLE.allowed(case, user)
            for to in S.values:
                if to == start:
                    continue
                case = Case.objects.get(pk=case.pk)
                note, resolved = "当事人要求重新处理", CaseOutcome.RESOLVED
                if to in offered:
                    moved = cases.move(case=case, to=to, by=user, note=note, outcome=resolved)
                    assert moved.status == to
                    outcome = CaseOutcome.RESOLVED if start == S.CLOSED else ""
                    Case.objects.filter(pk=case.pk).update(
                        status=start, outcome=outcome, owner=world.director1
                    )
                else:
                    with pytest.raises(ValidationError):
                        cases.move(case=case, to=to, by=user, note=note, outcome=resolved)
