"""The settlement screens: "settle against the terms" from a contract, the settlement page with
every term and the records behind it, the approval, the printable statement, the list; who sees
and does what; both languages; the list's query count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.governance.models import ContractSettlement, PaymentRequest, SettlementStatus
from qunfang.governance.services import settlements as svc
from qunfang.patrols.models import Outcome
from qunfang.registry.forms import TermForm
from qunfang.registry.models import ContractStatus, Metric, SecurityContract
from tests.clock import MIDWEEK
from tests.core.test_pdf import _assert_chinese_pdf, renders
from tests.governance.test_settlements import (
    Patrols,
    active_contract,
    case_in,
    officer2,
    person_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]
M = Metric


def _body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def contract(world):
    p = Patrols(world)
    who = person_in(world.village1, "承包人甲")
    p.on(who, dt.date(2028, 2, 1), Outcome.SERVED)
    p.on(who, dt.date(2028, 3, 1), Outcome.MISSED)
    theft = case_in(world, dt.date(2028, 3, 5))
    terms = [
        (M.THEFTS, "lte", "1", "500", "300"),
        (M.PATROL_COMPLETION, "gte", "90", "1000", "0"),
    ]
    contract = active_contract(world.village1, contractor=who, terms=terms, title="枫源村夜巡承包")
    contract.theft = theft
    return contract


def test_the_director_settles_from_the_contract_page(world, client, contract):
    client.force_login(world.director1)
    body = _body(client.get(reverse("registry:contract_detail", args=[contract.pk])))
    compute_url = reverse("governance:settlement_compute", args=[contract.pk])
    assert 'data-testid="contract-settlement"' in body and compute_url in body
    body = _body(client.get(compute_url))
    assert 'data-testid="compute"' in body and contract.get_status_display() in body

    response = client.post(compute_url)

    settlement = ContractSettlement.objects.get(contract=contract)
    assert response.status_code == 302 and response["Location"] == settlement.get_absolute_url()
    body = _body(client.get(settlement.get_absolute_url()))
    assert 'data-testid="line-thefts"' in body and 'data-testid="met"' in body
    assert 'data-testid="missed"' in body  # completion 50 %
    case_url = reverse("casebook:case_detail", args=[contract.theft.pk])
    assert case_url in body and contract.theft.number in body  # the record behind the term
    assert "11300" in body.replace(",", "")  # 12000 − 1000 + 300 = 11300
    assert 'data-testid="approve"' not in body  # the township approves
    # the contract's page now links to its settlement, and the compute page leads there
    body = _body(client.get(reverse("registry:contract_detail", args=[contract.pk])))
    assert settlement.get_absolute_url() in body
    assert client.get(compute_url)["Location"] == settlement.get_absolute_url()


def test_the_township_approves_on_the_page(world, client, contract):
    settlement = svc.settlement_compute(contract=contract, by=world.director1)
    client.force_login(world.township_officer)
    body = _body(client.get(settlement.get_absolute_url()))
    assert 'data-testid="approve"' in body
    response = client.post(reverse("governance:settlement_approve", args=[settlement.pk]))
    assert response.status_code == 302
    assert SecurityContract.objects.get(pk=contract.pk).status == ContractStatus.SETTLED
    payment = PaymentRequest.objects.get(settlement=settlement)
    body = _body(client.get(settlement.get_absolute_url()))
    assert 'data-testid="payment"' in body and 'data-testid="approve"' not in body
    assert payment.amount == Decimal("11300.00")


def test_who_computed_is_shown_why_they_do_not_approve(world, client, contract):
    settlement = svc.settlement_compute(contract=contract, by=world.township_officer)
    client.force_login(world.township_officer)
    body = _body(client.get(settlement.get_absolute_url()))
    assert 'data-testid="four-eyes"' in body and 'data-testid="approve"' not in body
    client.post(reverse("governance:settlement_approve", args=[settlement.pk]))
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.COMPUTED
    client.force_login(officer2(world))
    assert 'data-testid="approve"' in _body(client.get(settlement.get_absolute_url()))


def test_a_director_posting_an_approval_is_refused_with_a_message(world, client, contract):
    settlement = svc.settlement_compute(contract=contract, by=world.director1)
    client.force_login(world.director1)
    url = reverse("governance:settlement_approve", args=[settlement.pk])
    response = client.post(url, follow=True)
    assert "乡镇" in response.content.decode()  # "Only the township approves…"
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.COMPUTED


def test_a_contract_still_running_shows_why_and_computes_nothing(world, client):
    running = active_contract(world.village1, ends_on=dt.date(2029, 6, 30))
    client.force_login(world.director1)
    url = reverse("governance:settlement_compute", args=[running.pk])
    body = _body(client.get(url))
    assert 'data-testid="refusal"' in body and "2029-07-01" in body
    assert 'data-testid="compute"' not in body
    response = client.post(url, follow=True)
    assert "2029-07-01" in response.content.decode()
    assert not ContractSettlement.objects.exists()


@pytest.mark.parametrize("who", ["director2", "township2_officer"])
def test_other_villages_and_townships_get_404(world, client, contract, who):
    settlement = svc.settlement_compute(contract=contract, by=world.director1)
    client.force_login(getattr(world, who))
    for name, pk in (
        ("governance:settlement_compute", contract.pk),
        ("governance:settlement_detail", settlement.pk),
        ("governance:settlement_print", settlement.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    for name, pk in (
        ("governance:settlement_compute", contract.pk),
        ("governance:settlement_approve", settlement.pk),
    ):
        assert client.post(reverse(name, args=[pk])).status_code == 404, name
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.COMPUTED
    body = _body(client.get(reverse("governance:settlement_list")))
    assert "枫源村夜巡承包" not in body


def test_the_printable_statement_for_signing(world, client, contract):
    settlement = svc.settlement_compute(contract=contract, by=world.director1)
    client.force_login(world.director1)
    body = _body(client.get(reverse("governance:settlement_print", args=[settlement.pk])))
    assert "治安承包结算单" in body and "承包人（签字）" in body
    assert "壹万壹仟叁佰元整" in body  # the amount to pay in capital numerals
    assert 'data-testid="line-thefts"' in body and "11300" in body.replace(",", "")


@renders
def test_the_statement_downloads_as_a_pdf_in_chinese(world, client, contract, tmp_path):
    settlement = svc.settlement_compute(contract=contract, by=world.director1)
    client.force_login(world.director1)
    url = reverse("governance:settlement_print", args=[settlement.pk])
    response = client.get(url, {"format": "pdf"})
    text = "".join(_assert_chinese_pdf(response, tmp_path).split())
    assert contract.number in text and "枫源村" in text


def test_the_pages_read_in_english_too(world, client, contract):
    settlement = svc.settlement_compute(contract=contract, by=world.director1)
    client.force_login(world.township_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = _body(client.get(settlement.get_absolute_url()))
    assert "Performance terms against the records" in body and "Thefts in the area" in body
    assert "Approve the settlement" in body
    body = _body(client.get(reverse("governance:settlement_list")))
    assert "Security contract settlements" in body
    body = _body(client.get(reverse("governance:settlement_print", args=[settlement.pk])))
    assert "Security contract settlement statement" in body


def test_the_list_shows_settlements_and_the_contracts_waiting(world, client, contract):
    waiting = active_contract(world.village1, title="枫源村祠堂看护承包")
    settled = active_contract(world.village2, title="乐山村巡逻承包")
    svc.settlement_compute(contract=settled, by=world.director2)
    client.force_login(world.township_officer)
    body = _body(client.get(reverse("governance:settlement_list")))
    assert "枫源村祠堂看护承包" in body and "乐山村巡逻承包" in body
    assert reverse("governance:settlement_compute", args=[waiting.pk]) in body
    client.force_login(world.director1)
    body = _body(client.get(reverse("governance:settlement_list")))
    assert "枫源村祠堂看护承包" in body and "乐山村巡逻承包" not in body


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_costs_the_same_queries_however_many_rows(world, client):
    def settle(n):
        for k in range(n):
            team_or_person = person_in(world.village1, f"承包人{k}")
            c = active_contract(world.village1, contractor=team_or_person)
            svc.settlement_compute(contract=c, by=world.director1)
            active_contract(world.village1)  # and one waiting

    client.force_login(world.township_officer)
    url = reverse("governance:settlement_list")
    settle(2)
    few = _queries(client, url)
    settle(6)
    assert _queries(client, url) == few


def test_the_contract_form_takes_the_bonus():
    form = TermForm(
        data={
            "metric": M.THEFTS,
            "comparator": "lte",
            "target": "2",
            "deduction": "500",
            "bonus": "300",
        }
    )
    assert form.is_valid(), form.errors
    assert form.instance.bonus == Decimal(300)
    refused = TermForm(
        data={
            "metric": M.THEFTS,
            "comparator": "lte",
            "target": "2",
            "deduction": "0",
            "bonus": "-1",
        }
    )
    assert not refused.is_valid() and "bonus" in refused.errors
    # a form that leaves the bonus out (an older page, a spreadsheet) means no bonus
    without = TermForm(
        data={"metric": M.THEFTS, "comparator": "lte", "target": "2", "deduction": "0"}
    )
    assert without.is_valid(), without.errors
    assert without.instance.bonus == 0


def test_no_deduction_shows_no_minus_sign_on_the_page_or_the_list(world, client):
    contract = active_contract(world.village1, title="枫源村祠堂看护承包")  # no terms
    settlement = svc.settlement_compute(contract=contract, by=world.director1)
    assert settlement.deductions == 0 and settlement.bonuses == 0
    client.force_login(world.township_officer)
    for url in (
        settlement.get_absolute_url(),
        reverse("governance:settlement_print", args=[settlement.pk]),
        reverse("governance:settlement_list"),
    ):
        body = _body(client.get(url))
        assert "−0" not in body and "+0.00" not in body, url
    body = _body(client.get(settlement.get_absolute_url()))
    assert 'data-testid="deductions">—<' in body and "12000.00" in body.replace(",", "")


@renders
def test_no_deduction_shows_no_minus_sign_in_the_pdf(world, client, tmp_path):
    contract = active_contract(world.village1, title="枫源村祠堂看护承包")
    settlement = svc.settlement_compute(contract=contract, by=world.director1)
    client.force_login(world.township_officer)
    url = reverse("governance:settlement_print", args=[settlement.pk])
    text = _assert_chinese_pdf(client.get(url, {"format": "pdf"}), tmp_path)
    assert "12000.00" in text.replace(",", "") and "−0" not in text and "-0.00" not in text
