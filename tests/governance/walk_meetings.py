"""How outsiders are answered on the governance meetings routes (tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters; WRITES: the
routes among ROUTES that take a POST (tests/patrols/test_write_matrix.py lists them as covered
by this walk)."""

from types import SimpleNamespace

from django.core.files.base import ContentFile

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    "governance:meeting_list": SCOPED,  # the filters offer only the user's villages and bodies
    "governance:meeting_create": SCOPED,  # offers only the organisations the user runs
    "governance:meeting_detail": FOREIGN_404,
    "governance:meeting_edit": FOREIGN_404,
    "governance:meeting_invitees": FOREIGN_404,
    "governance:meeting_hold": FOREIGN_404,
    "governance:meeting_cancel": FOREIGN_404,
    # the chair's phone and the screen: a meeting the user sees or chairs
    "governance:meeting_roll_call": FOREIGN_404,
    "governance:meeting_screen": FOREIGN_404,
    # the member's scan page: a meeting the user sees or is invited to
    "governance:meeting_scan": FOREIGN_404,
    "governance:meeting_evidence_add": FOREIGN_404,
    "governance:meeting_evidence_download": FOREIGN_404,
    "governance:meeting_schedule_list": SCOPED,
    "governance:meeting_schedule_create": SCOPED,
    "governance:meeting_schedule_edit": FOREIGN_404,
    "governance:meeting_schedule_end": FOREIGN_404,
}
PK_OWNER: dict[str, str] = {
    **{
        f"governance:meeting_{view}": "meeting"
        for view in (
            "detail",
            "edit",
            "invitees",
            "hold",
            "cancel",
            "roll_call",
            "screen",
            "scan",
            "evidence_add",
        )
    },
    "governance:meeting_evidence_download": "evidence",
    "governance:meeting_schedule_edit": "schedule",
    "governance:meeting_schedule_end": "schedule",
}
SAMPLES: dict[str, object] = {}
# strings only village 1's meetings contain
MARKERS: list[str] = ["枫源三月治安例会", "枫源月度学习例会", "枫源签到表"]
WRITES: set[str] = {
    "governance:meeting_create",
    "governance:meeting_edit",
    "governance:meeting_invitees",
    "governance:meeting_hold",
    "governance:meeting_cancel",
    "governance:meeting_roll_call",
    "governance:meeting_scan",
    "governance:meeting_evidence_add",
    "governance:meeting_schedule_create",
    "governance:meeting_schedule_edit",
    "governance:meeting_schedule_end",
}


def records(world, base) -> SimpleNamespace:
    """Village 1's meetings: a schedule of its security committee, a planned meeting (so its
    forms open) chaired by a villager, and its sign-in sheet (MEDIA_ROOT: a temporary folder)."""
    from qunfang.governance.models import EvidenceKind, MeetingEvidence
    from tests.factories import MINIMAL_PDF, meeting_for, meeting_schedule_for

    schedule = meeting_schedule_for(base.org, title="枫源月度学习例会")
    meeting = meeting_for(
        base.org, title="枫源三月治安例会", chair=base.person, agenda="学习治安形势"
    )
    evidence = MeetingEvidence.objects.create(
        meeting=meeting,
        kind=EvidenceKind.SIGN_IN_SHEET,
        file=ContentFile(MINIMAL_PDF, name="sheet.pdf"),
        content_type="application/pdf",
        size=len(MINIMAL_PDF),
        original_name="枫源签到表.pdf",
    )
    return SimpleNamespace(schedule=schedule, meeting=meeting, evidence=evidence)
