"""Screens of organisation health and the four in place (四落实): the township's overview of
every organisation and ten-household group, worst first; one subject's reasons and the trend
of its readings; the villages × the four, with the reasons; one village's four.

Thin: parse the filters, call a selector (`selectors.health`), render. Subjects come through
`visible_or_404`, so another village's organisation answers 404."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.models import Region, RegionKind
from qunfang.core.permissions import permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible
from qunfang.governance.fourinplace import ASPECT_LABELS, ASPECTS
from qunfang.governance.health import WORST_FIRST
from qunfang.governance.models import HealthBand, HealthReading
from qunfang.governance.selectors import health as sel
from qunfang.registry.models import JointDefenceGroup, Organisation, OrgKind

VIEW = Perm.VIEW_GOVERNANCE
PAGE_SIZE = 100
CHART_W, CHART_H = 540, 120


@require_safe
@permission_required(VIEW)
def health_overview(request: SignedInRequest) -> HttpResponse:
    user = request.user
    village = requested_village(request)
    band = request.GET.get("band", "")
    band = band if band in HealthBand.values else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in (*OrgKind.values, sel.GROUP_KIND) else ""
    day = sel.latest_day(user)
    page = None
    counts: dict[str, int] = {}
    if day is not None:
        rows = sel.overview(user, on=day, band=band, village=village, kind=kind)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        for row in page.object_list:
            row.reason_texts = sel.reasons_of(row)
        counts = sel.band_counts(user, on=day)
    villages = list(villages_visible(user=user))
    labels = dict(HealthBand.choices)
    return render(
        request,
        "governance/health/overview.html",
        {
            "day": day,
            "page": page,
            "counts": [(b, labels[b], counts.get(b, 0)) for b in WORST_FIRST],
            "villages": villages if len(villages) > 1 else [],
            "village_code": village.code if village else "",
            "bands": [(b, labels[b]) for b in WORST_FIRST],
            "band": band,
            "kinds": [*OrgKind.choices, (sel.GROUP_KIND, _group_label())],
            "kind": kind,
        },
    )


def _group_label() -> str:
    from django.utils.translation import gettext as _

    return _("Ten-household group")


@require_safe
@permission_required(VIEW)
def health_subject(request: SignedInRequest, health_kind: str, pk: int) -> HttpResponse:
    user, kind = request.user, health_kind
    subject: Organisation | JointDefenceGroup
    if kind == "organisation":
        subject = visible_or_404(Organisation.objects.select_related("region"), user, pk=pk)
        readings = sel.trend(user, organisation_id=subject.pk)
    elif kind == "group":
        subject = visible_or_404(JointDefenceGroup.objects.select_related("region"), user, pk=pk)
        readings = sel.trend(user, group_id=subject.pk)
    else:
        raise Http404
    latest: HealthReading | None = readings[-1] if readings else None
    return render(
        request,
        "governance/health/subject.html",
        {
            "subject": subject,
            "kind": kind,
            "latest": latest,
            "reasons": sel.reasons_of(latest) if latest else [],
            "readings": list(reversed(readings)),
            "chart": _chart(readings),
            "chart_w": CHART_W,
            "chart_h": CHART_H,
        },
    )


def _chart(readings: list[HealthReading]) -> str:
    """The scores as an SVG polyline's points, oldest at the left."""
    if not readings:
        return ""
    first = readings[0].on
    span = max(1, (readings[-1].on - first).days)
    points = []
    for reading in readings:
        x = round((reading.on - first).days / span * CHART_W, 1)
        y = round(CHART_H - reading.score / 100 * CHART_H, 1)
        points.append(f"{x},{y}")
    return " ".join(points)


@require_safe
@permission_required(VIEW)
def four_overview(request: SignedInRequest) -> HttpResponse:
    user = request.user
    village = requested_village(request)
    missing = request.GET.get("missing", "")
    missing = missing if missing in (*ASPECTS, "any") else ""
    today = timezone.localdate()
    rows = sel.four_table(user, on=today, village=village, missing=missing)
    villages = list(villages_visible(user=user))
    labels = ASPECT_LABELS
    return render(
        request,
        "governance/health/four.html",
        {
            "day": today,
            "rows": rows,
            "aspects": [(code, labels[code]) for code in ASPECTS],
            "villages": villages if len(villages) > 1 else [],
            "village_code": village.code if village else "",
            "missing": missing,
        },
    )


@require_safe
@permission_required(VIEW)
def four_village(request: SignedInRequest, code: str) -> HttpResponse:
    user = request.user
    village = visible_or_404(Region.objects.filter(kind=RegionKind.VILLAGE), user, code=code)
    today = timezone.localdate()
    row = sel.four_table(user, on=today, village=village)[0]
    labels = ASPECT_LABELS
    day = sel.latest_day(user)
    readings = list(sel.overview(user, on=day, village=village)) if day else []
    for reading in readings:
        reading.reason_texts = sel.reasons_of(reading)  # type: ignore[attr-defined]
    return render(
        request,
        "governance/health/four_village.html",
        {
            "day": today,
            "village": village,
            "four": row.four,
            "labels": labels,
            "readings": readings,
        },
    )
