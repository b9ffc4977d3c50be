"""Written rules (制度): adopting (from a township's model text or a text of one's own), revising
and repealing, every refusal (a clear message, nothing changed), the township's model texts, and
the in-force check — with the default division of work and with a township's own mandate."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from qunfang.core.permissions import NotYours
from qunfang.governance.models import Mandate, ModelText, Rule, RuleRevision
from qunfang.governance.selectors import rules as sel
from qunfang.governance.services import rules as services
from qunfang.registry.models import OrgKind
from tests.clock import MIDWEEK
from tests.factories import meeting_for, model_text_for, organisation_for, rule_for

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]

TODAY = dt.date(2029, 1, 10)  # MIDWEEK in Shanghai
SECURITY_DEFAULTS = (
    "meetings",
    "assessment",
    "registration",
    "reporting",
    "rewards",
    "confidentiality",
)


def _at(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _snapshot():
    return (
        list(Rule.objects.values_list("pk", "title", "repealed_on", "repeal_reason")),
        list(RuleRevision.objects.values_list("pk", "number", "text")),
        list(ModelText.objects.values_list("pk", "title", "text", "withdrawn_on")),
    )


def _refused(call, **kwargs):
    """The service refuses with a message and changes nothing; returns the message."""
    before = _snapshot()
    with pytest.raises(ValidationError) as refused:
        call(**kwargs)
    assert _snapshot() == before
    return " ".join(refused.value.messages)


@pytest.fixture
def org(world):
    return organisation_for(world.village1, kind=OrgKind.SECURITY_COMMITTEE, name="枫源村治保会")


@pytest.fixture
def text(world):
    return model_text_for(
        world.township, kind="confidentiality", title="保密制度（示范文本）", text="第一条 示范。"
    )


def _adopt(world, org, **kwargs):
    values = {
        "by": world.director1,
        "organisation": org,
        "kind": "confidentiality",
        "title": "枫源村治保会保密制度",
        "adopted_on": dt.date(2028, 12, 1),
        **kwargs,
    }
    if "text" not in values and "model_text" not in values:
        values["text"] = "第一条 不得泄露举报人信息。"
    return services.rule_adopt(**values)


# ---- adopting, revising, repealing ----------------------------------------------------------


def test_adopting_a_model_text_copies_its_text_as_revision_1(world, org, text):
    rule = _adopt(world, org, model_text=text)
    revision = rule.revisions.get()
    assert (revision.number, revision.text, revision.recorded_by) == (
        1,
        "第一条 示范。",
        world.director1,
    )
    assert rule.model_text == text and rule.repealed_on is None
    assert sel.rule_in_force(org, "confidentiality") == rule


def test_an_adapted_model_text_and_an_own_text_at_a_held_meeting(world, org, text):
    meeting = meeting_for(org, status="held", scheduled_at=_at(dt.date(2028, 11, 20)))
    adapted = _adopt(world, org, model_text=text, text="第一条 示范（本村补充）。", meeting=meeting)
    assert adapted.revisions.get().meeting == meeting
    assert adapted.revisions.get().text == "第一条 示范（本村补充）。"
    own = _adopt(world, org, kind="patrol", title="巡逻值班制度", text="第一条 每晚两人巡逻。")
    assert own.model_text is None and own.revisions.get().meeting is None


def test_revisions_are_kept_numbered_and_the_latest_is_in_force(world, org):
    rule = _adopt(world, org)
    meeting = meeting_for(org, status="held", scheduled_at=_at(dt.date(2028, 12, 20)))
    second = services.rule_revise(
        by=world.director1,
        rule=rule,
        text="第一条 不得泄露举报人信息。\n第二条 文件专柜保管。",
        adopted_on=dt.date(2028, 12, 20),
        meeting=meeting,
        change_note="增加第二条",
        title="枫源村治保会保密制度（修订）",
    )
    third = services.rule_revise(
        by=world.township_officer, rule=rule, text="第一条 改。", adopted_on=dt.date(2028, 12, 20)
    )
    assert (second.number, third.number) == (2, 3)
    items = sel.revisions(rule)
    assert [r.number for r in items] == [3, 2, 1]
    assert sel.current_revision(items) == third
    rule.refresh_from_db()
    assert rule.title == "枫源村治保会保密制度（修订）"
    changes = dict(sel.revisions_with_changes(items))
    assert ("+", "第二条 文件专柜保管。") in changes[second]
    assert changes[items[-1]] == []


def test_a_repealed_rule_is_kept_and_a_new_one_of_its_kind_may_follow(world, org):
    rule = _adopt(world, org)
    services.rule_repeal(by=world.director1, rule=rule, on=TODAY, reason="已不适应新形势")
    rule.refresh_from_db()
    assert (rule.repealed_on, rule.repeal_reason) == (TODAY, "已不适应新形势")
    assert sel.rule_in_force(org, "confidentiality") is None
    newer = _adopt(world, org, title="新保密制度", adopted_on=TODAY)
    assert sel.rule_in_force(org, "confidentiality") == newer


# ---- refusals: a clear message, nothing changed --------------------------------------------


def test_a_meeting_of_another_organisation_is_refused(world, org):
    other = organisation_for(world.village1, kind=OrgKind.PATROL_TEAM)
    meeting = meeting_for(other, status="held", scheduled_at=_at(dt.date(2028, 11, 20)))
    message = _refused(_adopt, world=world, org=org, meeting=meeting)
    assert "不是枫源村治保会的会议" in message


def test_a_meeting_not_held_is_refused(world, org):
    planned = meeting_for(org, status="planned", scheduled_at=_at(dt.date(2028, 11, 20)))
    assert "尚未召开" in _refused(_adopt, world=world, org=org, meeting=planned)
    rule = _adopt(world, org)
    cancelled = meeting_for(org, status="cancelled", scheduled_at=_at(dt.date(2028, 12, 5)))
    message = _refused(
        services.rule_revise,
        by=world.director1,
        rule=rule,
        text="第一条 改。",
        adopted_on=TODAY,
        meeting=cancelled,
    )
    assert "尚未召开" in message


def test_adopted_before_the_meeting_that_adopted_it_is_refused(world, org):
    meeting = meeting_for(org, status="held", scheduled_at=_at(dt.date(2028, 12, 5)))
    message = _refused(_adopt, world=world, org=org, meeting=meeting)  # adopted 2028-12-01
    assert "2028-12-05" in message


def test_a_second_rule_of_a_kind_in_force_is_refused(world, org):
    _adopt(world, org)
    message = _refused(_adopt, world=world, org=org, title="另一个保密制度")
    assert "枫源村治保会已有施行中的保密制度" in message
    # "other" rules are not one of a kind
    _adopt(world, org, kind="other", title="车辆管理制度")
    _adopt(world, org, kind="other", title="档案管理制度")


def test_an_empty_text_is_refused(world, org):
    assert "不能为空" in _refused(_adopt, world=world, org=org, text="  \n ")
    rule = _adopt(world, org)
    message = _refused(
        services.rule_revise, by=world.director1, rule=rule, text=" ", adopted_on=TODAY
    )
    assert "不能为空" in message
    same = rule.revisions.get().text
    message = _refused(
        services.rule_revise, by=world.director1, rule=rule, text=same, adopted_on=TODAY
    )
    assert "与第1版相同" in message


def test_a_revision_dated_before_the_previous_one_is_refused(world, org):
    rule = _adopt(world, org)  # 2028-12-01
    message = _refused(
        services.rule_revise,
        by=world.director1,
        rule=rule,
        text="第一条 改。",
        adopted_on=dt.date(2028, 11, 30),
    )
    assert "第1版于2028-12-01通过" in message


def test_a_model_text_of_another_township_is_refused(world, org):
    foreign = model_text_for(world.township2, kind="confidentiality", title="赵家镇保密制度")
    message = _refused(_adopt, world=world, org=org, model_text=foreign)
    assert "其他乡镇" in message


def test_a_withdrawn_or_mismatched_model_text_is_refused(world, org, text):
    message = _refused(_adopt, world=world, org=org, model_text=text, kind="patrol")
    assert "是保密制度的示范文本" in message
    text.withdrawn_on = dt.date(2028, 1, 1)
    text.save()
    assert "已被乡镇撤回" in _refused(_adopt, world=world, org=org, model_text=text)


def test_dates_in_the_future_and_repeal_without_a_reason_are_refused(world, org):
    assert "将来" in _refused(_adopt, world=world, org=org, adopted_on=TODAY + dt.timedelta(1))
    rule = _adopt(world, org)
    repeal = services.rule_repeal
    assert "原因" in _refused(repeal, by=world.director1, rule=rule, on=TODAY, reason=" ")
    message = _refused(
        repeal, by=world.director1, rule=rule, on=dt.date(2028, 11, 1), reason="过时"
    )
    assert "2028-12-01" in message
    repeal(by=world.director1, rule=rule, on=TODAY, reason="过时")
    assert "已于" in _refused(repeal, by=world.director1, rule=rule, on=TODAY, reason="过时")
    message = _refused(
        services.rule_revise, by=world.director1, rule=rule, text="新", adopted_on=TODAY
    )
    assert "已于" in message


def test_another_village_and_a_patrol_member_may_not_adopt(world, org):
    for outsider in (world.director2, world.township2_officer, world.patrol1, world.mediator1):
        with pytest.raises(NotYours):
            _adopt(world, org, by=outsider)
    assert not Rule.objects.exists()


# ---- model texts ------------------------------------------------------------------------------


def test_the_township_publishes_corrects_and_withdraws_a_model_text(world, org):
    text = services.model_text_publish(
        by=world.township_officer,
        township=world.township,
        kind="meetings",
        title="例会制度（示范文本）",
        text="第一条 每月召开一次例会。",
    )
    assert text.published_on == TODAY and text.withdrawn_on is None
    services.model_text_edit(
        by=world.township_officer,
        model_text=text,
        kind="meetings",
        title="例会制度（示范文本）",
        text="第一条 每月十日召开例会。",
    )
    text.refresh_from_db()
    assert text.text == "第一条 每月十日召开例会。"
    _adopt(world, org, kind="meetings", model_text=text, adopted_on=TODAY)
    message = _refused(
        services.model_text_edit,
        by=world.township_officer,
        model_text=text,
        kind="meetings",
        title="改",
        text="改",
    )
    assert "已有组织采用" in message
    services.model_text_withdraw(by=world.township_officer, model_text=text)
    text.refresh_from_db()
    assert text.withdrawn_on == TODAY
    message = _refused(services.model_text_withdraw, by=world.township_officer, model_text=text)
    assert "已于" in message
    assert sel.rule_in_force(org, "meetings").model_text == text  # the rule stays in force


def test_only_the_township_office_publishes_for_its_own_township(world):
    for user, township in (
        (world.director1, world.township),
        (world.township2_officer, world.township),
        (world.police, world.township),
    ):
        with pytest.raises(NotYours):
            services.model_text_publish(
                by=user, township=township, kind="meetings", title="例会", text="第一条"
            )
    message = _refused(
        services.model_text_publish,
        by=world.township_officer,
        township=world.village1,
        kind="meetings",
        title="例会",
        text="第一条",
    )
    assert "乡镇" in message
    message = _refused(
        services.model_text_publish,
        by=world.township_officer,
        township=world.township,
        kind="meetings",
        title="例会",
        text="",
    )
    assert "不能为空" in message


def test_villages_see_their_townships_published_texts(world, org, text):
    withdrawn = model_text_for(world.township, title="旧文本", withdrawn_on=dt.date(2026, 1, 1))
    adopted_then_withdrawn = model_text_for(world.township, kind="patrol", title="旧巡逻文本")
    rule_for(org, kind="patrol", model_text=adopted_then_withdrawn)
    adopted_then_withdrawn.withdrawn_on = dt.date(2026, 1, 1)
    adopted_then_withdrawn.save()
    foreign = model_text_for(world.township2, title="赵家镇文本")

    def seen(user):
        return set(sel.model_texts_visible(user))

    assert seen(world.director2) == {text}
    assert seen(world.director1) == {text, adopted_then_withdrawn}
    assert seen(world.township_officer) == {text, withdrawn, adopted_then_withdrawn}
    assert seen(world.township2_officer) == {foreign}
    assert seen(world.admin) == {text, withdrawn, adopted_then_withdrawn, foreign}
    listed = {
        t.title: t.adopted for t in sel.model_text_list(world.township_officer, withdrawn=True)
    }
    assert listed == {text.title: 0, "旧文本": 0, "旧巡逻文本": 1}
    assert [t.title for t in sel.model_text_list(world.director2)] == [text.title]


# ---- the in-force check ---------------------------------------------------------------------


def test_required_rules_default_to_the_division_of_work(world):
    assert sel.required_rule_kinds(world.township, OrgKind.SECURITY_COMMITTEE) == SECURITY_DEFAULTS
    assert sel.required_rule_kinds(world.township, OrgKind.VILLAGE_GUARD) == ("patrol",)


def test_a_townships_mandate_sets_the_required_rules(world):
    Mandate.objects.create(
        region=world.township,
        org_kind=OrgKind.SECURITY_COMMITTEE,
        text="治安保卫",
        required_rules=["confidentiality", "meetings", "no-such-rule"],
    )
    Mandate.objects.create(
        region=world.township, org_kind=OrgKind.PATROL_TEAM, text="巡逻", required_rules=[]
    )
    kinds = sel.required_rule_kinds
    assert kinds(world.township, OrgKind.SECURITY_COMMITTEE) == ("meetings", "confidentiality")
    assert kinds(world.township, OrgKind.PATROL_TEAM) == ()  # set, and empty: nothing required
    assert kinds(world.township, OrgKind.MEDIATION_COMMITTEE)[0] == "meetings"  # not set
    assert kinds(world.township2, OrgKind.SECURITY_COMMITTEE) == SECURITY_DEFAULTS


def test_the_check_without_a_mandate_flags_each_missing_rule(world, org):
    for kind in SECURITY_DEFAULTS[:-1]:
        rule_for(org, kind=kind)
    rule_for(org, kind="other")
    repealed = rule_for(org, kind="confidentiality", repealed_on=dt.date(2026, 1, 1))
    assert repealed.repealed_on
    organisation_for(world.village2, kind=OrgKind.VILLAGE_GUARD, name="乐山村护村队")
    dissolved = organisation_for(world.village2, kind=OrgKind.PATROL_TEAM, name="乐山村旧巡逻队")
    dissolved.status = "dissolved"
    dissolved.save()

    missing = sel.missing_rules(world.township_officer)
    assert [(m.organisation.name, m.missing) for m in missing] == [
        ("枫源村治保会", ("confidentiality",)),
        ("乐山村护村队", ("patrol",)),
    ]
    translation.activate("zh-hans")
    assert missing[0].reason() == "枫源村治保会：未施行保密制度"
    translation.activate("en")
    assert missing[0].reason() == "枫源村治保会: no Confidentiality (保密制度) in force"
    assert [m.organisation.name for m in sel.missing_rules(world.director1)] == ["枫源村治保会"]
    assert sel.missing_rules(world.township2_officer) == []

    summary = sel.rules_summary(world.township_officer)
    assert (summary["villages"], summary["villages_flagged"], summary["township_view"]) == (
        2,
        2,
        True,
    )
    village = sel.rules_summary(world.director1)
    assert village["township_view"] is False and village["organisations_flagged"] == 1


def test_the_check_with_a_mandate_asks_only_what_the_township_set(world, org):
    rule_for(org, kind="meetings")
    Mandate.objects.create(
        region=world.township,
        org_kind=OrgKind.SECURITY_COMMITTEE,
        text="治安保卫",
        required_rules=["meetings"],
    )
    [village] = sel.rules_check(world.director1)
    [row] = village.organisations
    assert row.required == ("meetings",) and row.missing == ()
    assert sel.missing_rules(world.township_officer) == []
    Mandate.objects.filter(region=world.township).update(required_rules=["meetings", "patrol"])
    assert [m.missing for m in sel.missing_rules(world.director1)] == [("patrol",)]
    Mandate.objects.filter(region=world.township).update(required_rules=[])  # set: none required
    assert sel.missing_rules(world.township_officer) == []
    [row] = sel.rules_check(world.township_officer)[0].organisations
    assert row.required == () and row.in_force["meetings"].kind == "meetings"
