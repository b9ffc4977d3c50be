"""The demo's bulletins (通报) in 枫桥镇: a monthly series for the past year, each month's drafted
from its records by the township's officer a few days after the month ended, approved by the
second officer (four eyes) the next morning and published that afternoon, numbered in the year's
series; last month's still a draft waiting for approval. Written through the services, dated when
it happened (`now=`; messages through `sent_at`)."""

from __future__ import annotations

import datetime as dt

from qunfang.core.demo import DemoContext
from qunfang.core.notify import sent_at
from qunfang.governance.assessment.periods import Period
from qunfang.governance.services.bulletins import (
    bulletin_approve,
    bulletin_draft_from_period,
    bulletin_publish,
)

DRAFTED_AFTER = dt.timedelta(days=4, hours=10)  # on the 5th of the next month, at 10:00
APPROVED_AFTER = dt.timedelta(hours=24)
PUBLISHED_AFTER = dt.timedelta(hours=29)


def step(context: DemoContext) -> None:
    township = context.township
    assert township is not None
    officer, leader = context.accounts["township"], context.accounts["leader"]
    start = context.now - dt.timedelta(days=365)
    years = sorted({start.year, context.today.year, (context.today - dt.timedelta(days=1)).year})
    months = [
        month
        for year in years
        for month in Period.parse(str(year)).months
        if month.starts >= start and month.ends <= context.now
    ]
    latest = context.now - dt.timedelta(minutes=5)
    for number, month in enumerate(months):
        drafted = min(month.ends + DRAFTED_AFTER, latest)
        with sent_at(drafted):
            bulletin = bulletin_draft_from_period(
                township=township, period=month, by=officer, now=drafted
            )
        if number == len(months) - 1:
            continue  # last month's waits for the second officer
        approved = min(month.ends + DRAFTED_AFTER + APPROVED_AFTER, latest)
        published = min(month.ends + DRAFTED_AFTER + PUBLISHED_AFTER, latest)
        with sent_at(approved):
            bulletin = bulletin_approve(bulletin=bulletin, by=leader, now=approved)
        with sent_at(published):
            bulletin_publish(bulletin=bulletin, by=officer, now=published)
