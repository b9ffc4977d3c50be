"""The ten-household rotation (十户联防): each turn, the household whose turn it is supplies one
eligible member; households that owe fewer turns go first. Elderly-only, disabled and absent
households are exempt. Deterministic, so re-running it on the same books gives the same rota.
Who may stand a household's turn (age, health, absences): `selectors.people.eligible_members`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, Max, Q

from qunfang.patrols import solver
from qunfang.patrols.models import Absence, Assignment, DutyLedgerEntry, LedgerKind, Shift
from qunfang.patrols.selectors.people import eligible_members
from qunfang.registry.models import GroupMembership


def _free(busy: list[tuple[dt.datetime, dt.datetime]], shift: Shift, rest: dt.timedelta) -> bool:
    return all(
        shift.starts_at >= end + rest or shift.ends_at + rest <= start for start, end in busy
    )


def fill_household_shifts(
    shifts: list[Shift], busy: dict[int, list[tuple[dt.datetime, dt.datetime]]], rules: solver.Rules
) -> tuple[list[Assignment], list[dict]]:
    """Assign households (and one member each) to the household shifts, in time order."""
    assignments: list[Assignment] = []
    problems: list[dict] = []
    if not shifts:
        return assignments, problems
    rest = dt.timedelta(hours=rules.min_rest_hours)
    first, last = min(s.service_date for s in shifts), max(s.service_date for s in shifts)
    by_group: dict[int | None, list[Shift]] = defaultdict(list)
    for s in shifts:
        by_group[s.pattern.household_group_id].append(s)
    for group_id, group_shifts in by_group.items():
        households = [
            m.household
            for m in GroupMembership.objects.filter(group_id=group_id, joined_on__lte=last)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=first))
            .select_related("household")
            .prefetch_related("household__members")
            .order_by("household__number")
            if not m.household.exempt_from_duty
        ]
        ids = [h.pk for h in households]
        history = {
            row["household"]: row
            for row in DutyLedgerEntry.objects.filter(
                group_id=group_id, household_id__in=ids, kind=LedgerKind.OWED
            )
            .values("household")
            .annotate(turns=Count("id"), last=Max("on"))
        }
        turns = Counter({h: history[h]["turns"] for h in history})
        last_turn = {h: history[h]["last"] for h in history}
        absent = set()
        for a in Absence.objects.filter(
            person__household_id__in=ids, ends_on__gte=first, starts_on__lte=last
        ):
            d = max(a.starts_on, first)
            while d <= min(a.ends_on, last):
                absent.add((a.person_id, d))
                d += dt.timedelta(days=1)
        for shift in sorted(group_shifts, key=lambda s: s.starts_at):
            order = sorted(
                households,
                key=lambda h: (turns[h.pk], last_turn.get(h.pk) or dt.date.min, h.number),
            )
            taken = 0
            for household in order:
                if taken == shift.headcount:
                    break
                members = [
                    p
                    for p in eligible_members(household, shift.service_date, absent)
                    if _free(busy[p.pk], shift, rest)
                ]
                if not members:
                    continue
                member = min(members, key=lambda p: (len(busy[p.pk]), p.birth_date, p.pk))
                busy[member.pk].append((shift.starts_at, shift.ends_at))
                turns[household.pk] += 1
                last_turn[household.pk] = shift.service_date
                assignments.append(
                    Assignment(
                        shift=shift,
                        region=shift.region,
                        zone=shift.zone,
                        person=member,
                        household=household,
                    )
                )
                taken += 1
            if taken < shift.headcount:
                problems.append(
                    {
                        "code": "household_short",
                        "constraint": "household",
                        "day": shift.service_date.isoformat(),
                        "shift": shift.pattern.name,
                        "village": shift.region.name,
                        "needed": shift.headcount,
                        "available": taken,
                        "short": shift.headcount - taken,
                        "proven": True,
                        "params": {"households": str(len(households))},
                    }
                )
    return assignments, problems
