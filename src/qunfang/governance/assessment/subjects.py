"""Who a run scores: the township's villages, their organisations, the people who held a post in
one of them during the period; and which organisations a person's items count for."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from qunfang.core.models import Region, RegionKind
from qunfang.governance.assessment.catalogue import Context
from qunfang.registry.models import Membership, Organisation, OrgStatus, Person


@dataclass
class Subjects:
    villages: dict[int, str]  # village id -> name
    organisations: dict[int, tuple[int, str]]  # id -> (village id, name)
    people: dict[int, tuple[int, str]]  # id -> (village id, name)
    # person id -> the organisations they held a post in during the period
    member_of: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))


def villages_of(township: Region) -> dict[int, str]:
    return dict(
        Region.objects.filter(parent=township, kind=RegionKind.VILLAGE)
        .order_by("code")
        .values_list("id", "name")
    )


def subjects_for(ctx: Context, villages: dict[int, str]) -> Subjects:
    """The run's subjects, read once for the levels that share `ctx`'s reads."""
    return ctx.shared("subjects", lambda: _read(ctx, villages))


def _read(ctx: Context, villages: dict[int, str]) -> Subjects:
    organisations = {
        row["id"]: (row["region_id"], row["name"])
        for row in ctx.rows(Organisation, ["region_id", "name", "status"], region__in=ctx.villages)
        if row["status"] != OrgStatus.DISSOLVED
    }
    subjects = Subjects(villages, organisations, {})
    held = [
        row
        for row in ctx.rows(
            Membership,
            ["person_id", "post__organisation_id", "started_on", "ended_on"],
            post__organisation__in=list(organisations),
        )
        if row["started_on"] <= ctx.period.last
        and (row["ended_on"] is None or row["ended_on"] >= ctx.period.first)
    ]
    for row in held:
        subjects.member_of[row["person_id"]].add(row["post__organisation_id"])
    subjects.people = {
        pk: (region, name)
        for pk, region, name in Person.objects.filter(pk__in=list(subjects.member_of)).values_list(
            "id", "region_id", "name"
        )
    }
    return subjects
