"""The demo's organisation health: the township's story told by its records (core.demo.reference)
— the strong villages healthy, the slipping ones weak (fewer turns served and meetings held of
late: patrols/demo/turns.py, governance/demo/meetings.py), and 屠家坞村 paralysed: its patrols
stopped seven weeks ago (patrols/demo/history.py), its meetings with them, and here its patrol
team's members leave. Then a reading of every day of the last 90, so that the trends show, made
in memory and written in one statement; the township officers were told on the day each subject
turned paper-only or paralysed."""

from __future__ import annotations

import datetime as dt

from qunfang.core.demo import DemoContext
from qunfang.core.demo.reference import PARALYSED_VILLAGE
from qunfang.core.notify import sent_at
from qunfang.governance.models import HealthReading
from qunfang.governance.services import health
from qunfang.patrols.demo.township import STOPPED_DAYS
from qunfang.registry.models import Membership

DAYS = 90
LEFT_BECAUSE = "巡逻队无人牵头，队员外出务工，队伍散了"


def step(context: DemoContext) -> None:
    villages = sorted(context.villages, key=lambda v: v.path)
    if not villages:
        return
    stopped_on = context.today - dt.timedelta(days=STOPPED_DAYS)
    paralysed = [v for v in villages if v.code == PARALYSED_VILLAGE]
    if paralysed:
        # the team's members drift away as the patrols stop (left their posts)
        Membership.objects.filter(
            post__organisation__region=paralysed[0],
            post__organisation__kind__in=health.TEAM_KINDS,
            ended_on__isnull=True,
            started_on__lte=stopped_on,
        ).update(ended_on=stopped_on, end_reason=LEFT_BECAUSE)
    rows: list[HealthReading] = []
    last: dict[tuple[str, int | None], str] = {}
    records = health.Reader(villages, context.today - dt.timedelta(days=DAYS), context.today)
    for back in range(DAYS, -1, -1):
        day = context.today - dt.timedelta(days=back)
        found = health.readings_for(records.on(day))
        turned = [
            row
            for row in found
            if row.band in health.FLAGGED
            and last.get(health.subject_key(row)) not in health.FLAGGED
        ]
        if turned and back < DAYS:  # the first day is where the readings begin, not news
            at = dt.datetime.combine(day, dt.time(6, 5), tzinfo=context.tz)
            with sent_at(min(at, context.now)):
                health.tell_township(turned, villages)
        last.update((health.subject_key(row), row.band) for row in found)
        rows += found
    HealthReading.objects.bulk_create(rows, batch_size=2000)
