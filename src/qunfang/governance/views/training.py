"""Training screens (培训): the course list with its filters, a new course (or one held at a
training meeting, 以会代训), one course with its roll call, results, moves and certificates,
the printable certificate and the paper training register. Thin: parse, call
`services.training` or a selector, render. A refused write shows the service's message on the
form and changes nothing.

Whoever runs the course (RUN_GOVERNANCE, working in its village or township) acts; everyone
with VIEW_GOVERNANCE who sees it reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST, require_safe

from qunfang.core.forms import errors_onto
from qunfang.core.http import SignedInRequest
from qunfang.core.models import Region
from qunfang.core.pdf import printable
from qunfang.core.permissions import NotYours, permission_required
from qunfang.core.registers import Column, DateRange, RegisterView
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.governance.forms.training import (
    CourseForm,
    EnrolOrganisationForm,
    EnrolPersonForm,
    MoveForm,
    ResultsForm,
)
from qunfang.governance.models import Course, CourseStatus, Enrolment, Meeting
from qunfang.governance.selectors import training as sel
from qunfang.governance.services import training as service
from qunfang.registry.models import TrainingKind
from qunfang.registry.selectors import plain_number

PAGE_SIZE = 50
MOVE_LABELS = {
    CourseStatus.HELD: gettext_lazy("Close as held and write the training records"),
    CourseStatus.CANCELLED: gettext_lazy("Cancel the course"),
}


def _get(request: SignedInRequest, pk: int) -> Course:
    course: Course = visible_or_404(sel.course_for_detail(user=request.user), request.user, pk=pk)
    return course


def _acting(request: SignedInRequest, pk: int) -> Course:
    """The course (404 when not visible), then the right to act on it (403 with who may)."""
    course = _get(request, pk)
    if not service.may_run(request.user, course.region):
        raise NotYours(
            _("Only the village or township running this course may change it (%(region)s).")
            % {"region": course.region.name}
        )
    return course


def _region_filter(request: SignedInRequest) -> Region | None:
    """`?village=<code>`: one of the user's villages or townships (any other answers 404)."""
    code = request.GET.get("village", "").strip()
    if not code:
        return None
    region: Region = visible_or_404(sel.course_regions(user=request.user), request.user, code=code)
    return region


def _year_filter(request: SignedInRequest) -> int | None:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return None
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    messages.error(request, _("Give the year as four digits, such as 2027; all years are shown."))
    return None


# ---- the list -------------------------------------------------------------------------------


@permission_required(Perm.VIEW_GOVERNANCE)
@require_safe
def course_list(request: SignedInRequest) -> HttpResponse:
    region = _region_filter(request)
    subject = request.GET.get("subject", "").strip()
    if subject and subject not in TrainingKind.values:
        messages.error(request, _("There is no such subject; all subjects are shown."))
        subject = ""
    status = request.GET.get("status", "").strip()
    if status and status not in CourseStatus.values:
        messages.error(request, _("There is no such status; all courses are shown."))
        status = ""
    year = _year_filter(request)
    courses = sel.course_list(
        user=request.user, region=region, subject=subject, status=status, year=year
    )
    page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))
    regions = list(sel.course_regions(user=request.user))
    return render(
        request,
        "governance/training/list.html",
        {
            "page": page,
            "regions": regions,
            "village_code": region.code if region else "",
            "subject": subject,
            "subjects": TrainingKind.choices,
            "status": status,
            "statuses": CourseStatus.choices,
            "year": year or "",
            "can_create": request.user.can(Perm.RUN_GOVERNANCE)
            and any(service.may_run(request.user, r) for r in regions),
        },
    )


# ---- a course: new and changed ----------------------------------------------------------------


@permission_required(Perm.RUN_GOVERNANCE)
def course_create(request: SignedInRequest) -> HttpResponse:
    """A new course; `?meeting=<pk>` starts from a training meeting (以会代训)."""
    initial: dict[str, Any] = {}
    if request.GET.get("meeting"):
        meeting: Meeting = visible_or_404(
            Meeting.objects.select_related("organisation"), request.user, pk=request.GET["meeting"]
        )
        initial = CourseForm.initial_from_meeting(meeting)
    form = CourseForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            course = service.course_create(
                region=form.cleaned_data["region"],
                meeting=form.cleaned_data.get("meeting"),
                details=form.details(),
                by=request.user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request, _("The course “%(title)s” has been planned.") % {"title": course.title}
            )
            return redirect(course.get_absolute_url())
    return render(request, "governance/training/form.html", {"form": form, "course": None})


@permission_required(Perm.RUN_GOVERNANCE)
def course_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    course = _acting(request, pk)
    if course.status != CourseStatus.PLANNED:
        messages.error(request, _("Only a planned course can be changed."))
        return redirect(course.get_absolute_url())
    form = CourseForm(
        request.POST or None,
        user=request.user,
        course=course,
        initial=CourseForm.initial_for(course),
    )
    if request.method == "POST" and form.is_valid():
        try:
            service.course_update(course=course, details=form.details(), by=request.user)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The course has been saved."))
            return redirect(course.get_absolute_url())
    return render(request, "governance/training/form.html", {"form": form, "course": course})


# ---- one course -------------------------------------------------------------------------------


def _detail(
    request: SignedInRequest, course: Course, *, status: int = 200, **forms: Form
) -> HttpResponse:
    user = request.user
    enrolments = sel.enrolments_of(course)
    planned = course.status == CourseStatus.PLANNED
    acting = planned and service.may_run(user, course.region)
    at_meeting = course.meeting_id is not None
    context: dict[str, Any] = {
        "course": course,
        "enrolments": enrolments,
        "counts": {
            "enrolled": len(enrolments),
            "attended": sum(1 for e in enrolments if e.attended),
            "passed": sum(1 for e in enrolments if e.passed),
        },
        "can_act": acting,
        "at_meeting": at_meeting,
        "moves": [
            {"to": to, "label": MOVE_LABELS[CourseStatus(to)]}
            for to in service.LIFECYCLE.allowed(course, user)
        ],
        "move_form": forms.get("move_form") or MoveForm(),
        "today": timezone.localdate(),
    }
    if acting:
        context["results_form"] = forms.get("results_form") or ResultsForm(
            course=course, enrolments=enrolments
        )
        context["close_problems"] = service.close_problems(course, timezone.localdate())
        if not at_meeting:
            context["person_form"] = forms.get("person_form") or EnrolPersonForm(
                user=user, course=course
            )
            context["organisation_form"] = forms.get("organisation_form") or (
                EnrolOrganisationForm(user=user, course=course)
            )
    return render(request, "governance/training/detail.html", context, status=status)


@permission_required(Perm.VIEW_GOVERNANCE)
@require_safe
def course_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(request, pk))


@permission_required(Perm.RUN_GOVERNANCE)
@require_POST
def course_move(request: SignedInRequest, pk: int) -> HttpResponse:
    course = _acting(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            moved = service.course_move(course=course, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            if moved.status == CourseStatus.HELD:
                written = moved.enrolments.filter(record__isnull=False).count()
                messages.success(
                    request,
                    _("The course is closed as held; %(count)s training records written.")
                    % {"count": written},
                )
            else:
                messages.success(request, _("The course has been cancelled."))
            return redirect(moved.get_absolute_url())
    return _detail(request, course, move_form=form)


@permission_required(Perm.RUN_GOVERNANCE)
@require_POST
def course_enrol(request: SignedInRequest, pk: int) -> HttpResponse:
    """Put a person, or all members of an organisation, on the course."""
    course = _acting(request, pk)
    by_organisation = "organisation" in request.POST
    form: EnrolPersonForm | EnrolOrganisationForm = (
        EnrolOrganisationForm(request.POST, user=request.user, course=course)
        if by_organisation
        else EnrolPersonForm(request.POST, user=request.user, course=course)
    )
    if form.is_valid():
        try:
            if isinstance(form, EnrolOrganisationForm):
                added = service.course_enrol_organisation(
                    course=course, organisation=form.cleaned_data["organisation"], by=request.user
                )
                done = _("%(count)s members put on the course.") % {"count": len(added)}
            else:
                person = form.cleaned_data["person"]
                service.enrolment_add(course=course, person=person, by=request.user)
                done = _("%(name)s is on the course.") % {"name": person.name}
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, done)
            return redirect(course.get_absolute_url())
    if isinstance(form, EnrolOrganisationForm):
        return _detail(request, course, organisation_form=form)
    return _detail(request, course, person_form=form)


@permission_required(Perm.RUN_GOVERNANCE)
@require_POST
def enrolment_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    enrolment: Enrolment = visible_or_404(
        Enrolment.objects.select_related("course__region", "person"), request.user, pk=pk
    )
    course = _acting(request, enrolment.course_id)
    try:
        service.enrolment_remove(enrolment=enrolment, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(name)s is no longer on the course.") % {"name": enrolment.person.name}
        )
    return redirect(course.get_absolute_url())


@permission_required(Perm.RUN_GOVERNANCE)
@require_POST
def course_results(request: SignedInRequest, pk: int) -> HttpResponse:
    course = _acting(request, pk)
    form = ResultsForm(request.POST, course=course, enrolments=sel.enrolments_of(course))
    if form.is_valid():
        results = {
            pk: service.Result(attended, passed)
            for pk, (attended, passed) in form.results().items()
        }
        try:
            service.course_record_results(course=course, results=results, by=request.user)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The roll call and the results have been saved."))
            return redirect(course.get_absolute_url())
    return _detail(request, course, results_form=form)


@permission_required(Perm.RUN_GOVERNANCE)
@require_POST
def course_roll_call(request: SignedInRequest, pk: int) -> HttpResponse:
    """Copy the training meeting's roll call onto the course."""
    course = _acting(request, pk)
    try:
        came = service.course_take_roll_call(course=course, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The meeting's roll call has been taken: %(count)s attended.") % {"count": came},
        )
    return redirect(course.get_absolute_url())


# ---- paper -----------------------------------------------------------------------------------


@permission_required(Perm.VIEW_GOVERNANCE)
@require_safe
def training_certificate(request: SignedInRequest, pk: int) -> HttpResponse:
    """A passed person's certificate (培训合格证书), to print or download as a PDF."""
    enrolment: Enrolment = visible_or_404(
        sel.certificate_for(user=request.user), request.user, pk=pk
    )
    course = enrolment.course
    return printable(
        request,
        "governance/training/certificate.html",
        {
            "enrolment": enrolment,
            "course": course,
            "person": enrolment.person,
            "issuer": course.region,
            "expires": enrolment.record.certificate_expires_on if enrolment.record else None,
        },
        stem=f"{enrolment.person.name}-{enrolment.certificate_number}",
        ascii_stem=f"certificate-{enrolment.certificate_number}",
    )


class TrainingRegister(RegisterView):
    """The training register (培训登记簿) of a village or the township: the courses it held."""

    key = "training"
    title = gettext_lazy("Training register (培训登记簿)")
    choose_text = gettext_lazy(
        "Choose a village or the township: the training register is kept by whoever runs "
        "the courses."
    )
    empty_text = gettext_lazy("No course held in this period.")
    columns = (
        Column(gettext_lazy("Date"), "pr-col-date"),
        Column(gettext_lazy("Course")),
        Column(gettext_lazy("Subject")),
        Column(gettext_lazy("Hours")),
        Column(gettext_lazy("Trainer")),
        Column(gettext_lazy("Attended")),
        Column(pgettext_lazy("training result", "Passed")),
    )
    cells_template = "governance/training/_register_cells.html"
    back_url_name = "governance:course_list"
    nav_template = "governance/training/_nav.html"
    period = DateRange(default="year")
    rows_per_sheet = 10
    keeper = gettext_lazy("Kept by (signature) (登记人签字)")
    reviewer = gettext_lazy("Head of the organisation (负责人审核)")

    def villages(self) -> QuerySet[Region]:
        """The villages and townships the user sees: the township keeps its own register."""
        return sel.course_regions(user=self.request.user).select_related("parent")

    def items(self, village: Region, first: dt.date, last: dt.date) -> list[Course]:
        return sel.register_rows(user=self.request.user, region=village, first=first, last=last)

    def closing_note(self, items: Any) -> str:
        hours = plain_number(sum((c.hours for c in items), start=Decimal(0)))
        return _(
            "In this period: %(courses)s courses, %(hours)s hours, %(attended)s attendances, "
            "%(passed)s passed."
        ) % {
            "courses": len(items),
            "hours": hours,
            "attended": sum(c.attended_count for c in items),
            "passed": sum(c.passed_count for c in items),
        }


@permission_required(Perm.VIEW_GOVERNANCE)
def training_register_print(request: SignedInRequest) -> HttpResponseBase:
    return TrainingRegister.as_view()(request)
