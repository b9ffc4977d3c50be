"""The demo township: 枫桥镇 (诸暨市) with its real villages and one account per role.

Each app adds a step to DEMO_STEPS that fills its part (its `demo` package: a year of records
for the patrols and the casebook). Steps get one shared DemoContext so records stay consistent
across apps; the township's plain data (codes, names, places, the calendar) is in
`reference.py`, and the writer for the year's bulk rows in `qunfang.core.bulk`.
"""

import datetime as dt
import math
import random
import secrets
import string
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from qunfang.core.demo.reference import (
    DEMO_COUNTY,
    DEMO_TOWNSHIP,
    GROUP_NUMERALS,
    VILLAGE_1,
    VILLAGE_2,
    VILLAGE_3,
)
from qunfang.core.models import DemoStamp, Region, RegionKind, User
from qunfang.core.regions import read_rows, regions_import
from qunfang.core.roles import Role
from qunfang.core.services import user_create

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_CSV",
    "DEMO_STEPS",
    "VILLAGE_1",
    "VILLAGE_2",
    "VILLAGE_3",
    "DemoContext",
    "DemoRefused",
    "build_demo",
    "demo_state",
    "random_password",
]

DEMO_CSV = Path(__file__).parent / "demo_data" / "fengqiao.csv"
M_PER_DEG = 111_320.0  # metres in a degree of latitude

DEMO_STEPS = [
    "qunfang.core.demo.step_regions",
    "qunfang.core.demo.step_accounts",
]

# username, role, region code, full name, phone
DEMO_ACCOUNTS = [
    ("admin", Role.SYSTEM_ADMIN, DEMO_COUNTY + "000000", "系统管理员", ""),
    ("township", Role.TOWNSHIP_OFFICER, DEMO_TOWNSHIP, "陈建国", "13857500101"),
    ("police", Role.POLICE_OFFICER, DEMO_TOWNSHIP, "王志强", "13857500102"),
    ("auditor", Role.AUDITOR, DEMO_TOWNSHIP, "周丽华", "13857500103"),
    # the second township officer: approves what the first proposes (four eyes)
    ("leader", Role.TOWNSHIP_OFFICER, DEMO_TOWNSHIP, "俞志明", "13857500104"),
    ("director1", Role.VILLAGE_DIRECTOR, VILLAGE_1, "骆金法", "13857500111"),
    ("mediator1", Role.MEDIATOR, VILLAGE_1, "杨秀英", "13857500112"),
    ("patrol1", Role.PATROL_MEMBER, VILLAGE_1, "何小军", "13857500113"),
    ("director2", Role.VILLAGE_DIRECTOR, VILLAGE_2, "蒋国良", "13857500121"),
    ("patrol2", Role.PATROL_MEMBER, VILLAGE_2, "斯伟东", "13857500122"),
]


class DemoRefused(Exception):
    pass


@dataclass
class DemoContext:
    password: str
    rng: random.Random
    township: Region | None = None
    villages: list[Region] = field(default_factory=list)
    accounts: dict[str, User] = field(default_factory=dict)
    # one clock for the whole demo: a run that crosses midnight gives every book the same day
    now: dt.datetime = field(default_factory=timezone.now)

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(str(timezone.get_default_timezone()))


def moved(lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    """The point `metres` away from (lat, lon) in the direction `bearing` (radians from north)."""
    return (
        lat + metres * math.cos(bearing) / M_PER_DEG,
        lon + metres * math.sin(bearing) / (M_PER_DEG * math.cos(math.radians(lat))),
    )


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """About how far apart two nearby points are (flat earth: a village is small)."""
    dy = (a[0] - b[0]) * M_PER_DEG
    dx = (a[1] - b[1]) * M_PER_DEG * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


def coordinate(x: float) -> Decimal:
    """A latitude or longitude as the models keep it (six places)."""
    return Decimal(f"{x:.6f}")


def phone(rng: random.Random) -> str:
    """A mobile number (13x…)."""
    return f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def random_password() -> str:
    """Readable, and passes the validators: upper, lower and digits."""
    alphabet = string.ascii_letters + string.digits
    while True:
        word = "".join(secrets.choice(alphabet) for _ in range(12))
        if (
            any(c.isupper() for c in word)
            and any(c.islower() for c in word)
            and any(c.isdigit() for c in word)
        ):
            return word


def demo_state() -> str:
    """'demo' (built before), 'empty', or 'foreign' (holds data that is not the demo's)."""
    if DemoStamp.objects.exists():
        return "demo"
    if User.objects.exists() or Region.objects.exists():
        return "foreign"
    return "empty"


@transaction.atomic
def build_demo(*, password: str, seed: int = 20261128) -> DemoContext:
    if demo_state() != "empty":
        raise DemoRefused
    context = DemoContext(password=password, rng=random.Random(seed))
    for step in DEMO_STEPS:
        import_string(step)(context)
    DemoStamp.objects.create()
    return context


def step_regions(context: DemoContext) -> None:
    rows, errors = read_rows(DEMO_CSV.read_text(encoding="utf-8"), source=DEMO_CSV.name)
    report = regions_import(rows=rows, counties=[DEMO_COUNTY])
    assert not errors and not report.errors, (errors, report.errors)
    context.township = Region.objects.get(code=DEMO_TOWNSHIP)
    context.villages = list(Region.objects.filter(kind=RegionKind.VILLAGE, parent=context.township))
    for village in context.villages:
        for number in range(1, context.rng.randint(5, 10) + 1):
            Region.objects.create(
                code=f"{village.code}{number:03d}",
                name=f"第{GROUP_NUMERALS[number - 1]}村民小组",
                kind=RegionKind.GROUP,
                parent=village,
            )


def step_accounts(context: DemoContext) -> None:
    regions = {r.code: r for r in Region.objects.filter(code__in=[a[2] for a in DEMO_ACCOUNTS])}
    for username, role, code, full_name, number in DEMO_ACCOUNTS:
        context.accounts[username] = user_create(
            username=username,
            password=context.password,
            region=regions[code],
            roles={role},
            full_name=full_name,
            phone=number,
        )
