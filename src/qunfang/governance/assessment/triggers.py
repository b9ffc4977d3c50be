"""What a township's reward and punishment rule (奖惩规则, `SanctionRule.trigger`) reacts to.

A trigger reads the records of a period as they stood at an assessment's cut-off, as an
indicator does (`catalogue.Context`, `ctx.rows`), and yields one `catalogue.Item` per hit for a
person or an organisation: each exemplary report, each missed shift, each rectification order
left overdue, each score of the rule's grade. A rule fires for a subject whose hits in the
period reach its `times`. The `grade` trigger alone reads the run's results (its `Score` rows),
not the records.

Each item keeps its `ref` (kind, record id, short label) so a proposal shows the records it
rests on; the kinds link through `catalogue.REF_PAGES`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qunfang.casebook.models import Case, CaseOutcome, CaseStatus, OrderStatus, RectificationOrder
from qunfang.governance.assessment.asof import Row
from qunfang.governance.assessment.catalogue import ONE, Context, Item, ref_page
from qunfang.governance.assessment.indicators.patrols import period_assignments
from qunfang.governance.models import AssessmentRun, Score
from qunfang.patrols.models import CheckIn, Outcome
from qunfang.registry.models import Organisation, OrgKind, OrgStatus

# a case the village settled: what "closed as solved" means for the person who reported it
SOLVED = frozenset({CaseOutcome.RESOLVED, CaseOutcome.MEDIATED})

ref_page("case", "casebook:case_detail")
ref_page("inspection", "casebook:inspection_detail")
ref_page("score", "governance:score_detail")


@dataclass
class TriggerContext(Context):
    """A `Context` with the assessment run whose results are read (for the `grade` trigger)
    and the grade a rule asks for."""

    run: AssessmentRun | None = None
    grade: str = ""


@dataclass(frozen=True)
class Trigger:
    code: str
    label: Promise
    explanation: Promise  # what counts as one hit, shown beside the rules
    compute: Callable[[TriggerContext], Iterable[Item]]
    needs_grade: bool = False  # the rule names a grade (the `grade` trigger)


TRIGGERS: dict[str, Trigger] = {}


def trigger(item: Trigger) -> Trigger:
    TRIGGERS[item.code] = item
    return item


def _in_period(ctx: Context, moment: Any) -> bool:
    return moment is not None and ctx.starts <= moment < ctx.ends


# ---- exemplary reports --------------------------------------------------------------------------


def exemplary_report(ctx: TriggerContext) -> list[Item]:
    """One hit per case and person: a case registered in the period from the person's patrol
    check-in finding, or a case the person reported that was closed as solved in the period.
    A confidential reporter is never named by a reward (举报人保密)."""
    cases = ctx.rows(
        Case,
        [
            "reported_at",
            "status",
            "outcome",
            "closed_at",
            "reporter_id",
            "reporter_confidential",
            "source_check_in_id",
            "year",
            "serial",
        ],
        existed="reported_at",
        region__in=ctx.villages,
    )
    hits: dict[tuple[int, int], Row] = {}  # (person, case) -> case
    from_patrols = [
        row for row in cases if row["source_check_in_id"] and _in_period(ctx, row["reported_at"])
    ]
    finders = dict(
        CheckIn.objects.filter(pk__in={row["source_check_in_id"] for row in from_patrols})
        .values_list("id", "assignment__person_id")
        .order_by()
    )
    for row in from_patrols:
        hits[(finders[row["source_check_in_id"]], row["id"])] = row
    for row in cases:
        if (
            row["reporter_id"]
            and not row["reporter_confidential"]
            and row["status"] == CaseStatus.CLOSED
            and row["outcome"] in SOLVED
            and _in_period(ctx, row["closed_at"])
        ):
            hits[(row["reporter_id"], row["id"])] = row
    villages = _villages_of_people(ctx, {person for person, _case in hits})
    return [
        Item(
            village=villages[person],
            person=person,
            done=ONE,
            ref=("case", case, f"{row['year']}-{row['serial']:04d}"),
        )
        for (person, case), row in sorted(hits.items())
        if person in villages
    ]


def _villages_of_people(ctx: Context, people: set[int]) -> dict[int, int]:
    """person id -> village, for the people of the township's villages among `people`."""
    from qunfang.registry.models import Person

    return {
        pk: village
        for pk, village in Person.objects.filter(pk__in=people)
        .values_list("id", "region_id")
        .order_by()
        if village in ctx.villages
    }


trigger(
    Trigger(
        code="exemplary_report",
        label=_("Exemplary report"),
        explanation=_(
            "Each case registered in the period from the person's patrol finding, and each case "
            "the person reported that was closed as resolved or settled by mediation in the "
            "period. Confidential reporters are left out, so a reward never names them."
        ),
        compute=exemplary_report,
    )
)


# ---- missed shifts ------------------------------------------------------------------------------


def missed_shift(ctx: TriggerContext) -> list[Item]:
    """One hit per shift of the period the person was rostered for and missed."""
    return [
        Item(
            village=row["person__region_id"],
            person=row["person_id"],
            done=ONE,
            ref=("shift", row["shift_id"], f"{row['shift']['service_date']:%m-%d}"),
        )
        for row in period_assignments(ctx)
        if row["outcome"] == Outcome.MISSED
    ]


trigger(
    Trigger(
        code="missed_shift",
        label=_("Missed shift"),
        explanation=_(
            "Each shift of the period the person was rostered for and missed (an excused "
            "shift is not a miss)."
        ),
        compute=missed_shift,
    )
)


# ---- rectification orders left overdue ----------------------------------------------------------


def _security_committees(ctx: Context) -> dict[int, list[int]]:
    """village -> its security committees (治保会) that were not dissolved at the cut-off."""

    def read() -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for row in ctx.rows(Organisation, ["region_id", "kind", "status"], region__in=ctx.villages):
            if row["kind"] == OrgKind.SECURITY_COMMITTEE and row["status"] != OrgStatus.DISSOLVED:
                out.setdefault(row["region_id"], []).append(row["id"])
        return out

    result: dict[int, list[int]] = ctx.shared("triggers.security_committees", read)
    return result


def rectification_overdue(ctx: TriggerContext) -> list[Item]:
    """One hit per rectification order of a village whose deadline fell in the period and had
    passed by the cut-off without the fix being verified on re-inspection by the deadline; the
    hit is the village's security committee's, which follows up its inspections."""
    today = timezone.localdate(ctx.cutoff)
    committees = _security_committees(ctx)
    items = []
    for row in ctx.rows(
        RectificationOrder,
        ["region_id", "deadline", "status", "reinspected_on", "hazard__inspection_id"],
        region__in=ctx.villages,
    ):
        deadline = row["deadline"]
        if not (ctx.period.first <= deadline <= ctx.period.last and deadline < today):
            continue
        verified = row["status"] == OrderStatus.VERIFIED and (
            row["reinspected_on"] is None or row["reinspected_on"] <= deadline
        )
        if verified:
            continue
        for organisation in committees.get(row["region_id"], []):
            items.append(
                Item(
                    village=row["region_id"],
                    organisation=organisation,
                    done=ONE,
                    ref=("inspection", row["hazard__inspection_id"], f"{deadline:%m-%d}"),
                )
            )
    return items


trigger(
    Trigger(
        code="rectification_overdue",
        label=_("Rectification order overdue"),
        explanation=_(
            "Each rectification order of the village whose deadline fell in the period and "
            "passed without the fix verified on re-inspection by then. It counts against the "
            "village's security committee, which follows up the inspections."
        ),
        compute=rectification_overdue,
    )
)


# ---- a grade in the results -------------------------------------------------------------------


def grade(ctx: TriggerContext) -> list[Item]:
    """One hit per person or organisation the run graded `ctx.grade` (every grade when none
    is asked for), read from the run's scores as they stand."""
    if ctx.run is None:
        return []
    scores = (
        Score.objects.filter(run=ctx.run)
        .filter(Q(person__isnull=False) | Q(organisation__isnull=False))
        .exclude(grade="")
        .order_by("id")
        .values_list("id", "region_id", "person_id", "organisation_id", "grade")
    )
    return [
        Item(
            village=village,
            person=person,
            organisation=organisation,
            done=ONE,
            ref=("score", pk, label),
        )
        for pk, village, person, organisation, label in scores
        if not ctx.grade or label == ctx.grade
    ]


trigger(
    Trigger(
        code="grade",
        label=_("Grade in the assessment"),
        explanation=_(
            "A person or organisation the assessment gave the rule's grade (优秀, 不合格…), as "
            "its final score stands."
        ),
        compute=grade,
        needs_grade=True,
    )
)


# ---- not found on a night check (supervision) ---------------------------------------------------


def not_found_at_night_check(ctx: TriggerContext) -> list[Item]:
    """One hit per night check of the period at which the person had checked in but was not
    found on patrol (`indicators.supervision.night_checks_found`, its items not done)."""
    from qunfang.governance.assessment.indicators.supervision import night_checks_found

    return [
        Item(village=item.village, person=item.person, done=ONE, ref=item.ref)
        for item in night_checks_found(ctx)
        if item.person is not None and not item.done
    ]


trigger(
    Trigger(
        code="not_found_at_night_check",
        label=_("Not found on a night check"),
        explanation=_(
            "Each unannounced night check of the period at which the person had checked in on "
            "the shift but the inspectors did not find them out on patrol."
        ),
        compute=not_found_at_night_check,
    )
)
