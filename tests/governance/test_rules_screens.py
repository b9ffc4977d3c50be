"""The written rules' screens: the rules list with its in-force matrix and flags, the home panels
and the menu, adopting from a model text, revising and repealing through the pages (refusals
shown, nothing changed), the model texts as villages and other townships see them, the printable
text and its PDF in Chinese, and query counts that stay flat as rows grow."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.core.models import Region, RegionKind
from qunfang.governance.models import ModelText, Rule, RuleRevision
from qunfang.registry.models import OrgKind
from tests.clock import MIDWEEK
from tests.core.test_pdf import _assert_chinese_pdf, renders
from tests.factories import meeting_for, model_text_for, organisation_for, rule_for

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]

SECURITY = ("meetings", "assessment", "registration", "reporting", "rewards", "confidentiality")


@pytest.fixture
def org(world):
    return organisation_for(world.village1, kind=OrgKind.SECURITY_COMMITTEE, name="枫源村治保会")


@pytest.fixture
def text(world):
    return model_text_for(
        world.township,
        kind="confidentiality",
        title="保密制度（示范文本）",
        text="第一条 治保会成员应当保守工作秘密。\n第二条 不得泄露举报人信息。",
    )


def _snapshot():
    return (
        list(Rule.objects.values_list("pk", "title", "repealed_on")),
        list(RuleRevision.objects.values_list("pk", "number", "text")),
        list(ModelText.objects.values_list("pk", "title", "text", "withdrawn_on")),
    )


def _body(response):
    return response.content.decode()


def _adopt_url(org, model_text=None):
    query = f"?organisation={org.pk}" + (f"&model_text={model_text.pk}" if model_text else "")
    return reverse("governance:rule_create") + query


def _adopt_post(**fields):
    return {
        "model_text": "",
        "kind": "confidentiality",
        "title": "枫源村治保会保密制度",
        "text": "第一条 不得泄露举报人信息。",
        "adopted_on": "2029-01-05",
        "meeting": "",
        "change_note": "",
        **fields,
    }


# ---- the list, the flags, the home panels, the menu --------------------------------------------


def test_the_village_sees_its_matrix_and_the_flag(world, client, org):
    for kind in SECURITY[:-1]:
        rule_for(org, kind=kind)
    client.force_login(world.director1)
    body = _body(client.get(reverse("governance:rule_list")))
    assert 'data-testid="rules-matrix"' in body
    assert body.count('data-testid="matrix-missing"') == 1
    assert "枫源村治保会：未施行保密制度" in body and 'data-testid="rules-flag"' in body
    rule_for(org, kind="confidentiality")
    body = _body(client.get(reverse("governance:rule_list")))
    assert 'data-testid="rules-complete"' in body and "rules-flag" not in body


def test_one_organisations_rules(world, client, org):
    patrol = organisation_for(world.village1, kind=OrgKind.PATROL_TEAM, name="枫源村义务巡逻队")
    rule_for(org, kind="meetings", title="治保会例会制度")
    rule_for(patrol, kind="patrol", title="巡逻队巡逻值班制度")
    client.force_login(world.director1)
    url = reverse("governance:rule_list")
    body = _body(client.get(url, {"organisation": patrol.pk}))
    assert body.count('data-testid="rule-row"') == 1 and ">巡逻队巡逻值班制度</a>" in body
    other = organisation_for(world.village3, kind=OrgKind.PATROL_TEAM)
    assert client.get(url, {"organisation": other.pk}).status_code == 404


def test_the_township_sees_which_villages_miss_rules(world, client, org):
    rule_for(org, kind="meetings")
    organisation_for(world.village2, kind=OrgKind.VILLAGE_GUARD, name="乐山村护村队")
    client.force_login(world.township_officer)
    body = _body(client.get(reverse("governance:rule_list")))
    assert body.count('data-testid="village-flagged"') == 2
    assert "乐山村护村队：未施行巡逻值班制度" in body
    body = _body(client.get(reverse("governance:rule_list"), {"village": world.village2.code}))
    assert 'data-testid="rules-matrix"' in body and "枫源村治保会" not in body
    assert (
        client.get(reverse("governance:rule_list"), {"village": world.village3.code}).status_code
        == 404
    )


def test_the_home_panels_flag_a_village_without_its_rules(world, client, org):
    client.force_login(world.director1)
    body = _body(client.get(reverse("home")))
    assert 'data-testid="rules-panel"' in body and "枫源村治保会：未施行" in body
    assert f'href="{reverse("governance:rule_list")}"' in body  # the menu entry
    client.force_login(world.township_officer)
    body = _body(client.get(reverse("home")))
    assert 'data-testid="panel-rules-flagged"' in body and "枫源村" in body
    client.force_login(world.township2_officer)
    body = _body(client.get(reverse("home")))
    assert 'data-testid="rules-panel"' in body and "枫源村" not in body
    client.force_login(world.patrol1)
    assert "rules-panel" not in _body(client.get(reverse("home")))


def test_the_pages_read_in_english_too(world, client, org, text):
    rule = rule_for(org, kind="confidentiality", model_text=text)
    client.force_login(world.director1)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = _body(client.get(reverse("governance:rule_list")))
    assert "Rules in force" in body
    assert "枫源村治保会: no Regular meetings (例会制度), Assessment (考核制度)," in body
    body = _body(client.get(rule.get_absolute_url()))
    assert "Revisions" in body and "first adoption" in body and "(as published)" in body
    body = _body(client.get(text.get_absolute_url()))
    assert "Adopted by" in body and "Adopt for an organisation" in body


# ---- adopting, revising, repealing through the pages -------------------------------------------


def test_adopting_from_a_model_text_step_by_step(world, client, org, text):
    client.force_login(world.director1)
    body = _body(client.get(text.get_absolute_url()))
    assert 'data-testid="adopt-model-text"' in body
    start = reverse("governance:rule_create") + f"?model_text={text.pk}"
    body = _body(client.get(start))
    assert "枫源村治保会" in body and f'name="model_text" value="{text.pk}"' in body
    body = _body(client.get(_adopt_url(org, text)))
    assert "第二条 不得泄露举报人信息。" in body and 'data-testid="adopt-required"' in body
    meeting = meeting_for(
        org, status="held", scheduled_at=dt.datetime(2029, 1, 3, 1, tzinfo=dt.UTC)
    )
    adapted = text.text + "\n第三条 本制度自通过之日起施行。"
    response = client.post(
        _adopt_url(org, text),
        _adopt_post(model_text=text.pk, text=adapted, meeting=meeting.pk, change_note="增加第三条"),
    )
    rule = Rule.objects.get()
    assert response.status_code == 302 and response["Location"] == rule.get_absolute_url()
    revision = rule.revisions.get()
    assert (revision.text, revision.meeting, rule.model_text) == (adapted.strip(), meeting, text)
    body = _body(client.get(rule.get_absolute_url()))
    assert "（已修改）" in body and "第三条 本制度自通过之日起施行。" in body


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("other_org_meeting", "请选择本组织已召开的会议。"),
        ("planned_meeting", "请选择本组织已召开的会议。"),
        ("second_of_kind", "枫源村治保会已有施行中的保密制度"),
        ("empty_text", "请填写制度正文：正文不能为空。"),
        ("other_township_text", "请选择本乡镇已发布的示范文本。"),
        ("future", "日期在将来"),
    ],
)
def test_adoption_refusals_are_shown_and_nothing_changes(world, client, org, case, message):
    fields = {}
    if case == "other_org_meeting":
        other = organisation_for(world.village1, kind=OrgKind.PATROL_TEAM)
        fields["meeting"] = meeting_for(
            other, status="held", scheduled_at=dt.datetime(2029, 1, 3, 1, tzinfo=dt.UTC)
        ).pk
    elif case == "planned_meeting":
        fields["meeting"] = meeting_for(
            org, status="planned", scheduled_at=dt.datetime(2029, 1, 3, 1, tzinfo=dt.UTC)
        ).pk
    elif case == "second_of_kind":
        rule_for(org, kind="confidentiality")
    elif case == "empty_text":
        fields["text"] = "   "
    elif case == "other_township_text":
        fields["model_text"] = model_text_for(world.township2, kind="confidentiality").pk
    elif case == "future":
        fields["adopted_on"] = "2029-02-01"
    client.force_login(world.director1)
    before = _snapshot()
    response = client.post(_adopt_url(org), _adopt_post(**fields))
    assert response.status_code == 200 and message in _body(response)
    assert _snapshot() == before


def test_revising_and_repealing_through_the_page(world, client, org):
    rule = rule_for(org, kind="meetings", text="第一条 每月开会。", adopted_on=dt.date(2028, 6, 1))
    client.force_login(world.director1)
    url = reverse("governance:rule_revise", args=[rule.pk])
    before = _snapshot()
    early = {"text": "第一条 每月十日开会。", "adopted_on": "2028-05-01", "change_note": "改日期"}
    response = client.post(url, early)
    assert "第1版于2028-06-01通过" in _body(response) and _snapshot() == before
    response = client.post(url, {**early, "adopted_on": "2028-07-01"})
    assert response.status_code == 302
    body = _body(client.get(rule.get_absolute_url()))
    assert body.count('data-testid="revision-row"') == 2 and "+ 第一条 每月十日开会。" in body
    repeal = reverse("governance:rule_repeal", args=[rule.pk])
    before = _snapshot()
    response = client.post(repeal, {"repealed_on": "2029-01-10", "reason": ""})
    assert "请说明废止原因。" in _body(response) and _snapshot() == before
    response = client.post(repeal, {"repealed_on": "2029-01-10", "reason": "已由新制度代替"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.repeal_reason == "已由新制度代替"
    assert 'data-testid="revise"' not in _body(client.get(rule.get_absolute_url()))


def test_another_village_gets_404_and_changes_nothing(world, client, org, text):
    rule = rule_for(org, kind="confidentiality", model_text=text, title="枫源村保密制度")
    client.force_login(world.director2)
    before = _snapshot()
    for name in ("rule_detail", "rule_print"):
        assert client.get(reverse(f"governance:{name}", args=[rule.pk])).status_code == 404
    for name in ("rule_revise", "rule_repeal"):
        url = reverse(f"governance:{name}", args=[rule.pk])
        post = {
            "text": "改",
            "adopted_on": "2029-01-10",
            "reason": "改",
            "repealed_on": "2029-01-10",
        }
        assert client.post(url, post).status_code == 404
    assert client.get(_adopt_url(org)).status_code == 404
    assert client.post(_adopt_url(org), _adopt_post(kind="patrol")).status_code == 404
    assert _snapshot() == before
    assert "枫源村保密制度" not in _body(client.get(reverse("governance:rule_list")))


# ---- model texts as villages and other townships see them ---------------------------------------


def test_a_published_model_text_is_seen_by_its_townships_villages_only(world, client, org, text):
    rule_for(org, kind="confidentiality", model_text=text, title="枫源村保密制度")
    url = text.get_absolute_url()
    client.force_login(world.director2)  # the same township
    body = _body(client.get(url))
    assert "保密制度（示范文本）" in body and "枫源村保密制度" not in body
    assert "您的组织均未采用。" in body
    assert "保密制度（示范文本）" in _body(client.get(reverse("governance:model_text_list")))
    client.force_login(world.township2_officer)  # another township
    assert client.get(url).status_code == 404
    assert "保密制度（示范文本）" not in _body(client.get(reverse("governance:model_text_list")))
    client.force_login(world.township_officer)
    assert "枫源村保密制度" in _body(client.get(url))


def test_the_township_publishes_corrects_and_withdraws_through_the_pages(world, client, org):
    client.force_login(world.director1)
    assert client.get(reverse("governance:model_text_create")).status_code == 403
    client.force_login(world.township_officer)
    create = reverse("governance:model_text_create")
    before = _snapshot()
    response = client.post(
        create, {"township": world.township.pk, "kind": "meetings", "title": "例会", "text": ""}
    )
    assert "请填写制度正文：正文不能为空。" in _body(response) and _snapshot() == before
    response = client.post(
        create,
        {"township": world.township.pk, "kind": "meetings", "title": "例会制度", "text": "第一条"},
    )
    text = ModelText.objects.get()
    assert response.status_code == 302 and text.region == world.township
    edit = reverse("governance:model_text_edit", args=[text.pk])
    client.post(edit, {"kind": "meetings", "title": "例会制度（示范文本）", "text": "第一条 每月"})
    text.refresh_from_db()
    assert text.title == "例会制度（示范文本）"
    rule_for(org, kind="meetings", model_text=text)
    body = _body(client.get(edit))
    assert "已有组织采用该示范文本" in body and 'data-testid="why-not"' in body
    withdraw = reverse("governance:model_text_withdraw", args=[text.pk])
    client.force_login(world.director1)  # sees it, may not withdraw it
    assert client.get(edit).status_code == 200 and client.post(edit, {}).status_code == 403
    response = client.post(withdraw)
    assert response.status_code == 302 and ModelText.objects.get().withdrawn_on is None
    client.force_login(world.township_officer)
    client.post(withdraw)
    assert ModelText.objects.get().withdrawn_on == dt.date(2029, 1, 10)
    client.force_login(world.director2)  # withdrawn: no longer offered to village 2
    assert client.get(text.get_absolute_url()).status_code == 404


# ---- the printable text -------------------------------------------------------------------------


def test_the_printable_text_links_its_pdf(world, client, org):
    rule = rule_for(org, kind="meetings", title="枫源村治保会例会制度", text="第一条 每月开会。")
    client.force_login(world.director1)
    body = _body(client.get(reverse("governance:rule_print", args=[rule.pk])))
    assert "枫源村治保会例会制度" in body and 'data-testid="pdf-link"' in body
    assert "?format=pdf" in body


@renders
def test_a_rule_downloads_as_a_pdf_in_chinese(world, client, org, tmp_path):
    rule = rule_for(
        org, kind="meetings", title="枫源村治保会例会制度", text="第一条 治保会每月十日召开例会。"
    )
    client.force_login(world.director1)
    response = client.get(reverse("governance:rule_print", args=[rule.pk]), {"format": "pdf"})
    _assert_chinese_pdf(response, tmp_path, "枫源村治保会例会制度", "每月十日召开例会")


# ---- query counts ---------------------------------------------------------------------------

_villages = iter(range(600, 700))


def _grow(world, n):
    """n more villages of the township, each with two organisations, rules, revisions and a
    model text of the township adopted."""
    text = model_text_for(world.township, kind="meetings", title=f"例会示范{n}")
    for _ in range(n):
        k = next(_villages)
        village = Region.objects.create(
            code=f"330681109{k:03d}",
            name=f"新村{k}",
            kind=RegionKind.VILLAGE,
            parent=world.township,
        )
        for kind in (OrgKind.SECURITY_COMMITTEE, OrgKind.PATROL_TEAM):
            org = organisation_for(village, kind=kind, members=0)
            rule = rule_for(org, kind="meetings", model_text=text)
            RuleRevision.objects.create(
                rule=rule, number=2, text="改", adopted_on=dt.date(2025, 4, 1)
            )
            rule_for(org, kind="patrol")


def _queries(client, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, data or {}).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("user", "url_name", "data"),
    [
        ("township_officer", "governance:rule_list", {}),
        ("township_officer", "governance:rule_list", {"status": "in_force", "q": "组织"}),
        ("township_officer", "governance:model_text_list", {"withdrawn": "1"}),
        ("director1", "governance:rule_list", {}),
        ("director2", "governance:model_text_list", {}),
        ("township_officer", "home", {}),
    ],
)
def test_list_query_counts_stay_flat_as_rows_grow(world, client, org, user, url_name, data):
    client.force_login(getattr(world, user))
    url = reverse(url_name)
    _grow(world, 2)
    for kind in SECURITY[:3]:
        rule_for(org, kind=kind)
    small = _queries(client, url, data)
    _grow(world, 12)
    for kind in SECURITY[3:]:
        rule_for(org, kind=kind)
    assert _queries(client, url, data) == small


def test_rule_and_model_text_pages_query_counts_stay_flat(world, client, org, text):
    rule = rule_for(org, kind="confidentiality", model_text=text)
    client.force_login(world.township_officer)
    pages = [rule.get_absolute_url(), text.get_absolute_url()]
    small = [_queries(client, url) for url in pages]
    for number in range(2, 12):
        RuleRevision.objects.create(
            rule=rule, number=number, text=f"第{number}版", adopted_on=dt.date(2025, 4, number)
        )
    _grow(world, 4)
    for k in range(5):
        other = organisation_for(world.village2, kind=OrgKind.PATROL_TEAM, members=0)
        rule_for(other, kind="confidentiality", model_text=text, title=f"乐山村保密{k}")
    assert [_queries(client, url) for url in pages] == small
