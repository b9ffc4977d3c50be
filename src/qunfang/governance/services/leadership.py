"""领导责任制: the writes (reads are in `selectors.leadership`).

Each village has at most one township leader in charge (包村领导) at a time: assigning a new one
ends the old one's charge the day before. A leader with an account must be a township officer of
the village's own township (their home page then shows the village). The township's coordinating
body (综治委 / 安全委员会) has members with roles, one director at a time. Police guidance visits
(公安机关指导) are logged by the police station's officers or the township's, for villages in
their jurisdiction.

Only the township's officers (SUPERVISE_VILLAGES, working over the village) assign leaders and
keep the committee. Refusals raise ValidationError (the input or the state) or NotYours (who),
with a translated message, and change nothing."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.core.models import Region, RegionKind, User
from qunfang.core.permissions import NotYours
from qunfang.core.roles import Perm, Role
from qunfang.governance.models import CommitteeMember, CommitteeRole, GuidanceVisit, VillageLeader

MAX_NAME = 50
MAX_TITLE = 60
MAX_UNIT = 60
MAX_DUTIES = 200
MAX_TOPICS = 200


# ---- who acts -------------------------------------------------------------------------------


def can_lead(user: User, region: Region | None) -> bool:
    """The township's officers, over the village or township concerned."""
    return user.is_active and user.can(Perm.SUPERVISE_VILLAGES) and user.works_in(region)


def can_log_visit(user: User, village: Region) -> bool:
    """A police station officer or a township officer whose jurisdiction holds the village."""
    roles = user.role_names
    return (
        user.is_active
        and (Role.POLICE_OFFICER in roles or Role.TOWNSHIP_OFFICER in roles)
        and user.works_in(village)
    )


def _stamp(record: object, by: User, now: dt.datetime | None, reason: str) -> None:
    """The history line's author and reason, and its date for a past written in afterwards
    (the demo)."""
    record._history_user = by  # type: ignore[attr-defined]
    record._change_reason = reason[:100]  # type: ignore[attr-defined]
    if now is not None:
        record._history_date = now  # type: ignore[attr-defined]


def _village(region: Region) -> Region:
    if region.kind != RegionKind.VILLAGE:
        raise ValidationError(_("Choose a village."))
    return region


def _eligible_leader(account: User, village: Region) -> None:
    """A leader with an account: an active township officer of the village's own township."""
    if not (
        account.is_active
        and Role.TOWNSHIP_OFFICER in account.role_names
        and account.region_id is not None
        and account.region_id == village.parent_id
    ):
        raise ValidationError(
            _(
                "%(name)s is not a township officer of %(township)s; a village's leader in "
                "charge is."
            )
            % {"name": account, "township": village.parent}
        )


# ---- leaders in charge of villages ------------------------------------------------------------


def current_leader(village: Region) -> VillageLeader | None:
    return VillageLeader.objects.filter(region=village, ends_on__isnull=True).first()


def leader_assign(
    *,
    village: Region,
    by: User,
    account: User | None = None,
    name: str = "",
    title: str = "",
    starts_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> VillageLeader:
    """Put a township leader in charge of the village from `starts_on` (default today); the
    leader in charge until then hands over the day before."""
    starts_on = starts_on or timezone.localdate(now)
    village = _village(village)
    if not can_lead(by, village):
        raise NotYours(_("Only the township's office assigns a village's leader in charge."))
    name = (name or "").strip() or (str(account) if account is not None else "")
    title = (title or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the leader's name or choose their account.")})
    if len(name) > MAX_NAME or len(title) > MAX_TITLE:
        raise ValidationError(_("The name or the post is too long."))
    if account is not None:
        _eligible_leader(account, village)
    with transaction.atomic():
        # the village row is the lock: two officers assigning at once take turns
        Region.objects.select_for_update().filter(pk=village.pk).first()
        old = current_leader(village)
        if old is not None:
            if old.user_id is not None and account is not None and old.user_id == account.pk:
                raise ValidationError(
                    _("%(name)s is already in charge of %(village)s.")
                    % {
                        "name": old.name,
                        "village": village.name,
                    }
                )
            if starts_on <= old.starts_on:
                raise ValidationError(
                    {
                        "starts_on": _(
                            "%(name)s has been in charge since %(since)s; the new leader starts "
                            "after that."
                        )
                        % {"name": old.name, "since": f"{old.starts_on:%Y-%m-%d}"}
                    }
                )
            old.ends_on = starts_on - dt.timedelta(days=1)
            _stamp(old, by, now, _("Handed over to %(name)s") % {"name": name})
            old.save(update_fields=["ends_on"])
        leader = VillageLeader(
            region=village, user=account, name=name, title=title, starts_on=starts_on
        )
        _stamp(leader, by, now, _("Put in charge"))
        leader.save()
    return leader


def leader_end(
    *,
    leader: VillageLeader,
    by: User,
    ends_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> VillageLeader:
    """End a leader's charge of a village (the village then has none until one is assigned)."""
    ends_on = ends_on or timezone.localdate(now)
    if not can_lead(by, leader.region):
        raise NotYours(_("Only the township's office assigns a village's leader in charge."))
    with transaction.atomic():
        locked = VillageLeader.objects.select_for_update().get(pk=leader.pk)
        if locked.ends_on is not None:
            raise ValidationError(_("This charge has already ended."))
        if ends_on < locked.starts_on:
            raise ValidationError(
                _("The charge began on %(since)s; it cannot end before that.")
                % {"since": f"{locked.starts_on:%Y-%m-%d}"}
            )
        locked.ends_on = ends_on
        _stamp(locked, by, now, _("Charge ended"))
        locked.save(update_fields=["ends_on"])
    return locked


# ---- the township's coordinating body ----------------------------------------------------------


def _member_checks(
    township: Region, role: str, name: str, unit: str, duties: str, exclude: int | None
) -> None:
    if role not in CommitteeRole.values:
        raise ValidationError({"role": _("Choose the member's role.")})
    if not name:
        raise ValidationError({"name": _("Give the member's name.")})
    if len(name) > MAX_NAME or len(unit) > MAX_UNIT or len(duties) > MAX_DUTIES:
        raise ValidationError(_("The name, unit or duties are too long."))
    if role == CommitteeRole.DIRECTOR:
        directors = CommitteeMember.objects.filter(
            region=township, role=CommitteeRole.DIRECTOR, ends_on__isnull=True
        ).exclude(pk=exclude or 0)
        if directors.exists():
            raise ValidationError(
                {"role": _("The committee has a director already; end their term first.")}
            )


def member_save(
    *,
    township: Region,
    by: User,
    name: str,
    role: str,
    unit: str = "",
    duties: str = "",
    starts_on: dt.date | None = None,
    member: CommitteeMember | None = None,
    now: dt.datetime | None = None,
) -> CommitteeMember:
    """Add a member to the township's committee, or change one (`member`)."""
    if township.kind != RegionKind.TOWNSHIP:
        raise ValidationError(_("The committee is a township's."))
    if not can_lead(by, township):
        raise NotYours(_("Only the township's office keeps the committee's members."))
    name, unit, duties = name.strip(), unit.strip(), duties.strip()
    with transaction.atomic():
        if member is not None:
            member = CommitteeMember.objects.select_for_update().get(pk=member.pk)
            if member.region_id != township.pk:
                raise ValidationError(_("The committee is a township's."))
            if member.ends_on is not None:
                raise ValidationError(_("This member's term has ended; add them again instead."))
        _member_checks(township, role, name, unit, duties, member.pk if member else None)
        if member is None:
            member = CommitteeMember(
                region=township, starts_on=starts_on or timezone.localdate(now)
            )
            reason = _("Joined the committee")
        else:
            reason = _("Details changed")
            if starts_on is not None:
                member.starts_on = starts_on
        member.name, member.role, member.unit, member.duties = name, role, unit, duties
        _stamp(member, by, now, reason)
        member.save()
    return member


def member_end(
    *,
    member: CommitteeMember,
    by: User,
    ends_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> CommitteeMember:
    """A member leaves the committee; the record stays, with its dates."""
    ends_on = ends_on or timezone.localdate(now)
    if not can_lead(by, member.region):
        raise NotYours(_("Only the township's office keeps the committee's members."))
    with transaction.atomic():
        locked = CommitteeMember.objects.select_for_update().get(pk=member.pk)
        if locked.ends_on is not None:
            raise ValidationError(_("This member's term has already ended."))
        if ends_on < locked.starts_on:
            raise ValidationError(
                _("The term began on %(since)s; it cannot end before that.")
                % {"since": f"{locked.starts_on:%Y-%m-%d}"}
            )
        locked.ends_on = ends_on
        _stamp(locked, by, now, _("Left the committee"))
        locked.save(update_fields=["ends_on"])
    return locked


# ---- police guidance visits -------------------------------------------------------------------


def visit_log(
    *,
    village: Region,
    by: User,
    visited_on: dt.date,
    officer: str,
    unit: str,
    topics: str,
    notes: str = "",
    now: dt.datetime | None = None,
) -> GuidanceVisit:
    """Log a police guidance visit to a village (not in the future)."""
    village = _village(village)
    if not can_log_visit(by, village):
        raise NotYours(
            _("Only the police station or the township's office logs guidance visits to a village.")
        )
    officer, unit, topics = officer.strip(), unit.strip(), topics.strip()
    if not officer or not unit or not topics:
        raise ValidationError(
            _("Give the officer, the police station and what the guidance was on.")
        )
    if len(officer) > MAX_NAME or len(unit) > MAX_UNIT or len(topics) > MAX_TOPICS:
        raise ValidationError(_("The officer, police station or topics are too long."))
    today = timezone.localdate(now)
    if visited_on > today:
        raise ValidationError({"visited_on": _("A visit is logged once it has taken place.")})
    if visited_on < dt.date(today.year - 1, 1, 1):
        # (the books count visits by quarter and year, this year's and last year's: one from
        # years ago is a typing slip)
        raise ValidationError(
            {"visited_on": _("A visit before last year is not logged now; check the date.")}
        )
    visit = GuidanceVisit(
        region=village,
        visited_on=visited_on,
        officer=officer,
        unit=unit,
        topics=topics,
        notes=notes.strip(),
        recorded_by=by,
    )
    _stamp(visit, by, now, _("Visit logged"))
    visit.save()
    return visit
