"""The screens of leaders' responsibility and of 分类指导 and rebuilding: who sees and does what,
bad input answered with a clear message and nothing changed, both languages, the lists' query
counts flat as rows grow, the printable plan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qunfang.core.models import Region, RegionKind
from qunfang.governance.models import (
    CommitteeMember,
    GuidanceVisit,
    RebuildingPlan,
    RebuildingStatus,
    VillageClass,
    VillageLeader,
)
from qunfang.governance.services import leadership as lead
from tests.clock import MIDWEEK
from tests.governance.test_classification import classify, open_plan
from tests.governance.test_classification import snapshot as class_snapshot
from tests.governance.test_leadership import snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]


def _body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _english(client, url) -> str:
    """The page as a reader who switched to English sees it."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        return _body(client.get(url))
    finally:
        del client.cookies[settings.LANGUAGE_COOKIE_NAME]


def _today() -> dt.date:
    return timezone.localdate()


def _more_villages(world, n: int) -> list[Region]:
    return [
        Region.objects.create(
            code=f"330681109{400 + i}",
            name=f"新村{i}",
            kind=RegionKind.VILLAGE,
            parent=world.township,
        )
        for i in range(n)
    ]


def _fill(world, villages) -> None:
    officer = world.township_officer
    for village in villages:
        lead.leader_assign(village=village, by=officer, name="周春林", title="武装部长")
        classify(world, village=village, standing="backward")
        open_plan(world, village=village)
        lead.visit_log(
            village=village,
            by=world.police,
            visited_on=_today(),
            officer="王志强",
            unit="枫桥派出所",
            topics="巡逻",
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        _body(client.get(url))
    return len(queries)


@pytest.mark.parametrize(
    "route",
    [
        "governance:leadership",
        "governance:visit_list",
        "governance:class_overview",
        "governance:plan_list",
    ],
)
def test_the_lists_cost_the_same_queries_however_many_villages(world, client, route):
    client.force_login(world.township_officer)
    _fill(world, [world.village1])
    url = reverse(route)
    _body(client.get(url))  # warm the caches
    few = _count(client, url)
    _fill(world, _more_villages(world, 4))
    assert _count(client, url) == few


def test_the_township_page_lists_villages_leaders_and_committee(world, client):
    officer = world.township_officer
    lead.leader_assign(village=world.village1, by=officer, name="周春林", title="武装部长")
    lead.member_save(
        township=world.township, by=officer, name="孟立新", role="deputy", unit="派出所"
    )
    client.force_login(officer)
    body = _body(client.get(reverse("governance:leadership")))
    assert "周春林" in body and "武装部长" in body and "孟立新" in body and "副主任" in body
    assert reverse("governance:leader_assign", args=[world.village2.code]) in body
    body = _english(client, reverse("governance:leadership"))
    assert "Leaders' responsibility" in body and "Deputy director" in body
    # the next village's director sees their village and the township's committee
    client.force_login(world.director2)
    body = _body(client.get(reverse("governance:leadership")))
    assert "乐山村" in body and "枫源村" not in body and "孟立新" in body
    assert 'data-testid="add-member"' not in body


def test_the_office_assigns_a_leader_on_the_page(world, client):
    client.force_login(world.township_officer)
    url = reverse("governance:leader_assign", args=[world.village1.code])
    body = _body(client.get(url))
    assert "陈建国" in body  # the township's officers are offered
    response = client.post(
        url,
        {
            "account": world.township_officer.pk,
            "title": "镇长",
            "starts_on": f"{_today():%Y-%m-%d}",
        },
    )
    assert response.status_code == 302
    leader = VillageLeader.objects.get(region=world.village1)
    assert leader.user == world.township_officer and leader.title == "镇长"
    body = _body(client.get(reverse("governance:leadership_village", args=[world.village1.code])))
    assert "镇长" in body and 'data-testid="leader-row"' in body
    # the village's four in place, judged from its (empty) records: no organisation yet
    assert 'data-testid="four-section"' in body and "0/4" in body


def test_bad_assignments_are_answered_on_the_form_and_change_nothing(world, client):
    client.force_login(world.township_officer)
    url = reverse("governance:leader_assign", args=[world.village1.code])
    before = snapshot()
    body = _body(client.post(url, {"account": world.director1.pk, "starts_on": "2029-01-10"}))
    assert 'class="error"' in body  # not offered: not a township officer
    body = _body(client.post(url, {"name": "", "starts_on": "someday"}))
    assert "2029-01-10" in body  # the date's example
    body = _body(client.post(url, {"name": "", "starts_on": "2029-01-10"}))
    assert "姓名" in body or "name" in body
    assert snapshot() == before


def test_a_village_is_told_only_the_township_assigns_and_nothing_changes(world, client):
    client.force_login(world.director1)
    url = reverse("governance:leader_assign", args=[world.village1.code])
    body = _body(client.get(url))
    assert 'data-testid="not-yours"' in body
    before = snapshot()
    response = client.post(url, {"name": "某某", "starts_on": "2029-01-10"})
    assert response.status_code == 302 and snapshot() == before
    # another township's officer: as if the village did not exist
    client.force_login(world.township2_officer)
    assert client.get(url).status_code == 404


def test_committee_screens(world, client):
    client.force_login(world.township_officer)
    response = client.post(
        reverse("governance:member_create"),
        {
            "township": world.township.pk,
            "name": "楼伟东",
            "role": "office",
            "unit": "综治办",
            "starts_on": "2029-01-01",
        },
    )
    assert response.status_code == 302
    member = CommitteeMember.objects.get(name="楼伟东")
    edit = reverse("governance:member_edit", args=[member.pk])
    before = snapshot()
    body = _body(
        client.post(
            edit,
            {
                "township": world.township.pk,
                "name": "",
                "role": "office",
                "starts_on": "2029-01-01",
            },
        )
    )
    assert 'class="error"' in body and snapshot() == before
    assert client.post(reverse("governance:member_end", args=[member.pk])).status_code == 302
    member.refresh_from_db()
    assert member.ends_on == _today()
    # the next village reads it, cannot change it; another township does not find it
    client.force_login(world.director2)
    assert 'data-testid="not-yours"' in _body(client.get(edit))
    client.force_login(world.township2_officer)
    assert client.get(edit).status_code == 404


def test_the_police_log_a_visit_and_it_is_counted(world, client):
    client.force_login(world.police)
    url = reverse("governance:visit_create", args=[world.village1.code])
    before = snapshot()
    body = _body(
        client.post(
            url,
            {
                "visited_on": "2029-02-01",
                "officer": "王志强",
                "unit": "枫桥派出所",
                "topics": "夜巡",
            },
        )
    )
    assert 'class="error"' in body and snapshot() == before  # in the future
    response = client.post(
        url,
        {
            "visited_on": "2029-01-08",
            "officer": "王志强",
            "unit": "枫桥派出所",
            "topics": "夜巡签到指导",
        },
    )
    assert response.status_code == 302
    assert GuidanceVisit.objects.get().topics == "夜巡签到指导"
    body = _body(client.get(reverse("governance:visit_list") + "?year=2029"))
    assert "夜巡签到指导" in body and 'data-testid="count-row"' in body
    body = _english(client, reverse("governance:visit_list"))
    assert "Police guidance visits" in body and "Q1" in body
    village = _body(
        client.get(reverse("governance:leadership_village", args=[world.village1.code]))
    )
    assert 'data-testid="visits-quarter">1<' in village
    # a director is told who logs visits; nothing is written
    client.force_login(world.director1)
    assert 'data-testid="not-yours"' in _body(client.get(url))
    assert (
        client.post(
            url, {"visited_on": "2029-01-08", "officer": "x", "unit": "y", "topics": "z"}
        ).status_code
        == 302
    )
    assert GuidanceVisit.objects.count() == 1


# ---- classification and rebuilding ------------------------------------------------------------


def test_classifying_on_the_page_shows_when_and_by_whom_with_history(world, client):
    client.force_login(world.township_officer)
    url = reverse("governance:class_set", args=[world.village1.code])
    before = class_snapshot()
    body = _body(
        client.post(
            url,
            {
                "situation": "good",
                "economy": "strong",
                "org_form": "paid",
                "standing": "model",
                "guidance": "",
            },
        )
    )
    assert 'class="error"' in body and class_snapshot() == before  # a model needs its lesson
    response = client.post(
        url,
        {
            "situation": "good",
            "economy": "strong",
            "org_form": "paid",
            "standing": "model",
            "guidance": "排班每日公示",
        },
    )
    assert response.status_code == 302
    client.post(
        url,
        {
            "situation": "good",
            "economy": "middle",
            "org_form": "paid",
            "standing": "model",
            "guidance": "排班每日公示，账目公开",
        },
    )
    body = _body(client.get(reverse("governance:class_detail", args=[world.village1.code])))
    assert "2029-01-10" in body and "陈建国" in body and 'data-testid="learn"' in body
    assert body.count('data-testid="history-row"') == 2
    body = _english(client, reverse("governance:class_detail", args=[world.village1.code]))
    assert "Model village" in body and "What other villages can learn here" in body
    # another village's page points to the model village
    classify(world, village=world.village2, standing="ordinary")
    body = _body(client.get(reverse("governance:class_detail", args=[world.village2.code])))
    assert 'data-testid="learn-from"' in body and "排班每日公示" in body
    body = _body(client.get(reverse("governance:class_overview") + "?standing=model"))
    assert "★ 枫源村" in body and "乐山村" not in body
    assert VillageClass.objects.get(region=world.village1).economy == "middle"


def test_a_plan_on_the_page_from_opening_to_completion(world, client):
    classify(world, standing="paralysed")
    client.force_login(world.township_officer)
    response = client.post(
        reverse("governance:plan_open", args=[world.village1.code]),
        {
            "title": "重建方案",
            "reason": "瘫痪",
            "starts_on": "2029-01-01",
            "target_on": "2029-04-30",
        },
    )
    assert response.status_code == 302
    plan = RebuildingPlan.objects.get()
    url = reverse("governance:plan_detail", args=[plan.pk])
    client.post(
        reverse("governance:step_add", args=[plan.pk]),
        {"text": "选任主任", "owner": "包村领导", "due_on": "2029-01-05"},
    )
    client.post(
        reverse("governance:step_add", args=[plan.pk]),
        {"text": "重建巡逻队", "owner": "村治保会", "due_on": "2029-03-01"},
    )
    body = _body(client.get(url))
    assert 'data-testid="step-overdue"' in body and 'data-testid="overdue"' in body
    # refused while a step is open: a message, nothing changed
    before = class_snapshot()
    response = client.post(
        reverse("governance:plan_complete", args=[plan.pk]), {"text": "好"}, follow=True
    )
    assert "not done yet" in response.content.decode() or "尚未" in response.content.decode()
    assert class_snapshot() == before
    for step in plan.steps.all():
        client.post(reverse("governance:step_done", args=[step.pk]), {"note": "完成"})
    client.post(reverse("governance:plan_complete", args=[plan.pk]), {"text": "验收达标"})
    plan.refresh_from_db()
    assert plan.status == RebuildingStatus.COMPLETED
    body = _body(client.get(reverse("governance:plan_print", args=[plan.pk])))
    assert "重建方案" in body and "验收达标" in body and 'data-testid="print-title"' in body
    body = _english(client, reverse("governance:plan_print", args=[plan.pk]))
    assert "Rebuilding plan" in body


def test_a_plan_is_refused_for_an_ordinary_village_on_the_page(world, client):
    classify(world, standing="ordinary")
    client.force_login(world.township_officer)
    url = reverse("governance:plan_open", args=[world.village1.code])
    assert 'data-testid="refusal"' in _body(client.get(url))
    before = class_snapshot()
    body = _body(
        client.post(
            url, {"title": "x", "reason": "y", "starts_on": "2029-01-10", "target_on": "2029-02-10"}
        )
    )
    assert 'class="error"' in body and class_snapshot() == before
    # a plan of village 1 is not found from another township; a village reads, does not write
    classify(world, standing="paralysed")
    plan = open_plan(world)
    client.force_login(world.township2_officer)
    assert client.get(reverse("governance:plan_detail", args=[plan.pk])).status_code == 404
    client.force_login(world.director1)
    body = _body(client.get(reverse("governance:plan_detail", args=[plan.pk])))
    assert 'data-testid="add-step"' not in body
    assert (
        client.post(reverse("governance:plan_abandon", args=[plan.pk]), {"text": "x"}).status_code
        == 302
    )
    plan.refresh_from_db()
    assert plan.status == RebuildingStatus.OPEN
