"""Organisation health, scored: plain facts about one organisation or one ten-household group
(read in bulk by `governance.services.health`) in, a score out of 100, a band and the reasons
out. Pure: no queries, so the same facts always give the same reading.

The score starts at 100 and each shortfall takes its share away:

- no patrol for more than a week (patrol teams, village guards; two weeks for a ten-household
  group with a rota, whose turn comes round less often): 10 for the first week over, 25 up to
  a month, 40 beyond or never;
- posts empty: 5 a seat, at most 25; nobody holding any post at all: 30;
- meetings not held of those the schedules called for: up to 30 in proportion, 30 when none;
- rules the mandate requires not in force: 5 each, at most 15;
- cases left unowned: 3 each, at most 15; rectifications overdue: 5 each, at most 20;
- a suspended organisation: 60; anything another book signals (`Signal.penalty`).

Bands: 75 and over HEALTHY, 50 and over WEAK, 25 and over PAPER_ONLY, below PARALYSED. Whatever
the score, an organisation that has neither patrolled in a month nor held a meeting it was due
in the window is at best PAPER_ONLY (it exists on paper), and PARALYSED if nobody holds its posts
either.

A reason is {"code", "params"}; `reason_text` renders it in the reader's language. Another book
that signals its own codes registers their wording with `register_reason`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext

from qunfang.governance.models.health import HealthBand

PATROL_GRACE = 7  # days without a patrol before it counts
GROUP_GRACE = 14  # a ten-household group's turn comes round less often
IDLE_DAYS = 30  # no patrol for this long: not patrolling
BANDS = ((75, HealthBand.HEALTHY), (50, HealthBand.WEAK), (25, HealthBand.PAPER_ONLY))
WORST_FIRST: list[str] = [
    HealthBand.PARALYSED,
    HealthBand.PAPER_ONLY,
    HealthBand.WEAK,
    HealthBand.HEALTHY,
]


@dataclass(frozen=True)
class Signal:
    """A shortfall another book sees (e.g. funds: fees collected but shifts unfilled)."""

    code: str
    params: dict[str, Any]
    penalty: int
    organisation_id: int | None = None
    group_id: int | None = None


@dataclass
class Facts:
    """What the records say about one subject on one day."""

    patrols: bool = False  # expected to patrol (patrol team, village guard, group with a rota)
    days_since_patrol: int | None = None  # None: never within the look-back
    patrol_grace: int = PATROL_GRACE  # days without a patrol that cost nothing yet
    suspended: bool = False
    seats_empty: int = 0
    posts_empty: int = 0
    holders: int | None = None  # None: the subject has no posts (a ten-household group)
    households: int | None = None  # a ten-household group's households now in it
    meetings_due: int = 0
    meetings_held: int = 0
    meeting_days: int = 60
    rules_missing: list[str] = field(default_factory=list)
    cases_unowned: int = 0
    rectifications_overdue: int = 0
    signals: list[Signal] = field(default_factory=list)


@dataclass(frozen=True)
class Reading:
    score: int
    band: str
    reasons: list[dict[str, Any]]


def _reason(code: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "params": params}


def _patrol_penalty(days: int | None, grace: int) -> int:
    if days is None or days > IDLE_DAYS:
        return 40
    if days > grace + 7:
        return 25
    if days > grace:
        return 10
    return 0


def band_of(score: int) -> str:
    for floor, band in BANDS:
        if score >= floor:
            return band
    return HealthBand.PARALYSED


def worse(a: str, b: str) -> str:
    return a if WORST_FIRST.index(a) <= WORST_FIRST.index(b) else b


def score(facts: Facts) -> Reading:
    """The subject's score, band and reasons from its facts."""
    penalty, reasons = 0, []
    if facts.suspended:
        penalty += 60
        reasons.append(_reason("suspended"))
    idle_patrol = False
    if facts.patrols:
        cost = _patrol_penalty(facts.days_since_patrol, facts.patrol_grace)
        idle_patrol = cost == 40
        if cost:
            penalty += cost
            if facts.days_since_patrol is None:
                reasons.append(_reason("never_patrolled"))
            else:
                reasons.append(_reason("no_patrol", days=facts.days_since_patrol))
    if facts.holders == 0:
        penalty += 30
        reasons.append(_reason("nobody_in_post"))
    elif facts.seats_empty:
        penalty += min(25, 5 * facts.seats_empty)
        reasons.append(_reason("posts_empty", posts=facts.posts_empty, seats=facts.seats_empty))
    if facts.households == 0:
        penalty += 30
        reasons.append(_reason("no_households"))
    missed = max(0, facts.meetings_due - facts.meetings_held)
    no_meetings = facts.meetings_due > 0 and facts.meetings_held == 0
    if missed:
        penalty += 30 if no_meetings else round(30 * missed / facts.meetings_due)
        reasons.append(
            _reason(
                "meetings_not_held", missed=missed, due=facts.meetings_due, days=facts.meeting_days
            )
        )
    if facts.rules_missing:
        penalty += min(15, 5 * len(facts.rules_missing))
        reasons.append(_reason("rules_missing", kinds=sorted(facts.rules_missing)))
    if facts.cases_unowned:
        penalty += min(15, 3 * facts.cases_unowned)
        reasons.append(_reason("cases_unowned", count=facts.cases_unowned))
    if facts.rectifications_overdue:
        penalty += min(20, 5 * facts.rectifications_overdue)
        reasons.append(_reason("rectifications_overdue", count=facts.rectifications_overdue))
    for signal in facts.signals:
        penalty += max(0, signal.penalty)
        reasons.append(_reason(signal.code, **signal.params))
    value = max(0, min(100, 100 - penalty))
    band = band_of(value)
    # nothing done lately: on paper only, whatever the arithmetic says
    patrolled = facts.patrols and not idle_patrol
    idle = not patrolled and (no_meetings or (facts.meetings_due == 0 and facts.patrols))
    if facts.households == 0:  # a group of nobody
        band = HealthBand.PARALYSED
    elif idle or facts.suspended:
        band = worse(band, HealthBand.PAPER_ONLY)
        if facts.holders == 0 or facts.households == 0:
            band = HealthBand.PARALYSED
    return Reading(score=value, band=band, reasons=reasons)


# ---- wording ------------------------------------------------------------------------------


def _rule_names(kinds: list[str]) -> str:
    from qunfang.governance.models import RuleKind

    labels = dict(RuleKind.choices)
    return gettext(", ").join(str(labels.get(kind, kind)) for kind in kinds)


REASON_TEXT: dict[str, Callable[[dict[str, Any]], str]] = {
    "suspended": lambda p: gettext("the organisation is suspended"),
    "never_patrolled": lambda p: gettext("no patrol logged"),
    "no_patrol": lambda p: (
        ngettext(
            "no patrol logged for %(days)d day", "no patrol logged for %(days)d days", p["days"]
        )
        % p
    ),
    "nobody_in_post": lambda p: gettext("nobody holds any of its posts"),
    "no_households": lambda p: gettext("no household is in the group"),
    "posts_empty": lambda p: (
        ngettext("%(seats)d seat empty", "%(seats)d seats empty", p["seats"]) % p
    ),
    "meetings_not_held": lambda p: (
        gettext("%(missed)d of %(due)d scheduled meetings not held in the last %(days)d days") % p
    ),
    "rules_missing": lambda p: (
        gettext("rules not in force: %(rules)s") % {"rules": _rule_names(p["kinds"])}
    ),
    "cases_unowned": lambda p: (
        ngettext("%(count)d case left unowned", "%(count)d cases left unowned", p["count"]) % p
    ),
    "rectifications_overdue": lambda p: (
        ngettext("%(count)d rectification overdue", "%(count)d rectifications overdue", p["count"])
        % p
    ),
}


def register_reason(code: str, render: Callable[[dict[str, Any]], str]) -> None:
    """Another book's wording of a reason it signals (through `HEALTH_SIGNALS`)."""
    REASON_TEXT[code] = render


def reason_text(reason: dict[str, Any]) -> str | Promise:
    """One stored reason in the reader's language (an unknown code shows as itself)."""
    render = REASON_TEXT.get(str(reason.get("code", "")))
    if render is None:
        return str(reason.get("code", ""))
    try:
        return render(dict(reason.get("params") or {}))
    except (KeyError, TypeError, ValueError):
        return str(reason.get("code", ""))
