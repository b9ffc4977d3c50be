"""Bulletins (通报): drafting from a period's records, writing by hand, the villages concerned,
four eyes, the numbered series with no gaps and one per year, refusals that change nothing, and
who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from qunfang.core.models import Notification
from qunfang.core.permissions import NotYours
from qunfang.governance.assessment import catalogue
from qunfang.governance.assessment.periods import Period
from qunfang.governance.models.bulletins import (
    Bulletin,
    BulletinMention,
    BulletinStatus,
    MentionKind,
)
from qunfang.governance.models.supervision import FindingKind, Severity, TaskStatus
from qunfang.governance.selectors import bulletins as sel
from qunfang.governance.services import bulletins as svc
from tests.clock import MIDWEEK
from tests.governance.bulletins_factories import finding, officer2, task, village_run

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]
B = BulletinStatus
DEC = "2028-12"


@pytest.fixture
def w(world):
    world.officer2 = officer2(world)
    return world


def hand(w, title="枫桥镇专项通报", **extra):
    extra.setdefault("problems", "1. 某村夜巡缺岗。")
    return svc.bulletin_create(township=w.township, title=title, by=w.township_officer, **extra)


def published(w, title="通报", *, now=None, villages=()):
    bulletin = hand(w, title=title)
    for village in villages:
        svc.bulletin_mention_add(bulletin=bulletin, village=village, by=w.township_officer)
    svc.bulletin_approve(bulletin=bulletin, by=w.officer2, now=now)
    return svc.bulletin_publish(bulletin=bulletin, by=w.township_officer, now=now)


# ---- drafting from the records ------------------------------------------------------------------


@pytest.fixture
def december(w):
    """December's records: what a bulletin reports and what it leaves out."""
    v1, v2 = w.village1, w.village2
    serious = finding(w, v2, dt.date(2028, 12, 5), "消防通道被柴堆堵塞。")
    finding(w, v2, dt.date(2028, 12, 12), "签到的巡逻员斯某未在岗", kind=FindingKind.NOT_FOUND)
    finding(w, v1, dt.date(2028, 12, 8), "夜巡队坚持每晚两班并留有照片", kind=FindingKind.GOOD)
    # left out: a minor problem, one of November, one not yet visited, one of another township
    finding(w, v1, dt.date(2028, 12, 9), "台账字迹潦草", severity=Severity.MINOR)
    finding(w, v1, dt.date(2028, 11, 20), "十一月的严重问题")
    finding(w, v1, dt.date(2028, 12, 20), "计划中的检查", done=False)
    finding(w, w.village3, dt.date(2028, 12, 6), "赵家镇的严重问题")
    # the overdue task is reported; one done and one not yet due are not
    task(w, serious, "清理消防通道", dt.date(2028, 12, 20))
    task(w, serious, "已核实的整改", dt.date(2028, 12, 10), status=TaskStatus.VERIFIED)
    task(w, serious, "尚未到期的整改", dt.date(2029, 1, 20))
    village_run(
        w,
        DEC,
        {v1: ("95.50", 1, False), v2: ("61.00", 2, False)},
        lines={"shift_attendance": ("20", "50"), "meetings_held": ("48", "50")},
    )


def test_a_draft_reports_the_period_s_problems_good_examples_and_priorities(w, december):
    bulletin = svc.bulletin_draft_from_period(
        township=w.township, period=DEC, by=w.township_officer
    )

    assert bulletin.status == B.DRAFT and bulletin.number is None and bulletin.period == DEC
    assert bulletin.title == "枫桥镇社会治安综合治理工作通报（2028年12月）"
    problems = bulletin.problems
    assert "乐山村：消防通道被柴堆堵塞（随机抽查，12月5日）。" in problems
    assert "签到的巡逻员斯某未在岗" in problems
    assert "清理消防通道" in problems and "逾期" in problems
    assert "乐山村：2028年12月考核得分61.0分" in problems  # at the bottom
    for left_out in (
        "台账字迹潦草",
        "十一月的严重问题",
        "计划中的检查",
        "赵家镇",
        "已核实的整改",
        "尚未到期的整改",
    ):
        assert left_out not in problems
    assert "夜巡队坚持每晚两班并留有照片" in bulletin.good_examples
    assert "枫源村：2028年12月考核得分95.5分" in bulletin.good_examples
    priorities = bulletin.priorities
    catalogue.load()
    assert "着力补齐“班次到岗率”短板" in priorities and "40%" in priorities  # 20 of 50 points
    assert str(catalogue.INDICATORS["meetings_held"].label) not in priorities  # 96 %: not weak
    assert "不打招呼的夜间督查" in priorities  # a patrol checked in but was not found
    assert "2029年1月" in priorities  # the coming period
    mentions = dict(BulletinMention.objects.filter(bulletin=bulletin).values_list("region", "kind"))
    assert mentions == {w.village1.pk: MentionKind.GOOD, w.village2.pk: MentionKind.PROBLEM}


def test_vetoed_villages_are_criticised_and_never_commended(w):
    village_run(w, DEC, {w.village1: ("99.00", 1, True), w.village2: ("80.00", 2, False)})
    bulletin = svc.bulletin_draft_from_period(
        township=w.township, period=DEC, by=w.township_officer
    )
    assert "枫源村：2028年12月考核被一票否决。" in bulletin.problems
    assert "枫源村" not in bulletin.good_examples
    kinds = dict(bulletin.mentions.values_list("region", "kind"))
    assert kinds[w.village1.pk] == MentionKind.PROBLEM


def test_the_vetoed_villages_count_towards_the_bottom(w):
    from qunfang.core.models import Region, RegionKind

    more = [
        Region.objects.create(
            code=f"33068110929{n}", name=f"第{n}村", kind=RegionKind.VILLAGE, parent=w.township
        )
        for n in (3, 4, 5, 6)
    ]
    villages = [w.village1, w.village2, *more]  # six: two at either end
    scores = {v: (f"{95 - 5 * i}.00", i + 1, False) for i, v in enumerate(villages)}
    scores[more[-1]] = ("40.00", 6, True)  # vetoed: the last
    village_run(w, DEC, scores)
    problems = svc.bulletin_draft_from_period(
        township=w.township, period=DEC, by=w.township_officer
    ).problems
    assert "第6村：2028年12月考核被一票否决。" in problems
    assert "第5村：2028年12月考核得分" in problems  # one more makes up the bottom two
    assert "第4村：2028年12月考核得分" not in problems


def test_a_quiet_period_says_so_and_names_no_village(w):
    bulletin = svc.bulletin_draft_from_period(
        township=w.township, period="2028-Q4", by=w.township_officer
    )
    assert "未发现突出问题" in bulletin.problems and "2028年第四季度" in bulletin.problems
    assert bulletin.good_examples and bulletin.priorities.startswith("1. ")
    assert "2029年第一季度" in bulletin.priorities
    assert not bulletin.mentions.exists()


def test_a_quarter_reads_its_closed_month_run_before_an_open_later_one(w):
    closed = village_run(w, "2028-11", {w.village1: ("90.00", 1, False)})
    village_run(w, "2028-12", {w.village1: ("70.00", 1, False)}, closed=False)
    assert svc.village_run(w.township, Period.parse("2028-Q4")) == closed
    assert svc.village_run(w.township, Period.parse("2028-10")) is None
    # a month whose run is still open (appeals, adjustments) has no results to publish yet
    assert svc.village_run(w.township, Period.parse("2028-12")) is None


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ("2028-13", "不是有效的考核期"),
        ("去年", "2026-Q4"),
        ("", "请填写期间"),
        ("2029-02", "尚未结束"),
        ("2029-01", "尚未结束"),  # the month under way
    ],
)
def test_a_bad_period_is_refused_with_a_message_and_nothing_drafted(w, period, says):
    with pytest.raises(ValidationError) as refused:
        svc.bulletin_draft_from_period(township=w.township, period=period, by=w.township_officer)
    assert "period" in refused.value.message_dict
    assert any(says in m for m in refused.value.message_dict["period"]), refused.value
    assert not Bulletin.objects.exists()


def test_a_second_draft_of_a_period_is_refused_until_the_first_is_published(w):
    first = svc.bulletin_draft_from_period(township=w.township, period=DEC, by=w.township_officer)
    with pytest.raises(ValidationError):
        svc.bulletin_draft_from_period(township=w.township, period=DEC, by=w.officer2)
    svc.bulletin_approve(bulletin=first, by=w.officer2)
    svc.bulletin_publish(bulletin=first, by=w.township_officer)
    svc.bulletin_draft_from_period(township=w.township, period=DEC, by=w.officer2)
    assert Bulletin.objects.count() == 2


def test_only_the_township_s_office_drafts_its_bulletins(w):
    for who in (w.director1, w.police, w.township2_officer):
        with pytest.raises(NotYours):
            svc.bulletin_draft_from_period(township=w.township, period=DEC, by=who)
    with pytest.raises(ValidationError):
        svc.bulletin_draft_from_period(township=w.village1, period=DEC, by=w.township_officer)
    assert not Bulletin.objects.exists()


# ---- by hand, changes, villages -----------------------------------------------------------------


def test_a_bulletin_by_hand_needs_a_title_and_a_section(w):
    with pytest.raises(ValidationError) as refused:
        hand(w, title=" ")
    assert "title" in refused.value.message_dict
    with pytest.raises(ValidationError):
        hand(w, problems="", good_examples="  ", priorities="")
    with pytest.raises(ValidationError) as refused:
        hand(w, period="2028-1")
    assert "period" in refused.value.message_dict
    assert not Bulletin.objects.exists()
    bulletin = hand(w, period="2028-q4")
    assert bulletin.period == "2028-Q4" and bulletin.year == 2029


def test_only_a_draft_is_changed(w):
    bulletin = hand(w)
    svc.bulletin_update(
        bulletin=bulletin, title="新标题", problems="", priorities="1. 抓好冬防。", by=w.officer2
    )
    bulletin.refresh_from_db()
    assert bulletin.title == "新标题" and bulletin.problems == ""
    svc.bulletin_approve(bulletin=bulletin, by=w.officer2)
    with pytest.raises(ValidationError):
        svc.bulletin_update(bulletin=bulletin, title="再改", priorities="x", by=w.officer2)
    with pytest.raises(NotYours):
        svc.bulletin_update(bulletin=bulletin, title="再改", priorities="x", by=w.director1)
    bulletin.refresh_from_db()
    assert bulletin.title == "新标题"


def test_a_village_of_another_township_is_refused_and_nothing_changes(w):
    bulletin = hand(w)
    svc.bulletin_mention_add(
        bulletin=bulletin, village=w.village1, kind=MentionKind.PROBLEM, by=w.township_officer
    )
    for foreign in (w.village3, w.township2, w.group1):
        with pytest.raises(ValidationError) as refused:
            svc.bulletin_mention_add(bulletin=bulletin, village=foreign, by=w.township_officer)
        assert "village" in refused.value.message_dict
    assert "花明泉村不是枫桥镇的村" in str(_refusal_of(w, bulletin))
    assert list(bulletin.mentions.values_list("region", "kind")) == [
        (w.village1.pk, MentionKind.PROBLEM)
    ]


def _refusal_of(w, bulletin):
    try:
        svc.bulletin_mention_add(bulletin=bulletin, village=w.village3, by=w.township_officer)
    except ValidationError as exc:
        return exc.messages
    raise AssertionError("accepted")


def test_a_village_named_again_takes_the_new_kind_and_is_removed_from_a_draft_only(w):
    bulletin = hand(w)
    svc.bulletin_mention_add(bulletin=bulletin, village=w.village1, by=w.township_officer)
    svc.bulletin_mention_add(
        bulletin=bulletin, village=w.village1, kind=MentionKind.GOOD, by=w.township_officer
    )
    assert list(bulletin.mentions.values_list("kind", flat=True)) == [MentionKind.GOOD]
    with pytest.raises(ValidationError):
        svc.bulletin_mention_remove(bulletin=bulletin, village=w.village2, by=w.township_officer)
    svc.bulletin_mention_remove(bulletin=bulletin, village=w.village1, by=w.township_officer)
    svc.bulletin_mention_add(bulletin=bulletin, village=w.village2, by=w.township_officer)
    svc.bulletin_approve(bulletin=bulletin, by=w.officer2)
    with pytest.raises(ValidationError):
        svc.bulletin_mention_remove(bulletin=bulletin, village=w.village2, by=w.township_officer)
    with pytest.raises(ValidationError):
        svc.bulletin_mention_add(bulletin=bulletin, village=w.village1, by=w.township_officer)
    assert list(bulletin.mentions.values_list("region", flat=True)) == [w.village2.pk]


# ---- four eyes, publication, numbers ------------------------------------------------------------


def test_the_drafter_does_not_approve_another_officer_does(w):
    bulletin = hand(w)
    with pytest.raises(ValidationError) as refused:
        svc.bulletin_approve(bulletin=bulletin, by=w.township_officer)
    assert "四眼" in refused.value.messages[0] or "另一名" in refused.value.messages[0]
    for outsider in (w.director1, w.police, w.township2_officer):
        with pytest.raises(NotYours):
            svc.bulletin_approve(bulletin=bulletin, by=outsider)
    bulletin.refresh_from_db()
    assert bulletin.status == B.DRAFT and bulletin.approved_by is None
    svc.bulletin_approve(bulletin=bulletin, by=w.officer2)
    bulletin.refresh_from_db()
    assert bulletin.status == B.APPROVED and bulletin.approved_by == w.officer2
    assert Notification.objects.filter(user=w.township_officer).count() == 1  # the drafter told
    with pytest.raises(ValidationError):
        svc.bulletin_approve(bulletin=bulletin, by=w.officer2)


def test_a_draft_is_not_published_before_approval(w):
    bulletin = hand(w)
    with pytest.raises(ValidationError):
        svc.bulletin_publish(bulletin=bulletin, by=w.township_officer)
    bulletin.refresh_from_db()
    assert bulletin.status == B.DRAFT and bulletin.number is None


def test_numbers_follow_each_other_with_no_gap_and_start_again_each_year(w):
    dec = dt.datetime(2028, 12, 20, 2, tzinfo=dt.UTC)
    last_year = [published(w, f"旧{n}", now=dec) for n in range(2)]
    first = published(w, "一")
    withdrawn = hand(w, title="撤回的")
    svc.bulletin_withdraw(bulletin=withdrawn, by=w.officer2)
    approved_then_withdrawn = hand(w, title="批准后撤回")
    svc.bulletin_approve(bulletin=approved_then_withdrawn, by=w.officer2)
    svc.bulletin_withdraw(bulletin=approved_then_withdrawn, by=w.township_officer)
    second = published(w, "二")
    third = published(w, "三")

    assert [(b.year, b.number) for b in last_year] == [(2028, 1), (2028, 2)]
    assert [(b.year, b.number) for b in (first, second, third)] == [(2029, 1), (2029, 2), (2029, 3)]
    assert third.number_label == "〔2029〕3号"
    assert not Bulletin.objects.filter(title__in=["撤回的", "批准后撤回"]).exists()
    with pytest.raises(ValidationError):
        svc.bulletin_withdraw(bulletin=third, by=w.township_officer)
    with pytest.raises(ValidationError):
        svc.bulletin_publish(bulletin=third, by=w.township_officer)
    third.refresh_from_db()
    assert third.number == 3 and third.status == B.PUBLISHED


def test_each_township_keeps_its_own_series(w):
    other = svc.bulletin_create(
        township=w.township2, title="赵家镇通报", priorities="1.", by=w.township2_officer
    )
    from qunfang.core.roles import Role
    from qunfang.core.services import user_create
    from tests.factories import TEST_PASSWORD

    approver = user_create(
        username="township2_b",
        password=TEST_PASSWORD,
        region=w.township2,
        roles={Role.TOWNSHIP_OFFICER},
        full_name="赵二",
    )
    svc.bulletin_approve(bulletin=other, by=approver)
    published(w, "枫桥一")
    other = svc.bulletin_publish(bulletin=other, by=w.township2_officer)
    assert other.number == 1


def test_publishing_tells_the_directors_of_the_villages_named_only(w):
    bulletin = published(w, "乐山村通报", villages=[w.village2])
    assert bulletin.status == B.PUBLISHED
    told = Notification.objects.filter(user=w.director2)
    assert told.count() == 1 and told[0].url == bulletin.get_absolute_url()
    assert "〔2029〕1号" in told[0].text_in("zh-hans")
    assert not Notification.objects.filter(user=w.director1).exists()


# ---- who sees what ------------------------------------------------------------------------------


def test_a_village_sees_only_published_bulletins_that_name_it(w):
    mine = published(w, "枫源村的通报", villages=[w.village1])
    theirs = published(w, "乐山村的通报", villages=[w.village2])
    draft = hand(w, title="枫源村的草稿")
    svc.bulletin_mention_add(bulletin=draft, village=w.village1, by=w.township_officer)
    approved = hand(w, title="枫源村已批准未发布")
    svc.bulletin_mention_add(bulletin=approved, village=w.village1, by=w.township_officer)
    svc.bulletin_approve(bulletin=approved, by=w.officer2)

    assert list(sel.bulletin_list(w.director1)) == [mine]
    assert list(sel.bulletin_list(w.director2)) == [theirs]
    assert set(sel.bulletin_list(w.police)) == {mine, theirs}  # published only
    assert set(sel.bulletin_list(w.township_officer)) == {mine, theirs, draft, approved}
    assert list(sel.bulletin_list(w.township2_officer)) == []
    assert sel.bulletin_summary(w.director1)["latest"] == [mine]
    assert set(sel.bulletin_summary(w.officer2)["waiting"]) == {draft, approved}
