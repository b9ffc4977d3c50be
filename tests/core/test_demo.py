"""`qunfang demo`: the demo township, and refusal to touch anything else."""

import pytest
from django.core.management import CommandError, call_command

from qunfang.core.demo import DEMO_ACCOUNTS
from qunfang.core.models import DemoStamp, Region, RegionKind, User


@pytest.mark.django_db
def test_demo_builds_the_township_with_one_account_per_role(settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path
    call_command("demo", password="Demo-pass-2026")
    assert Region.objects.get(code="330681109000").name == "枫桥镇"
    assert Region.objects.filter(kind=RegionKind.VILLAGE).count() == 31
    assert Region.objects.filter(kind=RegionKind.GROUP).count() >= 31 * 5
    for username, role, code, *_ in DEMO_ACCOUNTS:
        user = User.objects.get(username=username)
        assert user.check_password("Demo-pass-2026")
        assert role in user.role_names and user.region.code == code
    out = capsys.readouterr().out
    assert "director1" in out and "Demo-pass-2026" in out
    _the_registries_are_filled()
    _the_year_is_assessed()
    assert "Demo-pass-2026" in (tmp_path / "demo-logins.txt").read_text()


@pytest.mark.django_db
def test_demo_makes_up_a_password_when_none_is_given(settings, tmp_path, capsys, monkeypatch):
    from qunfang.core import demo

    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(
        demo, "DEMO_STEPS", demo.DEMO_STEPS[:2]
    )  # regions and accounts suffice here
    call_command("demo")
    password = capsys.readouterr().out.rsplit(":", 1)[1].strip()
    assert User.objects.get(username="township").check_password(password)


@pytest.mark.django_db
def test_demo_refuses_a_database_with_real_data(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    before = (Region.objects.count(), User.objects.count())
    with pytest.raises(CommandError, match="not the demo"):
        call_command("demo", password="Demo-pass-2026")
    with pytest.raises(CommandError):
        call_command("demo", if_empty=True)
    assert (Region.objects.count(), User.objects.count()) == before
    assert not DemoStamp.objects.exists()


@pytest.mark.django_db
def test_demo_if_empty_leaves_a_built_demo_alone(settings, tmp_path, capsys, monkeypatch):
    from qunfang.core import demo

    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(demo, "DEMO_STEPS", demo.DEMO_STEPS[:2])
    call_command("demo", password="Demo-pass-2026")
    count = User.objects.count()
    call_command("demo", if_empty=True)
    assert User.objects.count() == count
    assert "Demo-pass-2026" in capsys.readouterr().out  # the logins are shown again


@pytest.mark.django_db
def test_demo_refuses_a_weak_password(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with pytest.raises(CommandError):
        call_command("demo", password="123")
    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True)  # committed data, as when the command runs for real
def test_backup_writes_a_consistent_copy(world, tmp_path):
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        with pytest.raises(CommandError, match="pg_dump"):
            call_command("backup", to=tmp_path / "b.sqlite3")
        return
    call_command("backup", to=tmp_path / "b.sqlite3")
    copy = sqlite3.connect(tmp_path / "b.sqlite3")
    assert copy.execute("SELECT count(*) FROM core_user").fetchone()[0] == User.objects.count()
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", to=tmp_path / "b.sqlite3")


def _the_registries_are_filled():
    from qunfang.registry.models import (
        Household,
        JointDefenceGroup,
        Membership,
        Organisation,
        Person,
        SecurityContract,
        VettingCheck,
    )

    assert 900 <= Household.objects.count() <= 1200
    assert Person.objects.filter(id_number_bidx__isnull=False).count() == Person.objects.count()
    assert set(Organisation.objects.values_list("form", flat=True)) >= {
        "paid",
        "voluntary",
        "contracted",
    }
    assert Organisation.objects.filter(kind="security_committee").count() == 31
    assert JointDefenceGroup.objects.count() >= 100 and VettingCheck.objects.exists()
    assert SecurityContract.objects.count() == 3  # and the one governance settles
    director = Membership.objects.get(
        post__title="治保主任", post__organisation__region__code="330681109290"
    )
    assert director.person.name == User.objects.get(username="director1").full_name


def _the_year_is_assessed():
    """Every past month of the year assessed at every level and, but the last, closed; each
    closed month's scores are what the records as of its cut-off give; rewards and punishments
    proposed, decided and published, bonuses waiting to be paid; a contract settled."""
    from django.db.models import Count

    from qunfang.governance.models import (
        AssessmentRun,
        PaymentRequest,
        PaymentStatus,
        RunStatus,
        Sanction,
        SanctionStatus,
        SettlementStatus,
    )
    from qunfang.governance.services.assessment import run_check

    periods = AssessmentRun.objects.values("period").annotate(levels=Count("id")).order_by("period")
    assert len(periods) >= 11 and {p["levels"] for p in periods} == {3}
    latest = periods.last()["period"]
    assert set(AssessmentRun.objects.exclude(period=latest).values_list("status", flat=True)) <= {
        RunStatus.CLOSED,
        RunStatus.OPEN,
    }
    assert not AssessmentRun.objects.filter(period=latest, status=RunStatus.CLOSED).exists()
    closed = AssessmentRun.objects.filter(status=RunStatus.CLOSED).order_by("-period")
    assert closed.count() >= 27
    for run in closed.filter(period=closed.first().period):
        assert run_check(run) == [], run
    statuses = set(Sanction.objects.values_list("status", flat=True))
    assert {SanctionStatus.PUBLISHED, SanctionStatus.REJECTED} <= statuses
    assert PaymentRequest.objects.filter(status=PaymentStatus.TO_BE_PAID).exists()
    from qunfang.registry.models import ContractStatus, SecurityContract

    settled = SecurityContract.objects.get(status=ContractStatus.SETTLED)
    assert settled.settlement.status == SettlementStatus.APPROVED
    assert settled.settlement.payment.amount == settled.settlement.total


def test_the_demo_reference_data_is_plain():
    """Every app's demo reads core/demo/reference.py: data only, no imports, no code."""
    import ast
    import inspect

    from qunfang.core.demo import reference

    tree = ast.parse(inspect.getsource(reference))
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    points = {reference.VILLAGE_HALL, reference.COMMUNITY_HALL}
    points |= set(reference.VILLAGE_POINTS + reference.COMMUNITY_POINTS)
    assert points <= set(reference.POINT_KINDS)  # the case register knows what kind each is
