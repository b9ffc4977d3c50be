"""How outsiders are answered on the work reports to villagers routes
(tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters; WRITES: the
staff routes among ROUTES that take a POST (tests/patrols/test_write_matrix.py lists them as
covered by this walk). The public report page also takes a POST (a villager's satisfaction
answer); like the opinion book's public form, anyone may write there.

The public pages are walked with the NEXT village's code and the public key of the next
village's published report: they rightly show their own village, and the check is that nothing
of village 1 (its published report, its draft) shows there."""

from types import SimpleNamespace

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"
PUBLIC = "public"

ROUTES: dict[str, str] = {
    "governance:report_list": SCOPED,
    "governance:report_compile": SCOPED,  # offers only the user's own villages
    "governance:report_detail": FOREIGN_404,
    "governance:report_remarks": FOREIGN_404,  # POST only
    "governance:report_publish": FOREIGN_404,  # POST only
    "governance:report_print": FOREIGN_404,
    # no sign-in: <village_code> = the next village's, <public_key> = its published report's
    "governance:report_public_list": PUBLIC,
    "governance:report_public": PUBLIC,
}
PK_OWNER: dict[str, str] = {
    "governance:report_detail": "report",
    "governance:report_remarks": "report",
    "governance:report_publish": "report",
    "governance:report_print": "report",
}
NEXT_KEY = "NextVillageRPW0"
SAMPLES: dict[str, object] = {"village_code": "330681109291", "public_key": NEXT_KEY}
MARKER_DRAFT = "枫源村本月夜巡全覆盖RPW1"
MARKER_PUBLISHED = "枫源村上月调解纠纷全部化解RPW2"
MARKERS: list[str] = [MARKER_DRAFT, MARKER_PUBLISHED]  # only village 1's reports
WRITES: set[str] = {
    "governance:report_compile",
    "governance:report_remarks",
    "governance:report_publish",
}


def records(world, base) -> SimpleNamespace:
    """Village 1: last month's draft and the month before's published report; the next
    village: its published report of the month before, reached by NEXT_KEY."""
    import datetime as dt

    from django.utils import timezone

    from qunfang.governance.assessment.periods import Period
    from qunfang.governance.models import WorkReport
    from qunfang.governance.services import reports as svc

    first = timezone.localdate().replace(day=1)
    last = Period.month_of(first - dt.timedelta(days=1))
    before = Period.month_of(last.first - dt.timedelta(days=1))
    report = svc.report_compile(village=world.village1, period=last.key, by=world.director1)
    svc.report_update_remarks(report=report, remarks=MARKER_DRAFT, by=world.director1)
    old = svc.report_compile(village=world.village1, period=before.key, by=world.director1)
    svc.report_update_remarks(report=old, remarks=MARKER_PUBLISHED, by=world.director1)
    published = svc.report_publish(report=old, by=world.director1)
    nxt = svc.report_compile(village=world.village2, period=before.key, by=world.director2)
    nxt = svc.report_publish(report=nxt, by=world.director2)
    WorkReport.objects.filter(pk=nxt.pk).update(public_key=NEXT_KEY)
    return SimpleNamespace(report=report, published=published, next_village=nxt)
