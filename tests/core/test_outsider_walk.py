"""Walk every URL pattern of the project as outsiders and fail on any leak.

Every named route must be classified below; a new route that is not fails
`test_every_route_is_classified`, so nobody can add a page or an API route without saying how
it is scoped. Outsiders: the director of the next village (same township) and the officer of
another township. The records they try to reach belong to village 1.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from qunfang.core.models import Job, JobKind, JobStatus
from qunfang.core.spreadsheets import RowError, staging
from tests.casebook import walk_cases, walk_inspections, walk_mediation, walk_opinions
from tests.factories import contract_for
from tests.governance import GOVERNANCE_WALKS
from tests.patrols import walk_planning, walk_records, walk_self
from tests.patrols.walk import MARKER_POINT, patrol_records

PATROL_WALKS = (walk_planning, walk_records, walk_self)
# each casebook and governance book builds its own village-1 records; PK_OWNER names attributes
# of those
CASEBOOK_WALKS = (walk_cases, walk_mediation, walk_inspections, walk_opinions, *GOVERNANCE_WALKS)

# How an outsider must be answered.
FOREIGN_404 = "foreign-404"  # takes a village-1 record in the URL: 404, as if it did not exist
SCOPED = "scoped"  # no record in the URL: answers, but shows nothing of village 1
PUBLIC = "public"  # no sign-in needed, shows no jurisdiction data
# takes a record of village 1's township that all its villages read (an assessment scheme in
# use): the next village is answered as SCOPED (nothing of village 1), another township 404
TOWNSHIP_404 = "township-404"
ADMIN = "admin"  # Django admin: system administrators only

ROUTES = {
    "home": SCOPED,
    "healthz": PUBLIC,
    "favicon": PUBLIC,
    "login": PUBLIC,
    "logout": PUBLIC,
    "set_language": PUBLIC,
    "core:region_list": SCOPED,
    "core:region_detail": FOREIGN_404,
    "core:user_list": SCOPED,
    "core:user_detail": FOREIGN_404,
    "core:user_reveal": FOREIGN_404,
    "core:security_log": SCOPED,
    "core:account": SCOPED,
    "core:password_change": SCOPED,
    "core:notification_settings": SCOPED,
    "core:job": FOREIGN_404,
    "registry:contract_list": SCOPED,
    "registry:contract_create": SCOPED,
    "registry:contract_detail": FOREIGN_404,
    "registry:contract_edit": FOREIGN_404,
    "registry:contract_transition": FOREIGN_404,
    "registry:contract_renew": FOREIGN_404,
    "registry:contract_print": FOREIGN_404,
    "registry:contract_scan": FOREIGN_404,
    "api:openapi-json": PUBLIC,
    "api:openapi-view": PUBLIC,
    "api:api-root": PUBLIC,
    "api:me": SCOPED,
    "api:regions": SCOPED,
    "api:region": FOREIGN_404,
    "registry:organisation_list": SCOPED,
    "registry:organisation_create": SCOPED,
    "registry:organisation_detail": FOREIGN_404,
    "registry:organisation_edit": FOREIGN_404,
    "registry:post_create": FOREIGN_404,
    "registry:post_edit": FOREIGN_404,
    "registry:post_place": FOREIGN_404,
    "registry:membership_end": FOREIGN_404,
    "registry:person_list": SCOPED,
    "registry:person_create": SCOPED,
    "registry:person_detail": FOREIGN_404,
    "registry:person_edit": FOREIGN_404,
    "registry:person_reveal": FOREIGN_404,
    "registry:vetting_add": FOREIGN_404,
    "registry:training_add": FOREIGN_404,
    "registry:vetting_sign": FOREIGN_404,
    "registry:due_list": SCOPED,
    "registry:household_list": SCOPED,
    "registry:household_create": SCOPED,
    "registry:household_detail": FOREIGN_404,
    "registry:household_edit": FOREIGN_404,
    "registry:group_list": SCOPED,
    "registry:group_create": SCOPED,
    "registry:group_detail": FOREIGN_404,
    "registry:group_edit": FOREIGN_404,
    "registry:group_print": FOREIGN_404,
    "registry:import": SCOPED,  # the form lists only the user's villages
    # a staged file and its marked copy: their uploader's (village 1's director) only
    "registry:import_columns": FOREIGN_404,
    "registry:import_problems": FOREIGN_404,
    "registry:export": SCOPED,
    "registry:template": SCOPED,  # no data, but behind sign-in
}
for _walk_module in PATROL_WALKS + CASEBOOK_WALKS:
    ROUTES.update(_walk_module.ROUTES)

# Which village-1 record fills a route's `pk` (default: the patrol member's account).
PK_OWNER = {
    "registry:organisation_detail": "org",
    "registry:organisation_edit": "org",
    "registry:post_edit": "post",
    "registry:post_place": "post",
    "registry:membership_end": "membership",
    "registry:person_detail": "person",
    "registry:person_edit": "person",
    "registry:person_reveal": "person",
    "registry:vetting_sign": "check",
    "registry:household_detail": "household",
    "registry:household_edit": "household",
    "registry:group_detail": "group",
    "registry:group_edit": "group",
    "registry:group_print": "group",
    "core:job": "job",
    **{
        f"registry:contract_{view}": "contract"
        for view in ("detail", "edit", "transition", "renew", "print", "scan")
    },
}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            # unnamed routes are reported as "<namespace>:?" so they cannot slip through
            yield f"{namespace}{entry.name or '?'}", entry


def all_routes():
    return list(_walk(get_resolver().url_patterns))


def _params(pattern: URLPattern) -> list[str]:
    return list(re.compile(pattern.pattern.regex.pattern).groupindex)


def foreign_kwargs(name, pattern, world):
    """Fill the route's parameters with village 1's records."""
    records = world.records
    patrol_owner = {k: v for m in PATROL_WALKS for k, v in m.PK_OWNER.items()}
    book = next((m for m in CASEBOOK_WALKS if name in m.PK_OWNER), None)
    if name in patrol_owner:
        pk = getattr(world.patrol_records, patrol_owner[name]).pk
    elif book is not None:
        pk = getattr(world.book_records[book.__name__], book.PK_OWNER[name]).pk
    else:
        pk = getattr(records, PK_OWNER[name]).pk if name in PK_OWNER else world.patrol1.pk
    samples = {
        "pk": pk,
        "code": world.village1.code,
        "field": "phone",
        "org_pk": records.org.pk,
        "person_pk": records.person.pk,
        "layout": "people",
        "fmt": "csv",
        # (walks of other apps reuse this with records that hold no staged file)
        "ticket": getattr(
            records, "problems" if name == "registry:import_problems" else "staged", "x"
        ),
    }
    for walk_module in PATROL_WALKS + CASEBOOK_WALKS:
        samples.update(walk_module.SAMPLES)
    return {param: samples[param] for param in _params(pattern)}


def markers(world):
    """Strings that only village 1's data contains."""
    return [
        world.village1.name,
        world.village1.code,
        world.patrol1.full_name,
        world.director1.full_name,
        world.records.person.name,
        world.records.org.name,
        world.records.contract.number,
        MARKER_POINT,
        *(marker for m in CASEBOOK_WALKS for marker in m.MARKERS),
    ]


def test_every_route_is_classified():
    names = {name for name, _ in all_routes() if not name.startswith("admin:")}
    assert names - ROUTES.keys() == set(), "classify new routes in ROUTES"
    assert ROUTES.keys() - names == set(), "ROUTES names a route that no longer exists"


@pytest.fixture
def world(world, records, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the sample contract's scanned agreement goes here
    # a draft (so its edit page opens) with a scan (so the download answers)
    records.contract = contract_for(world.village1, scan=True)
    # a roster job of village 1's director, finished with a link to its roster
    records.job = Job.objects.create(
        kind=JobKind.ROSTER,
        region=world.village1,
        started_by=world.director1,
        status=JobStatus.DONE,
        step=MARKER_POINT,
        result_url="/patrols/rosters/1/",
    )
    # a people sheet village 1's director has sent and not yet confirmed, and its problems
    upload = SimpleUploadedFile("people.csv", "姓名,性别,出生日期\n张三,男,1960-01-01\n".encode())
    staged, records.staged = staging.stage(
        upload, layout="people", village=world.village1.pk, by=world.director1.pk
    )
    errors = [RowError(2, "姓名", "?")]
    with staged.open() as handle:
        records.problems = staging.keep_problems(
            file=handle, filename=staged.filename, errors=errors, by=world.director1.pk
        )
    world.records = records
    world.patrol_records = patrol_records(world, records)
    world.book_records = {m.__name__: m.records(world, records) for m in CASEBOOK_WALKS}
    return world


@pytest.fixture(params=["director2", "township2_officer"])
def outsider(request, world):
    return getattr(world, request.param)


@pytest.mark.django_db
def test_outsiders_get_404_or_nothing_of_village1(world, outsider, client):
    client.force_login(outsider)
    checked = 0
    for name, pattern in all_routes():
        if name.startswith("admin:"):
            continue
        url = reverse(name, kwargs=foreign_kwargs(name, pattern, world))
        kind = ROUTES[name]
        if kind == TOWNSHIP_404:
            same_township = outsider.region.parent_id == world.township.pk
            kind = SCOPED if same_township else FOREIGN_404
        statuses = []
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            body = response.content.decode(errors="replace")
            statuses.append(response.status_code)
            if kind == FOREIGN_404:
                # 405: the route does not take this method at all, which reveals nothing
                assert response.status_code in (404, 405), (method, url, response.status_code)
            elif kind == SCOPED:
                assert response.status_code in (200, 302, 403, 405), (
                    method,
                    url,
                    response.status_code,
                )
                for marker in markers(world):
                    assert marker not in body, (method, url, marker)
            elif kind == PUBLIC:
                for marker in markers(world):
                    assert marker not in body, (method, url, marker)
            checked += 1
            if name == "logout":
                client.force_login(outsider)
        if kind == FOREIGN_404:
            assert 404 in statuses, (url, statuses)
    assert checked >= 2 * len(ROUTES)


@pytest.mark.django_db
def test_the_same_routes_do_show_village1_to_its_own_director(world, client):
    """The walk above would pass on a site that shows nothing: prove the data is reachable."""
    client.force_login(world.director1)
    for name, pattern in all_routes():
        if ROUTES.get(name) in (FOREIGN_404, TOWNSHIP_404):
            url = reverse(name, kwargs=foreign_kwargs(name, pattern, world))
            status = client.get(url).status_code
            assert status == 200 or (
                status == 405 and client.post(url).status_code in (200, 302)
            ), url
    assert world.village1.name in client.get(reverse("core:region_list")).content.decode()


@pytest.mark.django_db
def test_admin_routes_are_closed_to_everyone_but_system_administrators(world, client):
    client.force_login(world.township_officer)
    admin_routes = [
        (n, p) for n, p in all_routes() if n.startswith("admin:") and not n.endswith("?")
    ]
    assert len(admin_routes) > 10
    for name, pattern in admin_routes:
        regex = pattern.pattern.regex
        if regex.groups > len(regex.groupindex):  # positional groups (simple-history's routes)
            url = reverse(name, args=[world.patrol1.pk, 1][: regex.groups])
        else:
            samples = {"app_label": "core", "object_id": world.patrol1.pk}
            url = reverse(name, kwargs={p: samples.get(p, "1") for p in _params(pattern)})
        response = client.get(url)
        if name in ("admin:login", "admin:logout"):
            continue
        assert response.status_code in (302, 404), (url, response.status_code)
        if response.status_code == 302:
            assert "/admin/login/" in response["Location"], url
    client.force_login(world.admin)
    assert client.get(reverse("admin:core_user_changelist")).status_code == 200
