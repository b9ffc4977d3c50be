"""People and their vetting: the writes with rules. Views, imports, the API and the demo all
call these."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.core.crypto import blind_index
from qunfang.core.models import User
from qunfang.core.personal import validate_id_number, validate_phone
from qunfang.core.roles import Perm
from qunfang.registry.models import Person, VettingCheck, VettingKind

# ---- people ------------------------------------------------------------------------------


def person_clean(*, person: Person, exclude_pk: int | None = None) -> None:
    """Validate and normalise a person's data; raises ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    if person.id_number:
        try:
            person.id_number = validate_id_number(person.id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages
        else:
            duplicate = Person.objects.filter(id_number_bidx=blind_index(person.id_number))
            if exclude_pk:
                duplicate = duplicate.exclude(pk=exclude_pk)
            if duplicate.exists():
                errors["id_number"] = [_("Another person already has this ID number.")]
            elif person.birth_date and person.id_number[6:14] != f"{person.birth_date:%Y%m%d}":
                errors["birth_date"] = [_("The birth date does not match the ID number.")]
    if person.phone:
        try:
            person.phone = validate_phone(person.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if person.birth_date and person.birth_date > timezone.localdate():
        errors["birth_date"] = [_("The birth date is in the future.")]
    if person.household is not None and person.household.region_id != person.region_id:
        errors["household"] = [_("The household belongs to another village.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def person_save(*, person: Person) -> Person:
    person_clean(person=person, exclude_pk=person.pk)
    person.save()
    return person


# ---- vetting -----------------------------------------------------------------------------


def vetting_passed(*, person: Person, on: dt.date) -> dict[str, bool]:
    """For each of the three checks: is there a passed, fully signed check in force on `on`?"""
    checks = [c for c in person.vetting_checks.all() if c.counts_on(on)]
    return {kind: any(c.kind == kind for c in checks) for kind in VettingKind.values}


@transaction.atomic
def vetting_sign(*, check: VettingCheck, by: User, on: dt.date) -> VettingCheck:
    """The village committee signs first, then the police station."""
    if check.village_signed_by_id is None:
        if not by.can(Perm.SIGN_VETTING_VILLAGE):
            raise PermissionDenied
        check.village_signed_by, check.village_signed_on = by, on
    elif check.police_signed_by_id is None:
        if not by.can(Perm.SIGN_VETTING_POLICE):
            raise PermissionDenied
        check.police_signed_by, check.police_signed_on = by, on
    else:
        raise ValidationError(_("This check has already been signed by both."))
    check.save()
    return check
