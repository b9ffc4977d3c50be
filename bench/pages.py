"""How the foundation's pages scale: time and queries per page at 1x, 10x and 100x data.

1x is one township: 30 villages, 300 accounts, 3,000 security events, 300 households and
people, 60 organisations. Run:
    .venv/bin/python bench/pages.py [--scales 1 10 100] [--json]
Builds a throw-away SQLite database under a temporary folder; prints one row per page and scale.
"""

import argparse
import json
import statistics
import time

from throwaway import setup_throwaway_django

PAGES = [
    "/", "/regions/", "/accounts/", "/accounts/?page=3", "/security-log/", "/api/v1/regions",
    "/registry/organisations/", "/registry/people/", "/registry/people/?page=3", "/registry/households/",
    "/registry/groups/", "/registry/due/",
]  # fmt: skip


def build_registry(villages) -> None:
    """Per village: 10 households with a person each, 2 organisations with posts and holders,
    one ten-household group. Bulk writes: the benchmark measures reading, not the import."""
    import datetime as dt

    from qunfang.registry.models import (
        GroupMembership,
        Household,
        JointDefenceGroup,
        Membership,
        Organisation,
        Person,
        Post,
        TrainingRecord,
    )

    households = Household.objects.bulk_create(
        [Household(region=v, number=f"{i:04d}") for v in villages for i in range(10)]
    )
    people = Person.objects.bulk_create(
        [Person(region=h.region, household=h, name=f"村民{h.number}", sex="M", birth_date=dt.date(1980, 1, 1),
                phone="13800000000") for h in households]
    )  # fmt: skip
    orgs = Organisation.objects.bulk_create(
        [Organisation(region=v, name=f"{v.name}{kind}", kind=kind) for v in villages
         for kind in ("security_committee", "patrol_team")]
    )  # fmt: skip
    posts = Post.objects.bulk_create(
        [Post(organisation=o, title=t, seats=3, required_training="patrol" if t == "队员" else "")
         for o in orgs for t in ("主任", "队员")]
    )  # fmt: skip
    by_village = {}
    for person in people:
        by_village.setdefault(person.region_id, []).append(person)
    Membership.objects.bulk_create(
        [Membership(person=by_village[p.organisation.region_id][i], post=p, started_on=dt.date(2025, 1, 1))
         for p in posts for i in range(2)]
    )  # fmt: skip
    TrainingRecord.objects.bulk_create(
        [TrainingRecord(person=p, kind="patrol", course="巡逻", held_on=dt.date(2025, 3, 1), hours=8,
                        certificate_expires_on=dt.date(2026, 12, 1)) for p in people[::3]]
    )  # fmt: skip
    groups = JointDefenceGroup.objects.bulk_create(
        [
            JointDefenceGroup(region=v, name="第1联防组", formed_on=dt.date(2025, 1, 1))
            for v in villages
        ]
    )
    group_of = {g.region_id: g for g in groups}
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group_of[h.region_id], household=h, joined_on=dt.date(2025, 1, 1))
         for h in households]
    )  # fmt: skip


def build(scale: int) -> None:
    from django.contrib.auth.hashers import make_password

    from qunfang.core.models import (
        Region,
        RegionKind,
        SecurityEvent,
        SecurityEventKind,
        User,
        UserRole,
    )

    county = Region.objects.create(code="330681000000", name="诸暨市", kind=RegionKind.COUNTY)
    password = make_password("Bench-2026x")
    for t in range(scale):
        township = Region.objects.create(
            code=f"330681{100 + t:03d}000", name=f"镇{t}", kind=RegionKind.TOWNSHIP, parent=county
        )
        villages = [
            Region.objects.create(
                code=f"330681{100 + t:03d}{200 + v:03d}", name=f"镇{t}村{v}", kind=RegionKind.VILLAGE,
                parent=township,
            )
            for v in range(30)
        ]  # fmt: skip
        users = User.objects.bulk_create(
            [
                User(
                    username=f"u{t}-{v}-{i}",
                    full_name=f"村民{i}",
                    region=village,
                    password=password,
                )
                for v, village in enumerate(villages)
                for i in range(10)
            ]
        )
        UserRole.objects.bulk_create([UserRole(user=u, role="patrol_member") for u in users])
        build_registry(villages)
        SecurityEvent.objects.bulk_create(
            [
                SecurityEvent(
                    kind=SecurityEventKind.LOGIN_SUCCEEDED,
                    user=u,
                    username=u.username,
                    region=u.region,
                )
                for u in users
                for _ in range(10)
            ]
        )
    from qunfang.core.services import user_create

    township = Region.objects.get(code="330681100000")
    user_create(
        username="township", password="Bench-2026x", region=township, roles={"township_officer"}
    )
    user_create(username="admin", password="Bench-2026x", region=county, roles={"system_admin"})


def measure(username: str, repeats: int) -> list[dict]:
    from django.db import connection, reset_queries
    from django.test import Client

    from qunfang.core.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    rows = []
    for url in PAGES:
        client.get(url)  # warm up
        times, queries = [], 0
        for _ in range(repeats):
            reset_queries()
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            queries = len(connection.queries)
            assert response.status_code in (200, 403), (url, response.status_code)
        if response.status_code == 403:
            continue  # this role may not open the page
        rows.append({"url": url, "user": username, "median_ms": round(statistics.median(times) * 1000, 1),
                     "queries": queries})  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    setup_throwaway_django()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = True  # so that connection.queries counts queries
    results = []
    for scale in args.scales:
        call_command("flush", interactive=False, verbosity=0)
        start = time.perf_counter()
        build(scale)
        built = round(time.perf_counter() - start, 1)
        for username in ("township", "admin"):
            results += [
                {"scale": scale, "build_s": built, **row} for row in measure(username, args.repeats)
            ]
    if args.json:
        print(json.dumps({"pages": results}, ensure_ascii=False))
        return
    print(f"{'scale':>5} {'user':<9} {'url':<20} {'median ms':>9} {'queries':>7}")
    for r in results:
        print(
            f"{r['scale']:>5} {r['user']:<9} {r['url']:<20} {r['median_ms']:>9} {r['queries']:>7}"
        )


if __name__ == "__main__":
    main()
