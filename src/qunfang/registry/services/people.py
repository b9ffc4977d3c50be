"""Writes with rules for the registries. Views, imports, the API and the demo all call these."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.core.crypto import blind_index
from qunfang.core.models import User
from qunfang.core.personal import validate_id_number, validate_phone
from qunfang.core.roles import Perm
from qunfang.registry.models import (
    ContractStatus,
    GroupMembership,
    Household,
    JointDefenceGroup,
    Membership,
    Person,
    Post,
    SecurityContract,
    TrainingRecord,
    VettingCheck,
    VettingKind,
)

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
    if person.household_id and person.household.region_id != person.region_id:
        errors["household"] = [_("The household belongs to another village.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def person_save(*, person: Person) -> Person:
    person_clean(person=person, exclude_pk=person.pk)
    person.save()
    return person


# ---- posts and memberships --------------------------------------------------------------


def vetting_passed(*, person: Person, on: dt.date) -> dict[str, bool]:
    """For each of the three checks: is there a passed, fully signed check in force on `on`?"""
    checks = [c for c in person.vetting_checks.all() if c.counts_on(on)]
    return {kind: any(c.kind == kind for c in checks) for kind in VettingKind.values}


def placement_problems(*, person: Person, post: Post, on: dt.date) -> list[str]:
    """Every reason the person cannot take the post on that day (empty when they can)."""
    problems = []
    org_region = post.organisation.region
    if not person.region.path.startswith(org_region.path) and not org_region.path.startswith(
        person.region.path
    ):
        problems.append(
            _("%(name)s lives outside the organisation's area.") % {"name": person.name}
        )
    if post.requires_vetting:
        missing = [
            VettingKind(k).label for k, ok in vetting_passed(person=person, on=on).items() if not ok
        ]
        if missing:
            problems.append(
                _("The post requires vetting; not yet passed and signed off: %(checks)s.")
                % {"checks": "、".join(str(m) for m in missing)}
            )
    age = person.age_on(on)
    if post.min_age is not None and age < post.min_age:
        problems.append(
            _("Aged %(age)d: the post needs at least %(min)d.") % {"age": age, "min": post.min_age}
        )
    if post.max_age is not None and age > post.max_age:
        problems.append(
            _("Aged %(age)d: the post allows at most %(max)d.") % {"age": age, "max": post.max_age}
        )
    if post.required_training and not TrainingRecord.objects.filter(
        person=person, kind=post.required_training, held_on__lte=on,
        certificate_expires_on__gte=on,
    ).exists():  # fmt: skip
        problems.append(
            _("The post requires a current certificate in %(training)s.")
            % {"training": post.get_required_training_display()}
        )
    open_seats = (
        post.seats - post.memberships.filter(ended_on__isnull=True).exclude(person=person).count()
    )
    if open_seats <= 0:
        problems.append(_("All %(seats)d seats of this post are taken.") % {"seats": post.seats})
    if post.memberships.filter(person=person, ended_on__isnull=True).exists():
        problems.append(_("%(name)s already holds this post.") % {"name": person.name})
    return problems


@transaction.atomic
def membership_start(
    *, person: Person, post: Post, started_on: dt.date, reason: str = ""
) -> Membership:
    """`reason` goes into the history row as it is written (history rows are never changed)."""
    Post.objects.select_for_update().filter(pk=post.pk).first()  # one placement at a time per post
    problems = placement_problems(person=person, post=post, on=started_on)
    if problems:
        raise ValidationError(problems)
    membership = Membership(person=person, post=post, started_on=started_on)
    if reason:
        membership._change_reason = reason
    membership.save()
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, ended_on: dt.date, reason: str = "") -> Membership:
    if membership.ended_on is not None:
        raise ValidationError(_("This membership has already ended."))
    if ended_on < membership.started_on:
        raise ValidationError(_("A membership cannot end before it started."))
    membership.ended_on = ended_on
    membership.end_reason = reason
    membership.save(update_fields=["ended_on", "end_reason"])
    return membership


# ---- vetting -----------------------------------------------------------------------------


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


# ---- ten-household groups ---------------------------------------------------------------


@transaction.atomic
def joint_defence_group_form(
    *, group: JointDefenceGroup, households: list[Household], leader: Household, on: dt.date
) -> JointDefenceGroup:
    """Set a group's households from `on`: households that leave get an end date, new ones a
    start date (moving out of any other group). History is kept, nothing is deleted."""
    if leader not in households:
        raise ValidationError(_("The leading household must be one of the group's households."))
    foreign = [h for h in households if h.region_id != group.region_id]
    if foreign:
        raise ValidationError(
            _("These households belong to another village: %(numbers)s.")
            % {"numbers": ", ".join(h.number for h in foreign)}
        )
    if len(households) > 15:
        raise ValidationError(_("A ten-household group has at most 15 households."))
    wanted = {h.pk for h in households}
    current = {m.household_id: m for m in group.memberships.filter(left_on__isnull=True)}
    for household_id, membership in current.items():
        if household_id not in wanted:
            membership.left_on = on
            membership.save(update_fields=["left_on"])
    for moving in GroupMembership.objects.filter(
        household_id__in=wanted - current.keys(), left_on__isnull=True
    ):
        moving.left_on = on  # leaves its old group
        moving.save(update_fields=["left_on"])
    GroupMembership.objects.bulk_create(
        [
            GroupMembership(group=group, household_id=pk, joined_on=on)
            for pk in sorted(wanted - current.keys())
        ]
    )
    group.leader_household = leader
    group.save()
    return group


# ---- security contracts -----------------------------------------------------------------

CONTRACT_TRANSITIONS = {
    ContractStatus.DRAFT: {ContractStatus.SIGNED, ContractStatus.TERMINATED},
    ContractStatus.SIGNED: {ContractStatus.ACTIVE, ContractStatus.TERMINATED},
    ContractStatus.ACTIVE: {ContractStatus.SETTLED, ContractStatus.TERMINATED},
    ContractStatus.SETTLED: set(),
    ContractStatus.TERMINATED: set(),
}


@transaction.atomic
def contract_set_status(
    *, contract: SecurityContract, to: str, on: dt.date, note: str = ""
) -> SecurityContract:
    if to not in ContractStatus.values:
        raise ValidationError(_("Unknown status."))
    # lock, then re-read: of two clerks moving the same contract, the second sees the first's move
    SecurityContract.objects.select_for_update().filter(pk=contract.pk).first()
    contract.refresh_from_db()
    if to not in CONTRACT_TRANSITIONS[ContractStatus(contract.status)]:
        raise ValidationError(
            _("A contract that is %(current)s cannot become %(target)s.")
            % {"current": contract.get_status_display(), "target": ContractStatus(to).label}
        )
    if to == ContractStatus.SIGNED and not contract.terms.exists():
        raise ValidationError(_("Add at least one performance term before signing."))
    if to in (ContractStatus.SETTLED, ContractStatus.TERMINATED) and not note.strip():
        raise ValidationError(_("Say how the contract was settled or why it was terminated."))
    if to == ContractStatus.SIGNED:
        contract.signed_on = on
    if to in (ContractStatus.SETTLED, ContractStatus.TERMINATED):
        contract.closed_on, contract.close_note = on, note.strip()
    contract.status = to
    contract.save()
    return contract


@transaction.atomic
def contract_renew(
    *, contract: SecurityContract, number: str, starts_on: dt.date, ends_on: dt.date
) -> SecurityContract:
    """A new draft with the same parties, area, duties and terms for the next period."""
    SecurityContract.objects.select_for_update().filter(pk=contract.pk).first()
    if ends_on <= starts_on:
        raise ValidationError(_("The contract must end after it starts."))
    if SecurityContract.objects.filter(region=contract.region, number=number).exists():
        raise ValidationError(
            _("%(village)s already has a contract numbered %(number)s.")
            % {"village": contract.region.name, "number": number}
        )
    if contract.status not in (ContractStatus.ACTIVE, ContractStatus.SETTLED):
        raise ValidationError(_("Only a contract in force or settled can be renewed."))
    if SecurityContract.objects.filter(renewed_from=contract).exists():
        raise ValidationError(_("This contract has already been renewed."))
    renewal = SecurityContract.objects.create(
        region=contract.region, number=number, title=contract.title,
        contractor_person=contract.contractor_person, contractor_team=contract.contractor_team,
        starts_on=starts_on, ends_on=ends_on, amount=contract.amount, duties=contract.duties,
        rights=contract.rights, benefits=contract.benefits, renewed_from=contract,
    )  # fmt: skip
    renewal.area.set(contract.area.all())
    for term in contract.terms.all():
        term.pk = None
        term.contract = renewal
        term.save()
    return renewal
