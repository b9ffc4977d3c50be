"""Shared fixtures: a small region tree and one persona per role.

county 诸暨市
├── township 枫桥镇
│   ├── village 枫源村 (village 1, with group 第一村民小组)
│   └── village 乐山村 (village 2)
└── township 赵家镇 ── village 花明泉村 (village 3)
"""

import datetime as dt
import os
from types import SimpleNamespace

import pytest
import time_machine

from qunfang.core.models import Region, RegionKind
from qunfang.core.roles import Role
from qunfang.core.services import user_create
from tests.factories import TEST_PASSWORD

# The books' DELETE triggers let pytest-django's flush through, and nothing else (core/triggers.py).
pytest_plugins = ["tests.books_unlock"]

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses that
# unless told it is safe (it is: the loop is not running Django code).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


_CLOCK = pytest.StashKey[time_machine.travel]()


def pytest_configure(config):
    """QUNFANG_TEST_NOW=<ISO instant with its offset> runs the whole session at that instant, the
    clock ticking on from there, in every xdist worker (each runs this hook) and in the live
    server's thread; Chromium keeps the real clock. A test that needs a fixed instant says so
    with `@pytest.mark.time_machine(instant, tick=False)` (see tests/clock.py)."""
    instant = os.environ.get("QUNFANG_TEST_NOW", "").strip()
    if not instant:
        return
    try:
        moment = dt.datetime.fromisoformat(instant)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise pytest.UsageError(
            f"QUNFANG_TEST_NOW={instant!r}: give an ISO instant with its offset, "
            "e.g. 2028-12-31T16:30:00+00:00"
        )
    config.stash[_CLOCK] = time_machine.travel(moment, tick=True)
    config.stash[_CLOCK].start()


def pytest_unconfigure(config):
    if _CLOCK in config.stash:
        config.stash[_CLOCK].stop()
        del config.stash[_CLOCK]


def pytest_report_header(config):
    if _CLOCK in config.stash:
        return f"clock: QUNFANG_TEST_NOW={os.environ['QUNFANG_TEST_NOW']}"
    return None


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(autouse=True)
def _task_backend_as_configured():
    """Each test starts with the test settings' task backend (immediate): the database backend
    left behind by an earlier test (and no worker) would keep every job queued. Mixing
    @override_settings with pytest-django's `settings` fixture in one test leaves it so."""
    from django.conf import settings

    from qunfang import test_settings

    if settings.TASKS != test_settings.TASKS:
        pytest.fail(f"a test before this one left TASKS changed: {settings.TASKS}")


@pytest.fixture(autouse=True)
def _fresh_caches(settings):
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Each test starts in the default language, whatever an earlier test in the same worker
    left active."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """The incident types and reporting rules that migration seeds; a transactional test
    before this one may have flushed them."""
    if request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue("_django_db_helper")
    elif "db" in request.fixturenames or "transactional_db" in request.fixturenames:
        # the test databases are made from the models, not by the migration that seeds them
        request.getfixturevalue(
            "transactional_db" if "transactional_db" in request.fixturenames else "db"
        )
    else:
        return
    from importlib import import_module

    from django.apps import apps

    import_module("qunfang.casebook.migrations.0003_default_types_and_rules").seed(apps, None)


def _region(code, name, kind, parent=None):
    return Region.objects.create(code=code, name=name, kind=kind, parent=parent)


@pytest.fixture
def world(db):
    county = _region("330681000000", "诸暨市", RegionKind.COUNTY)
    township = _region("330681109000", "枫桥镇", RegionKind.TOWNSHIP, county)
    village1 = _region("330681109290", "枫源村", RegionKind.VILLAGE, township)
    group1 = _region("330681109290001", "第一村民小组", RegionKind.GROUP, village1)
    village2 = _region("330681109291", "乐山村", RegionKind.VILLAGE, township)
    township2 = _region("330681110000", "赵家镇", RegionKind.TOWNSHIP, county)
    village3 = _region("330681110201", "花明泉村", RegionKind.VILLAGE, township2)

    def account(username, role, region, full_name, phone=""):
        return user_create(
            username=username,
            password=TEST_PASSWORD,
            region=region,
            roles={role},
            full_name=full_name,
            phone=phone,
        )

    return SimpleNamespace(
        county=county,
        township=township,
        village1=village1,
        group1=group1,
        village2=village2,
        township2=township2,
        village3=village3,
        admin=account("admin", Role.SYSTEM_ADMIN, county, "管理员"),
        township_officer=account(
            "township", Role.TOWNSHIP_OFFICER, township, "陈建国", "13857500101"
        ),
        police=account("police", Role.POLICE_OFFICER, township, "王志强"),
        auditor=account("auditor", Role.AUDITOR, township, "周丽华"),
        director1=account("director1", Role.VILLAGE_DIRECTOR, village1, "骆金法", "13857500111"),
        mediator1=account("mediator1", Role.MEDIATOR, village1, "杨秀英"),
        patrol1=account("patrol1", Role.PATROL_MEMBER, village1, "何小军", "13912345678"),
        director2=account("director2", Role.VILLAGE_DIRECTOR, village2, "蒋国良"),
        patrol2=account("patrol2", Role.PATROL_MEMBER, village2, "斯伟东"),
        township2_officer=account("township2", Role.TOWNSHIP_OFFICER, township2, "赵德明"),
    )


@pytest.fixture
def client_for(client):
    """client_for(user) → the test client signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def records(world):
    """Registry records in village 1 (and a household in village 2), for walks and screens."""
    import datetime as dt

    from qunfang.registry.models import (
        Household,
        JointDefenceGroup,
        Membership,
        Organisation,
        OrgKind,
        Person,
        Post,
        TrainingRecord,
        VettingCheck,
    )

    household = Household.objects.create(
        region=world.village1, group=world.group1, number="0001", address="枫源村1号"
    )
    person = Person.objects.create(
        region=world.village1,
        household=household,
        name="楼阿根",
        sex="M",
        birth_date=dt.date(1980, 5, 17),
        id_number="330681198005170011",
        phone="13700001111",
    )
    household.head = person
    household.save()
    org = Organisation.objects.create(
        region=world.village1, name="枫源村治保会", kind=OrgKind.SECURITY_COMMITTEE
    )
    post = Post.objects.create(organisation=org, title="治保委员", seats=2)
    membership = Membership.objects.create(person=person, post=post, started_on=dt.date(2025, 1, 1))
    group = JointDefenceGroup.objects.create(
        region=world.village1,
        name="第1联防组",
        formed_on=dt.date(2025, 1, 1),
        leader_household=household,
    )
    check = VettingCheck.objects.create(
        person=person,
        kind="political",
        result="passed",
        checked_on=dt.date(2025, 1, 1),
        due_on=dt.date(2028, 1, 1),
    )
    training = TrainingRecord.objects.create(
        person=person, kind="patrol", course="巡逻技能", held_on=dt.date(2025, 3, 1), hours=8
    )
    household2 = Household.objects.create(region=world.village2, number="0001", address="乐山村1号")
    return SimpleNamespace(
        household=household,
        person=person,
        org=org,
        post=post,
        membership=membership,
        group=group,
        check=check,
        training=training,
        household2=household2,
    )
