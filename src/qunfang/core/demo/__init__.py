"""The demo township: 枫桥镇 (诸暨市) with its real villages and one account per role.

Each app adds a step to DEMO_STEPS that fills its part (later: a year of records). Steps get
one shared DemoContext so records stay consistent across apps.
"""

import random
import secrets
import string
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.module_loading import import_string

from qunfang.core.models import DemoStamp, Region, RegionKind, User
from qunfang.core.regions import read_rows, regions_import
from qunfang.core.roles import Role
from qunfang.core.services import user_create

DEMO_CSV = Path(__file__).parent / "demo_data" / "fengqiao.csv"
DEMO_COUNTY = "330681"
DEMO_TOWNSHIP = "330681109000"
VILLAGE_1 = "330681109290"  # 枫源村
VILLAGE_2 = "330681109291"  # 乐山村
GROUP_NUMERALS = "一二三四五六七八九十"

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
    for username, role, code, full_name, phone in DEMO_ACCOUNTS:
        context.accounts[username] = user_create(
            username=username, password=context.password, region=regions[code], roles={role},
            full_name=full_name, phone=phone,
        )  # fmt: skip
