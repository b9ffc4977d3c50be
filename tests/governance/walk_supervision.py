"""How outsiders are answered on the supervision routes (tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters; WRITES: the
routes among ROUTES that take a POST (tests/patrols/test_write_matrix.py lists them as covered
by this walk).

A plan is the township's: its villages read a drawn plan (never its draw nor a visit to another
village), so the next village's director opens it with nothing of village 1 on it and every
write refused, while another township's officer gets 404 — TOWNSHIP_404. Visits, findings,
photos and tasks are village 1's own: FOREIGN_404."""

import datetime as dt
from types import SimpleNamespace

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"
TOWNSHIP_404 = "township-404"
P = "governance:supervision_"

ROUTES: dict[str, str] = {
    P + "visit_list": SCOPED,  # the user's villages' visits (announced or done, for a village)
    P + "visit_create": SCOPED,  # the township's office only (403 for a village)
    P + "visit_detail": FOREIGN_404,
    P + "visit_record": FOREIGN_404,  # POST only; the township
    P + "visit_cancel": FOREIGN_404,  # POST only; the township
    P + "visit_print": FOREIGN_404,
    P + "finding_add": FOREIGN_404,  # POST only; on a visit of village 1
    P + "photo_add": FOREIGN_404,  # POST only; on a finding of village 1
    P + "task_create": FOREIGN_404,  # POST only; on a finding of village 1
    P + "photo": FOREIGN_404,
    P + "plan_list": SCOPED,
    P + "plan_create": SCOPED,  # the township's office only
    P + "plan_detail": TOWNSHIP_404,
    P + "plan_edit": TOWNSHIP_404,  # POST only
    P + "plan_draw": TOWNSHIP_404,  # POST only
    P + "task_list": SCOPED,
    P + "task_detail": FOREIGN_404,
    P + "task_report": FOREIGN_404,  # POST only; the village's director
    P + "task_recheck": FOREIGN_404,  # POST only; the township
    P + "task_cancel": FOREIGN_404,  # POST only; the township
}
PK_OWNER: dict[str, str] = {
    **{P + v: "visit" for v in ("visit_detail", "visit_record", "visit_cancel", "visit_print")},
    P + "finding_add": "visit",
    P + "photo_add": "finding",
    P + "task_create": "finding",
    P + "photo": "photo",
    **{P + v: "plan" for v in ("plan_detail", "plan_edit", "plan_draw")},
    **{P + v: "task" for v in ("task_detail", "task_report", "task_recheck", "task_cancel")},
}
SAMPLES: dict[str, object] = {}
FINDING_TEXT = "枫源村消防通道堵塞SUP1"
TASK_TEXT = "枫源村限期清理通道SUP2"
MARKERS: list[str] = [FINDING_TEXT, TASK_TEXT]  # only village 1's records have them
WRITES: set[str] = {
    P + "visit_create",
    P + "visit_record",
    P + "visit_cancel",
    P + "finding_add",
    P + "photo_add",
    P + "task_create",
    P + "plan_create",
    P + "plan_edit",
    P + "plan_draw",
    P + "task_report",
    P + "task_recheck",
    P + "task_cancel",
}


def records(world, base) -> SimpleNamespace:
    """A routine visit to village 1 made yesterday with a problem found (and its photo) and a
    task set; a drawn plan of the township with a spot check of village 2 done."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from qunfang.governance.services import supervision as svc
    from tests.images import phone_photo

    officer = world.township_officer
    now = timezone.now()
    today = timezone.localdate(now)
    visit = svc.visit_create(
        village=world.village1,
        kind="routine",
        planned_for=today,
        by=officer,
        now=now - dt.timedelta(days=1),
    )
    visit = svc.visit_record(
        visit=visit,
        visited_at=now - dt.timedelta(hours=1),
        inspectors="陈建国",
        score="85",
        summary="",
        by=officer,
    )
    photo = SimpleUploadedFile("p.jpg", phone_photo(), content_type="image/jpeg")
    finding = svc.finding_add(
        visit=visit, kind="problem", text=FINDING_TEXT, photos=[photo], by=officer
    )
    task = svc.task_create(
        finding=finding, text=TASK_TEXT, deadline=today + dt.timedelta(days=14), by=officer
    )
    plan = svc.plan_create(
        township=world.township,
        details=svc.PlanDetails(
            title="本月督导",
            starts_on=today,
            ends_on=today + dt.timedelta(days=20),
            villages_to_draw=2,
        ),
        by=officer,
    )
    for drawn in svc.plan_draw(plan=plan, by=officer, seed=11):
        if drawn.region_id == world.village2.pk:
            svc.visit_record(
                visit=drawn,
                visited_at=now,
                inspectors="陈建国",
                score="70",
                summary="",
                by=officer,
            )
    return SimpleNamespace(
        visit=visit, finding=finding, photo=finding.photos.get(), task=task, plan=plan
    )
