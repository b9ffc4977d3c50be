"""How each turn of duty went: its fate (served, late, partial, missed, excused, bought out),
the scans of its round (refused ones too, and findings), its outcome and its lines in the
ten-household duty ledger, and the swaps decided before it. Made in memory; the past is
written in bulk (`history.py`), this month's scans partly through the real check-in."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from qunfang.core.bulk import insert_rows
from qunfang.core.demo import coordinate, moved
from qunfang.core.demo.reference import FINDINGS
from qunfang.patrols.demo.township import (
    BUYOUT_NOTES,
    EXCUSES,
    NO_FIX,
    REJECT_NOTES,
    SLIPPING_DAYS,
    SLIPPING_GAP,
    SWAP_REASONS,
    Township,
)
from qunfang.patrols.models import (
    Assignment,
    CheckIn,
    CheckInKind,
    DutyLedgerEntry,
    Finding,
    LedgerKind,
    Outcome,
    PatrolPoint,
    SwapRequest,
    SwapStatus,
)
from qunfang.patrols.selectors.common import EARLY, GRACE
from qunfang.patrols.services.checkin import Refusal, distance_m


@dataclass(slots=True)
class ScanRow:
    """A check-in before it is written (lighter than a model instance: there are ~150,000)."""

    assignment: Assignment
    kind: str
    point: PatrolPoint | None
    recorded_at: dt.datetime
    latitude: Decimal | None  # None: the phone gave no position
    longitude: Decimal | None
    accuracy_m: int | None
    by_id: int
    client_id: uuid.UUID
    accepted: bool = True
    refusal: str = ""
    distance_m: int | None = None
    far_from_point: bool = False
    finding: str = Finding.NOTHING
    note: str = ""


SCAN_COLUMNS = [
    "client_id",
    "assignment_id",
    "region_id",
    "zone_id",
    "kind",
    "point_id",
    "recorded_at",
    "accepted",
    "refusal",
    "latitude",
    "longitude",
    "accuracy_m",
    "distance_m",
    "far_from_point",
    "finding",
    "note",
    "photo",
    "by_id",
]


def write_scans(scans: list[ScanRow]) -> None:
    insert_rows(
        CheckIn,
        SCAN_COLUMNS,
        [
            (
                c.client_id,
                c.assignment.pk,
                c.assignment.region_id,
                c.assignment.zone_id,
                c.kind,
                c.point.pk if c.point else None,
                c.recorded_at,
                c.accepted,
                c.refusal,
                c.latitude,
                c.longitude,
                c.accuracy_m,
                c.distance_m,
                c.far_from_point,
                c.finding,
                c.note,
                "",
                c.by_id,
            )
            for c in scans
        ],
    )


class Turns:
    """The fate and the log of each turn of duty, as the township's members would have made
    them: more missed in the busy season and on cold or rainy winter nights."""

    def __init__(self, t: Township):
        self.t, self.rng, self.now = t, t.rng, t.now

    def fate(self, a: Assignment) -> str:
        """How a shift ends, with the gaps real logs have: more missed in the busy season and
        on cold or rainy winter nights."""
        shift, rng = a.shift, self.rng
        day = shift.service_date
        rel = self.t.reliability.get(a.person_id, 1.0)
        busy, wet = day in self.t.busy, self.t.rainy.get(day, False)
        winter = day.month in (12, 1, 2)
        missed = 0.025 * rel
        if busy:
            missed *= 2.2
        if shift.night and winter:
            missed *= 2.2 if wet else 1.6
        elif wet:
            missed *= 1.4
        excused = 0.02 * (1.8 if busy else 1.0)
        partial = 0.03 * (2.0 if wet else 1.0) * (1.4 if shift.night and winter else 1.0)
        late = 0.05 * rel * (1.5 if shift.night and winter else 1.0)
        if (
            a.region_id in self.t.slipping_ids
            and (ago := (self.t.today - day).days) < SLIPPING_DAYS
        ):
            if ago < SLIPPING_GAP:
                return Outcome.MISSED  # the slipping villages' last turns: nobody came out
            missed += 0.5 * (1 - ago / SLIPPING_DAYS)
        bought = 0.0
        if a.household_id or a.household is not None:
            missed *= 1.3
            bought = 0.06 if busy else 0.035
        roll = rng.random()
        for outcome, p in (
            ("bought", bought),
            (Outcome.MISSED, missed),
            (Outcome.EXCUSED, excused),
            (Outcome.PARTIAL, partial),
            (Outcome.LATE, late),
        ):
            if roll < p:
                return outcome
            roll -= p
        return Outcome.SERVED

    def round_points(self, a: Assignment) -> list[PatrolPoint]:
        pattern = a.shift.pattern
        if pattern.zone_id:
            return self.t.zone_round
        points = self.t.points[pattern.region_id]
        if pattern.household_group_id:  # the group keeps watch at one point
            return [points[pattern.household_group_id % len(points)]]
        return points

    def log(self, a: Assignment, fate: str, by_id: int) -> list[ScanRow]:
        """The scans of one shift that ends as `fate` (all of them, even those after now)."""
        rng, shift = self.rng, a.shift
        points = self.round_points(a)
        rows: list[ScanRow] = []

        def scan(kind, at, point, far=False, fix=True, **extra) -> ScanRow:
            plat, plon = self.t.coords[point.pk]
            metres = rng.uniform(400, 2500) if far else min(abs(rng.gauss(0, 25)), 60)
            lat, lon = moved(plat, plon, metres, rng.uniform(0, 2 * math.pi))
            row = ScanRow(
                assignment=a,
                kind=kind,
                point=point if kind == CheckInKind.POINT else None,
                recorded_at=at,
                latitude=coordinate(lat) if fix else None,
                longitude=coordinate(lon) if fix else None,
                accuracy_m=rng.choice([5, 8, 10, 12, 15, 20, 30, 45]) if fix else None,
                by_id=by_id,
                client_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                **extra,
            )
            if kind == CheckInKind.POINT and fix:
                row.distance_m = round(distance_m(lat, lon, plat, plon))
                row.far_from_point = far
            rows.append(row)
            return row

        if fate in (Outcome.EXCUSED, "bought"):
            return rows
        if fate == Outcome.MISSED:
            if rng.random() < 0.15:  # a photo of the sign, scanned from home
                at = shift.starts_at + dt.timedelta(minutes=rng.randint(5, 120))
                scan(
                    CheckInKind.POINT,
                    at,
                    rng.choice(points),
                    far=True,
                    accepted=False,
                    refusal=Refusal.STALE_CODE,
                )
            return rows
        if fate == Outcome.LATE:
            begin = shift.starts_at + self.t.late + dt.timedelta(minutes=rng.randint(5, 75))
        else:
            early = max(-25, min(self.t.late.seconds // 60 - 2, round(rng.gauss(-3, 6))))
            begin = shift.starts_at + dt.timedelta(minutes=early)
        finish = shift.ends_at - dt.timedelta(minutes=rng.randint(0, 25))
        scan(CheckInKind.START, begin, points[0])
        visit, ended = list(points), True
        if fate == Outcome.PARTIAL:
            # skipped part of the round, then signed off: partial only on a route (a shift
            # without one, as the joint zone's, needs one point, so skipping some is served)
            if shift.pattern.route_id and len(points) > 1 and rng.random() < 0.5:
                keep = sorted(rng.sample(range(len(points)), rng.randint(1, len(points) - 1)))
                visit = [points[k] for k in keep]
            else:  # went home early, or the phone died: no end of patrol
                visit, ended = points[: rng.randint(1, len(points))], False
        step = ((finish - begin) - dt.timedelta(minutes=20)) / (len(visit) + 1)
        visited = []
        for k, point in enumerate(visit):
            at = begin + step * (k + 1 + rng.uniform(-0.3, 0.3))
            if rng.random() < 0.04:  # refused first: an old code, or scanned from the road
                why = rng.choices(
                    [Refusal.STALE_CODE, Refusal.FAR, Refusal.WRONG_CODE], weights=[55, 35, 10]
                )[0]
                scan(
                    CheckInKind.POINT,
                    at - dt.timedelta(minutes=rng.randint(1, 3)),
                    point,
                    far=why == Refusal.FAR,
                    accepted=False,
                    refusal=why,
                )
            if rng.random() < NO_FIX:  # indoors, location refused, or no fix yet
                if point.region_id not in self.t.positions_required:
                    visited.append(scan(CheckInKind.POINT, at, point, fix=False))
                    continue
                refusal = Refusal.NO_POSITION  # refused; location allowed, scanned again
                scan(CheckInKind.POINT, at, point, fix=False, accepted=False, refusal=refusal)
                at += dt.timedelta(minutes=1)
            visited.append(scan(CheckInKind.POINT, at, point))
        if visited and rng.random() < 0.03:  # something found on the round
            found = rng.choice(visited)
            found.finding = rng.choices(
                [Finding.HAZARD, Finding.INCIDENT, Finding.DISPUTE], weights=[45, 35, 20]
            )[0]
            found.note = rng.choice(FINDINGS[found.finding])[0]
            self.t.stats["findings"] += 1
        if ended:
            last = max([begin, *[c.recorded_at for c in visited]])
            scan(CheckInKind.END, max(finish, last + dt.timedelta(minutes=5)), visit[-1])
        return rows

    def settle(self, a: Assignment, scans: list, ledger: list) -> None:
        """Bulk path: the log and outcome of one assignment of a published roster, and its
        lines in the duty ledger."""
        shift, rng = a.shift, self.rng
        roster = shift.roster
        recorder = self.t.recorder.get(shift.region_id, self.t.township_user)
        group_id = shift.pattern.household_group_id
        if a.household is not None:
            # (a published roster: published_at is set)
            published = cast(dt.datetime, roster.published_at)
            ledger.append(self.line(a, LedgerKind.OWED, roster.published_by, published))
        if shift.starts_at - EARLY > self.now:
            return  # still to come
        fate = self.fate(a)
        rows = self.log(a, fate, self.by_id(a.person_id, recorder))
        rows = [c for c in rows if c.recorded_at <= self.now]
        scans += rows
        ended = any(c.kind == CheckInKind.END for c in rows)
        if fate in (Outcome.EXCUSED, "bought"):
            # excuses come in before the shift; half of those to come are not in yet
            if shift.starts_at <= self.now or rng.random() < 0.5:
                when = shift.starts_at - dt.timedelta(hours=rng.randint(2, 48))
                a.outcome, a.closed_at = Outcome.EXCUSED, min(when, self.now)
                if fate == "bought" and group_id:
                    a.note = "以钱代勤"
                    amount = Decimal(rng.choice([50, 50, 50, 30, 100]))
                    ledger.append(
                        self.line(
                            a,
                            LedgerKind.BOUGHT_OUT,
                            recorder,
                            a.closed_at,
                            amount=amount,
                            note=rng.choice(BUYOUT_NOTES[:2]),
                        )
                    )
                else:
                    a.note = rng.choice(EXCUSES)
                    if group_id:
                        ledger.append(
                            self.line(a, LedgerKind.EXCUSED, recorder, a.closed_at, note=a.note)
                        )
                self.t.stats[Outcome.EXCUSED] += 1
            return
        if not ended and shift.ends_at + GRACE > self.now:
            return  # on patrol now, or not closed by the clock yet
        a.outcome = fate
        a.closed_at = (
            max(c.recorded_at for c in rows)
            if ended
            else (shift.ends_at + GRACE + dt.timedelta(minutes=rng.randint(1, 15)))
        )
        self.t.stats[fate] += 1
        if group_id:
            kind = LedgerKind.MISSED if fate == Outcome.MISSED else LedgerKind.SERVED
            ledger.append(self.line(a, kind, roster.published_by, a.closed_at))
            if fate == Outcome.MISSED and rng.random() < 0.3:  # paid afterwards
                paid = a.closed_at + dt.timedelta(days=rng.randint(1, 6))
                if paid <= self.now:
                    ledger.append(
                        self.line(
                            a,
                            LedgerKind.BOUGHT_OUT,
                            recorder,
                            paid,
                            amount=Decimal(50),
                            note=BUYOUT_NOTES[2],
                        )
                    )

    def by_id(self, person_pk: int, recorder) -> int:
        """Who the scans are recorded by: the member's own account, else the one who keys in
        the village's paper register (the director, or the township office)."""
        user = self.t.account_of.get(person_pk)
        return (user or recorder).pk

    def line(
        self, a: Assignment, kind: str, by, at: dt.datetime, amount=None, note=""
    ) -> DutyLedgerEntry:
        return DutyLedgerEntry.of_turn(a, kind, by=by, amount=amount, note=note, recorded_at=at)

    def past_swap(self, a: Assignment) -> SwapRequest:
        """A swap decided before the shift: approved ones already put the replacement on it."""
        rng = self.rng
        director = self.t.recorder[a.region_id]
        mine = self.t.account_of.get(a.person_id)
        asked = a.shift.starts_at - dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 10))
        approve = rng.random() < 0.7
        if approve:
            replacement = a.person
        else:
            others = [p for p in self.t.pool[a.region_id] if p.pk != a.person_id]
            replacement = rng.choice(others)
        return SwapRequest(
            assignment=a,
            region_id=a.region_id,
            zone_id=a.zone_id,
            replacement=replacement,
            reason=rng.choice(SWAP_REASONS),
            status=SwapStatus.APPROVED if approve else SwapStatus.REJECTED,
            requested_by=mine if (mine and not approve) else director,
            requested_at=asked,
            decided_by=director,
            decided_at=asked + dt.timedelta(hours=rng.randint(1, 20)),
            decision_note="同意" if approve else rng.choice(REJECT_NOTES),
        )
