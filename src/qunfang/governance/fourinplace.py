"""四落实: whether each village has its organisation, people, work and pay in place (§2.1
"落实好组织、人员、工作、报酬四个方面"), judged from the records, each with its reasons in plain
words ("pay: the patrol team has no pay arrangement"; "work: no patrol logged for 21 days").

The facts are the organisation-health book's (`governance.services.health.read`), read once for
all the villages (a fixed number of queries). The rule:

- organisation: the village has a working (active) security committee (治保会) and a working
  patrol organisation (patrol team, village guard or contracted security);
- people: no post of its working organisations has an empty seat on the day, and its patrol
  organisations have somebody in post;
- work: a patrol served within the last week (any shift of the village, the ten-household
  rota's included), and at least three in four of the meetings its schedules called for in the
  last 60 days held;
- pay: every working patrol organisation has a pay arrangement — a paid or contracted one a
  security contract of the village in force on the day, or money paid out (payment requests
  for bonuses, subsidies or settled contracts) in the last 90 days; a voluntary one a township
  rule that pays a subsidy or bonus in use, or such money paid out in the last 90 days; a patrol
  organisation whose form is not set has none. A village without a patrol organisation has
  nobody to pay: pay is not in place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from qunfang.registry.models import Organisation, OrgForm, OrgKind, OrgStatus

if TYPE_CHECKING:
    from qunfang.governance.services.health import Snapshot, VillageFacts

from qunfang.core.models import Region

ASPECTS = ("organisation", "people", "work", "pay")
ASPECT_LABELS: dict[str, Promise] = {
    "organisation": _("Organisation"),
    "people": _("People"),
    "work": _("Work"),
    "pay": _("Pay"),
}


@dataclass(frozen=True)
class Aspect:
    code: str  # one of ASPECTS
    in_place: bool
    reasons: list[str | Promise] = field(default_factory=list)  # why not (or what holds it up)

    @property
    def label(self) -> Promise:
        return ASPECT_LABELS[self.code]


@dataclass(frozen=True)
class FourInPlace:
    village_id: int
    aspects: list[Aspect]  # in the order of ASPECTS

    @property
    def count(self) -> int:
        """How many of the four are in place."""
        return sum(aspect.in_place for aspect in self.aspects)


def four_in_place(villages: list[Region], on: dt.date) -> dict[int, FourInPlace]:
    """Each village's four, from its records as they stand on `on`; a fixed number of queries
    whatever the number of villages."""
    from qunfang.governance.health import PATROL_GRACE
    from qunfang.governance.services.health import TEAM_KINDS, read

    snapshot = read(list(villages), on)
    found = {}
    for village in villages:
        orgs = [o for o in snapshot.orgs_of(village.pk) if o.status == OrgStatus.ACTIVE]
        teams = [o for o in orgs if o.kind in TEAM_KINDS]
        facts = snapshot.village_facts[village.pk]
        found[village.pk] = FourInPlace(
            village_id=village.pk,
            aspects=[
                _organisation(snapshot.orgs_of(village.pk), teams),
                _people(orgs, teams, snapshot),
                _work(orgs, facts.last_patrol, on, snapshot, PATROL_GRACE),
                _pay(teams, facts),
            ],
        )
    return found


def _later(render: Callable[[], str]) -> Promise:
    """A reason with numbers, worded when it is shown: in the reader's language."""
    return cast(Promise, lazy(render, str)())


def _with_team(name: str, sentence: Callable[[], str]) -> Promise:
    return _later(lambda: sentence() % {"team": name})


def _aspect(code: str, reasons: list[str | Promise]) -> Aspect:
    return Aspect(code=code, in_place=not reasons, reasons=reasons)


def _organisation(orgs: list[Organisation], teams: list[Organisation]) -> Aspect:
    reasons: list[str | Promise] = []
    committees = [o for o in orgs if o.kind == OrgKind.SECURITY_COMMITTEE]
    if not committees:
        reasons.append(_("no security committee"))
    elif not any(o.status == OrgStatus.ACTIVE for o in committees):
        reasons.append(_("the security committee is suspended"))
    if not teams:
        reasons.append(_("no working patrol organisation"))
    return _aspect("organisation", reasons)


def _people(orgs: list[Organisation], teams: list[Organisation], snapshot: Snapshot) -> Aspect:
    reasons: list[str | Promise] = []
    empty = sum(snapshot.org_facts[o.pk].seats_empty for o in orgs)
    if empty:
        reasons.append(
            _later(
                lambda: (
                    ngettext("%(count)d post empty", "%(count)d posts empty", empty)
                    % {"count": empty}
                )
            )
        )
    if not teams:
        reasons.append(_("nobody on patrol duty"))
    for team in teams:
        if not snapshot.org_facts[team.pk].holders:
            reasons.append(_with_team(team.name, lambda: gettext("nobody serves on %(team)s")))
    return _aspect("people", reasons)


def _work(
    orgs: list[Organisation],
    last_patrol: dt.date | None,
    on: dt.date,
    snapshot: Snapshot,
    grace: int,
) -> Aspect:
    reasons: list[str | Promise] = []
    if last_patrol is None:
        reasons.append(_("no patrol logged"))
    elif (on - last_patrol).days > grace:
        days = (on - last_patrol).days
        reasons.append(
            _later(
                lambda: (
                    ngettext(
                        "no patrol logged for %(days)d day",
                        "no patrol logged for %(days)d days",
                        days,
                    )
                    % {"days": days}
                )
            )
        )
    due = sum(snapshot.org_facts[o.pk].meetings_due for o in orgs)
    held = sum(snapshot.org_facts[o.pk].meetings_held for o in orgs)
    if due and held * 4 < due * 3:
        from qunfang.governance.services.health import MEETING_DAYS

        reasons.append(
            _later(
                lambda: (
                    gettext(
                        "%(missed)d of %(due)d scheduled meetings not held in the last %(days)d days"  # noqa: E501
                    )
                    % {"missed": due - held, "due": due, "days": MEETING_DAYS}
                )
            )
        )
    return _aspect("work", reasons)


def _pay(teams: list[Organisation], facts: VillageFacts) -> Aspect:
    reasons: list[str | Promise] = []
    if not teams:
        reasons.append(_("no patrol organisation to pay"))
    for team in teams:
        if team.form in (OrgForm.PAID, OrgForm.CONTRACTED):
            ok = bool(facts.contracts or facts.payments)
        elif team.form == OrgForm.VOLUNTARY:
            ok = bool(facts.subsidy_rules or facts.payments)
        else:
            ok = False
        if not ok:
            reasons.append(
                _with_team(team.name, lambda: gettext("%(team)s has no pay arrangement"))
            )
    return _aspect("pay", reasons)
