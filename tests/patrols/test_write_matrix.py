"""Seeing is not changing: every write route, POSTed by every persona.

Which routes write: every named route of the project is resolved and POSTed once by a system
administrator; a route whose view answers 405 takes no POST. Every other route must be
classified below — a patrol route in CASES (the record it is aimed at and the answer each
persona must get) or in READ_ONLY (answers a POST like a GET and writes nothing), any other
route in ELSEWHERE with the test that covers it — so a new write route fails
`test_every_write_route_is_classified` until someone says who may use it.

The world: village 1's patrol records (tests/patrols/walk.py) and a joint zone of villages 1
and 2. A zone is run by its township (`JointZone.region`, the rule zone editing always had):
the township's planners change the zone and everything on it; the member villages see it all
and change none of it.

Personas: `runner` the officer of 枫桥镇 (runs the zone, and is above village 1); `own`
village 1's director (owns the village records; a member village of the zone); `neighbour`
village 2's director (the next village, and a member village of the zone); `member` village
2's patrol member, who serves on the zone; `self` the village-1 member whose shifts these
are; `outsider` the officer of another township.

Answers: OK (2xx/3xx and patrol rows changed), 403 (seen, but not theirs to change), 404 (not
seen at all), REFUSED (200/302/400 with a form error or a message: a choice that is not
offered, or a check-in that only the member on duty makes). A refusal changes nothing: every
patrol table, history included, is compared before and after each POST.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qunfang.core.permissions import NotYours
from qunfang.patrols.models import (
    Assignment,
    JointZone,
    Outcome,
    Roster,
    RosterStatus,
    Shift,
    ShiftKind,
    ShiftPattern,
    SwapRequest,
    SwapStatus,
    ZoneVillage,
)
from qunfang.patrols.services import signs
from qunfang.patrols.services.rostering import (
    RosterRequest,
    generate_roster,
    publish_roster,
    withdraw_roster,
)
from qunfang.patrols.services.shifts import declare_absence, record_outcome
from qunfang.patrols.services.swaps import decide_swap, request_swap, withdraw_swap
from qunfang.registry.models import Membership, Person
from tests.core.test_outsider_walk import (
    FOREIGN_404,
    PUBLIC,
    SCOPED,
    TOWNSHIP_404,
    _params,
    all_routes,
)
from tests.core.test_outsider_walk import ROUTES as WALK_ROUTES
from tests.governance import GOVERNANCE_WALKS
from tests.patrols import walk_planning, walk_records, walk_self
from tests.patrols.walk import patrol_records

pytestmark = pytest.mark.django_db

OK, REFUSED = "ok", "refused"
ACCOUNTS = {
    "runner": "township_officer",
    "own": "director1",
    "neighbour": "director2",
    "member": "patrol2",
    "self": "patrol1",
    "outsider": "township2_officer",
}
PERSONAS = tuple(ACCOUNTS)


def row(runner, own, neighbour, member, self_, outsider) -> dict[str, object]:
    return dict(zip(PERSONAS, (runner, own, neighbour, member, self_, outsider), strict=True))


# Planning and records need MANAGE_PATROLS: the two patrol members are refused (403) first.
VILLAGE_RECORD = row(OK, OK, 404, 403, 403, 404)  # a village-1 record named in the URL
ZONE_RECORD = row(OK, 403, 403, 403, 403, 404)  # a joint zone's record: its runner only
NEW_IN_VILLAGE = row(OK, OK, REFUSED, 403, 403, REFUSED)  # village 1 is no choice next door
NEW_IN_ZONE = row(OK, REFUSED, REFUSED, 403, 403, REFUSED)  # the zone is a choice for its runner
NEW_ZONE = row(OK, 403, 403, 403, 403, REFUSED)  # villages set up no zone; 枫桥镇 is no choice
NOT_A_TURN = row(REFUSED, 403, 403, 403, 403, 404)  # its runner is told a zone shift is no turn
# Self-service: the member on duty, or a planner who may change the shift.
OWN_SHIFT = row(OK, OK, 404, 404, OK, 404)
OWN_ZONE_SHIFT = row(OK, 403, 403, 403, OK, 404)
CHECK_IN = row(REFUSED, REFUSED, 404, 404, OK, 404)  # only the member on duty checks in
CHECK_IN_ZONE = row(REFUSED, REFUSED, REFUSED, REFUSED, OK, 404)
ONESELF = row(REFUSED, REFUSED, REFUSED, OK, OK, REFUSED)  # an account without a person is told
SCAN = row(REFUSED, REFUSED, 404, OK, OK, 404)  # the zone's round crosses into village 1
# The phone API: PATROL members only (403 for the rest), their own shifts.
API_VILLAGE = row(403, 403, 403, 404, OK, 403)
API_ZONE_CHECK_IN = row(403, 403, 403, REFUSED, OK, 403)
API_ZONE_SWAP = row(403, 403, 403, 403, OK, 403)
API_ONESELF = row(403, 403, 403, OK, OK, 403)


# ---- the world ----------------------------------------------------------------------------------


def _roster(region, zone=None, *, days=(20, 26), by, published=False) -> Roster:
    today = timezone.localdate()
    roster = Roster(
        region=region,
        zone=zone,
        created_by=by,
        starts_on=today + dt.timedelta(days=days[0]),
        ends_on=today + dt.timedelta(days=days[1]),
    )
    if published:
        roster.status, roster.published_by, roster.published_at = "published", by, timezone.now()
    roster.save()
    return roster


def _shift(roster, pattern, start: dt.datetime, hours: float) -> Shift:
    return Shift.objects.create(
        roster=roster,
        region=pattern.region,
        zone=pattern.zone,
        pattern=pattern,
        service_date=timezone.localdate(start),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        night=pattern.is_night,
        headcount=2,
    )


def _on(shift: Shift, person: Person, **extra) -> Assignment:
    return Assignment.objects.create(
        shift=shift, region=shift.region, zone=shift.zone, person=person, **extra
    )


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


def zone_world(world, records) -> SimpleNamespace:
    """walk.py's village-1 records, plus what the matrix aims at: a village shift of patrol1's
    to swap, a household turn to stand in, a draft roster; and a joint zone of villages 1 and 2
    run by 枫桥镇, with a published roster (a shift running now, two to come, a pending swap)
    and a draft."""
    w = patrol_records(world, records)
    w.world, w.today, now = world, timezone.localdate(), timezone.now()
    village1, township, me = world.village1, world.township, records.person
    w.helper = Person.objects.get(name="周立强")  # walk.py's second village-1 member
    Membership.objects.create(person=w.helper, post=records.post, started_on=dt.date(2025, 1, 1))
    w.kin = Person.objects.create(
        region=village1,
        household=records.household,
        name="楼小根",
        sex="M",
        birth_date=dt.date(1995, 6, 1),
    )
    w.theirs = Person.objects.create(
        region=world.village2,
        name="斯伟东",
        sex="M",
        birth_date=dt.date(1985, 1, 1),
        account=world.patrol2,
    )
    w.spare = Person.objects.create(
        region=world.village2, name="金阿三", sex="M", birth_date=dt.date(1982, 1, 1)
    )
    day = ShiftPattern.objects.create(
        region=village1,
        name="枫源村白班",
        kind=ShiftKind.DAY,
        starts_at=dt.time(8),
        duration_minutes=480,
        valid_from=w.today,
    )
    w.mine_later = _on(_shift(w.roster, day, _at(3, 8), 8), me)
    w.turn = _on(_shift(w.roster, w.pattern, _at(4, 20), 8), me, household=records.household)
    w.draft = _roster(village1, by=world.director1)

    w.joint = JointZone.objects.create(region=township, name="枫源—乐山联勤区")
    ZoneVillage.objects.create(zone=w.joint, village=village1, cost_share=Decimal("60"))
    ZoneVillage.objects.create(zone=w.joint, village=world.village2, cost_share=Decimal("40"))
    w.joint.members.set([me, w.theirs, w.spare])
    w.joint_pattern = ShiftPattern.objects.create(
        region=township,
        zone=w.joint,
        name="边界夜巡",
        kind=ShiftKind.NIGHT,
        starts_at=dt.time(21),
        duration_minutes=360,
        valid_from=w.today,
    )
    on_zone = _roster(township, w.joint, days=(-1, 6), by=world.township_officer, published=True)
    running = _shift(on_zone, w.joint_pattern, now - dt.timedelta(minutes=30), 6)
    w.joint_mine = _on(running, me)
    _on(running, w.theirs)
    w.joint_upcoming = _on(_shift(on_zone, w.joint_pattern, _at(3, 21), 6), me)
    swapped = _on(_shift(on_zone, w.joint_pattern, _at(5, 21), 6), me)
    w.joint_swap = SwapRequest.objects.create(
        assignment=swapped,
        region=township,
        zone=w.joint,
        replacement=w.spare,
        requested_by=world.patrol1,
    )
    w.joint_draft = _roster(township, w.joint, by=world.township_officer)
    return w


@pytest.fixture
def w(world, records):
    return zone_world(world, records)


# ---- what each route is sent --------------------------------------------------------------------


def _day(w, days: int) -> str:
    return (w.today + dt.timedelta(days=days)).isoformat()


def _pattern(w, **fields) -> dict:
    return {
        "kind": "day",
        "starts_at": "08:00",
        "hours": "8",
        "days": list("1234567"),
        "headcount": "1",
        "weight": "1",
        "valid_from": _day(w, 0),
        "active": "on",
        **fields,
    }


def _shares(w, first: str, second: str) -> dict:
    return {f"share_{w.world.village1.pk}": first, f"share_{w.world.village2.pk}": second}


def _roster_for(w, scope: str) -> dict:
    return {
        "scope": scope,
        "period": "week",
        "starts_on": _day(w, 14),
        "min_rest_hours": "8",
        "max_nights_per_week": "2",
    }


def _start(assignment) -> dict:
    return {"client_id": str(uuid.uuid4()), "assignment": assignment.pk, "kind": "start"}


POINT = {"radius_m": "150", "sign_period": "604800", "active": "on"}
BODIES: dict[str, Callable] = {
    "point": lambda w: {"region": w.world.village1.pk, "name": "新设点", **POINT},
    "point_edit": lambda w: {"name": "村委会点（改）", **POINT},
    "proof": lambda w: {"positions_required": "on"},
    "route": lambda w: {"region": w.world.village1.pk, "name": "新路线", f"stop_{w.point.pk}": "1"},
    "route_edit": lambda w: {"name": "东线（改）", f"stop_{w.point.pk}": "1"},
    "pattern": lambda w: _pattern(w, region=w.world.village1.pk, name="新白班"),
    "zone_pattern": lambda w: _pattern(w, region=w.world.township.pk, zone=w.joint.pk, name="新巡"),
    "pattern_edit": lambda w: _pattern(
        w, name="夜班（改）", route=w.route.pk, household_group=w.group.pk
    ),
    "zone_pattern_edit": lambda w: _pattern(w, name="边界夜巡（改）", zone=w.joint.pk),
    "season": lambda w: {
        "region": w.world.village1.pk,
        "name": "春耕",
        "starts_on": _day(w, 30),
        "ends_on": _day(w, 40),
    },
    "season_edit": lambda w: {"name": "秋收（改）", "starts_on": _day(w, 0), "ends_on": _day(w, 9)},
    "zone": lambda w: {"region": w.world.township.pk, "name": "新联防区", **_shares(w, "50", "50")},
    "zone_edit": lambda w: {
        "name": "联勤区（改）",
        "members": [p.pk for p in w.joint.members.all()],
        **_shares(w, "60", "40"),
    },
    "roster": lambda w: _roster_for(w, f"village:{w.world.village1.pk}"),
    "zone_roster": lambda w: _roster_for(w, f"zone:{w.joint.pk}"),
    "outcome": lambda w: {"outcome": "served"},
    "buyout": lambda w: {"amount": "50"},
    "stand_in": lambda w: {"person": w.kin.pk},
    "swap": lambda w: {"replacement": w.helper.pk, "reason": "家里有事"},
    "zone_swap": lambda w: {"replacement": w.spare.pk, "reason": "家里有事"},
    "decide": lambda w: {"decision": "reject"},
    "start": lambda w: {"kind": "start", "client_id": str(uuid.uuid4())},
    "absence": lambda w: {"starts_on": _day(w, 30), "ends_on": _day(w, 32), "reason": "外出务工"},
    "scan": lambda w: {
        "client_id": str(uuid.uuid4()),
        "code": signs.current_code(w.point),
        "finding": "nothing",
    },
    "api_check_in": lambda w: _start(w.assignment),
    "api_zone_check_in": lambda w: _start(w.joint_mine),
    "api_swap": lambda w: {"assignment": w.mine_later.pk, "replacement": w.helper.pk},
    "api_zone_swap": lambda w: {"assignment": w.joint_upcoming.pk, "replacement": w.spare.pk},
}


@dataclass
class Case:
    route: str
    target: str  # what the URL or the body names
    expect: dict[str, object]
    body: str | None = None  # key of BODIES
    pk: str | None = None  # attribute of the world that fills `pk`

    @property
    def id(self) -> str:
        return f"{self.route}[{self.target}]"


CASES = [
    # planning: points, routes, patterns and seasons of village 1, and the zone's patterns
    Case("patrols:point_create", "village 1", NEW_IN_VILLAGE, "point"),
    Case("patrols:point_edit", "village 1", VILLAGE_RECORD, "point_edit", "point"),
    Case("patrols:point_display_create", "village 1", VILLAGE_RECORD, pk="point"),
    Case("patrols:point_display_revoke", "village 1", VILLAGE_RECORD, pk="display"),
    Case("patrols:village_proof_settings", "village 1", VILLAGE_RECORD, "proof", "village"),
    Case("patrols:route_create", "village 1", NEW_IN_VILLAGE, "route"),
    Case("patrols:route_edit", "village 1", VILLAGE_RECORD, "route_edit", "route"),
    Case("patrols:pattern_create", "village 1", NEW_IN_VILLAGE, "pattern"),
    Case("patrols:pattern_create", "zone", NEW_IN_ZONE, "zone_pattern"),
    Case("patrols:pattern_edit", "village 1", VILLAGE_RECORD, "pattern_edit", "pattern"),
    Case("patrols:pattern_edit", "zone", ZONE_RECORD, "zone_pattern_edit", "joint_pattern"),
    Case("patrols:season_create", "village 1", NEW_IN_VILLAGE, "season"),
    Case("patrols:season_edit", "village 1", VILLAGE_RECORD, "season_edit", "season"),
    # the zone itself
    Case("patrols:zone_create", "township", NEW_ZONE, "zone"),
    Case("patrols:zone_edit", "zone", ZONE_RECORD, "zone_edit", "joint"),
    # rosters: made, published and withdrawn by the village, or by whoever runs the zone
    Case("patrols:roster_create", "village 1", NEW_IN_VILLAGE, "roster"),
    Case("patrols:roster_create", "zone", NEW_IN_ZONE, "zone_roster"),
    Case("patrols:roster_publish", "village 1", VILLAGE_RECORD, pk="draft"),
    Case("patrols:roster_publish", "zone", ZONE_RECORD, pk="joint_draft"),
    Case("patrols:roster_withdraw", "village 1", VILLAGE_RECORD, pk="draft"),
    Case("patrols:roster_withdraw", "zone", ZONE_RECORD, pk="joint_draft"),
    # records: a village settles its own people's turns; a zone's shift, whoever runs the zone
    Case("patrols:assignment_outcome", "village 1", VILLAGE_RECORD, "outcome", "assignment"),
    Case("patrols:assignment_outcome", "zone", ZONE_RECORD, "outcome", "joint_mine"),
    Case("patrols:ledger_buyout", "village 1", VILLAGE_RECORD, "buyout", "upcoming"),
    Case("patrols:ledger_buyout", "zone", NOT_A_TURN, "buyout", "joint_upcoming"),
    Case("patrols:stand_in", "village 1", VILLAGE_RECORD, "stand_in", "turn"),
    Case("patrols:stand_in", "zone", NOT_A_TURN, "stand_in", "joint_upcoming"),
    # self-service: swaps, check-ins, absences, scanning a sign
    Case("patrols:swap_create", "village 1", OWN_SHIFT, "swap", "mine_later"),
    Case("patrols:swap_create", "zone", OWN_ZONE_SHIFT, "zone_swap", "joint_upcoming"),
    Case("patrols:swap_withdraw", "village 1", OWN_SHIFT, pk="swap"),
    Case("patrols:swap_withdraw", "zone", OWN_ZONE_SHIFT, pk="joint_swap"),
    Case("patrols:swap_decide", "village 1", VILLAGE_RECORD, "decide", "swap"),
    Case("patrols:swap_decide", "zone", ZONE_RECORD, "decide", "joint_swap"),
    Case("patrols:checkin_action", "village 1", CHECK_IN, "start", "assignment"),
    Case("patrols:checkin_action", "zone", CHECK_IN_ZONE, "start", "joint_mine"),
    Case("patrols:absence_create", "oneself", ONESELF, "absence"),
    Case("patrols:scan", "village 1 point", SCAN, "scan", "point"),
    # the phone API (JSON)
    Case("api:patrols_check_in", "village 1", API_VILLAGE, "api_check_in"),
    Case("api:patrols_check_in", "zone", API_ZONE_CHECK_IN, "api_zone_check_in"),
    Case("api:patrols_absence_create", "oneself", API_ONESELF, "absence"),
    Case("api:patrols_swap_create", "village 1", API_VILLAGE, "api_swap"),
    Case("api:patrols_swap_create", "zone", API_ZONE_SWAP, "api_zone_swap"),
]


def _names(text: str) -> list[str]:
    return text.split()


# Patrol routes that take a POST and answer it like a GET: the matrix proves they write nothing.
READ_ONLY = set(
    _names("""
    patrols:point_list patrols:point_detail patrols:point_sign
    patrols:route_list patrols:route_detail patrols:pattern_list
    patrols:season_list patrols:zone_list patrols:zone_detail patrols:roster_list patrols:unfilled
    patrols:roster_detail patrols:roster_print patrols:roster_export patrols:my patrols:swap_list
    patrols:on_duty patrols:notifications patrols:log_list patrols:shift_detail
    patrols:check_in_photo patrols:attendance patrols:attendance_export
    patrols:rotation patrols:household_ledger
    """)
)

# The other apps' write routes, each with what covers it (and how the outsider walk, which
# walks them all, must classify it).
WALK_404 = "outsider walk: names a record; the next village and another township get 404"
WALK_SCOPED = "outsider walk: names no record; offers and shows only the user's own places"
WALK_TOWNSHIP = (
    "outsider walk: names a record of village 1's township, which its villages read and do not "
    "change; another township gets 404"
)
OWN_ACCOUNT = "the signed-in user's own account and settings"
SESSION = "signing in and out, the language, the API's schema: no record of anyone"
PUBLIC_FORM = "a village's public opinion box: anyone may write (tests/casebook/test_opinions.py)"
WALK_KIND = {
    WALK_404: FOREIGN_404,
    WALK_SCOPED: SCOPED,
    WALK_TOWNSHIP: TOWNSHIP_404,
    OWN_ACCOUNT: SCOPED,
    SESSION: PUBLIC,
    PUBLIC_FORM: PUBLIC,
}
ELSEWHERE: dict[str, str] = {
    **dict.fromkeys(
        _names("login logout set_language api:openapi-json api:openapi-view api:api-root"), SESSION
    ),
    **dict.fromkeys(
        _names("core:account core:password_change core:notification_settings"), OWN_ACCOUNT
    ),
    **dict.fromkeys(
        _names(
            "casebook:public_form casebook:public_board casebook:public_track "
            "governance:report_public"
        ),
        PUBLIC_FORM,
    ),
    **dict.fromkeys(
        _names("""
        home core:region_list core:user_list core:security_log registry:organisation_list
        registry:organisation_create registry:person_list registry:person_create registry:due_list
        registry:household_list registry:household_create registry:group_list registry:group_create
        registry:import registry:contract_list registry:contract_create casebook:case_list
        casebook:case_create casebook:escalation_inbox
        casebook:situation_list casebook:situation_submit casebook:mediation_list
        casebook:mediation_create casebook:inspection_list
        casebook:inspection_create casebook:overdue_orders
        casebook:opinion_list casebook:opinion_create
        """),
        WALK_SCOPED,
    ),
    **dict.fromkeys(
        _names("""
        core:region_detail core:user_detail core:user_reveal registry:organisation_detail
        registry:organisation_edit registry:post_create registry:post_edit registry:post_place
        registry:membership_end registry:person_detail registry:person_edit registry:person_reveal
        registry:vetting_add registry:training_add registry:vetting_sign registry:household_detail
        registry:household_edit registry:group_detail registry:group_edit registry:group_print
        registry:contract_detail registry:contract_edit registry:contract_transition
        registry:contract_renew registry:contract_print registry:contract_scan casebook:case_detail
        casebook:case_reporter_reveal casebook:case_move casebook:case_handover
        casebook:case_handover_answer casebook:case_report_upward casebook:escalation_acknowledge
        casebook:attachment_download casebook:mediation_detail casebook:mediation_session_add
        casebook:mediation_move casebook:mediation_follow_up casebook:mediation_print
        casebook:inspection_detail casebook:inspection_record casebook:hazard_add
        casebook:inspection_print casebook:hazard_photo casebook:order_create
        casebook:order_report_done casebook:order_reinspect casebook:opinion_poster
        casebook:opinion_detail casebook:opinion_contact_reveal casebook:opinion_sender_reveal
        casebook:opinion_confidential casebook:opinion_answer casebook:opinion_move
        casebook:opinion_to_case registry:import_columns
        """),
        WALK_404,
    ),
}
# the governance books list their write routes beside their walk classification
for _walk_module in GOVERNANCE_WALKS:
    ELSEWHERE.update(
        {
            name: {FOREIGN_404: WALK_404, TOWNSHIP_404: WALK_TOWNSHIP}.get(
                _walk_module.ROUTES[name], WALK_SCOPED
            )
            for name in _walk_module.WRITES
        }
    )
# Django admin ("admin:…") is left to test_admin_routes_are_closed_to_everyone_but_system_…


# ---- which routes write -------------------------------------------------------------------------


def _probe_kwargs(pattern) -> dict:
    """Values of the right shape: a view that refuses POST does so before it looks anything up."""
    converters = pattern.pattern.converters
    return {
        p: 999_999 if type(converters.get(p)).__name__ == "IntConverter" else "x"
        for p in _params(pattern)
    }


def write_routes(admin) -> set[str]:
    """Every named route (Django admin aside) whose view does not answer 405 to a POST."""
    client = Client(raise_request_exception=False)
    found = set()
    for name, pattern in all_routes():
        if name.startswith("admin:"):
            continue
        client.force_login(admin)  # each time: one of them signs out
        if client.post(reverse(name, kwargs=_probe_kwargs(pattern))).status_code != 405:
            found.add(name)
    return found


def test_every_write_route_is_classified(world):
    writes = write_routes(world.admin)
    patrol = {name for name in writes if name.startswith(("patrols:", "api:patrols_"))}
    aimed = {case.route for case in CASES}
    assert patrol - aimed - READ_ONLY == set(), "put the new patrol write route in CASES"
    assert writes - patrol - ELSEWHERE.keys() == set(), "classify the new write route in ELSEWHERE"
    listed = aimed | READ_ONLY | ELSEWHERE.keys()
    assert listed - writes == set(), "listed here, but no such route, or it answers 405 to POST"
    assert not aimed & READ_ONLY
    for name, covered_by in ELSEWHERE.items():
        assert WALK_ROUTES[name] == WALK_KIND[covered_by], name


# ---- the matrix ----------------------------------------------------------------------------------


def snapshot() -> dict[str, list]:
    """Every row of every patrol table, history included."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_app_config("patrols").get_models()
    }


def _send(client: Client, case: Case, w):
    url = reverse(case.route, kwargs={"pk": getattr(w, case.pk).pk} if case.pk else {})
    body = BODIES[case.body](w) if case.body else {}
    if case.route.startswith("api:"):
        return client.post(url, json.dumps(body), content_type="application/json")
    return client.post(url, body)


def _fits(expected, status: int, changed: bool) -> bool:
    if expected == OK:
        return 200 <= status < 400 and changed
    if expected == REFUSED:
        return status in (200, 302, 400) and not changed
    return status == expected and not changed


def _as(client: Client, user, send: Callable) -> tuple[int, bool]:
    """POST as `user`, then undo whatever it did, so the next persona meets the same world."""
    savepoint = transaction.savepoint()
    try:
        client.force_login(user)
        before = snapshot()
        status = send().status_code
        return status, snapshot() != before
    finally:
        transaction.savepoint_rollback(savepoint)
        client.logout()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_each_persona_changes_only_what_is_theirs(case, w):
    assert set(case.expect) == set(PERSONAS)
    client, wrong = Client(), []
    for persona, expected in case.expect.items():
        user = getattr(w.world, ACCOUNTS[persona])
        status, changed = _as(client, user, lambda: _send(client, case, w))
        if not _fits(expected, status, changed):
            wrong.append(f"{persona}: expected {expected}, got {status}{' + a change' * changed}")
    assert not wrong, f"{case.id}: {'; '.join(wrong)}"


def test_read_only_routes_write_nothing_for_anyone(w):
    owners = {**walk_planning.PK_OWNER, **walk_records.PK_OWNER, **walk_self.PK_OWNER}
    client, wrote = Client(), []
    for name in sorted(READ_ONLY):
        url = reverse(name, kwargs={"pk": getattr(w, owners[name]).pk} if name in owners else {})
        for persona, account in ACCOUNTS.items():
            user = getattr(w.world, account)
            status, changed = _as(client, user, lambda url=url: client.post(url))
            if changed or status >= 500:
                wrote.append(f"{name} as {persona}: {status}")
    assert not wrote


# ---- what a member village is told and shown -----------------------------------------------------


def test_a_member_village_is_told_who_runs_the_zone(w, client, settings):
    client.force_login(w.world.director2)
    response = client.post(reverse("patrols:roster_publish", args=[w.joint_draft.pk]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "枫源—乐山联勤区" in page and "枫桥镇" in page  # the zone, and who runs it
    assert "只有其巡逻安排人员才能修改" in page  # in the user's language
    assert "您的角色无权进行此操作" not in page  # not the bare refusal
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    decide = reverse("patrols:swap_decide", args=[w.joint_swap.pk])
    english = client.post(decide, {"decision": "reject"})
    assert english.status_code == 403 and "only its planners can change it" in english.text
    w.joint_draft.refresh_from_db()
    w.joint_swap.refresh_from_db()
    assert w.joint_draft.status == RosterStatus.DRAFT and w.joint_swap.status == SwapStatus.PENDING


def test_a_member_village_sees_the_zone_without_its_buttons(w, client):
    def page(name, pk):
        return client.get(reverse(name, args=[pk]))

    client.force_login(w.world.director1)
    assert 'data-testid="publish"' not in page("patrols:roster_detail", w.joint_draft.pk).text
    assert 'data-testid="publish"' in page("patrols:roster_detail", w.draft.pk).text
    swaps = client.get(reverse("patrols:swap_list")).text
    assert reverse("patrols:swap_decide", args=[w.joint_swap.pk]) not in swaps
    assert 'data-testid="swap-not-yours"' in swaps
    assert reverse("patrols:swap_decide", args=[w.swap.pk]) in swaps  # village 1's own
    assert page("patrols:shift_detail", w.joint_mine.shift_id).context["can_settle"] is False
    assert not page("patrols:zone_detail", w.joint.pk).context["can_edit"]
    offered = client.get(reverse("patrols:pattern_create")).context["form"].fields["zone"]
    assert w.joint not in offered.queryset
    client.force_login(w.world.township_officer)  # the runner gets them all
    assert 'data-testid="publish"' in page("patrols:roster_detail", w.joint_draft.pk).text
    assert page("patrols:shift_detail", w.joint_mine.shift_id).context["can_settle"] is True
    assert page("patrols:zone_detail", w.joint.pk).context["can_edit"]


def test_the_services_keep_the_rule_for_the_api_and_the_commands(w):
    director1, director2 = w.world.director1, w.world.director2
    village_roster = RosterRequest(region=w.world.village1, starts_on=w.today, ends_on=w.today)
    zone_roster = RosterRequest(
        region=w.world.township, zone=w.joint, starts_on=w.today, ends_on=w.today
    )
    refused = [
        lambda: publish_roster(roster=w.joint_draft, by=director2),
        lambda: withdraw_roster(roster=w.joint_draft, by=director1),
        lambda: publish_roster(roster=w.draft, by=director2),
        lambda: decide_swap(swap=w.joint_swap, approve=False, by=director2),
        lambda: withdraw_swap(swap=w.joint_swap, by=director1),
        lambda: request_swap(
            assignment=w.joint_upcoming, replacement=w.spare, reason="", by=director1
        ),
        lambda: record_outcome(assignment=w.joint_mine, outcome=Outcome.SERVED, by=director2),
        lambda: declare_absence(
            person=w.helper, starts_on=w.today, ends_on=w.today, reason="", by=director2
        ),
        lambda: generate_roster(zone_roster, by=director1),
        lambda: generate_roster(village_roster, by=director2),
    ]
    before = snapshot()
    for call in refused:
        with pytest.raises(NotYours):
            call()
    assert snapshot() == before
    swap = decide_swap(swap=w.joint_swap, approve=False, by=w.world.township_officer)
    assert swap.status == SwapStatus.REJECTED


def test_make_roster_refuses_an_author_who_does_not_run_the_zone(w):
    with pytest.raises(CommandError, match="may not make this roster"):
        call_command(
            "make_roster", zone=w.joint.pk, month=f"{w.today:%Y-%m}", by="director1", seconds=1
        )
    assert not Roster.objects.filter(zone=w.joint, created_by=w.world.director1).exists()
