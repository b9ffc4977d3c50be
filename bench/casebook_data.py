"""Casebook data at scale for bench/pages.py: per village a year of cases (with their first
event line and upward reports), mediation, safety inspections with hazards and rectification
orders, the opinion book and weekly situation reports. Bulk writes, like the rest of the
bench: it measures reading."""

import datetime as dt
import random

CASES_PER_VILLAGE = 40  # a year
MEDIATIONS_PER_VILLAGE = 8
INSPECTIONS_PER_VILLAGE = 12  # one a month, each with a hazard; half get an order
OPINIONS_PER_VILLAGE = 30
REPORT_WEEKS = 26
BATCH = 2000


def case_types():
    """The reference list (a flush empties it): two types, one a dispute."""
    from qunfang.casebook.models import CaseType

    if not CaseType.objects.exists():
        CaseType.objects.bulk_create(
            [
                CaseType(code="theft", name="盗窃", name_en="Theft", order=1),
                CaseType(
                    code="neighbour",
                    name="邻里纠纷",
                    name_en="Neighbour dispute",
                    is_dispute=True,
                    order=2,
                ),
            ]
        )
    return list(CaseType.objects.order_by("order"))


def build_casebook(villages, recorder: dict, scale: int) -> None:
    """`recorder`: village pk -> a user of the village who writes its books."""
    from django.utils import timezone

    from qunfang.casebook.models import (
        Case,
        CaseEvent,
        CaseEventKind,
        CaseStatus,
        Escalation,
        Hazard,
        Inspection,
        InspectionStatus,
        Level,
        MediationCase,
        MediationStatus,
        Opinion,
        OrderStatus,
        RectificationOrder,
        ReportPeriod,
        SituationReport,
    )

    rng = random.Random(scale * 7_919 + villages[0].pk)
    types = case_types()
    now = timezone.now()
    today = timezone.localdate(now)
    statuses = [CaseStatus.REGISTERED, CaseStatus.IN_HAND, CaseStatus.RESOLVED, CaseStatus.CLOSED]
    cases = []
    for v in villages:
        for k in range(CASES_PER_VILLAGE):
            at = now - dt.timedelta(days=365 * k / CASES_PER_VILLAGE, hours=rng.randint(0, 20))
            status = statuses[k % 4] if k > 3 else CaseStatus.REGISTERED
            cases.append(
                Case(
                    region=v,
                    year=at.year,
                    serial=k + 1,
                    case_type=types[k % len(types)],
                    severity=1 + (k % 7 == 0),
                    title=f"案件{k + 1}",
                    description="村民反映",
                    occurred_at=at - dt.timedelta(hours=2),
                    reported_at=at,
                    reporter_kind="person",
                    reporter_name="张三",
                    status=status,
                    owner=recorder[v.pk],
                    registered_by=recorder[v.pk],
                    outcome="resolved" if status == CaseStatus.CLOSED else "",
                    closed_at=at + dt.timedelta(days=3) if status == CaseStatus.CLOSED else None,
                )
            )
    cases = Case.objects.bulk_create(cases, batch_size=BATCH)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=c,
                kind=CaseEventKind.REGISTERED,
                to_status=CaseStatus.REGISTERED,
                to_owner=c.owner,
                by=c.registered_by,
                at=c.reported_at,
            )
            for c in cases
        ],
        batch_size=BATCH,
    )
    Escalation.objects.bulk_create(
        [
            Escalation(
                case=c,
                level=Level.TOWNSHIP,
                due_at=c.reported_at + dt.timedelta(hours=24),
                sent_at=c.reported_at + dt.timedelta(hours=2),
                sent_by=c.owner,
            )
            for c in cases
            if c.severity > 1
        ],
        batch_size=BATCH,
    )
    MediationCase.objects.bulk_create(
        [
            MediationCase(
                region=v,
                year=today.year,
                serial=k + 1,
                dispute_type="neighbours",
                summary="宅基地边界",
                applied_on=today - dt.timedelta(days=45 * k),
                status=MediationStatus.AGREED if k else MediationStatus.APPLIED,
                agreement="双方同意" if k else "",
            )
            for v in villages
            for k in range(MEDIATIONS_PER_VILLAGE)
        ],
        batch_size=BATCH,
    )
    inspections = Inspection.objects.bulk_create(
        [
            Inspection(
                region=v,
                place_name=f"出租房{k + 1}",
                place_kind="rental",
                inspected_on=today - dt.timedelta(days=30 * k),
                status=InspectionStatus.DONE,
                created_by=recorder[v.pk],
            )
            for v in villages
            for k in range(INSPECTIONS_PER_VILLAGE)
        ],
        batch_size=BATCH,
    )
    hazards = Hazard.objects.bulk_create(
        [Hazard(inspection=i, description="电线老化") for i in inspections], batch_size=BATCH
    )
    RectificationOrder.objects.bulk_create(
        [
            RectificationOrder(
                region_id=h.inspection.region_id,
                hazard=h,
                responsible="房东",
                measures="更换电线",
                deadline=h.inspection.inspected_on + dt.timedelta(days=30),
                status=OrderStatus.OPEN if k % 4 == 0 else OrderStatus.VERIFIED,
            )
            for k, h in enumerate(hazards)
            if k % 2 == 0
        ],
        batch_size=BATCH,
    )
    Opinion.objects.bulk_create(
        [
            Opinion(
                region=v,
                kind="suggestion",
                text="建议路灯维修",
                name="李四",
                channel="in_person",
                tracking_code=f"B{v.pk:07d}{k:04d}"[-12:],
                created_at=now - dt.timedelta(days=12 * k),
                entered_by=recorder[v.pk],
            )
            for v in villages
            for k in range(OPINIONS_PER_VILLAGE)
        ],
        batch_size=BATCH,
    )
    monday = today - dt.timedelta(days=today.weekday())
    SituationReport.objects.bulk_create(
        [
            SituationReport(
                region=v,
                period=ReportPeriod.WEEKLY,
                starts_on=monday - dt.timedelta(weeks=w),
                nil_return=True,
                submitted_by=recorder[v.pk],
            )
            for v in villages
            for w in range(1, REPORT_WEEKS + 1)
        ],
        batch_size=BATCH,
    )
