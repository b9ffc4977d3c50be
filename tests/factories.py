"""Factories that keep related objects inside one region tree."""

import factory

from qunfang.core.models import Region, RegionKind, User, UserRole
from qunfang.core.roles import Role

TEST_PASSWORD = "Qf-test-2026"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    kind = RegionKind.VILLAGE
    code = factory.Sequence(lambda n: f"330681109{n + 400:03d}")
    name = factory.Sequence(lambda n: f"测试{n}村")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or [Role.PATROL_MEMBER]:
            UserRole.objects.create(user=self, role=role)


# ---- security contracts ----------------------------------------------------------------------

_contract_numbers = iter(range(1, 1_000_000))
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def contract_for(village, *, status="draft", scan=False, contractor=None, **fields):
    """A security contract of `village` with a contractor living there, one performance term and
    two instalments that add up to the amount. `status` is set directly (no service), with the
    dates a real contract in that state would have; `scan=True` stores a small PDF as the
    scanned agreement (point MEDIA_ROOT at a temporary folder first)."""
    import datetime as dt
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from qunfang.registry.models import ContractPayment, PerformanceTerm, Person, SecurityContract

    n = next(_contract_numbers)
    if contractor is None:
        contractor = Person.objects.create(
            region=village, name=f"承包人{n}", sex="M", birth_date=dt.date(1975, 3, 9)
        )
    party = (
        {"contractor_person": contractor}
        if isinstance(contractor, Person)
        else {"contractor_team": contractor}
    )
    values = {
        "region": village,
        "number": f"CT-{n:04d}",
        "title": f"{village.name}治安承包",
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2026, 12, 31),
        "amount": Decimal("12000.00"),
        "duties": "夜间巡逻每周不少于三次\n看护村委会和文化礼堂",
        "rights": "按月领取报酬",
        "benefits": "意外伤害保险",
        "status": status,
        **party,
        **fields,
    }
    if status != "draft":
        values.setdefault("signed_on", values["starts_on"] - dt.timedelta(days=10))
    if status in ("settled", "terminated"):
        values.setdefault("closed_on", values["ends_on"])
        values.setdefault("close_note", "按考核结果结算")
    contract = SecurityContract.objects.create(**values)
    contract.area.set([village])
    PerformanceTerm.objects.create(
        contract=contract, metric="thefts", comparator="lte", target=2, deduction=500
    )
    half = (contract.amount / 2).quantize(Decimal("0.01"))
    for due_on, amount in ((contract.starts_on, half), (contract.ends_on, contract.amount - half)):
        if amount > 0:
            ContractPayment.objects.create(contract=contract, due_on=due_on, amount=amount)
    if scan:
        contract.agreement_scan.save("scan.pdf", ContentFile(MINIMAL_PDF))
    return contract
