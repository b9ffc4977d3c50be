"""Outsider-walk classification of the case register routes (see tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters."""

import datetime as dt
import io
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from qunfang.casebook.models import (
    Attachment,
    Case,
    CaseType,
    Level,
    ReporterKind,
    ReportPeriod,
    Severity,
    SituationReport,
)
from qunfang.casebook.services import cases

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    "casebook:case_list": SCOPED,
    "casebook:case_create": SCOPED,  # the form offers only the user's villages, groups and people
    # a village's own register, or a choice of one's villages
    "casebook:case_register_print": SCOPED,
    "casebook:case_detail": FOREIGN_404,
    # POST only; the name needs VIEW_CONFIDENTIAL when confidential
    "casebook:case_reporter_reveal": FOREIGN_404,
    "casebook:case_move": FOREIGN_404,
    "casebook:case_handover": FOREIGN_404,
    "casebook:case_handover_answer": FOREIGN_404,
    "casebook:case_report_upward": FOREIGN_404,
    "casebook:escalation_inbox": SCOPED,  # township office and police only; their own villages
    "casebook:escalation_acknowledge": FOREIGN_404,
    "casebook:attachment_download": FOREIGN_404,
    "casebook:situation_list": SCOPED,
    "casebook:situation_submit": SCOPED,
}
PK_OWNER: dict[str, str] = {
    "casebook:case_detail": "case",
    "casebook:case_reporter_reveal": "case",
    "casebook:case_move": "case",
    "casebook:case_handover": "case",
    "casebook:case_handover_answer": "case",
    "casebook:case_report_upward": "case",
    "casebook:escalation_acknowledge": "escalation",
    "casebook:attachment_download": "attachment",
}
SAMPLES: dict[str, object] = {}
MARKER_TITLE = "枫源村祠堂铜香炉失窃"
MARKER_SUMMARY = "枫源村今日情况平稳"
MARKERS: list[str] = [MARKER_TITLE, MARKER_SUMMARY]  # strings only village 1's cases contain


def png_bytes(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def records(world, base) -> SimpleNamespace:
    """A major theft in village 1 owned by its director, reported upward (so the township office
    and the police station must acknowledge), with a photo, and today's situation report."""
    now = timezone.now()
    case = cases.register_case(
        case=Case(
            region=world.village1,
            group=world.group1,
            case_type=CaseType.objects.get(code="theft"),
            severity=Severity.MAJOR,
            title=MARKER_TITLE,
            description="夜间祠堂铜香炉被盗。",
            occurred_at=now - dt.timedelta(hours=3),
            reported_at=now - dt.timedelta(hours=2),
            address="枫源村祠堂",
            reporter_kind=ReporterKind.PERSON,
            reporter=base.person,
        ),
        by=world.director1,
    )
    cases.report_upward(case=case, by=world.director1, level=None)
    attachment = Attachment(
        region=world.village1,
        case=case,
        content_type="image/png",
        size=len(png_bytes()),
        original_name="现场.png",
        uploaded_by=world.director1,
    )
    attachment.file.save("walk.png", ContentFile(png_bytes()), save=True)
    report = SituationReport.objects.create(
        region=world.village1,
        period=ReportPeriod.DAILY,
        starts_on=timezone.localdate(),
        summary=MARKER_SUMMARY,
        counts={"theft": 1},
        submitted_by=world.director1,
    )
    return SimpleNamespace(
        case=case,
        escalation=case.escalations.get(level=Level.TOWNSHIP),
        attachment=attachment,
        report=report,
    )
