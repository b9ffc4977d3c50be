"""Written rules (制度): the writes (the reads are in `selectors.rules`).

A township publishes model texts (示范文本) for its villages: it may correct one until an
organisation adopts it, and withdraws it when it is outdated (the rules adopted from it stay).
An organisation adopts a rule — from one of its township's published model texts (the text is
copied as revision 1, as given, adapted or not) or a text of its own — on a day, optionally at a
held meeting of the organisation; it revises the rule (a new revision, the old ones kept) and
repeals it with a reason. At most one rule of a kind is in force per organisation (the kind
"other" aside).

Who acts: a model text, the township's supervisors (SUPERVISE_VILLAGES) inside their
jurisdiction; a rule, whoever runs governance (RUN_GOVERNANCE: the village director, the
township officer) for an organisation of their jurisdiction. Refusals raise `NotYours` (not
the user's to change) or ValidationError (by field where one is at fault), translated, and
change nothing."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.core.models import Region, RegionKind, User
from qunfang.core.permissions import NotYours
from qunfang.core.roles import Perm
from qunfang.governance.models import (
    Meeting,
    MeetingStatus,
    ModelText,
    Rule,
    RuleKind,
    RuleRevision,
)
from qunfang.governance.selectors.rules import is_adopted, rule_in_force
from qunfang.registry.models import Organisation, OrgStatus

MAX_TEXT = 20_000
MAX_TITLE = 100
MAX_NOTE = 200


# ---- who acts -----------------------------------------------------------------------------


def can_supervise(user: User, township: Region | None = None) -> bool:
    """Publishes and changes model texts (of `township`, when given)."""
    if not (user.is_active and user.can(Perm.SUPERVISE_VILLAGES)):
        return False
    return township is None or user.works_in(township)


def can_run(user: User, region: Region | None = None) -> bool:
    """Adopts, revises and repeals rules (of the organisations of `region`, when given)."""
    if not (user.is_active and user.can(Perm.RUN_GOVERNANCE)):
        return False
    return region is None or user.works_in(region)


def _require_supervise(by: User, township: Region) -> None:
    if not can_supervise(by, township):
        raise NotYours(_("Model texts are published and changed by the township's office."))


def _require_run(by: User, organisation: Organisation) -> None:
    if not can_run(by, organisation.region):
        raise NotYours(
            _(
                "The rules of %(organisation)s are adopted by its village's director or the "
                "township."
            )
            % {"organisation": organisation.name}
        )


# ---- checks shared by the writes ---------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _text(value: str | None, *, field: str = "text") -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: _("Write the text of the rule: it cannot be empty.")})
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {field: _("The text is too long (at most %(n)s characters).") % {"n": MAX_TEXT}}
        )
    return text


def _title(value: str) -> str:
    title = (value or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the rule a title.")})
    if len(title) > MAX_TITLE:
        raise ValidationError(
            {"title": _("The title is too long (at most %(n)s characters).") % {"n": MAX_TITLE}}
        )
    return title


def _note(value: str, *, field: str) -> str:
    note = (value or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({field: _("Keep it to %(n)s characters at most.") % {"n": MAX_NOTE}})
    return note


def _kind(value: str) -> str:
    if value not in RuleKind.values:
        raise ValidationError({"kind": _("Choose which rule it is.")})
    return value


def _not_in_future(day: dt.date | None, *, field: str) -> dt.date:
    if day is None:
        raise ValidationError({field: _("Give the date.")})
    if day > _today():
        raise ValidationError({field: _("The date is in the future.")})
    return day


def _check_meeting(meeting: Meeting | None, organisation: Organisation, day: dt.date) -> None:
    """A rule is adopted at a meeting of its own organisation that has been held, on or after
    the meeting's day."""
    if meeting is None:
        return
    if meeting.organisation_id != organisation.pk:
        raise ValidationError(
            {
                "meeting": _(
                    "“%(meeting)s” is not a meeting of %(organisation)s: choose one of its own "
                    "meetings."
                )
                % {"meeting": meeting.title, "organisation": organisation.name}
            }
        )
    if meeting.status != MeetingStatus.HELD or meeting.held_at is None:
        raise ValidationError(
            {
                "meeting": _(
                    "“%(meeting)s” has not been held: a rule is adopted at a meeting that took "
                    "place."
                )
                % {"meeting": meeting.title}
            }
        )
    held_on = timezone.localdate(meeting.held_at)
    if day < held_on:
        raise ValidationError(
            {
                "adopted_on": _(
                    "The meeting that adopted it was held on %(date)s: the date cannot be earlier."
                )
                % {"date": held_on.isoformat()}
            }
        )


def _saved(obj: ModelText | Rule | RuleRevision, by: User) -> None:
    obj._history_user = by
    obj.save()


# ---- model texts --------------------------------------------------------------------------


@transaction.atomic
def model_text_publish(
    *,
    by: User,
    township: Region,
    kind: str,
    title: str,
    text: str,
    on: dt.date | None = None,
) -> ModelText:
    """Publish a model text for the township's villages (today, unless `on` says otherwise)."""
    if township.kind != RegionKind.TOWNSHIP:
        raise ValidationError({"region": _("Model texts are published by a township.")})
    _require_supervise(by, township)
    model_text = ModelText(
        region=township,
        kind=_kind(kind),
        title=_title(title),
        text=_text(text),
        published_on=_not_in_future(on or _today(), field="published_on"),
    )
    _saved(model_text, by)
    return model_text


@transaction.atomic
def model_text_edit(
    *, by: User, model_text: ModelText, kind: str, title: str, text: str
) -> ModelText:
    """Correct a model text nobody has adopted yet."""
    _require_supervise(by, model_text.region)
    locked = ModelText.objects.select_for_update(of=("self",)).get(pk=model_text.pk)
    if locked.withdrawn_on is not None:
        raise ValidationError(_("This model text has been withdrawn: it is no longer changed."))
    if is_adopted(locked):
        raise ValidationError(
            _(
                "Organisations have already adopted this model text, so it is no longer "
                "changed. Publish a new text and withdraw this one."
            )
        )
    locked.kind, locked.title, locked.text = _kind(kind), _title(title), _text(text)
    _saved(locked, by)
    return locked


@transaction.atomic
def model_text_withdraw(*, by: User, model_text: ModelText, on: dt.date | None = None) -> ModelText:
    """Withdraw a model text: villages are no longer offered it; rules adopted from it stay."""
    _require_supervise(by, model_text.region)
    locked = ModelText.objects.select_for_update(of=("self",)).get(pk=model_text.pk)
    if locked.withdrawn_on is not None:
        raise ValidationError(
            _("This model text was withdrawn on %(date)s.")
            % {"date": locked.withdrawn_on.isoformat()}
        )
    day = _not_in_future(on or _today(), field="withdrawn_on")
    if day < locked.published_on:
        raise ValidationError(
            {"withdrawn_on": _("A model text cannot be withdrawn before it was published.")}
        )
    locked.withdrawn_on = day
    _saved(locked, by)
    return locked


# ---- rules ----------------------------------------------------------------------------------


def _check_model_text(model_text: ModelText, organisation: Organisation, kind: str) -> None:
    if model_text.region_id != organisation.region.parent_id:
        raise ValidationError(
            {
                "model_text": _(
                    "“%(text)s” is a model text of another township: adopt one of your own "
                    "township's."
                )
                % {"text": model_text.title}
            }
        )
    if model_text.withdrawn_on is not None:
        raise ValidationError(
            {
                "model_text": _(
                    "“%(text)s” has been withdrawn by the township: adopt its current text."
                )
                % {"text": model_text.title}
            }
        )
    if model_text.kind != kind:
        raise ValidationError(
            {
                "kind": _("“%(text)s” is a model text of the %(rule)s.")
                % {"text": model_text.title, "rule": model_text.get_kind_display()}
            }
        )


@transaction.atomic
def rule_adopt(
    *,
    by: User,
    organisation: Organisation,
    kind: str,
    title: str,
    adopted_on: dt.date | None,
    text: str | None = None,
    meeting: Meeting | None = None,
    model_text: ModelText | None = None,
    change_note: str = "",
) -> Rule:
    """Adopt a rule: revision 1 is `text`, or the model text's own when no text is given."""
    _require_run(by, organisation)
    if organisation.status == OrgStatus.DISSOLVED:
        raise ValidationError(
            _("%(organisation)s has been dissolved: it adopts no more rules.")
            % {"organisation": organisation.name}
        )
    kind = _kind(kind)
    if model_text is not None:
        _check_model_text(model_text, organisation, kind)
        if text is None:
            text = model_text.text
    body, name = _text(text), _title(title)
    day = _not_in_future(adopted_on, field="adopted_on")
    if model_text is not None and day < model_text.published_on:
        raise ValidationError(
            {
                "adopted_on": _("The model text was published on %(date)s: adopt it after that.")
                % {"date": model_text.published_on.isoformat()}
            }
        )
    _check_meeting(meeting, organisation, day)
    existing = rule_in_force(organisation, kind)
    if existing is not None:
        raise ValidationError({"kind": _already_in_force(existing, organisation)})
    rule = Rule(
        organisation=organisation, kind=kind, title=name, model_text=model_text, adopted_on=day
    )
    try:
        with transaction.atomic():  # another adoption of the same kind in the same instant
            _saved(rule, by)
    except IntegrityError:
        existing = rule_in_force(organisation, kind)
        raise ValidationError(
            {"kind": _already_in_force(existing, organisation) if existing else ""}
        ) from None
    RuleRevision.objects.create(
        rule=rule,
        number=1,
        text=body,
        adopted_on=day,
        meeting=meeting,
        change_note=_note(change_note, field="change_note"),
        recorded_by=by,
    )
    return rule


def _already_in_force(existing: Rule, organisation: Organisation) -> str:
    return _(
        "%(organisation)s already has its %(rule)s in force (“%(title)s”, adopted on %(date)s): "
        "revise that one, or repeal it first."
    ) % {
        "organisation": organisation.name,
        "rule": existing.get_kind_display(),
        "title": existing.title,
        "date": existing.adopted_on.isoformat(),
    }


@transaction.atomic
def rule_revise(
    *,
    by: User,
    rule: Rule,
    text: str,
    adopted_on: dt.date | None,
    meeting: Meeting | None = None,
    change_note: str = "",
    title: str = "",
) -> RuleRevision:
    """Adopt a new text of a rule in force; the earlier ones are kept. A new title, if given,
    becomes the rule's."""
    _require_run(by, rule.organisation)
    locked = (
        Rule.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=rule.pk)
    )
    if locked.repealed_on is not None:
        raise ValidationError(
            _("This rule was repealed on %(date)s: it is no longer revised.")
            % {"date": locked.repealed_on.isoformat()}
        )
    last = locked.revisions.order_by("-number").first()
    body = _text(text)
    day = _not_in_future(adopted_on, field="adopted_on")
    if last is not None:
        if body == last.text:
            raise ValidationError(
                {
                    "text": _("The text is the same as revision %(n)s: change it first.")
                    % {"n": last.number}
                }
            )
        if day < last.adopted_on:
            raise ValidationError(
                {
                    "adopted_on": _(
                        "Revision %(n)s was adopted on %(date)s: a new revision cannot be dated "
                        "before it."
                    )
                    % {"n": last.number, "date": last.adopted_on.isoformat()}
                }
            )
    _check_meeting(meeting, locked.organisation, day)
    note = _note(change_note, field="change_note")
    if title.strip() and title.strip() != locked.title:
        locked.title = _title(title)
        _saved(locked, by)
    return RuleRevision.objects.create(
        rule=locked,
        number=(last.number if last else 0) + 1,
        text=body,
        adopted_on=day,
        meeting=meeting,
        change_note=note,
        recorded_by=by,
    )


@transaction.atomic
def rule_repeal(*, by: User, rule: Rule, on: dt.date | None, reason: str) -> Rule:
    """Repeal a rule (废止): it is kept, with the day and the reason, and no longer in force."""
    _require_run(by, rule.organisation)
    locked = Rule.objects.select_for_update(of=("self",)).get(pk=rule.pk)
    if locked.repealed_on is not None:
        raise ValidationError(
            _("This rule was already repealed on %(date)s.")
            % {"date": locked.repealed_on.isoformat()}
        )
    why = _note(reason, field="reason")
    if not why:
        raise ValidationError({"reason": _("Say why the rule is repealed.")})
    day = _not_in_future(on, field="repealed_on")
    last = locked.revisions.order_by("-number").first()
    latest = last.adopted_on if last else locked.adopted_on
    if day < latest:
        raise ValidationError(
            {
                "repealed_on": _(
                    "Its latest text was adopted on %(date)s: it cannot be repealed before that."
                )
                % {"date": latest.isoformat()}
            }
        )
    locked.repealed_on, locked.repeal_reason = day, why
    _saved(locked, by)
    return locked
