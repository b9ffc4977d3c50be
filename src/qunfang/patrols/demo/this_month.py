"""This month and next, through the real services: the current month rostered by the real
solver and published, the demo members put on duty today, this month's log so far (the demo
members' scans through the real check-in, every ended turn closed for real), absences
declared, swaps asked and decided, reminders sent, and a draft roster for next month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_noop

from qunfang.core.demo import VILLAGE_1, VILLAGE_2
from qunfang.core.notify import notify, sent_at
from qunfang.core.phrases import Phrase
from qunfang.patrols.demo.township import (
    ABSENCE_REASONS,
    BUYOUT_NOTES,
    EXCUSES,
    REJECT_NOTES,
    SOLVER_SECONDS,
    SWAP_REASONS,
    Township,
    month_end,
)
from qunfang.patrols.demo.turns import ScanRow, Turns, write_scans
from qunfang.patrols.models import (
    Assignment,
    CheckInKind,
    Outcome,
    Roster,
    RosterStatus,
    SwapRequest,
)
from qunfang.patrols.selectors.common import EARLY, GRACE
from qunfang.patrols.selectors.people import replacement_problems
from qunfang.patrols.selectors.self import clashing_assignments
from qunfang.patrols.services.checkin import Refusal, Scan, check_in, close_assignment
from qunfang.patrols.services.rostering import RosterRequest, generate_roster, publish_roster
from qunfang.patrols.services.shifts import buy_out, declare_absence, record_outcome, send_reminders
from qunfang.patrols.services.signs import current_code
from qunfang.patrols.services.swaps import decide_swap, request_swap
from qunfang.registry.models import Person


class ThisMonth:
    """The current month of the villages with demo accounts (and the joint zone), and next."""

    def __init__(self, t: Township, turns: Turns):
        self.t, self.rng, self.now, self.today = t, t.rng, t.now, t.today
        self.turns = turns

    def build(self) -> None:
        self.current_month()
        self.next_month()

    def current_month(self) -> None:
        first, last = self.t.months[-1]
        rosters = []
        if self.t.zone_obj:
            req = RosterRequest(
                region=self.t.township,
                zone=self.t.zone_obj,
                starts_on=first,
                ends_on=last,
                time_limit_s=SOLVER_SECONDS,
            )
            rosters.append((generate_roster(req, by=self.t.township_user), self.t.township_user))
        for code in (VILLAGE_1, VILLAGE_2):
            v = self.t.by_code.get(code)
            if v is None:
                continue
            by = self.t.recorder[v.pk]
            req = RosterRequest(
                region=v, starts_on=first, ends_on=last, time_limit_s=SOLVER_SECONDS
            )
            roster = generate_roster(req, by=by)
            if code in self.t.me:
                self.on_duty(roster, self.t.me[code])
            rosters.append((roster, by))
        published = dt.datetime.combine(first - dt.timedelta(days=5), dt.time(16), tzinfo=self.t.tz)
        for roster, by in rosters:
            with sent_at(published):  # its members heard when it was published
                publish_roster(roster=roster, by=by)
            # made and published before the month began, like the others
            Roster.objects.filter(pk=roster.pk).update(
                created_at=published - dt.timedelta(hours=22), published_at=published
            )
            self.t.stats["rosters"] += 1
            self.t.stats["shifts"] += roster.shifts.count()
        self.live_log([r for r, _ in rosters])
        self.absences_now()
        self.swaps_now()
        send_reminders(now=self.now, hours=settings.QUNFANG_REMINDER_HOURS)
        user = self.t.context.accounts.get("patrol1")
        if user is not None:
            drill = Phrase(
                gettext_noop(
                    "Notice from the village committee: every member comes to the village "
                    "committee on Saturday evening for a fire drill."
                )
            )
            with sent_at(self.now - dt.timedelta(days=1)):  # sent yesterday
                notify(user, "roster", drill, "/patrols/my/")

    def on_duty(self, roster: Roster, person: Person) -> None:
        """The demo member has a shift today and, when the month goes on, another one to come
        (a draft may still be changed; the director would do the same by hand)."""
        self.put_on(roster, person, self.today, force=True)
        day = self.today + dt.timedelta(days=1)
        while day <= roster.ends_on:
            if Assignment.objects.filter(
                shift__roster=roster, person=person, shift__service_date__gt=self.today
            ).exists():
                return
            self.put_on(roster, person, day, force=False)
            day += dt.timedelta(days=1)

    def put_on(self, roster: Roster, person: Person, day: dt.date, *, force: bool) -> None:
        if roster.shifts.filter(service_date=day, assignments__person=person).exists():
            return
        shifts = list(
            roster.shifts.filter(service_date=day, pattern__household_group__isnull=True)
            .select_related("pattern")
            .order_by("-night", "starts_at")
        )
        shifts.sort(key=lambda s: s.starts_at <= self.now)  # one still to come first
        seats = [
            a
            for shift in shifts
            for a in shift.assignments.select_related("shift__pattern", "person").order_by("pk")
        ]
        for a in seats:
            if not replacement_problems(a, person):
                a.person = person
                a.save()
                return
        # hand one of their shifts that week to the member they replace
        week = (day - dt.timedelta(days=6), day + dt.timedelta(days=6))
        for a in seats:
            other = a.person
            near = Assignment.objects.filter(
                shift__roster=roster,
                person=person,
                household__isnull=True,
                shift__service_date__range=week,
            ).select_related("shift__pattern")
            for theirs in near:
                if replacement_problems(theirs, other):
                    continue
                theirs.person = other
                theirs.save()
                if not replacement_problems(a, person):
                    a.person = person
                    a.save()
                    return
                theirs.person = person
                theirs.save()
        if force and shifts:  # a short roster: join the day's first shift as an extra member
            Assignment.objects.create(
                shift=shifts[0], region=shifts[0].region, zone=shifts[0].zone, person=person
            )

    def live_log(self, rosters: list[Roster]) -> None:
        """The log of this month so far: the demo members check in through the real service,
        the others' scans are written in bulk, then every ended shift is closed for real."""
        rng = self.rng
        mine = {p.pk for p in self.t.me.values()}
        assignments = list(
            Assignment.objects.filter(
                shift__roster__in=rosters, shift__starts_at__lte=self.now + EARLY
            )
            .select_related("shift__pattern", "shift__roster", "person", "household", "region")
            .order_by("shift__starts_at", "pk")
        )
        bulk, to_close, excused, bought = [], [], [], []
        for a in assignments:
            shift = a.shift
            if a.person_id in mine and shift.service_date == self.today:
                continue  # left for the demo user to check in
            recorder = self.t.recorder.get(shift.region_id, self.t.township_user)
            fate = self.turns.fate(a)
            if fate == Outcome.EXCUSED or (fate == "bought" and not a.household_id):
                excused.append((a, recorder))
                continue
            if fate == "bought":
                bought.append((a, recorder))
                continue
            rows = [
                c
                for c in self.turns.log(a, fate, self.turns.by_id(a.person_id, recorder))
                if c.recorded_at <= self.now
            ]
            if a.person_id in mine:
                self.scan_for_real(a, rows)
            else:
                bulk += rows
            to_close.append((a, fate, rows))
        write_scans(bulk)
        self.t.stats["check_ins"] += len(bulk)
        for a, fate, rows in to_close:
            ended = any(c.kind == CheckInKind.END and c.accepted for c in rows)
            if not ended and a.shift.ends_at + GRACE > self.now:
                continue
            at = (
                max(c.recorded_at for c in rows)
                if ended
                else a.shift.ends_at + GRACE + dt.timedelta(minutes=5)
            )
            closed = close_assignment(a, now=at)
            self.t.stats[closed.outcome] += 1
            if closed.outcome != fate:
                self.t.stats["fate_mismatch"] += 1
        for a, recorder in excused:
            if a.shift.starts_at <= self.now or rng.random() < 0.5:
                record_outcome(
                    assignment=a, outcome=Outcome.EXCUSED, by=recorder, note=rng.choice(EXCUSES)
                )
                self.t.stats[Outcome.EXCUSED] += 1
        for a, recorder in bought:
            buy_out(assignment=a, amount=Decimal(50), by=recorder, note=BUYOUT_NOTES[0])
            self.t.stats[Outcome.EXCUSED] += 1

    def scan_for_real(self, a: Assignment, rows: list[ScanRow]) -> None:
        """Replay a made-up log through check_in, as the member's phone would send it."""
        user = self.t.account_of[a.person_id]
        for row in rows:
            code = ""
            if row.point is not None:
                if row.refusal == Refusal.STALE_CODE:
                    code = current_code(
                        row.point, row.recorded_at - dt.timedelta(seconds=5 * row.point.sign_period)
                    )
                elif row.refusal == Refusal.WRONG_CODE:
                    code = "12345678"
                else:
                    code = current_code(row.point, row.recorded_at)
            scan = Scan(
                client_id=row.client_id,
                kind=row.kind,
                point=row.point,
                code=code,
                latitude=row.latitude,
                longitude=row.longitude,
                accuracy_m=5 if row.far_from_point else row.accuracy_m,
                finding=row.finding,
                note=row.note,
            )
            check_in(assignment=a, scan=scan, user=user, now=row.recorded_at)
            self.t.stats["check_ins"] += 1

    def absences_now(self) -> None:
        """Two members say they will be away: the director excuses one clash and must still
        find cover for the others."""
        v = self.t.by_code.get(VILLAGE_1)
        if v is None:
            return
        director = self.t.recorder[v.pk]
        people = [p for p in self.t.pool[v.pk] if p.pk not in self.t.account_of]
        for k, person in enumerate(self.rng.sample(people, 2)):
            start = self.today + dt.timedelta(days=2 + 4 * k)
            absence = declare_absence(
                person=person,
                starts_on=start,
                ends_on=start + dt.timedelta(days=4),
                reason=ABSENCE_REASONS[k],
                by=director,
            )
            if k == 0:
                for a in clashing_assignments(absence)[:1]:
                    record_outcome(
                        assignment=a, outcome=Outcome.EXCUSED, by=director, note=absence.reason
                    )

    def swaps_now(self) -> None:
        """One swap approved, one refused and one waiting for director1."""
        v = self.t.by_code.get(VILLAGE_1)
        if v is None:
            return
        director = self.t.recorder[v.pk]
        soon = (
            Assignment.objects.filter(
                region=v,
                outcome=Outcome.PLANNED,
                household__isnull=True,
                shift__roster__status=RosterStatus.PUBLISHED,
                shift__starts_at__gt=self.now + dt.timedelta(hours=6),
            )
            .select_related("shift__pattern", "person")
            .order_by("shift__starts_at", "pk")
        )
        me = self.t.me.get(VILLAGE_1)
        user = self.t.account_of.get(me.pk) if me else None
        # their shift today stays theirs, for the demo
        mine = [
            a for a in soon if me and a.person_id == me.pk and a.shift.service_date != self.today
        ]
        others = [a for a in soon if not me or a.person_id != me.pk]

        def ask(a: Assignment, by, not_to=()) -> SwapRequest | None:
            for p in self.t.pool[v.pk]:
                if p.pk != a.person_id and p.pk not in not_to and not replacement_problems(a, p):
                    return request_swap(
                        assignment=a, replacement=p, reason=self.rng.choice(SWAP_REASONS), by=by
                    )
            return None

        if len(others) > 1:
            swap = ask(others[0], director)
            if swap:
                decide_swap(swap=swap, approve=True, by=director, note="同意")
        target = mine[-1] if mine else (others[-1] if others else None)
        if target is None:
            return
        by = user if mine else director
        swap = ask(target, by)
        if swap:
            decide_swap(swap=swap, approve=False, by=director, note=REJECT_NOTES[1])
        ask(
            target, by, not_to={swap.replacement_id} if swap else ()
        )  # asked again: waiting for the director

    def next_month(self) -> None:
        v = self.t.by_code.get(VILLAGE_1)
        if v is None:
            return
        first = self.t.months[-1][1] + dt.timedelta(days=1)
        req = RosterRequest(
            region=v, starts_on=first, ends_on=month_end(first), time_limit_s=SOLVER_SECONDS
        )
        generate_roster(req, by=self.t.recorder[v.pk])
        self.t.stats["rosters"] += 1
