"""The demo's leaders' responsibility and classification, built by the real demo step on the
demo township (no registry: every village's form then defaults), at an ordinary instant and on
New Year's Day: every village led and classified, the two officers' accounts leading villages,
the committee, the guidance visits (more to the paralysed village), the paralysed village's plan
under way with an overdue step, and a plan completed earlier in the year."""

import datetime as dt
import random
import time

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from qunfang.core.demo import DemoContext, step_accounts, step_regions
from qunfang.core.demo.reference import MODEL_VILLAGE, PARALYSED_VILLAGE
from qunfang.governance.demo import leadership as demo
from qunfang.governance.models import (
    CommitteeMember,
    GuidanceVisit,
    RebuildingPlan,
    RebuildingStatus,
    VillageClass,
    VillageLeader,
)
from tests.clock import AWKWARD, MIDWEEK

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("instant", [MIDWEEK, AWKWARD], ids=["midweek", "new-year"])
def test_the_demo_tells_the_townships_story(time_machine, client, instant):
    time_machine.move_to(instant, tick=False)
    context = DemoContext(password="Demo-pass-2026", rng=random.Random(20261207))
    step_regions(context)
    step_accounts(context)
    started = time.monotonic()
    demo.step(context)
    assert time.monotonic() - started < 20  # < 5 s on a quiet machine
    today = timezone.localdate()
    current = VillageLeader.objects.filter(ends_on__isnull=True)
    assert current.count() == 31 == len(context.villages)
    for name in ("township", "leader"):
        assert current.filter(user=context.accounts[name]).exists(), name
    assert VillageLeader.objects.filter(ends_on__isnull=False).count() == 1  # one handover
    assert CommitteeMember.objects.count() == 8
    assert VillageClass.objects.count() == 31
    assert VillageClass.objects.get(region__code=MODEL_VILLAGE).standing == "model"
    assert VillageClass.objects.get(region__code=PARALYSED_VILLAGE).standing == "paralysed"
    visits = dict(
        GuidanceVisit.objects.values_list("region__code").annotate(n=Count("pk")).order_by()
    )
    assert visits[PARALYSED_VILLAGE] > max(n for c, n in visits.items() if c != PARALYSED_VILLAGE)
    assert GuidanceVisit.objects.filter(visited_on__gt=today).count() == 0
    plan = RebuildingPlan.objects.get(status=RebuildingStatus.OPEN)
    assert plan.region.code == PARALYSED_VILLAGE
    assert plan.steps.filter(done_on__isnull=False).count() == 2
    assert plan.steps.filter(done_on__isnull=True, due_on__lt=today).count() == 1
    assert (today - plan.starts_on) == dt.timedelta(days=60)
    done = RebuildingPlan.objects.get(status=RebuildingStatus.COMPLETED)
    assert not done.steps.filter(done_on__isnull=True).exists()
    assert VillageClass.objects.get(region=done.region).standing == "ordinary"
    # both officers' home pages show the villages they lead
    for name in ("township", "leader"):
        client.force_login(context.accounts[name])
        body = client.get(reverse("home")).content.decode()
        assert 'data-testid="leader-panel"' in body, name
        assert (
            body.count('data-testid="led-village"')
            == current.filter(user=context.accounts[name]).count()
        )
