"""What stands open in the case register now, so that the dashboards have something to
flag: an upward report overdue (never sent), another sent but not acknowledged, a hand-over the
mediator declined and one still waiting for her answer. Told like the year's cases, so that
their books reach back the hours and days their stories take."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from qunfang.casebook.demo.case_words import (
    ACCEPT_NOTES,
    HANDOVER_REASONS,
    IN_HAND_NOTES,
    RESOLVED_NOTES,
    SEVERE_TEXTS,
)
from qunfang.casebook.demo.cases import CaseRegister
from qunfang.casebook.demo.rhythms import days, hours, minutes
from qunfang.casebook.demo.township import Draft, Village
from qunfang.casebook.models import CaseEventKind, CaseOutcome, CaseStatus, Level, Severity
from qunfang.core.demo import VILLAGE_1, VILLAGE_2

S = CaseStatus
E = CaseEventKind


def _dispute_in_hand(
    register: CaseRegister,
    village: Village,
    reported: dt.datetime,
    *,
    before: dt.timedelta,
    accepted: dt.timedelta,
) -> Draft:
    """A minor dispute of the village that happened `before` it was reported, accepted
    `accepted` later and taken in hand two hours after that."""
    rng, story = register.rng, register.story
    d = register.new_case(village, "dispute", reported - before, reported, severity=Severity.MINOR)
    story.registered(d)
    story.go(d, S.ACCEPTED, accepted, note=rng.choice(ACCEPT_NOTES))
    story.go(d, S.IN_HAND, hours(2), note=rng.choice(IN_HAND_NOTES["dispute"]))
    return d


def open_now(register: CaseRegister) -> None:
    """Two upward reports overdue now (one never sent, one not acknowledged) and a hand-over
    waiting for the mediator, so the dashboards have something to flag."""
    rng, now, t, story = register.rng, register.now, register.t, register.story
    by_code = {v.region.code: v for v in t.villages}
    v2 = by_code.get(VILLAGE_2) or t.villages[-1]
    v1 = by_code.get(VILLAGE_1) or t.villages[0]
    # a major matter, due an hour after it was reported, not yet sent
    if "dispute" in t.types:
        reported = now - minutes(rng.uniform(150, 200))
        d = register.new_case(
            v2,
            "dispute",
            reported - minutes(20),
            reported,
            severity=Severity.MAJOR,
            reporter_kind="staff",
            title=SEVERE_TEXTS["title"],
            description=SEVERE_TEXTS["description"],
        )
        story.registered(d)
        story.plan_escalations(d)
        story.go(d, S.ACCEPTED, minutes(8), note="村两委主要负责人已到场")
        t.stats["overdue_now"] += len(d.escalations)
    if "burglary" in t.types:  # sent to the police, not acknowledged
        reported = now - hours(rng.uniform(7.5, 9))
        d = register.new_case(
            v1, "burglary", reported - hours(2), reported, severity=Severity.ORDINARY
        )
        story.registered(d)
        story.plan_escalations(d)
        story.go(d, S.ACCEPTED, minutes(12), note=rng.choice(ACCEPT_NOTES))
        d.t += minutes(30)
        for e in d.escalations.values():
            e.sent_at, e.sent_by = d.t, d.owner
            story.event(d, E.ESCALATED, d.t, d.owner, note=str(Level(e.level).label))
            t.stats["overdue_now"] += 1
        story.go(d, S.IN_HAND, minutes(20), note=rng.choice(IN_HAND_NOTES["burglary"]))
    if v1.mediators and "dispute" in t.types:  # offered to the mediator, who declines
        reported = now - days(rng.uniform(8, 12))
        d = _dispute_in_hand(register, v1, reported, before=minutes(30), accepted=minutes(20))
        if d.owner != v1.mediators[0]:
            story.handover(d, v1.mediators[0], hours(3), rng.choice(HANDOVER_REASONS), decline=True)
            story.event(
                d,
                E.REFUSED,
                d.t + hours(20),
                v1.mediators[0],
                note=_("Only the case's owner can change it."),
            )
            d.t += hours(20)
        story.go(d, S.RESOLVED, days(2), note=rng.choice(RESOLVED_NOTES["dispute"]))
        story.close(d, CaseOutcome.RESOLVED, days(1))
    if v1.mediators and "dispute" in t.types:  # offered to the mediator, not yet answered
        reported = now - hours(rng.uniform(24, 30))
        d = _dispute_in_hand(register, v1, reported, before=minutes(40), accepted=minutes(15))
        mediator = v1.mediators[0]
        if d.owner != mediator:
            reason = rng.choice(HANDOVER_REASONS)
            at = now - hours(rng.uniform(2, 4))
            story.event(
                d,
                E.HANDOVER_OFFERED,
                at,
                d.owner,
                from_owner=d.owner,
                to_owner=mediator,
                note=reason,
            )
            d.case.handover_to, d.case.handover_reason = mediator, reason
            t.stats["handovers_waiting"] += 1
