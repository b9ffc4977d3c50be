"""The demo's written rules on a reduced township (枫源村, 乐山村 and two more villages), built by
the real demo steps and checked for consistency: the township's model texts, rules adopted at
held meetings of their own organisation, revisions in order, the gaps that make the flag show,
and 枫源村's outdated patrol rule repealed."""

import itertools
import random

import pytest
from django.db.models import Count, F
from django.utils import timezone

from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext, step_accounts, step_regions
from qunfang.governance.demo.meetings import IRREGULAR, patterns
from qunfang.governance.demo.meetings import step as step_meetings
from qunfang.governance.demo.rules import step as step_rules
from qunfang.governance.models import MeetingStatus, ModelText, Rule, RuleRevision
from qunfang.governance.selectors.rules import missing_rules
from qunfang.registry.demo import step_registry
from qunfang.registry.models import OrgKind
from tests.clock import MIDWEEK


@pytest.fixture
def demo(db, time_machine):
    time_machine.move_to(MIDWEEK, tick=True)  # the demo's year is made back from a known day
    context = DemoContext(password="Demo-pass-2026", rng=random.Random(20261128))
    step_regions(context)
    step_accounts(context)
    others = sorted(v.code for v in context.villages if v.code not in (VILLAGE_1, VILLAGE_2))
    keep = {VILLAGE_1, VILLAGE_2, *others[:2]}
    context.villages = [v for v in context.villages if v.code in keep]
    step_registry(context)
    step_meetings(context)
    step_rules(context)
    return context


def test_the_demo_rules_are_consistent(demo):
    today = demo.today
    texts = ModelText.objects.filter(region=demo.township)
    assert texts.filter(withdrawn_on__isnull=True).count() == 8
    assert texts.filter(withdrawn_on__isnull=False).count() == 1
    for text in texts:
        assert len(text.text.splitlines()) >= 3 and text.published_on <= today

    rules = Rule.objects.all()
    assert rules.count() > 40
    assert not rules.exclude(model_text__region=demo.township).exclude(model_text=None).exists()
    adapted = [
        r
        for r in rules.filter(model_text__isnull=False)
        if r.revisions.get(number=1).text != r.model_text.text
    ]
    assert adapted and rules.filter(model_text__isnull=True).exists()

    revisions = RuleRevision.objects.select_related("rule__organisation", "meeting")
    # revision 1 is the adoption, on its day; every revision on or after the one before
    for rule in rules.annotate(n=Count("revisions")):
        numbers = list(rule.revisions.order_by("number").values_list("number", "adopted_on"))
        assert [n for n, _ in numbers] == list(range(1, rule.n + 1))
        assert numbers[0][1] == rule.adopted_on
        assert all(a <= b for (_, a), (_, b) in itertools.pairwise(numbers))
        assert numbers[-1][1] <= today
    assert revisions.filter(number=2).exists()
    # at held meetings of the rule's own organisation, on the meeting's day
    at_meetings = revisions.filter(meeting__isnull=False)
    assert at_meetings.count() > 20
    assert not at_meetings.exclude(meeting__organisation=F("rule__organisation")).exists()
    assert not at_meetings.exclude(meeting__status=MeetingStatus.HELD).exists()
    for revision in at_meetings:
        assert timezone.localdate(revision.meeting.held_at) == revision.adopted_on
    assert revisions.filter(meeting__isnull=True, number=1).exists()  # no meetings: no meeting

    # one in force per kind and organisation (the database says so too)
    in_force = rules.filter(repealed_on__isnull=True).exclude(kind="other")
    assert not in_force.values("organisation", "kind").annotate(n=Count("pk")).filter(n__gt=1)

    # 枫源村's old patrol rule, repealed the day its new one was adopted
    old = rules.get(repealed_on__isnull=False)
    assert (
        old.organisation.region.code == VILLAGE_1 and old.organisation.kind == OrgKind.PATROL_TEAM
    )
    assert old.repeal_reason and old.model_text.withdrawn_on is not None
    new = in_force.get(organisation=old.organisation, kind="patrol")
    assert old.repealed_on == new.adopted_on

    # the flag shows in 乐山村 and in the irregular village, nowhere else
    officer = demo.accounts["township"]
    missing = {
        (m.organisation.region.code, m.organisation.kind): m.missing for m in missing_rules(officer)
    }
    irregular = next(c for c, way in patterns(demo.villages).items() if way == IRREGULAR)
    assert missing == {
        (VILLAGE_2, OrgKind.MEDIATION_COMMITTEE): ("confidentiality",),
        (irregular, OrgKind.SECURITY_COMMITTEE): ("assessment", "confidentiality"),
        (irregular, OrgKind.PATROL_TEAM): ("patrol",),
    }
    assert missing_rules(demo.accounts["director1"]) == []
