"""What the demo year's register leads to: the villages' daily and weekly situation reports
(with nil returns, 零上报, and a few days never reported), and the inbox of the demo accounts
about the last days' cases, sent through `notify()` as the services send it."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.urls import NoReverseMatch
from django.utils.translation import gettext_noop

from qunfang.casebook.demo.cases import CaseRegister
from qunfang.casebook.demo.rhythms import DAILY_REPORT_DAYS, days, hours, minutes
from qunfang.casebook.demo.township import Village
from qunfang.casebook.models import Level, ReportPeriod, SituationReport
from qunfang.casebook.services.overdue import send_overdue_notices
from qunfang.core.bulk import insert
from qunfang.core.notify import mark_read, notify, sent_at
from qunfang.core.phrases import Phrase

SUMMARY_NIL = ["辖区平稳，无案事件。", "", "今日无情况。"]
SUMMARY_DAY = "今日登记{counts}，均已受理。"
SUMMARY_WEEK = "本周登记{counts}。{extra}"
WEEK_EXTRA = ["重点加强夜间巡逻。", "矛盾纠纷已全部落实调处责任人。", "开展防诈骗宣传一次。", ""]


def url_of(obj) -> str:
    """The record's page, or nothing while the screens are not wired yet."""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:  # the screens may not be wired yet
        return ""


def situation_reports(cases: CaseRegister) -> None:
    """Daily for the last 60 days, weekly for the year: the counts the register held when
    the report was sent, a nil return when it held none, and a few days never reported."""
    t, rng = cases.t, cases.t.rng
    names = {kind.code: kind.name for kind in t.types.values()}
    reported = defaultdict(list)  # (village pk, day) -> [(reported_at, type code)]
    for d in cases.drafts:
        c = d.case
        reported[c.region.pk, t.local(c.reported_at).date()].append((c.reported_at, d.code))
    for row in t.existing:
        reported[row["region_id"], t.local(row["reported_at"]).date()].append(
            (row["reported_at"], row["case_type__code"])
        )
    rows = []

    def text(counts: Counter) -> str:
        return "、".join(f"{names.get(code, code)}{n}起" for code, n in sorted(counts.items()))

    def report(
        v: Village,
        period: str,
        starts_on: dt.date,
        counts: Counter,
        summary: str,
        sent: dt.datetime,
    ) -> SituationReport:
        return SituationReport(
            region=v.region,
            period=period,
            starts_on=starts_on,
            nil_return=not counts,
            summary=summary,
            counts=dict(sorted(counts.items())),
            submitted_by=v.holder,
            submitted_at=sent,
        )

    first_day = t.today - dt.timedelta(days=DAILY_REPORT_DAYS - 1)
    monday = t.first + dt.timedelta(days=(7 - t.first.weekday()) % 7)
    for v in t.villages:
        gap = set()
        if not v.main and rng.random() < 0.3:  # a village that forgot a few days running
            start = first_day + dt.timedelta(days=rng.randint(0, DAILY_REPORT_DAYS - 5))
            gap = {start + dt.timedelta(days=k) for k in range(rng.randint(2, 4))}
        for k in range(DAILY_REPORT_DAYS):
            day = first_day + dt.timedelta(days=k)
            if day in gap or rng.random() < 0.03:
                t.stats["daily_missing"] += 1
                continue
            sent = t.at(day, 17, 30) + minutes(rng.uniform(0, 240))
            if sent > t.now:
                continue
            counts = Counter(code for at, code in reported[v.region.pk, day] if at <= sent)
            summary = SUMMARY_DAY.format(counts=text(counts)) if counts else rng.choice(SUMMARY_NIL)
            rows.append(report(v, ReportPeriod.DAILY, day, counts, summary, sent))
        week = monday
        while week + dt.timedelta(days=7) <= t.today:
            sent = t.at(week + dt.timedelta(days=7), 8, 30) + minutes(rng.uniform(0, 180))
            if sent <= t.now and rng.random() >= 0.03:
                counts = Counter()
                for k in range(7):
                    counts.update(
                        code for _at, code in reported[v.region.pk, week + dt.timedelta(days=k)]
                    )
                summary = (
                    SUMMARY_WEEK.format(counts=text(counts), extra=rng.choice(WEEK_EXTRA))
                    if counts
                    else rng.choice(SUMMARY_NIL)
                )
                rows.append(report(v, ReportPeriod.WEEKLY, week, counts, summary, sent))
            week += dt.timedelta(days=7)
    insert(SituationReport, rows)
    t.stats["situation_reports"] = len(rows)
    t.stats["nil_returns"] = sum(r.nil_return for r in rows)


def inbox(cases: CaseRegister) -> None:
    """What the demo accounts would have in their inbox about the last days' cases."""
    t = cases.t
    sent, since = 0, t.now - days(3)

    def tell(user, kind, msgid, case, at, read_at=None):
        """Through notify(), as the services do, dated when it happened (and read then)."""
        nonlocal sent
        with sent_at(at):
            note = notify(user, kind, Phrase(msgid, case=case), url_of(case))
        if note is not None:
            if read_at is not None:
                mark_read(user=user, notifications=[note.pk], at=read_at)
            sent += 1

    for d in cases.drafts:
        c = d.case
        if c.handover_to_id:
            handed = gettext_noop("A case is being handed to you: %(case)s.")
            tell(c.handover_to, "assignment", handed, c, t.now - hours(2))
        for e in d.escalations.values():
            if e.sent_at and e.sent_at >= since:
                receiver = t.police if e.level == Level.POLICE else t.township_user
                if receiver in (e.sent_by, None):
                    continue
                reported = gettext_noop("Reported to you: %(case)s.")
                tell(receiver, "escalation", reported, c, e.sent_at, e.acknowledged_at)
            if e.instructions and e.acknowledged_at and e.acknowledged_at >= since:
                told = gettext_noop("Instructions on %(case)s.")
                tell(e.sent_by, "escalation", told, c, e.acknowledged_at)
    t.stats["notifications"] = sent
    # the overdue reports and orders made above, told as the hourly task tells them
    t.stats["overdue_notices"] = send_overdue_notices(now=t.now)
