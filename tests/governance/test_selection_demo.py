"""The demo's selection (governance/demo/selection.py) on a reduced township (枫源村, 乐山村 and
one more village) after the registry's step: the states it promises, each candidacy keeping the
rules the services keep, and the messages the township was sent."""

import random
import time

import pytest

from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext, step_accounts, step_regions
from qunfang.core.models import Notification
from qunfang.governance.demo import selection
from qunfang.governance.models import Candidacy, CandidacyStatus, Dismissal
from qunfang.governance.services.selection import OPEN, check_rows
from qunfang.registry.demo import step_registry
from qunfang.registry.models import Post
from tests.clock import MIDWEEK

S = CandidacyStatus


@pytest.fixture
def demo(db, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(MIDWEEK, tick=True)  # the demo's year is made back from a known day
    context = DemoContext(password="Demo-pass-2026", rng=random.Random(20261128))
    step_regions(context)
    step_accounts(context)
    other = sorted(v.code for v in context.villages if v.code not in (VILLAGE_1, VILLAGE_2))[0]
    context.villages = [v for v in context.villages if v.code in (VILLAGE_1, VILLAGE_2, other)]
    step_registry(context)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        selection.step(context)
    context.seconds = time.monotonic() - started
    return context


def test_the_demo_selection(demo):
    assert demo.seconds < 10
    heads = Post.objects.filter(title="治保主任")
    assert heads.count() == 3 and all(p.requires_township_approval for p in heads)
    candidacies = list(
        Candidacy.objects.select_related("post__organisation__region", "person", "membership")
    )
    by_status = {s: [c for c in candidacies if c.status == s] for s in S.values}
    # one awaits the township's approval (枫源村's next head), and the township was told
    waiting = [c for c in by_status[S.COMMITTEE_APPROVED] if c.post.requires_township_approval]
    assert len(waiting) == 1 and waiting[0].post.organisation.region.code == VILLAGE_1
    note = Notification.objects.get(user=demo.accounts["township"])
    assert note.url == waiting[0].get_absolute_url()
    # one refused for a failed political check
    failed = [
        c
        for c in by_status[S.REJECTED]
        if any(r.state == "failed" for r in check_rows(c.person.vetting_checks.all(), demo.today))
    ]
    assert len(failed) == 1 and "政治关" in failed[0].decision_note
    # appointments wrote memberships: the past in bulk, one now through the services
    appointed = by_status[S.APPOINTED]
    assert len(appointed) > 10
    for c in appointed:
        m = c.membership
        assert (m.person_id, m.post_id) == (c.person_id, c.post_id)
        assert c.nominated_on <= c.committee_decided_on <= m.started_on
        if c.post.requires_township_approval:
            assert c.committee_decided_on <= c.township_decided_on <= m.started_on
    assert sum(1 for c in appointed if c.history.exists()) == 1  # the one made now
    # one dismissal with its reason, whose seat went to the one appointed now
    dismissal = Dismissal.objects.select_related("membership").get()
    assert dismissal.reason and dismissal.membership.ended_on == dismissal.decided_on
    assert dismissal.membership.end_reason == dismissal.reason[:200]
    # open candidacies are open once per post and person, every one in its post's village
    open_pairs = [(c.post_id, c.person_id) for c in candidacies if c.status in OPEN]
    assert len(open_pairs) == len(set(open_pairs)) >= 3
    for c in candidacies:
        assert c.post.organisation.region.contains(c.person.region)
