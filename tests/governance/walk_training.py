"""How outsiders are answered on the governance training routes (tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters; WRITES: the
routes among ROUTES that take a POST (tests/patrols/test_write_matrix.py lists them as covered
by this walk)."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from qunfang.governance.services import training as service
from qunfang.registry.models import Person, TrainingKind

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    "governance:course_list": SCOPED,
    "governance:course_create": SCOPED,  # offers only the user's own places, meetings, people
    "governance:training_register_print": SCOPED,  # one's own village or township, or a choice
    "governance:course_detail": FOREIGN_404,
    "governance:course_edit": FOREIGN_404,
    "governance:course_move": FOREIGN_404,
    "governance:course_enrol": FOREIGN_404,
    "governance:course_results": FOREIGN_404,
    "governance:course_roll_call": FOREIGN_404,
    "governance:enrolment_remove": FOREIGN_404,
    "governance:training_certificate": FOREIGN_404,
}
PK_OWNER: dict[str, str] = {
    "governance:course_detail": "course",
    "governance:course_edit": "course",
    "governance:course_move": "course",
    "governance:course_enrol": "course",
    "governance:course_results": "course",
    "governance:course_roll_call": "course",
    "governance:enrolment_remove": "spare",
    "governance:training_certificate": "certified",
}
SAMPLES: dict[str, object] = {}
MARKER_COURSE = "枫源村消防安全培训班"
MARKER_HELD = "枫源村应急救护培训班"
MARKERS: list[str] = [MARKER_COURSE, MARKER_HELD]  # strings only village 1's training contains
WRITES: set[str] = {
    "governance:course_create",
    "governance:course_edit",
    "governance:course_move",
    "governance:course_enrol",
    "governance:course_results",
    "governance:course_roll_call",
    "governance:enrolment_remove",
}


def records(world, base) -> SimpleNamespace:
    """Village 1's training: a planned course of its 治保会 (its member enrolled, and one more
    person to remove), and a course held with a passed, certified person."""
    day = timezone.localdate() - dt.timedelta(days=2)
    director = world.director1
    course = service.course_create(
        region=world.village1,
        details=service.CourseDetails(
            title=MARKER_COURSE,
            subject=TrainingKind.FIRE_SAFETY,
            hours=Decimal("4"),
            starts_on=day,
            organisation=base.org,
        ),
        by=director,
    )
    learner = Person.objects.create(
        region=world.village1, name="枫源村学员", sex="F", birth_date=dt.date(1990, 2, 1)
    )
    spare = service.enrolment_add(course=course, person=learner, by=director)
    held = service.course_create(
        region=world.village1,
        details=service.CourseDetails(
            title=MARKER_HELD,
            subject=TrainingKind.FIRST_AID,
            hours=Decimal("8"),
            starts_on=day,
            certificate_months=36,
        ),
        by=director,
    )
    certified = service.enrolment_add(course=held, person=base.person, by=director)
    service.enrolment_mark(enrolment=certified, attended=True, passed=True, by=director)
    service.course_close(course=held, by=director)
    certified.refresh_from_db()
    return SimpleNamespace(course=course, spare=spare, held=held, certified=certified)
