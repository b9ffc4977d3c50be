"""The demo's assessment year in 枫桥镇: the township's schemes (the defaults) and rules of
rewards and punishments, each village's responsibility letter, and every past month of the year
assessed at every level, through the services, as the township would have done it — computed on
the 2nd of the following month, appealed here and there, adjusted with a second officer's
approval, closed once the week for appeals was over; the rewards and punishments the closed
months' records call for proposed, most approved and published, the bonuses waiting to be paid.
Last month's assessment is still open, with an appeal waiting. A contract that ended last month
is settled against its terms.

Everything is dated when it happened (`now=` of each service; messages through `sent_at`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from qunfang.core.days import local_midnight
from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext
from qunfang.core.demo.history import backfill_history
from qunfang.core.demo.reference import VILLAGE_3
from qunfang.core.models import Region, User
from qunfang.core.notify import sent_at
from qunfang.governance.assessment.periods import Period
from qunfang.governance.models import Adjustment, AssessmentRun, Level, Score
from qunfang.governance.services.assessment import (
    adjustment_decide,
    adjustment_propose,
    appeal_decide,
    appeal_lodge,
    run_assess,
    run_close,
)
from qunfang.governance.services.sanctions import (
    default_rules,
    sanction_decide,
    sanction_publish,
    sanctions_propose_from_results,
)
from qunfang.governance.services.schemes import LetterDetails, default_schemes, letter_create
from qunfang.governance.services.settlements import settlement_approve, settlement_compute
from qunfang.registry.models import (
    Comparator,
    ContractStatus,
    Metric,
    Organisation,
    OrgKind,
    PerformanceTerm,
    SecurityContract,
)
from qunfang.registry.services.contracts import contract_save_draft, contract_set_status

COMPUTED_AFTER = dt.timedelta(days=1, hours=9)  # on the 2nd of the next month, at 09:00
# villages' own targets in their letters: the stronger villages promise more
LETTER_TARGETS = {
    VILLAGE_1: {"shift_attendance": "98", "meetings_held": "100"},
    VILLAGE_2: {"shift_attendance": "95", "cases_closed_in_time": "95"},
    VILLAGE_3: {"shift_attendance": "90"},
}


def step(context: DemoContext) -> None:
    township = context.township
    assert township is not None
    officer, leader = context.accounts["township"], context.accounts["leader"]
    start = context.now - dt.timedelta(days=365)
    # the runs read the records as they stood at each month's cut-off: the registry and the
    # books written so far must say they existed then
    backfill_history(since=context.now, year_start=start - dt.timedelta(days=1))
    years = sorted({(context.today - dt.timedelta(days=365)).year, context.today.year})
    months = [
        month
        for year in years
        for month in Period.parse(str(year)).months
        if month.starts >= start and month.ends <= context.now
    ]
    with sent_at(start):
        default_schemes(township, officer)
        default_rules(township, officer)
        # the letters of the year the last assessed month is in (on New Year's Day, the year
        # just ended)
        _letters(context, officer, year=months[-1].first.year)
    for number, month in enumerate(months):
        # the township has proposed rewards and punishments from the results since the autumn
        rewards = number >= len(months) - 4
        _assess(context, month, last=number == len(months) - 1, turn=number, rewards=rewards)
    _settle(context, officer, leader)


def _letters(context: DemoContext, officer: User, *, year: int) -> None:
    for village in context.villages:
        signed_on = dt.date(year, 1, 1) + dt.timedelta(days=context.rng.randint(5, 20))
        letter_create(
            village=village,
            year=year,
            details=LetterDetails(
                signed_on=min(signed_on, context.today),
                village_signatory="村党支部书记",
                township_signatory="镇党委副书记、政法委员",
                commitments="全年不发生重大刑事案件和群体性事件；矛盾纠纷调解成功率95%以上；"
                "群众安全感满意度95%以上。",
                targets=LETTER_TARGETS.get(village.code, {}),
            ),
            by=officer,
        )


def _assess(context: DemoContext, month: Period, *, last: bool, turn: int, rewards: bool) -> None:
    township = context.township
    assert township is not None
    officer, leader = context.accounts["township"], context.accounts["leader"]
    at = min(month.ends + COMPUTED_AFTER, context.now - dt.timedelta(minutes=5))
    reads: dict[str, object] = {}  # the three levels read the month's records once
    with sent_at(at):
        runs = [
            run_assess(
                township=township, level=level, period=month, by=officer, now=at, reads=reads
            )
            for level in Level.values
        ]
    _appeal(context, runs[0], at, decide=not last, turn=turn)
    if turn % 4 == 1:
        _adjust(runs[0], officer, leader, at)
    closing = at + dt.timedelta(days=8)
    if last or closing > context.now:
        return
    runs = [run_close(run=run, by=officer, now=closing) for run in runs]
    if rewards:
        _rewards(runs[0], officer, leader, closing)


def _rewards(run: AssessmentRun, officer: User, leader: User, closing: dt.datetime) -> None:
    """Proposed from the closed month's records; the leader approves most (not a slip already
    dealt with face to face), and the approved ones go on the village board."""
    with sent_at(closing):
        proposals = sanctions_propose_from_results(run=run, by=officer, now=closing)
    for k, sanction in enumerate(proposals):
        decided = closing + dt.timedelta(days=2)
        with sent_at(decided):
            approve = k % 9 != 4
            note = "" if approve else "情节轻微，已当面批评教育，不再给予处理。"
            sanction_decide(sanction=sanction, approve=approve, note=note, by=leader, now=decided)
        sanction.refresh_from_db()
        if sanction.status == "approved" and (k % 5 != 0):
            published = decided + dt.timedelta(days=1)
            sanction_publish(sanction=sanction, by=officer, now=published)


def _appeal(
    context: DemoContext, run: AssessmentRun, at: dt.datetime, *, decide: bool, turn: int
) -> None:
    """Every third month the lowest-ranked village not vetoed appeals; last month's waits."""
    if turn % 3 != 2 and decide:
        return
    score = (
        Score.objects.filter(run=run, organisation=None, person=None, vetoed=False)
        .order_by("-rank")
        .first()
    )
    director = _director_of(context, score.region) if score else None
    if score is None or director is None:
        return
    lodged = at + dt.timedelta(days=2)
    line = score.lines.filter(is_veto=False, points__lt=1).order_by("-weight").first()
    with sent_at(lodged):
        appeal = appeal_lodge(
            score=score,
            grounds="本月有两个夜班因台风预警经镇里同意停止巡逻，不应计为缺勤，请予复核。",
            indicator=line.indicator if line else "",
            by=director,
            now=lodged,
        )
    if not decide:
        return
    decided = lodged + dt.timedelta(days=3)
    upheld = turn % 2 == 0
    with sent_at(decided):
        appeal_decide(
            appeal=appeal,
            upheld=upheld,
            decision="经核实，台风预警期间停巡经镇综治办同意，属实，予以加分。"
            if upheld
            else "经核实，停巡未经报批，维持原考核结果。",
            points="3" if upheld else None,
            by=context.accounts["township"],
            now=decided,
        )
    if upheld:  # the change counts once the second officer approves it
        approved = decided + dt.timedelta(days=1)
        with sent_at(approved):
            adjustment_decide(
                adjustment=Adjustment.objects.get(appeal=appeal),
                approve=True,
                by=context.accounts["leader"],
                now=approved,
            )


def _adjust(run: AssessmentRun, officer: User, leader: User, at: dt.datetime) -> None:
    """The township adds points to the top village for a commended piece of work."""
    score = Score.objects.filter(run=run, organisation=None, person=None).order_by("rank").first()
    if score is None:
        return
    adjustment = adjustment_propose(
        score=score,
        points="2",
        reason="协助派出所破获盗窃电瓶车系列案，县公安局通报表扬。",
        by=officer,
    )
    adjustment_decide(adjustment=adjustment, approve=True, by=leader, now=at + dt.timedelta(days=1))


def _director_of(context: DemoContext, village: Region) -> User | None:
    for name in ("director1", "director2"):
        account = context.accounts.get(name)
        if account is not None and account.region_id == village.pk:
            return account
    return None


def _settle(context: DemoContext, officer: User, leader: User) -> None:
    """齐东村's patrol team held a half-year contract that ended with last month: settled."""
    ends = Period.month_of(context.today).first - dt.timedelta(days=1)
    starts = ends.replace(day=1) - dt.timedelta(days=150)
    starts = starts.replace(day=1)
    village = Region.objects.get(code=VILLAGE_3)
    team = Organisation.objects.filter(region=village, kind=OrgKind.PATROL_TEAM).first()
    if team is None:
        return
    signed = starts - dt.timedelta(days=10)
    contract = SecurityContract(
        region=village,
        number=f"QD-{starts:%Y}-02",
        title="齐东村下半年治安巡逻承包合同",
        contractor_team=team,
        starts_on=starts,
        ends_on=ends,
        amount=Decimal("30000.00"),
        duties="承包全村夜间巡逻：每晚不少于2人，重点守护村委会、小学和工业区；发现警情及时报告。",
        rights="按期领取承包费；对巡逻中发现的隐患提出整改建议。",
        benefits="全部考核指标达到的，奖励2000元。",
    )
    contract_save_draft(
        contract=contract,
        area=[village],
        terms=[
            PerformanceTerm(
                metric=Metric.PATROL_COMPLETION,
                comparator=Comparator.AT_LEAST,
                target=Decimal(90),
                deduction=Decimal(1500),
                bonus=Decimal(1000),
            ),
            PerformanceTerm(
                metric=Metric.THEFTS,
                comparator=Comparator.AT_MOST,
                target=Decimal(2),
                deduction=Decimal(1000),
                bonus=Decimal(1000),
            ),
            PerformanceTerm(
                metric=Metric.PATROL_HOURS,
                comparator=Comparator.AT_LEAST,
                target=Decimal(60),
                deduction=Decimal(800),
            ),
        ],
        payments=[],
    )
    for status in (ContractStatus.SIGNED, ContractStatus.ACTIVE):
        contract = contract_set_status(contract=contract, to=status, on=signed)
    # settled on the day after it ended (or now, if that is today)
    computed = min(context.now, local_midnight(ends) + dt.timedelta(days=1, hours=10))
    settlement = settlement_compute(contract=contract, by=officer, now=computed)
    settlement_approve(settlement=settlement, by=leader, now=context.now)
