"""Safety inspections with their rectification orders (安全检查, 整改通知): the places of each
village by kind, the season's campaigns, checklists with what was found and ordered, orders
reported done, re-inspected, given a new deadline, or sent to the case register."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from qunfang.casebook.demo.cases import CaseRegister
from qunfang.casebook.demo.checklists import (
    CHECKLISTS,
    ESCALATED_NOTES,
    NOT_FIXED_NOTES,
    REPORTED_DONE_NOTES,
)
from qunfang.casebook.demo.rhythms import (
    FAIL_RATE,
    INSPECTION_KINDS,
    INSPECTIONS_A_YEAR,
    SHOPS,
    WORKSHOPS,
    minutes,
)
from qunfang.casebook.demo.township import Draft, Village, spot
from qunfang.casebook.models import (
    ChecklistItem,
    Hazard,
    Inspection,
    InspectionStatus,
    OrderStatus,
    RectificationOrder,
)
from qunfang.casebook.services.inspections import inspection_create
from qunfang.core.bulk import insert
from qunfang.core.demo.reference import PARALYSED_VILLAGE, SLIPPING_VILLAGES
from qunfang.core.models import User

NEGLECTFUL = frozenset({*SLIPPING_VILLAGES, PARALYSED_VILLAGE})


class InspectionBook:
    """The year's inspections, made in memory; `write()` puts them in the database (after the
    cases: an escalated order points at its case)."""

    def __init__(self, cases: CaseRegister):
        self.t, self.rng, self.now, self.today = cases.t, cases.t.rng, cases.t.now, cases.t.today
        self.cases, self.story = cases, cases.story
        self.inspections: list[tuple] = []  # (inspection, its items, [(hazard, its order)])

    def inspection_places(self, v: Village) -> dict[str, list[tuple]]:
        """(place, address, responsible party) by kind of place, for one village."""
        rng, name = self.rng, v.region.name
        out = defaultdict(list)
        for home in rng.sample(v.homes, min(len(v.homes), rng.randint(2, 6 if v.community else 4))):
            head = next(
                (
                    p["name"]
                    for p in v.by_household.get(home["pk"], [])
                    if p["pk"] == home["head_id"]
                ),
                self.t.name("M"),
            )
            out["rental"].append((f"{home['address']}出租房", home["address"], f"房东{head}"))
        for shop in rng.sample(SHOPS, rng.randint(1, 3)):
            out["shop"].append(
                (f"{name}{shop}", f"{name}{rng.randint(1, 300)}号", f"店主{self.t.name()}")
            )
        school = f"{name}{'幼儿园' if v.community or rng.random() < 0.4 else '小学'}"
        out["school"].append((school, name, f"{school}园长/校长{self.t.name()}"))
        waters = [p.name for p in v.places if p.kind == "water"] or ["山塘"]
        out["pond"] += [(f"{name}{w}", f"{name}{w}", f"{name}村委会") for w in waters]
        out["electrical"].append((f"{name}配电房", name, f"{name}村委会"))
        out["fire"].append(
            (f"{name}{rng.choice(['后山防火区', '竹林柴堆区'])}", name, f"{name}村委会")
        )
        for work in rng.sample(WORKSHOPS, rng.randint(1, 2)):
            owner = self.t.name("M")
            out["workshop"].append(
                (f"{owner}{work}", f"{name}{rng.randint(1, 300)}号", f"业主{owner}")
            )
        halls = [p.name for p in v.places if p.kind == "gathering"] or ["文化礼堂"]
        out["other"] += [(f"{name}{h}", f"{name}{h}", f"{name}村委会") for h in halls[:2]]
        return out

    def inspection_kind(self, day: dt.date) -> str:
        cal = self.t.calendar
        weights: dict[str, float] = dict(INSPECTION_KINDS)
        weights["fire"] *= 3 if cal.fits("winter", day) else 1
        weights["pond"] *= 4 if day.month in (5, 6, 7, 8) else 0.4
        weights["school"] *= 3 if day.month in (2, 3, 8, 9) else 0.2 if day.month == 7 else 1
        weights["shop"] *= 3 if cal.around_festival(day, 30, 0) else 1
        weights["electrical"] *= 2 if day.month in (6, 7, 8, 12, 1) else 1
        return self.t.pick(weights)

    def inspection_note(self, kind: str, day: dt.date) -> str:
        """Why the place is inspected: the campaign of the season, or nothing special."""
        rng, month = self.rng, day.month
        campaigns = {
            "school": "开学前校园安全检查" if month in (2, 8) else "校园周边安全整治",
            "shop": "春节前安全大检查"
            if self.t.calendar.around_festival(day, 30, 0)
            else "日常安全检查",
            "pond": "防溺水专项检查"
            if 5 <= month <= 9
            else "汛前安全检查"
            if month in (3, 4)
            else "",
            "fire": "冬季消防安全检查" if self.t.calendar.fits("winter", day) else "森林防火检查",
            "electrical": "夏季用电安全检查"
            if 6 <= month <= 8
            else "冬季用电安全检查"
            if month in (12, 1, 2)
            else "",
            "rental": rng.choice(["出租房屋专项整治", "流动人口登记核查"]),
            "workshop": rng.choice(["安全生产检查", "三合一场所整治"]),
            "other": "日常安全检查",
        }
        return campaigns[kind] if rng.random() < 0.7 else ""

    def build(self) -> None:
        rng = self.rng
        sites = {v.region.pk: self.inspection_places(v) for v in self.t.villages}
        workdays = [d for d in self.t.days if d.weekday() < 5 or rng.random() < 0.15]
        for _k in range(round(INSPECTIONS_A_YEAR * self.t.scale)):
            day = rng.choice(workdays)
            kind = self.inspection_kind(day)
            v = self.t.pick_village()
            self.inspection(v, kind, rng.choice(sites[v.region.pk][kind]), day)
        for _k in range(max(2, round(12 * self.t.scale))):  # planned for the weeks ahead
            v = self.t.pick_village()
            day = self.today + dt.timedelta(days=rng.randint(0, 28))
            kind = self.inspection_kind(day)
            self.plan_ahead(v, kind, rng.choice(sites[v.region.pk][kind]), day)
        for _k in range(max(1, round(3 * self.t.scale))):  # planned, the day passed, not done yet
            v = self.t.pick_village()
            day = self.today - dt.timedelta(days=rng.randint(1, 10))
            kind = self.inspection_kind(day)
            self.inspection(v, kind, rng.choice(sites[v.region.pk][kind]), day, planned_only=True)
        # a rental whose landlord ignored one order (overdue now) and dragged his feet over
        # another until it went to the case register
        v = self.t.villages[0]
        self.inspection(
            v,
            "rental",
            sites[v.region.pk]["rental"][0],
            self.today - dt.timedelta(days=40),
            force=True,
        )

    def inspector(self, v: Village) -> User:
        """Mostly the village's director, now and then the township officer."""
        township = self.t.township_user
        return township if v.holder != township and self.rng.random() < 0.2 else v.holder

    def plan_ahead(self, v: Village, kind: str, site: tuple, day: dt.date) -> None:
        """An inspection planned for the weeks ahead, entered as a clerk enters one (through
        the service: the checklist is the kind of place's own)."""
        place, address, _responsible = site
        by = self.inspector(v)
        note = self.inspection_note(kind, day)
        inspection_create(
            region=v.region,
            place_name=place[:100],
            place_kind=kind,
            by=by,
            address=address[:200],
            planned_for=day,
            note=note,
        )
        self.t.stats["inspections"] += 1

    def inspection(
        self,
        v: Village,
        kind: str,
        site: tuple,
        day: dt.date,
        planned_only: bool = False,
        force: bool = False,
    ) -> None:
        rng = self.rng
        place, address, responsible = site
        by = self.inspector(v)
        inspection = Inspection(
            region=v.region,
            place_name=place[:100],
            place_kind=kind,
            address=address[:200],
            planned_for=day if planned_only or rng.random() < 0.7 else None,
            status=InspectionStatus.PLANNED,
            note=self.inspection_note(kind, day),
            created_by=by,
        )
        checklist = CHECKLISTS[kind]
        items: list[ChecklistItem] = []
        hazards: list[tuple[Hazard, RectificationOrder]] = []
        self.inspections.append((inspection, items, hazards))
        self.t.stats["inspections"] += 1
        if planned_only:
            items += [ChecklistItem(inspection=inspection, text=text) for text, _f, _m in checklist]
            return
        helper = rng.choice(v.people)["name"] if v.people else self.t.name()
        inspection.inspectors = (
            f"{by}、{helper}" if by != self.t.township_user else f"{by}、{self.t.police}"
        )
        inspection.inspected_on = day
        inspection.status = InspectionStatus.DONE
        fail = FAIL_RATE[kind] * rng.choice([0.5, 1, 1, 1.5, 2.5])
        fates = ["stuck", "escalate"] if force else []
        for k, (text, found, measure) in enumerate(checklist):
            passed = rng.random() >= fail and k >= len(fates)
            items.append(
                ChecklistItem(
                    inspection=inspection, text=text, passed=passed, note="" if passed else found
                )
            )
            if not passed:
                hazard = Hazard(
                    inspection=inspection,
                    description=f"{text}：{found}",
                    severity=rng.choices([1, 2, 3], weights=[30, 65, 5])[0],
                )
                fate = fates[k] if k < len(fates) else None
                order = self.order(v, inspection, hazard, responsible, measure, day, by, fate)
                hazards.append((hazard, order))
        if all(
            order.status in (OrderStatus.VERIFIED, OrderStatus.ESCALATED) for _h, order in hazards
        ):
            inspection.status = InspectionStatus.CLOSED

    def order(
        self, v, inspection, hazard, responsible, measure, day, by, fate=None
    ) -> RectificationOrder:
        """The rectification notice and what became of it (as inspections.py moves it)."""
        rng, today = self.rng, self.today
        deadline = day + dt.timedelta(days=rng.choice([3, 7, 7, 10, 15, 15, 30]))
        order = RectificationOrder(
            region=inspection.region,
            hazard=hazard,
            responsible=responsible,
            measures=measure,
            deadline=deadline,
            status=OrderStatus.OPEN,
        )
        log, since = [], day
        # stuck: never reported, never re-inspected, so overdue once its day passes — in the
        # villages whose organisations are slipping or stopped; elsewhere the village follows
        # its orders up (a stuck order is a one-vote veto in the township's assessment)
        neglected = v.region.code in NEGLECTFUL
        stuck = fate == "stuck" or (fate is None and neglected and rng.random() < 0.2)
        for round_ in range(3):
            if stuck:
                break
            if rng.random() < 0.85:
                reported = since + dt.timedelta(
                    days=rng.randint(1, max(1, (order.deadline - since).days + 2))
                )
                if reported > today:
                    break
                order.status = OrderStatus.REPORTED_DONE
                log.append(
                    f"{reported:%Y-%m-%d} 责任方报告已整改：{rng.choice(REPORTED_DONE_NOTES)}"
                )
                since = reported
            check = (
                since if order.status == OrderStatus.REPORTED_DONE else max(since, order.deadline)
            )
            check += dt.timedelta(days=rng.randint(0, 5))
            if check > today:
                break
            order.reinspected_on = check
            verified, escalated = ((0.85, 0.89), (0.7, 0.85), (0.6, 1.0))[round_]
            roll = verified if fate == "escalate" else rng.random()
            if roll < verified:
                order.status = OrderStatus.VERIFIED
                log.append(f"{check:%Y-%m-%d} 复查：已整改，予以销号")
                break
            if roll < escalated:
                result = rng.choice(ESCALATED_NOTES)
                order.status = OrderStatus.ESCALATED
                log.append(f"{check:%Y-%m-%d} 复查：仍未整改，移交案件登记：{result}")
                order.escalated_case = self.escalate_hazard(
                    v, inspection, hazard, order, check, by, result
                ).case
                break
            order.status = OrderStatus.OPEN
            order.deadline = check + dt.timedelta(days=rng.randint(7, 15))
            why = rng.choice(NOT_FIXED_NOTES)
            log.append(f"{check:%Y-%m-%d} 复查：未整改 · 新期限{order.deadline:%Y-%m-%d}：{why}")
            since = check
        order.result = "\n".join(log)
        if order.status in (OrderStatus.OPEN, OrderStatus.REPORTED_DONE) and order.deadline < today:
            self.t.stats["orders_overdue"] += 1
        return order

    def escalate_hazard(self, v, inspection, hazard, order, day, by, result) -> Draft:
        """The unrectified hazard goes into the case register (type hazard), held by whoever
        escalated it."""
        rng, name = self.rng, inspection.place_name
        moment = max(
            self.t.at(day, 0, 5), min(self.t.office(day), self.now - minutes(rng.uniform(1, 20)))
        )
        description = "\n".join(
            [
                f"检查发现（{inspection.inspected_on:%Y-%m-%d}）：{hazard.description}",
                f"整改要求：{order.responsible}于{order.deadline:%Y-%m-%d}前{order.measures}",
                f"复查情况：{result}",
            ]
        )
        d = self.cases.new_case(
            v,
            "hazard",
            moment,
            moment + minutes(1),
            severity=hazard.severity,
            reporter_kind="staff",
            title=f"隐患未整改：{name}"[:100],
            description=description,
            owner=by,
            where=spot(name, inspection.address or name, None, *v.centre),
        )
        d.case.reporter_name = str(by)[:50]
        self.t.stats["hazard_cases"] += 1
        self.story.tell(d, route=rng.choice(["resolve", "resolve", "township"]))
        return d

    def write(self) -> None:
        insert(Inspection, [i for i, _items, _h in self.inspections])
        insert(ChecklistItem, [x for _i, items, _h in self.inspections for x in items])
        insert(Hazard, [h for _i, _x, hazards in self.inspections for h, _o in hazards])
        insert(RectificationOrder, [o for _i, _x, hazards in self.inspections for _h, o in hazards])
