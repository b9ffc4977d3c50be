"""Organisations' posts and who holds them: placing a person in a post (every rule checked
first) and ending a membership. History rows keep every change."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qunfang.registry.models import Membership, Person, Post, TrainingRecord, VettingKind
from qunfang.registry.services.people import vetting_passed


def placement_problems(*, person: Person, post: Post, on: dt.date) -> list[str]:
    """Every reason the person cannot take the post on that day (empty when they can)."""
    problems = []
    org_region = post.organisation.region
    if not org_region.contains(person.region) and not person.region.contains(org_region):
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
    if (
        post.required_training
        and not TrainingRecord.objects.filter(
            person=person,
            kind=post.required_training,
            held_on__lte=on,
            certificate_expires_on__gte=on,
        ).exists()
    ):
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
