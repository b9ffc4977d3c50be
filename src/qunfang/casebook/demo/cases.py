"""The case register of the demo year: the cases with their rhythms (when, where, who reports
them), the findings of the patrols that became cases, and what stands open now — an upward
report overdue, another not acknowledged, a hand-over declined and one waiting for an answer.
Each case's story is told by `story.Story`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, cast

from qunfang.casebook.demo.case_words import (
    CASE_TEXTS,
    DISPUTE_KINDS,
)
from qunfang.casebook.demo.rhythms import (
    CASES_A_YEAR,
    DEFAULT_SEVERITY,
    FINDING_CHANCE,
    INFORMANT_TYPES,
    REPORTERS,
    SEVERITIES,
    TYPE_SHARE,
    hours,
    minutes,
)
from qunfang.casebook.demo.story import Story
from qunfang.casebook.demo.township import Draft, Township, Village, spot
from qunfang.casebook.models import (
    Case,
    CaseEventKind,
    CaseParty,
    CaseStatus,
    Escalation,
    PartyRole,
    ReporterKind,
    Severity,
)
from qunfang.core.bulk import insert
from qunfang.core.demo import coordinate
from qunfang.core.demo.reference import FINDINGS
from qunfang.core.models import User
from qunfang.patrols.models import CheckIn, Finding

S = CaseStatus
E = CaseEventKind


def finding_case(finding: str, note: str) -> tuple[str, str]:
    """The case type a patrol's finding becomes, and for a dispute the kind of dispute."""
    known = dict(FINDINGS.get(finding, []))
    if finding == Finding.DISPUTE:
        return "dispute", known.get(note, "neighbours")
    if finding == Finding.HAZARD:
        return "hazard", ""
    return known.get(note, "other"), ""


class CaseRegister:
    """The year's cases, made in memory; `write()` puts them and their books in the database."""

    def __init__(self, t: Township, story: Story):
        self.t, self.rng, self.now = t, t.rng, t.now
        self.story = story
        self.drafts: list[Draft] = []

    def new_case(
        self,
        v: Village,
        code: str,
        occurred: dt.datetime,
        reported: dt.datetime,
        *,
        severity: int | None = None,
        where: dict | None = None,
        reporter_kind: str = "",
        reporter: dict | None = None,
        title: str = "",
        description: str = "",
        registered_by: User | None = None,
        owner: User | None = None,
        **extra,
    ) -> Draft:
        """An unsaved case with its place, reporter, parties and words."""
        rng = self.rng
        where = where or self.t.place(v, code)
        owner = owner or v.holder
        victim = reporter or (rng.choice(where["people"]) if where["people"] else self.t.person(v))
        kind = reporter_kind or self.t.pick(REPORTERS[code])
        case = Case(
            region=v.region,
            group_id=where["group_id"],
            case_type=self.t.types[code],
            severity=severity or self.severity(code),
            occurred_at=occurred,
            reported_at=reported,
            address=where["address"][:200],
            status=S.REGISTERED,
            owner=owner,
            registered_by=registered_by or owner,
            **extra,
        )
        if rng.random() < 0.92:
            case.latitude, case.longitude = coordinate(where["lat"]), coordinate(where["lon"])
        if kind == "person":
            case.reporter_kind, case.reporter_id, case.reporter_name = (
                ReporterKind.PERSON,
                victim["pk"],
                victim["name"],
            )
        elif kind == "hotline":
            case.reporter_kind, case.reporter_name = ReporterKind.HOTLINE, victim["name"]
        elif kind == "staff":
            case.reporter_kind, case.reporter_name = ReporterKind.STAFF, str(owner)[:50]
        elif kind == "patrol":
            case.reporter_kind, case.reporter_id, case.reporter_name = (
                ReporterKind.PATROL,
                victim["pk"],
                victim["name"],
            )
        elif kind == "public_form":
            case.reporter_kind, case.reporter_name = ReporterKind.PUBLIC_FORM, victim["name"]
        else:
            case.reporter_kind, case.reporter_name = ReporterKind.ANONYMOUS, ""
        # 举报人保密: hotline and public-form reporters always (as cases.register_case), and the
        # villagers who come to report gambling, violence at home or a stranger about
        case.reporter_confidential = bool(case.reporter_name) and (
            kind in ("hotline", "public_form") or (kind == "person" and code in INFORMANT_TYPES)
        )
        d = Draft(case=case, code=code, village=v, owner=owner)
        d.owners.append((reported, owner))
        self.people_of(d, where, victim)
        if not title:
            title, description = self.words(d, where, victim)
        case.title, case.description = title[:100], description
        self.drafts.append(d)
        self.t.stats["cases"] += 1
        return d

    def people_of(self, d: Draft, where: dict, victim: dict) -> None:
        """The parties: the victim, the two sides of a dispute, a suspect now and then."""
        rng, v, code = self.rng, d.village, d.code
        party = CaseParty
        if code in ("dispute", "traffic") or d.sub:
            d.a = victim
            d.b = (
                self.t.person(v, not_in=victim["household_id"])
                if code != "traffic" or rng.random() < 0.5
                else {"pk": None, "name": self.t.name(), "household_id": None, "address": ""}
            )
            note = "" if code != "traffic" else rng.choice(["电动车", "小轿车", "三轮车", "货车"])
            d.parties += [
                party(
                    case=d.case,
                    person_id=d.a["pk"],
                    name=d.a["name"],
                    role=PartyRole.PARTY,
                    note=note,
                ),
                party(case=d.case, person_id=d.b["pk"], name=d.b["name"], role=PartyRole.PARTY),
            ]
        elif code == "domestic_violence":
            family = v.by_household.get(victim["household_id"], [])
            man = next((p for p in family if p["sex"] == "M"), None) or {
                "pk": None,
                "name": self.t.name("M"),
            }
            woman = next((p for p in family if p["sex"] == "F"), None) or {
                "pk": None,
                "name": self.t.name("F"),
            }
            d.a, d.b, d.sub = man, woman, "marriage_family"
            d.parties += [
                party(
                    case=d.case, person_id=woman["pk"], name=woman["name"], role=PartyRole.VICTIM
                ),
                party(case=d.case, person_id=man["pk"], name=man["name"], role=PartyRole.SUSPECT),
            ]
        elif code in ("theft", "burglary", "fraud") and victim["pk"]:
            d.parties.append(
                party(
                    case=d.case, person_id=victim["pk"], name=victim["name"], role=PartyRole.VICTIM
                )
            )
            if rng.random() < 0.15:
                d.parties.append(
                    party(
                        case=d.case,
                        name=rng.choice(["不明身份男子", "外地口音男子"]),
                        role=PartyRole.SUSPECT,
                        note="监控拍到",
                    )
                )
        elif code == "gambling" and rng.random() < 0.5:
            d.parties += [
                party(case=d.case, name=self.t.name("M"), role=PartyRole.SUSPECT, note="组织者")
            ]
        elif code == "fire" and victim["pk"] and rng.random() < 0.6:
            d.parties.append(
                party(
                    case=d.case, person_id=victim["pk"], name=victim["name"], role=PartyRole.PARTY
                )
            )

    def words(self, d: Draft, where: dict, victim: dict) -> tuple[str, str]:
        rng, code = self.rng, d.code
        day = self.t.local(d.case.occurred_at).date()
        values = {
            "who": victim["name"],
            "place": where["name"],
            "address": where["address"],
            "amount": int(self.t.amount(code)),
            "n": rng.randint(1, 5),
            "village": d.village.region.name,
        }
        if code == "dispute":
            kind = next((k for k in DISPUTE_KINDS if k[0] == d.sub), None) or self.t.dispute_kind(
                day
            )
            d.sub = kind[0]
            sides = cast("tuple[dict[str, Any], dict[str, Any]]", (d.a, d.b))  # a dispute's: set
            values.update(a=sides[0]["name"], b=sides[1]["name"], why=rng.choice(kind[5]))
            return kind[3].format(**values), kind[4].format(**values)
        if d.a and d.b:
            values.update(a=d.a["name"], b=d.b["name"])
        if code == "traffic":
            d.sub = "traffic"
        texts = [t for t in CASE_TEXTS[code] if self.t.calendar.fits(t[2], day)] or CASE_TEXTS[
            code
        ][:1]
        title, text, _season = rng.choice(texts)
        return title.format(**values), text.format(**values)

    def incidents(self) -> None:
        """The year's cases with their rhythms, each told to where it stands now."""
        rng = self.rng
        wanted = round(CASES_A_YEAR * self.t.scale) - self.t.stats["cases"]
        codes = [c for c in TYPE_SHARE if c in self.t.types]
        tilts = {
            "traffic": {"community": 1.5},
            "theft": {"community": 1.3},
            "fraud": {"community": 1.2},
            "fire": {"village": 1.3},
            "dispute": {"village": 1.2},
        }
        for _k in range(max(wanted, 0)):
            code = rng.choices(codes, weights=[TYPE_SHARE[c] for c in codes])[0]
            v = self.t.pick_village(tilts.get(code))
            occurred = self.t.occurrence(code)
            d = self.new_case(v, code, occurred, self.report_time(code, occurred))
            self.story.tell(d)

    def patrol_cases(self) -> None:
        """Findings of the patrol log that the director registered as cases."""
        rng = self.rng
        by_region = {v.region.pk: v for v in self.t.villages}
        taken = {c["source_check_in_id"] for c in self.t.existing if c["source_check_in_id"]}
        rows = (
            CheckIn.objects.filter(
                accepted=True, recorded_at__lt=self.now, point__region_id__in=list(by_region)
            )
            .exclude(finding=Finding.NOTHING)
            .order_by("pk")
            .values(
                "pk",
                "finding",
                "note",
                "recorded_at",
                "latitude",
                "longitude",
                "point__name",
                "point__region_id",
                "assignment__person_id",
                "assignment__person__name",
                "by_id",
            )
        )
        users = {u.pk: u for u in User.objects.filter(pk__in={r["by_id"] for r in rows})}
        for row in rows:
            if row["pk"] in taken or rng.random() >= FINDING_CHANCE.get(row["finding"], 0):
                continue
            v = by_region[row["point__region_id"]]
            note = row["note"]
            code, sub = finding_case(row["finding"], note)
            if code not in self.t.types:
                continue
            seen = row["recorded_at"]
            reported = min(seen + minutes(rng.uniform(2, 40)), self.now - minutes(1))
            place = next((p for p in v.places if p.name == row["point__name"]), None)
            lat = float(
                row["latitude"]
                if row["latitude"] is not None
                else place.lat
                if place
                else v.centre[0]
            )
            lon = float(
                row["longitude"]
                if row["longitude"] is not None
                else place.lon
                if place
                else v.centre[1]
            )
            name = row["point__name"]
            where = spot(
                name, f"{v.region.name}{name}", place.group_id if place else None, lat, lon
            )
            patroller = {
                "pk": row["assignment__person_id"],
                "name": row["assignment__person__name"],
                "household_id": None,
                "sex": "",
            }
            title = note.split("，")[0][:100] or row["point__name"]
            d = self.new_case(
                v,
                code,
                seen - minutes(rng.uniform(0, 30)),
                reported,
                where=where,
                reporter_kind="patrol",
                reporter=patroller,
                title=title,
                description=f"巡逻队员{patroller['name']}在{name}巡逻时发现：{note}。",
                registered_by=users.get(row["by_id"], v.holder),
                severity=self.rng.choice([1, 2, 2]),
                source_check_in_id=row["pk"],
            )
            if code == "dispute":
                d.sub = sub
                d.a = self.t.person(v)
                d.b = self.t.person(v, not_in=d.a["household_id"])
                d.parties = [
                    CaseParty(case=d.case, person_id=p["pk"], name=p["name"], role=PartyRole.PARTY)
                    for p in (d.a, d.b)
                ]
            self.t.stats["patrol_cases"] += 1
            self.story.tell(d)

    def report_time(self, code: str, occurred: dt.datetime) -> dt.datetime:
        rng = self.rng
        local = self.t.local(occurred)
        if code in ("theft", "burglary") and (local.hour >= 22 or local.hour < 6):
            morning = local.date() + dt.timedelta(days=1 if local.hour >= 22 else 0)
            moment = self.t.at(morning, rng.choice([6, 7, 7, 8, 8, 9]), rng.randint(0, 59))
        elif code == "fraud":
            moment = occurred + hours(rng.uniform(0.5, 48))
        elif code in ("fire", "traffic"):
            moment = occurred + minutes(rng.uniform(2, 30))
        elif code == "hazard":
            moment = occurred + hours(rng.uniform(0.5, 24))
        else:
            moment = occurred + minutes(rng.uniform(5, 120))
        return max(occurred + minutes(1), min(moment, self.now - minutes(5)))

    def severity(self, code: str) -> int:
        return self.rng.choices(Severity.values, weights=SEVERITIES.get(code, DEFAULT_SEVERITY))[0]

    # ---- numbers and writing ----------------------------------------------------------------

    def number(self) -> None:
        """Running numbers per village and year, in the order of reporting (after any case the
        register already holds)."""
        top: defaultdict[tuple[int, int], int] = defaultdict(int)
        for row in self.t.existing:
            key = (row["region_id"], row["year"])
            top[key] = max(top[key], row["serial"])
        for d in sorted(self.drafts, key=lambda d: (d.case.reported_at, d.case.occurred_at)):
            c = d.case
            c.year = self.t.local(c.reported_at).year
            key = (c.region.pk, c.year)
            top[key] += 1
            c.serial = top[key]

    def write(self) -> None:
        """After the opinions they come from; the books of moves after the mediations are
        numbered (their notes name them)."""
        insert(Case, [d.case for d in self.drafts])
        self.story.write()
        insert(Escalation, [e for d in self.drafts for e in d.escalations.values()])
        insert(CaseParty, [p for d in self.drafts for p in d.parties])
        self.t.stats["escalations"] = sum(len(d.escalations) for d in self.drafts)
