"""Screens of rewards and punishments: the township's rules, proposing from a run's results and
by hand, deciding and publishing, the payment requests, the printed notice and the public
village board — in both languages, each refusal shown on the page, lists at a flat query
count."""

import datetime as dt
import subprocess
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.governance.models import (
    Action,
    PaymentRequest,
    Sanction,
    SanctionRule,
    SanctionStatus,
)
from qunfang.governance.services import sanctions as svc
from qunfang.patrols.models import Outcome
from qunfang.registry.models import Person
from tests.clock import MIDWEEK
from tests.core.test_pdf import _assert_chinese_pdf, _poppler, renders
from tests.factories import post_holder
from tests.governance.test_sanctions import (
    a_case,
    at,
    check_in,
    closed_run,
    everything,
    make_w,
    proposed,
    shifts,
)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]


@pytest.fixture
def w(world, records):
    return make_w(world, records)


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    return len(captured)


def published(w, action=Action.COMMENDATION, person=None, reason="夜巡发现火情"):
    sanction = svc.sanction_propose(
        person=person or w.person,
        action=action,
        amount="200" if action == Action.BONUS else None,
        reason=reason,
        by=w.officer,
    )
    svc.sanction_decide(sanction=sanction, approve=True, by=w.officer2)
    return svc.sanction_publish(sanction=sanction, by=w.officer2)


# ---- rules --------------------------------------------------------------------------------------


def test_the_township_adds_a_rule_and_the_usual_ones(w, client):
    client = english(client)
    client.force_login(w.officer)
    page = client.get(reverse("governance:sanction_rule_list")).content.decode()
    assert "Add the usual rules" in page and "Missed shift" in page
    response = client.post(
        reverse("governance:sanction_rule_form"),
        {"trigger": "missed_shift", "times": "2", "action": "make_up_duty", "active": "on"},
    )
    assert response.status_code == 302
    assert SanctionRule.objects.get().action == Action.MAKE_UP_DUTY
    client.post(reverse("governance:sanction_rule_defaults"))
    assert SanctionRule.objects.count() == 1 + len(svc.DEFAULT_RULES)
    listing = client.get(reverse("governance:sanction_rule_list")).content.decode()
    assert listing.count('data-testid="rule-row"') == 1 + len(svc.DEFAULT_RULES)


def test_an_amount_on_a_warning_is_shown_on_the_form_and_nothing_saved(w, client):
    client = english(client)
    client.force_login(w.officer)
    before = everything()
    response = client.post(
        reverse("governance:sanction_rule_form"),
        {"trigger": "missed_shift", "times": "1", "action": "warning", "amount": "50"},
    )
    assert response.status_code == 200
    assert "Only a bonus or a subsidy carries an amount" in response.content.decode()
    response = client.post(
        reverse("governance:sanction_rule_form"),
        {"trigger": "exemplary_report", "times": "1", "action": "bonus", "active": "on"},
    )
    assert "Give the amount of the bonus in yuan" in response.content.decode()
    assert everything() == before


def test_a_rule_is_changed_from_the_list(w, client):
    made = svc.sanction_rule_save(
        township=w.world.township, trigger="missed_shift", times=1, action="warning", by=w.officer
    )
    client.force_login(w.officer)
    url = reverse("governance:sanction_rule_form") + f"?rule={made.pk}"
    assert client.get(url).status_code == 200
    client.post(url, {"trigger": "missed_shift", "times": "2", "action": "warning"})
    made.refresh_from_db()
    assert made.times == 2 and not made.active  # the box left unticked: switched off


def test_a_village_reads_its_township_s_rules_and_changes_none(w, client):
    svc.default_rules(w.world.township, w.officer)
    client.force_login(w.director)
    page = client.get(reverse("governance:sanction_rule_list")).content.decode()
    assert page.count('data-testid="rule-row"') == len(svc.DEFAULT_RULES)
    assert 'data-testid="edit-rule"' not in page and 'data-testid="usual-rules"' not in page
    assert client.get(reverse("governance:sanction_rule_form")).status_code == 403
    assert client.post(reverse("governance:sanction_rule_defaults")).status_code == 403
    # another township's officer neither sees nor changes them
    client.force_login(w.world.township2_officer)
    assert (
        'data-testid="rule-row"'
        not in client.get(reverse("governance:sanction_rule_list")).content.decode()
    )
    some = SanctionRule.objects.first()
    url = reverse("governance:sanction_rule_form") + f"?rule={some.pk}"
    assert client.get(url).status_code == 404


# ---- from the results to the board ----------------------------------------------------------


def test_from_a_run_s_results_through_approval_to_the_village_board(w, client):
    svc.default_rules(w.world.township, w.officer)
    shifts(w, w.person, [Outcome.MISSED, Outcome.SERVED])
    (patrol,) = shifts(w, w.member, [Outcome.SERVED], first_day=8)
    case = a_case(w, source_check_in=check_in(w, patrol), reported_at=at(9, 1))
    run = closed_run(w)
    client = english(client)
    client.force_login(w.officer)

    url = reverse("governance:sanctions_propose", args=[run.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="propose-from-results"' in page and "Exemplary report" in page
    response = client.post(url)
    assert response.status_code == 302 and "status=proposed" in response["Location"]
    assert Sanction.objects.count() == 3  # a warning; a commendation and a bonus
    client.post(url)
    assert Sanction.objects.count() == 3  # nothing new

    bonus = Sanction.objects.get(action=Action.BONUS)
    detail = client.get(bonus.get_absolute_url()).content.decode()
    assert reverse("casebook:case_detail", args=[case.pk]) in detail  # the record it rests on
    assert 'data-testid="four-eyes"' in detail  # the proposer does not decide
    assert (
        client.post(
            reverse("governance:sanction_decide", args=[bonus.pk]), {"decision": "approve"}
        ).status_code
        == 200
    )  # refused on the page
    assert Sanction.objects.get(pk=bonus.pk).status == SanctionStatus.PROPOSED

    client.force_login(w.officer2)
    response = client.post(
        reverse("governance:sanction_decide", args=[bonus.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    assert PaymentRequest.objects.get(sanction=bonus).amount == Decimal("200.00")
    response = client.post(reverse("governance:sanction_publish", args=[bonus.pk]))
    assert response.status_code == 302

    warning = Sanction.objects.get(action=Action.WARNING)
    shift_url = reverse("patrols:shift_detail", args=[warning.refs[0][1]])
    assert shift_url in client.get(warning.get_absolute_url()).content.decode()

    board = Client().get(reverse("governance:sanction_board", args=[w.world.village1.code]))
    text = board.content.decode()
    assert board.status_code == 200
    assert w.member.name in text and bonus.reason in text
    assert w.person.name not in text  # the warning is not published yet


def test_a_rejection_without_a_reason_is_shown_and_nothing_changes(w, client):
    sanction = proposed(w, by=w.director)
    client = english(client)
    client.force_login(w.officer)
    before = everything()
    response = client.post(
        reverse("governance:sanction_decide", args=[sanction.pk]), {"decision": "reject"}
    )
    assert response.status_code == 200
    assert "Say why the proposal is rejected." in response.content.decode()
    assert everything() == before


def test_publishing_before_approval_is_refused_on_the_page(w, client):
    sanction = proposed(w, action=Action.WARNING, by=w.director)
    client = english(client)
    client.force_login(w.officer)
    response = client.post(reverse("governance:sanction_publish", args=[sanction.pk]))
    assert "Only an approved reward or punishment is published" in response.content.decode()
    assert Sanction.objects.get(pk=sanction.pk).status == SanctionStatus.PROPOSED


def test_a_director_proposes_by_hand_for_the_own_village_only(w, client):
    client = english(client)
    client.force_login(w.director)
    form = client.get(reverse("governance:sanction_create")).content.decode()
    assert w.person.name in form and w.theirs.name not in form
    response = client.post(
        reverse("governance:sanction_create"),
        {"person": w.theirs.pk, "action": "warning", "reason": "漏巡"},
    )
    assert response.status_code == 200 and not Sanction.objects.exists()
    response = client.post(
        reverse("governance:sanction_create"),
        {"person": w.person.pk, "action": "commendation", "reason": "扑灭柴房火情"},
    )
    made = Sanction.objects.get()
    assert response["Location"] == made.get_absolute_url() and made.proposed_by == w.director
    # the director sees it, and is not offered the decision
    detail = client.get(made.get_absolute_url()).content.decode()
    assert 'data-testid="approve"' not in detail
    assert (
        client.get(reverse("governance:sanctions_propose", args=[closed_run(w).pk])).status_code
        == 404
    )


def test_the_board_shows_names_actions_reasons_and_dates_and_no_personal_numbers(w, client):
    published(w, Action.BONUS, reason="扑灭柴房火情")
    published(w, Action.WARNING, person=w.member, reason="一月漏巡三次")
    proposed(w, action=Action.COMMENDATION)  # not approved: not on the board
    board = client.get(reverse("governance:sanction_board", args=[w.world.village1.code]))
    text = board.content.decode()
    assert text.count('data-testid="board-item"') == 2
    assert "扑灭柴房火情" in text and "一月漏巡三次" in text and "¥200.00" in text
    assert w.person.id_number not in text and w.person.phone not in text
    assert "夜巡发现火情" not in text  # the unapproved one
    nextdoor = client.get(reverse("governance:sanction_board", args=[w.world.village2.code]))
    assert "扑灭柴房火情" not in nextdoor.content.decode()
    assert (
        client.get(reverse("governance:sanction_board", args=["000000000000"])).status_code == 404
    )


def test_the_notice_prints_the_village_s_published_ones(w, client):
    published(w, Action.COMMENDATION, reason="扑灭柴房火情")
    published(w, Action.MAKE_UP_DUTY, person=w.member, reason="一月漏巡")
    client.force_login(w.director)  # one village: no choice to make
    page = client.get(reverse("governance:sanction_notice")).content.decode()
    assert 'data-testid="notice-rewards"' in page and "扑灭柴房火情" in page
    assert "一月漏巡" in page and str(w.world.village1.name) in page
    client.force_login(w.officer)
    choose = client.get(reverse("governance:sanction_notice")).content.decode()
    assert 'data-testid="notice-villages"' in choose
    other = client.get(
        reverse("governance:sanction_notice") + f"?village={w.world.village2.code}&period=2029"
    )
    assert "扑灭柴房火情" not in other.content.decode()


def test_lists_filter_and_a_village_sees_its_own(w, client):
    published(w, Action.COMMENDATION, reason="表彰一")
    proposed(w, action=Action.WARNING)
    svc.sanction_propose(person=w.theirs, action="warning", reason="乐山村漏巡", by=w.officer)
    client.force_login(w.officer)
    base = reverse("governance:sanction_list")
    rows = lambda q="": client.get(base + q).content.decode().count('data-testid="sanction-row"')  # noqa: E731
    assert rows() == 3
    assert rows("?status=published") == 1
    assert rows("?kind=reward") == 1 and rows("?kind=punishment") == 2
    assert rows(f"?village={w.world.village2.code}") == 1
    client.force_login(w.director)
    assert rows() == 2
    assert "乐山村漏巡" not in client.get(base).content.decode()
    assert client.get(base + f"?village={w.world.village2.code}").status_code == 404


def test_payment_requests_wait_as_to_be_paid_for_the_township_and_the_village(w, client):
    published(w, Action.BONUS, reason="扑灭柴房火情")
    client = english(client)
    for user in (w.officer, w.director):
        client.force_login(user)
        page = client.get(reverse("governance:payment_list")).content.decode()
        assert page.count('data-testid="payment-row"') == 1 and "To be paid" in page
    client.force_login(w.world.director2)
    page = client.get(reverse("governance:payment_list")).content.decode()
    assert 'data-testid="payment-row"' not in page


def test_the_pages_are_in_chinese_by_default(w, client):
    published(w, Action.BONUS, reason="扑灭柴房火情")
    client.force_login(w.officer)
    listing = client.get(reverse("governance:sanction_list")).content.decode()
    assert "人工提出" in listing and "奖金" in listing
    payments = client.get(reverse("governance:payment_list")).content.decode()
    assert "付款申请" in payments and "待支付" in payments
    assert "添加常用规则" in client.get(reverse("governance:sanction_rule_list")).content.decode()
    board = client.get(reverse("governance:sanction_board", args=[w.world.village1.code]))
    assert "奖惩公示" in board.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Propose by hand" in client.get(reverse("governance:sanction_list")).content.decode()


def test_the_approver_tells_namesakes_apart_on_the_list(w, client):
    twins = [
        Person.objects.create(
            region=w.world.village1, name="周玉兰", sex="F", birth_date=dt.date(year, 3, 1)
        )
        for year in (1986, 2002)
    ]
    for person in [*twins, w.person]:
        svc.sanction_propose(
            person=person, action=Action.COMMENDATION, reason="协助调解纠纷", by=w.officer
        )
    client.force_login(w.officer2)
    page = client.get(reverse("governance:sanction_list"), {"status": "proposed"})
    body = page.content.decode()
    assert "周玉兰（1986年生）" in body and "周玉兰（2002年生）" in body
    assert w.person.name in body and f"{w.person.name}（" not in body  # no namesake: no year


def test_the_lists_cost_the_same_queries_for_one_or_many(w, client):
    svc.default_rules(w.world.township, w.officer)
    published(w, Action.BONUS, reason="第一条")
    client.force_login(w.officer)
    village = w.world.village1.code
    urls = [
        reverse("governance:sanction_list"),
        reverse("governance:sanction_list") + "?status=published",
        reverse("governance:payment_list"),
        reverse("governance:sanction_rule_list"),
        reverse("governance:sanction_notice") + f"?village={village}",
        reverse("governance:sanction_board", args=[village]),
    ]
    one = [_queries(client, url) for url in urls]
    for k in range(5):
        published(w, Action.BONUS, person=w.member, reason=f"第{k}条")
        published(w, Action.WARNING, person=w.theirs, reason=f"乐山村第{k}条")
        svc.sanction_rule_save(
            township=w.world.township,
            trigger="missed_shift",
            times=5 + k,
            action="warning",
            by=w.officer,
        )
    assert [_queries(client, url) for url in urls] == one


# ---- refusals shown on the page -----------------------------------------------------------------


def test_a_reason_with_id_and_phone_numbers_is_refused_on_the_form_naming_them_masked(w, client):
    client = english(client)
    client.force_login(w.director)
    response = client.post(
        reverse("governance:sanction_create"),
        {
            "person": w.person.pk,
            "action": "commendation",
            "reason": "身份证330681199001011234，电话13812345678",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Sanction.objects.exists()
    assert "take out the phone and ID numbers" in page
    assert "330681***********4" in page and "138****5678" in page


@pytest.mark.parametrize("amount", ["123456789012", "12.345", "100000.01"])
@pytest.mark.parametrize("route", ["governance:sanction_create", "governance:sanction_rule_form"])
def test_a_bad_amount_gets_the_app_s_own_message(w, client, amount, route):
    client.force_login(w.officer)
    data = {"action": "bonus", "amount": amount, "times": "1", "active": "on"}
    data.update(
        {"person": w.person.pk, "reason": "扑灭柴房火情"}
        if route == "governance:sanction_create"
        else {"trigger": "exemplary_report"}
    )
    before = everything()
    page = client.post(reverse(route), data).content.decode()
    assert "不超过 100000" in page and "两位小数" in page, page
    assert "确认总共" not in page and "确认小数" not in page  # Django's own wording
    english(client)
    page = client.post(reverse(route), data).content.decode()
    assert "above 0 and at most 100000, with two decimals at most" in page
    assert "digits" not in page
    assert everything() == before


def test_a_proposal_for_a_person_and_an_organisation_is_refused_with_its_message(w, client):
    client = english(client)
    client.force_login(w.director)
    response = client.post(
        reverse("governance:sanction_create"),
        {"person": w.person.pk, "organisation": w.org.pk, "action": "warning", "reason": "漏巡"},
    )
    assert response.status_code == 200 and not Sanction.objects.exists()
    assert response.context["form"].non_field_errors() == ["Choose one person or one organisation."]
    # shown by core/_fields.html, which puts a form's non-field errors at its top
    assert "Choose one person or one organisation." in response.content.decode()


def test_a_rule_the_township_has_already_is_refused_with_its_message(w, client):
    svc.default_rules(w.world.township, w.officer)
    client = english(client)
    client.force_login(w.officer)
    before = everything()
    response = client.post(
        reverse("governance:sanction_rule_form"),
        {"trigger": "missed_shift", "times": "1", "action": "warning", "active": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The township already has this rule in use."
    ]
    # shown by core/_fields.html, which puts a form's non-field errors at its top
    assert "The township already has this rule in use." in response.content.decode()
    assert everything() == before


def test_changing_a_rule_that_proposed_something_is_refused_with_its_message(w, client):
    made = svc.sanction_rule_save(
        township=w.world.township, trigger="missed_shift", times=1, action="warning", by=w.officer
    )
    shifts(w, w.person, [Outcome.MISSED])
    svc.sanctions_propose_from_results(run=closed_run(w), by=w.officer)
    client = english(client)
    client.force_login(w.officer)
    before = everything()
    response = client.post(
        reverse("governance:sanction_rule_form") + f"?rule={made.pk}",
        {"trigger": "missed_shift", "times": "2", "action": "warning", "active": "on"},
    )
    assert response.status_code == 200
    (error,) = response.context["form"].non_field_errors()
    assert "has already proposed rewards or punishments" in error
    assert error in response.content.decode()  # by core/_fields.html
    assert everything() == before


def test_a_due_day_of_today_is_refused_on_the_page_saying_it_must_be_after_today(w, client):
    sanction = proposed(w, action=Action.RECTIFICATION, by=w.director)
    svc.sanction_decide(sanction=sanction, approve=True, by=w.officer)
    client = english(client)
    client.force_login(w.officer)
    response = client.post(
        reverse("governance:sanction_publish", args=[sanction.pk]),
        {"due_on": MIDWEEK.date().isoformat()},
    )
    assert "The day it is to be done by must be after today." in response.content.decode()
    assert Sanction.objects.get(pk=sanction.pk).status == SanctionStatus.APPROVED


# ---- deciding many at once from the list --------------------------------------------------------


def _ticks(page: str) -> int:
    return page.count('data-testid="tick"')


def test_the_township_approves_the_ticked_and_its_own_are_skipped(w, client):
    mine = proposed(w, action=Action.WARNING, by=w.officer2)
    others = [proposed(w, action=Action.COMMENDATION), proposed(w, by=w.director)]
    svc.sanction_propose(person=w.theirs, action="warning", reason="乐山村漏巡", by=w.officer)
    client = english(client)
    client.force_login(w.officer2)
    listing = reverse("governance:sanction_list") + "?status=proposed"
    page = client.get(listing).content.decode()
    assert _ticks(page) == 4 and 'data-testid="approve-ticked"' in page
    assert f'action="{reverse("governance:sanction_decide_many")}?status=proposed"' in page
    assert f'name="sanction" value="{others[0].pk}" checked' not in page
    ticked_all = client.get(listing + "&tick=all").content.decode()
    assert ticked_all.count(" checked") == 3  # all but the user's own

    url = reverse("governance:sanction_decide_many") + "?status=proposed"
    response = client.post(
        url,
        {"sanction": [s.pk for s in [*others, mine]], "decision": "approve"},
        follow=True,
    )
    assert (
        response.redirect_chain[-1][0] == reverse("governance:sanction_list") + "?status=proposed"
    )
    text = response.content.decode()
    assert "2 approved." in text and "1 skipped (your own proposal" in text
    assert {Sanction.objects.get(pk=s.pk).status for s in others} == {SanctionStatus.APPROVED}
    assert Sanction.objects.get(pk=mine.pk).status == SanctionStatus.PROPOSED
    assert PaymentRequest.objects.get().sanction_id == others[1].pk
    # in Chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    theirs = Sanction.objects.get(person=w.theirs)
    response = client.post(url, {"sanction": [theirs.pk], "decision": "approve"}, follow=True)
    assert "已批准 1 项。" in response.content.decode()


def test_rejecting_the_ticked_asks_for_one_note_and_keeps_the_ticks(w, client):
    rows = [proposed(w, action=Action.WARNING) for _ in range(2)]
    client = english(client)
    client.force_login(w.officer2)
    url = reverse("governance:sanction_decide_many")
    before = everything()
    response = client.post(url, {"sanction": [s.pk for s in rows], "decision": "reject"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Say why the ticked proposals are rejected" in page
    assert page.count(" checked") == 2  # still ticked
    # the list's own relative links (a filter, a page) from the page re-shown lead to the list
    back = client.get(url + "?status=proposed&page=2")
    assert back["Location"] == reverse("governance:sanction_list") + "?status=proposed&page=2"
    response = client.post(url, {"decision": "approve"})
    assert "Tick the proposals to approve or reject." in response.content.decode()
    assert everything() == before
    client.post(url, {"sanction": [s.pk for s in rows], "decision": "reject", "note": "重复提议"})
    assert set(Sanction.objects.values_list("status", "decision_note")) == {
        (SanctionStatus.REJECTED, "重复提议")
    }


def test_only_who_may_decide_sees_the_boxes_and_others_decide_nothing_by_posting_ids(w, client):
    ours = proposed(w, action=Action.WARNING, by=w.director)
    listing = reverse("governance:sanction_list") + "?status=proposed"
    url = reverse("governance:sanction_decide_many")
    client.force_login(w.director)  # sees the row, may not decide it
    page = client.get(listing).content.decode()
    assert 'data-testid="sanction-row"' in page and _ticks(page) == 0
    assert 'data-testid="bulk-decide"' not in page
    before = everything()
    assert client.post(url, {"sanction": [ours.pk], "decision": "approve"}).status_code == 403
    client.force_login(w.world.township2_officer)  # another township's office
    assert _ticks(client.get(listing).content.decode()) == 0
    response = client.post(url, {"sanction": [ours.pk], "decision": "approve"}, follow=True)
    assert response.status_code == 200
    assert "已批准 0 项。 跳过 1 项（已审批，或不属您审批）。" in response.content.decode()
    assert everything() == before


# ---- the notice for the board, on paper ---------------------------------------------------------


@renders
def test_the_notice_pdf_never_breaks_a_name(w, client, tmp_path):
    long_reason = "夜间巡逻时发现村东出租房电线老化起火，及时扑灭并疏散住户十二人，" * 3
    for name in ("孟玉兰", "欧阳晓东"):
        person = post_holder(w.org, name=name)
        published(w, Action.COMMENDATION, person=person, reason=long_reason)
        published(w, Action.WARNING, person=person, reason=long_reason)
    client.force_login(w.director)
    response = client.get(reverse("governance:sanction_notice"), {"format": "pdf"})
    _assert_chinese_pdf(response, tmp_path)
    text = _poppler("pdftotext", response.content, tmp_path)  # -layout: lines as printed
    layout = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "out.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert text
    assert layout.count("孟玉兰") == 2 and layout.count("欧阳晓东") == 2, layout
