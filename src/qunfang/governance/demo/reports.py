"""The demo's work reports to villagers: every past month of the year, each main village's
director (or the township, for a village without a demo account) compiles the month's report from
the records on the 3rd of the next month and publishes it the day after; villagers answer on the
public page over the following weeks. The strong villages' villagers are mostly satisfied, the
slipping villages' less and less; the paralysed village stopped publishing four months ago; one
slipping village has compiled last month's report and not yet published it.

Everything is dated when it happened (`now=` of each service, inside `sent_at`)."""

from __future__ import annotations

import datetime as dt

from qunfang.core.demo import DemoContext
from qunfang.core.demo.reference import (
    PARALYSED_VILLAGE,
    SLIPPING_VILLAGES,
    STRONG_VILLAGES,
    VILLAGE_3,
)
from qunfang.core.models import Region, User
from qunfang.core.notify import sent_at
from qunfang.governance.assessment.periods import Period
from qunfang.governance.models import SatisfactionAnswer, WorkReport
from qunfang.governance.services.reports import (
    report_compile,
    report_publish,
    report_update_remarks,
)

COMPILED_AFTER = dt.timedelta(days=2, hours=10)  # on the 3rd of the next month, at 10:00
PUBLISHED_AFTER = dt.timedelta(days=1)
STOPPED_MONTHS = 4  # the paralysed village published nothing for the last four months
WAITING = VILLAGE_3  # has last month's report compiled, not yet published
# (satisfied, fairly satisfied) shares of the answers; the rest are not satisfied
STRONG_MOOD = (0.72, 0.22)
REMARKS = {
    "strong": "本月夜间巡逻按排班全部落实，群众反映的问题已逐一答复。"
    "下月重点：冬季防火和年关防盗。",
    "slipping": "本月部分夜班缺岗，正在调整排班。欢迎村民对治安工作提出意见。",
    "paralysed": "本月治安工作情况如上。",
}
COMMENTS = [
    "巡逻队晚上经常能看到，放心。",
    "希望村口路灯早点修好。",
    "调解很及时，谢谢村干部。",
    "晚上巡逻次数太少了。",
    "",
]


def _mood(code: str, turn: int, months: int) -> tuple[float, float]:
    """Strong villages stay content; slipping ones sour over the year; the paralysed village's
    villagers were never content."""
    if code in STRONG_VILLAGES:
        return STRONG_MOOD
    if code in SLIPPING_VILLAGES:
        late = turn / max(1, months - 1)
        return (0.55 - 0.3 * late, 0.3)
    return (0.2, 0.3)


def _kind(code: str) -> str:
    if code in STRONG_VILLAGES:
        return "strong"
    return "paralysed" if code == PARALYSED_VILLAGE else "slipping"


def step(context: DemoContext) -> None:
    township = context.township
    assert township is not None
    officer = context.accounts["township"]
    by_code = {village.code: village for village in context.villages}
    codes = [*STRONG_VILLAGES, *SLIPPING_VILLAGES, PARALYSED_VILLAGE]
    villages = [by_code[code] for code in dict.fromkeys(codes) if code in by_code]
    directors = {
        account.region_id: account
        for name, account in context.accounts.items()
        if name.startswith("director")
    }
    this_month = Period.month_of(context.today)
    months: list[Period] = []
    day = this_month.first
    for _ in range(12):
        day = day - dt.timedelta(days=1)
        months.insert(0, Period.month_of(day))
        day = months[0].first
    answers: list[SatisfactionAnswer] = []
    for village in villages:
        by = directors.get(village.pk, officer)
        for turn, month in enumerate(months):
            last = turn == len(months) - 1
            if village.code == PARALYSED_VILLAGE and turn >= len(months) - STOPPED_MONTHS:
                continue
            report = _report(
                context, village, month, by, publish=not (last and village.code == WAITING)
            )
            if report is not None and report.published_at is not None:
                answers += _answers(context, report, _mood(village.code, turn, len(months)))
    SatisfactionAnswer.objects.bulk_create(answers, batch_size=500)


def _report(
    context: DemoContext, village: Region, month: Period, by: User, *, publish: bool
) -> WorkReport | None:
    compiled = min(month.ends + COMPILED_AFTER, context.now - dt.timedelta(minutes=10))
    published = min(compiled + PUBLISHED_AFTER, context.now - dt.timedelta(minutes=5))
    if compiled < month.ends:  # the month is not over: nothing to report yet
        return None
    with sent_at(compiled):
        report = report_compile(village=village, period=month.key, by=by, now=compiled)
        report = report_update_remarks(
            report=report, remarks=REMARKS[_kind(village.code)], by=by, now=compiled
        )
    if not publish:
        return report
    with sent_at(published):
        return report_publish(report=report, by=by, now=published)


def _answers(
    context: DemoContext, report: WorkReport, mood: tuple[float, float]
) -> list[SatisfactionAnswer]:
    rng = context.rng
    assert report.published_at is not None
    satisfied, fairly = mood
    out = []
    for _ in range(rng.randint(8, 24)):
        answered = report.published_at + dt.timedelta(minutes=rng.randint(30, 20 * 24 * 60))
        if answered >= context.now:
            continue
        draw = rng.random()
        rating = 3 if draw < satisfied else 2 if draw < satisfied + fairly else 1
        comment = rng.choice(COMMENTS) if rng.random() < 0.25 else ""
        out.append(
            SatisfactionAnswer(
                report=report,
                region_id=report.region_id,
                rating=rating,
                comment=comment,
                client=f"d{rng.getrandbits(160):040x}",
                answered_at=answered,
            )
        )
    return out
