"""Organisation health: the facts of every organisation and ten-household group of a set of
villages as they stand on a day, read in bulk (a fixed number of queries whatever the number of
villages), scored by `governance.health`, and kept as one `HealthReading` per subject per day.

What counts, and where it comes from:

- patrols: the last day an assignment was served (served, late or partial) — the village's
  ordinary shifts for its patrol teams and village guards, the group's household shifts for a
  ten-household group with a rota in use (and for the village's joint-defence organisation);
- posts empty: `Post.seats` against the memberships held on the day;
- meetings not held: the schedules' occurrences in the last `MEETING_DAYS` days against the
  meetings the organisation held in them;
- rules not in force: the township's mandate for the kind (`Mandate.required_rules`) against the
  organisation's rules adopted and not repealed;
- cases left unowned: open cases nobody took up (still registered after `UNOWNED_AFTER` days) or
  whose owner's account is closed — the village's, counted against its security committee;
- rectifications overdue: casebook orders still open past their deadline (the village's, against
  its security committee) and supervision tasks (against the organisation named, else the
  security committee);
- anything another book signals through `HEALTH_SIGNALS`.

`record_readings(on)` stores the day's readings (again the same day: replaced, not doubled) and
tells the township officers when a subject newly turns paper-only or paralysed."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from qunfang.core.models import Region, RegionKind, User
from qunfang.core.notify import notify
from qunfang.core.phrases import Phrase
from qunfang.core.roles import Perm
from qunfang.governance.health import GROUP_GRACE, Facts, Signal, score
from qunfang.governance.models import (
    HealthBand,
    HealthReading,
    Mandate,
    Meeting,
    MeetingSchedule,
    MeetingStatus,
    PaymentRequest,
    PaymentStatus,
    RectificationTask,
    Rule,
    SanctionRule,
    TaskStatus,
)
from qunfang.governance.models.rewards import PAID as PAID_ACTIONS
from qunfang.governance.services.meetings import occurrence_days
from qunfang.registry.models import (
    ContractStatus,
    JointDefenceGroup,
    Organisation,
    OrgKind,
    OrgStatus,
    Post,
    SecurityContract,
)

MEETING_DAYS = 60  # meetings due in this many days before the day are counted
PAY_DAYS = 90  # a payment made in this many days counts as a pay arrangement in use
UNOWNED_AFTER = 7  # days a case may wait registered before it counts as left unowned
LOOK_BACK = 400  # days of patrol log read for the last patrol
TEAM_KINDS = (OrgKind.PATROL_TEAM, OrgKind.VILLAGE_GUARD, OrgKind.SECURITY_CONTRACT)
SERVED = ("served", "late", "partial")  # patrols.Outcome values that count as a patrol

# Other books add a callable (villages, day) -> signals; funds adds "fees collected but shifts
# unfilled". Each callable must read in a fixed number of queries.
HealthSignal = Callable[[list[Region], dt.date], Iterable[Signal]]
HEALTH_SIGNALS: list[HealthSignal] = []


@dataclass
class VillageFacts:
    last_patrol: dt.date | None = None  # any patrol of the village (team or household)
    contracts: int = 0  # security contracts in force
    contract_teams: set[int] = field(default_factory=set)
    payments: int = 0  # payment requests (not cancelled) in the last PAY_DAYS days
    subsidy_rules: int = 0  # the township's reward rules that pay money, in use


@dataclass
class Snapshot:
    on: dt.date
    villages: list[Region]
    orgs: list[Organisation]
    groups: Sequence[JointDefenceGroup]
    org_facts: dict[int, Facts]
    group_facts: dict[int, Facts]
    village_facts: dict[int, VillageFacts]

    def orgs_of(self, village_id: int) -> list[Organisation]:
        return [org for org in self.orgs if org.region_id == village_id]


def _day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return start, end


def _days_since(last: dt.date | None, on: dt.date) -> int | None:
    return None if last is None else (on - last).days


def read(villages: list[Region], on: dt.date) -> Snapshot:
    """Every organisation's and group's facts in these villages on `on`."""
    return Reader(villages, on, on).on(on)


def _local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def _in_force(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    """Started by `day` and not ended by it (`end`: the first day it no longer holds)."""
    return (start is None or start <= day) and (end is None or end > day)


def _count_between(days: list[dt.date], first: dt.date, last: dt.date) -> int:
    return bisect.bisect_right(days, last) - bisect.bisect_left(days, first)


class Reader:
    """The records of these villages for the days from `first` to `last`, read once in a fixed
    number of queries; `on(day)` puts one day's snapshot together in memory (the demo reads
    90 days at once this way)."""

    def __init__(self, villages: list[Region], first: dt.date, last: dt.date) -> None:
        from qunfang.casebook.models import Case, CaseStatus, OrderStatus, RectificationOrder
        from qunfang.patrols.models import Assignment, ShiftPattern
        from qunfang.registry.models import GroupMembership, Membership

        self.villages = villages
        ids = [v.pk for v in villages]
        townships = {v.parent_id for v in villages if v.parent_id}
        self.orgs = list(
            Organisation.objects.filter(region__in=ids)
            .exclude(status=OrgStatus.DISSOLVED)
            .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=last))
            .select_related("region")
            .order_by("region__path", "kind", "name")
        )
        org_ids = [o.pk for o in self.orgs]
        self.groups = list(
            JointDefenceGroup.objects.filter(region__in=ids, formed_on__lte=last)
            .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=first))
            .select_related("region")
            .order_by("region__path", "name")
        )
        group_ids = [g.pk for g in self.groups]
        self.households = list(
            GroupMembership.objects.filter(group__in=group_ids, joined_on__lte=last)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=first))
            .values_list("group_id", "joined_on", "left_on")
        )
        self.posts = list(
            Post.objects.filter(organisation__in=org_ids).values_list(
                "pk", "organisation_id", "seats"
            )
        )
        self.memberships = list(
            Membership.objects.filter(post__organisation__in=org_ids, started_on__lte=last)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=first))
            .values_list("post_id", "started_on", "ended_on")
        )
        self.served: dict[tuple[int, int | None], list[dt.date]] = defaultdict(list)
        for region_id, group_id, day in (
            Assignment.objects.filter(
                region__in=ids,
                outcome__in=SERVED,
                shift__service_date__lte=last,
                shift__service_date__gte=first - dt.timedelta(days=LOOK_BACK),
            )
            .values_list("region_id", "shift__pattern__household_group_id", "shift__service_date")
            .distinct()
            .order_by()
        ):
            self.served[region_id, group_id].append(day)
        for days in self.served.values():
            days.sort()
        self.rotas = list(
            ShiftPattern.objects.filter(household_group__in=group_ids, active=True)
            .filter(valid_from__lte=last)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first))
            .values_list("household_group_id", "valid_from", "valid_until")
        )
        since = first - dt.timedelta(days=MEETING_DAYS)
        self.schedules = list(
            MeetingSchedule.objects.filter(organisation__in=org_ids, starts_on__lte=last).filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=since)
            )
        )
        start, end = _day_bounds(since, last)
        self.held: dict[int, list[dt.date]] = defaultdict(list)
        for org_id, at in Meeting.objects.filter(
            organisation__in=org_ids,
            status=MeetingStatus.HELD,
            scheduled_at__gte=start,
            scheduled_at__lt=end,
        ).values_list("organisation_id", "scheduled_at"):
            self.held[org_id].append(_local_day(at))
        for days in self.held.values():
            days.sort()
        self.mandates: dict[tuple[int | None, str], list[str]] = {
            (region_id, kind): list(required or [])
            for region_id, kind, required in Mandate.objects.filter(
                region__in=townships
            ).values_list("region_id", "org_kind", "required_rules")
        }
        self.rules = list(
            Rule.objects.filter(organisation__in=org_ids, adopted_on__lte=last)
            .filter(Q(repealed_on__isnull=True) | Q(repealed_on__gt=first))
            .values_list("organisation_id", "kind", "adopted_on", "repealed_on")
        )
        self.registered = CaseStatus.REGISTERED
        self.cases = list(
            Case.objects.filter(region__in=ids, reported_at__lt=end)
            .filter(status__in=[CaseStatus.REGISTERED, CaseStatus.ACCEPTED, CaseStatus.IN_HAND])
            .values_list("region_id", "reported_at", "owner__is_active", "status")
        )
        self.orders = list(
            RectificationOrder.objects.filter(
                region__in=ids, status=OrderStatus.OPEN, deadline__lt=last
            ).values_list("region_id", "deadline")
        )
        self.tasks = list(
            RectificationTask.objects.filter(
                region__in=ids, status=TaskStatus.OPEN, deadline__lt=last, created_at__lt=end
            ).values_list("region_id", "organisation_id", "deadline", "created_at")
        )
        self.contracts = list(
            SecurityContract.objects.filter(
                region__in=ids,
                status__in=[ContractStatus.SIGNED, ContractStatus.ACTIVE],
                starts_on__lte=last,
                ends_on__gte=first,
            ).values_list("region_id", "contractor_team_id", "starts_on", "ends_on")
        )
        pay_start, _ = _day_bounds(first - dt.timedelta(days=PAY_DAYS), first)
        self.payments: dict[int, list[dt.date]] = defaultdict(list)
        for region_id, at in (
            PaymentRequest.objects.filter(
                region__in=ids, requested_at__gte=pay_start, requested_at__lt=end
            )
            .exclude(status=PaymentStatus.CANCELLED)
            .values_list("region_id", "requested_at")
        ):
            self.payments[region_id].append(_local_day(at))
        for days in self.payments.values():
            days.sort()
        self.subsidy = dict(
            SanctionRule.objects.filter(region__in=townships, active=True, action__in=PAID_ACTIONS)
            .values_list("region_id")
            .annotate(n=Count("id"))
            .order_by()
        )

    def _last_served(self, key: tuple[int, int | None], on: dt.date) -> dt.date | None:
        days = self.served.get(key, [])
        i = bisect.bisect_right(days, on)
        if i == 0 or days[i - 1] < on - dt.timedelta(days=LOOK_BACK):
            return None
        return days[i - 1]

    def on(self, on: dt.date) -> Snapshot:
        """The snapshot of one day between `first` and `last`."""
        villages = self.villages
        orgs = [o for o in self.orgs if o.founded_on is None or o.founded_on <= on]
        groups = [g for g in self.groups if _in_force(g.formed_on, g.dissolved_on, on)]
        day_start, day_end = _day_bounds(on, on)

        village_facts = {v.pk: VillageFacts() for v in villages}
        team_patrol: dict[int, dt.date] = {}
        household_patrol: dict[int, dt.date] = {}  # village -> last household shift served
        group_patrol: dict[int, dt.date] = {}
        for (region_id, group_id), _days in self.served.items():
            last_day = self._last_served((region_id, group_id), on)
            if last_day is None:
                continue
            vf = village_facts[region_id]
            vf.last_patrol = max(filter(None, [vf.last_patrol, last_day]))
            if group_id is None:
                team_patrol[region_id] = last_day
            else:
                group_patrol[group_id] = max(filter(None, [group_patrol.get(group_id), last_day]))
                household_patrol[region_id] = max(
                    filter(None, [household_patrol.get(region_id), last_day])
                )
        for region_id, team_id, starts_on, ends_on in self.contracts:
            if starts_on <= on <= ends_on:
                village_facts[region_id].contracts += 1
                if team_id:
                    village_facts[region_id].contract_teams.add(team_id)
        for v in villages:
            paid = self.payments.get(v.pk, [])
            village_facts[v.pk].payments = _count_between(
                paid, on - dt.timedelta(days=PAY_DAYS), on
            )
            village_facts[v.pk].subsidy_rules = self.subsidy.get(v.parent_id, 0)

        rotas = {g for g, start, end in self.rotas if start <= on and (end is None or end >= on)}
        in_force: dict[int, set[str]] = defaultdict(set)
        for org_id, kind, adopted_on, repealed_on in self.rules:
            if _in_force(adopted_on, repealed_on, on):
                in_force[org_id].add(kind)
        org_facts: dict[int, Facts] = {}
        committee: dict[int, int] = {}  # village -> the organisation village-wide shortfalls go to
        for org in orgs:
            facts = Facts(suspended=org.status == OrgStatus.SUSPENDED, meeting_days=MEETING_DAYS)
            if org.kind in TEAM_KINDS:
                facts.patrols = True
                facts.days_since_patrol = _days_since(team_patrol.get(org.region_id), on)
            elif org.kind == OrgKind.JOINT_DEFENCE:
                facts.patrols = org.region_id in household_patrol or any(
                    g.organisation_id == org.pk and g.pk in rotas for g in groups
                )
                facts.days_since_patrol = _days_since(household_patrol.get(org.region_id), on)
            required = self.mandates.get((org.region.parent_id, org.kind), [])
            facts.rules_missing = [k for k in required if k not in in_force[org.pk]]
            org_facts[org.pk] = facts
            # the security committee answers for the village; failing one, its first working body
            if org.kind == OrgKind.SECURITY_COMMITTEE or (
                org.region_id not in committee and org.status == OrgStatus.ACTIVE
            ):
                committee[org.region_id] = org.pk
        holders: dict[int, int] = defaultdict(int)
        for post_id, started_on, ended_on in self.memberships:
            if _in_force(started_on, ended_on, on):
                holders[post_id] += 1
        for post_id, org_id, seats in self.posts:
            facts = org_facts.get(org_id)  # type: ignore[assignment]
            if facts is None:
                continue
            held = holders.get(post_id, 0)
            facts.holders = (facts.holders or 0) + held
            if held < seats:
                facts.posts_empty += 1
                facts.seats_empty += seats - held
        first = on - dt.timedelta(days=MEETING_DAYS)
        last = on - dt.timedelta(days=1)
        for schedule in self.schedules:
            if schedule.organisation_id in org_facts:
                org_facts[schedule.organisation_id].meetings_due += len(
                    occurrence_days(schedule, first, last)
                )
        for org_id, facts in org_facts.items():
            held_days = _count_between(self.held.get(org_id, []), first, last)
            facts.meetings_held = min(held_days, facts.meetings_due)
        unowned_before = day_start - dt.timedelta(days=UNOWNED_AFTER)
        for region_id, reported_at, owner_active, status in self.cases:
            lead = committee.get(region_id)
            if lead is None or reported_at >= day_start:
                continue
            if not owner_active or (status == self.registered and reported_at < unowned_before):
                org_facts[lead].cases_unowned += 1
        for region_id, deadline in self.orders:
            lead = committee.get(region_id)
            if lead is not None and deadline < on:
                org_facts[lead].rectifications_overdue += 1
        for region_id, org_id, deadline, created_at in self.tasks:
            target = org_id if org_id in org_facts else committee.get(region_id)
            if target is not None and deadline < on and created_at < day_end:
                org_facts[target].rectifications_overdue += 1

        households: dict[int, int] = defaultdict(int)
        for group_id, joined_on, left_on in self.households:
            if _in_force(joined_on, left_on, on):
                households[group_id] += 1
        group_facts: dict[int, Facts] = {}
        for group in groups:
            group_facts[group.pk] = Facts(
                patrols=group.pk in rotas or group.pk in group_patrol,
                patrol_grace=GROUP_GRACE,
                days_since_patrol=_days_since(group_patrol.get(group.pk), on),
                households=households.get(group.pk, 0),
            )
        for signal_source in HEALTH_SIGNALS:
            for signal in signal_source(villages, on):
                if signal.organisation_id in org_facts:
                    org_facts[signal.organisation_id].signals.append(signal)
                elif signal.group_id in group_facts:
                    group_facts[signal.group_id].signals.append(signal)
        return Snapshot(
            on=on,
            villages=villages,
            orgs=orgs,
            groups=groups,
            org_facts=org_facts,
            group_facts=group_facts,
            village_facts=village_facts,
        )


# ---- the daily readings ---------------------------------------------------------------------

FLAGGED = frozenset({HealthBand.PAPER_ONLY, HealthBand.PARALYSED})
NOTICE_KIND = "supervision"  # core.notify.KIND_LABELS
PREVIOUS_DAYS = 7  # a reading this recent is the one a new band is compared with


def readings_for(snapshot: Snapshot) -> list[HealthReading]:
    """The snapshot's readings, unsaved: one per organisation, one per group."""
    rows = []
    for org in snapshot.orgs:
        found = score(snapshot.org_facts[org.pk])
        rows.append(
            HealthReading(
                region_id=org.region_id,
                organisation=org,
                on=snapshot.on,
                score=found.score,
                band=found.band,
                reasons=found.reasons,
            )
        )
    for group in snapshot.groups:
        found = score(snapshot.group_facts[group.pk])
        rows.append(
            HealthReading(
                region_id=group.region_id,
                group=group,
                on=snapshot.on,
                score=found.score,
                band=found.band,
                reasons=found.reasons,
            )
        )
    return rows


def subject_key(reading: HealthReading) -> tuple[str, int | None]:
    if reading.organisation_id is not None:
        return ("organisation", reading.organisation_id)
    return ("group", reading.group_id)


def all_villages() -> list[Region]:
    return list(Region.objects.filter(kind=RegionKind.VILLAGE).order_by("path"))


@transaction.atomic
def record_readings(on: dt.date | None = None, villages: list[Region] | None = None) -> int:
    """The day's reading of every organisation and group (of every village, or of these):
    stored once a day — a second run replaces the day's readings — and the township officers
    told of each subject that turned paper-only or paralysed since its last reading. Returns
    how many readings were stored."""
    on = on or timezone.localdate()
    villages = all_villages() if villages is None else villages
    rows = readings_for(read(villages, on))
    ids = [v.pk for v in villages]
    earlier: dict[tuple[str, int | None], str] = {}
    for reading in HealthReading.objects.filter(
        region__in=ids, on__gte=on - dt.timedelta(days=PREVIOUS_DAYS), on__lt=on
    ).order_by("on"):
        earlier[subject_key(reading)] = reading.band  # the latest wins
    today = HealthReading.objects.filter(region__in=ids, on=on)
    already = {subject_key(r): r.band for r in today}
    today.delete()
    HealthReading.objects.bulk_create(rows)
    turned = [
        row
        for row in rows
        if row.band in FLAGGED
        and already.get(subject_key(row)) not in FLAGGED
        and earlier.get(subject_key(row)) not in FLAGGED
    ]
    if turned:
        tell_township(turned, villages)
    return len(rows)


def tell_township(turned: list[HealthReading], villages: list[Region]) -> None:
    by_id = {v.pk: v for v in villages}
    townships = {by_id[r.region_id].parent_id for r in turned}
    officers: dict[int | None, list[User]] = defaultdict(list)
    for user in User.objects.filter(region__in=townships, is_active=True):
        if user.can(Perm.SUPERVISE_VILLAGES):
            officers[user.region_id].append(user)
    names = _subject_names(turned)
    for row in turned:
        village = by_id[row.region_id]
        msgid = (
            gettext_noop("%(subject)s of %(village)s has stopped working: paralysed.")
            if row.band == HealthBand.PARALYSED
            else gettext_noop("%(subject)s of %(village)s exists on paper only.")
        )
        kind, pk = subject_key(row)
        url = reverse("governance:health_subject", args=[kind, pk])
        for officer in officers.get(village.parent_id, []):
            notify(
                officer,
                NOTICE_KIND,
                Phrase(msgid, subject=names[subject_key(row)], village=village.name),
                url,
            )


def _subject_names(rows: list[HealthReading]) -> dict[tuple[str, int | None], str]:
    names: dict[tuple[str, int | None], str] = {}
    for row in rows:
        subject = row.organisation if row.organisation_id else row.group
        names[subject_key(row)] = str(subject)
    return names
