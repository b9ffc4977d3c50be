"""Assessment screens (考核): the runs of a township with the form to run a period (a village's
own scores across periods), a run's ranking with the scheme it used, printable and as a PDF, one
score line by line with its records, adjustments and appeals (申诉), and the appeals list. Thin:
parse, call `services.assessment` or a selector, render. A refused write shows the service's
message on the page and changes nothing.

The township's officers (SUPERVISE_VILLAGES, working in the township) run, adjust, close and
decide appeals; a village's director sees and appeals the village's own scores; everyone with
VIEW_GOVERNANCE reads what their jurisdiction covers. A run is the township's: a village reaches
it only through its own scores and sees nothing of the other villages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qunfang.core.forms import errors_onto
from qunfang.core.http import SignedInRequest
from qunfang.core.pdf import printable
from qunfang.core.permissions import NotYours, permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.governance.forms.assessment import (
    AdjustmentForm,
    AppealDecisionForm,
    AppealForm,
    DecideAdjustmentForm,
    RunForm,
)
from qunfang.governance.models import (
    Adjustment,
    Appeal,
    AppealStatus,
    Approval,
    AssessmentRun,
    Level,
    Score,
)
from qunfang.governance.selectors import assessment as sel
from qunfang.governance.services import assessment as service

PAGE_SIZE = 50
VIEW = Perm.VIEW_GOVERNANCE


def _officers_only() -> str:
    return _("Only the township's assessment officers may do this.")


def _sanctions_url(run: AssessmentRun) -> str:
    """Proposing rewards and punishments from the results, where that page exists."""
    try:
        return reverse("governance:sanctions_propose", args=[run.pk])
    except NoReverseMatch:
        return ""


# ---- the runs -----------------------------------------------------------------------------------


def _list_page(request: SignedInRequest, form: RunForm | None = None) -> HttpResponse:
    user = request.user
    township_view = sel.is_township_view(user)
    townships = sel.assessing_townships(user) if user.can(Perm.SUPERVISE_VILLAGES) else []
    if form is None and townships:
        form = RunForm(townships=townships, initial={"level": Level.VILLAGE})
    rows = sel.run_list(user) if township_view else sel.own_scores(user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/assessment/list.html",
        {"page": page, "township_view": township_view, "form": form, "now": timezone.now()},
    )


@require_safe
@permission_required(VIEW)
def run_list(request: SignedInRequest) -> HttpResponse:
    return _list_page(request)


@require_POST
@permission_required(VIEW)
def run_assess(request: SignedInRequest) -> HttpResponse:
    """Compute a period from the records as they stand now. It takes a few seconds: the service
    reads the records outside the transaction and writes the scores at the end."""
    townships = sel.assessing_townships(request.user)
    if not townships:
        raise NotYours(_("Assessments are run by the township's assessment officers."))
    form = RunForm(request.POST, townships=townships)
    if form.is_valid():
        data = form.cleaned_data
        before = sel.appeals_until(data["township"], data["level"], data["period"])
        try:
            run = service.run_assess(
                township=data["township"],
                level=data["level"],
                period=data["period"],
                by=request.user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("The assessment of %(period)s has been computed: %(count)s scores.")
                % {"period": run.period, "count": run.scores.count()},
            )
            if before is not None and before != run.appeals_until and not run.is_provisional:
                messages.info(
                    request,
                    _(
                        "Scores changed, so the villages may appeal until %(until)s (it was "
                        "%(before)s)."
                    )
                    % {
                        "until": timezone.localtime(run.appeals_until).strftime("%Y-%m-%d %H:%M"),
                        "before": timezone.localtime(before).strftime("%Y-%m-%d %H:%M"),
                    },
                )
            return redirect(run.get_absolute_url())
    return _list_page(request, form)


def _run(request: SignedInRequest, pk: int) -> tuple[AssessmentRun, bool]:
    reached = sel.run_reached(request.user, pk)
    if reached is None:
        raise Http404
    return reached


def _run_page(request: SignedInRequest, run: AssessmentRun, whole: bool) -> HttpResponse:
    user = request.user
    may_act = whole and service.can_assess(user, run.region)
    # a long ranking of organisations or people is read one village at a time when asked
    villages = sel.ranked_villages(user, run) if run.level != Level.VILLAGE else []
    village = request.GET.get("village", "")
    if village not in {code for code, _name in villages}:
        village = ""
    context: dict[str, Any] = {
        "run": run,
        "whole": whole,
        "scores": sel.ranking(user, run, village),
        "villages": villages if len(villages) > 1 else [],
        "village": village,
        "scheme": sel.scheme_used(user, run),
        "waiting": sel.waiting(run) if whole else None,
        "can_close": may_act and not run.is_closed and not run.is_provisional,
        "sanctions_url": _sanctions_url(run) if may_act else "",
        "appeals_open": not run.is_closed
        and not run.is_provisional
        and timezone.now() <= run.appeals_until,
    }
    return render(request, "governance/assessment/detail.html", context)


@require_safe
@permission_required(VIEW)
def run_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    run, whole = _run(request, pk)
    return _run_page(request, run, whole)


@require_safe
@permission_required(VIEW)
def run_print(request: SignedInRequest, pk: int) -> HttpResponse:
    """The ranking on paper (A4), or its PDF with `?format=pdf`."""
    run, whole = _run(request, pk)
    context = {
        "run": run,
        "whole": whole,
        "scores": sel.ranking(request.user, run),
        "scheme": sel.scheme_used(request.user, run),
        "today": timezone.localdate(),
    }
    stem = f"{run.region.name}-{run.period}-{run.get_level_display()}"
    return printable(
        request,
        "governance/assessment/print.html",
        context,
        stem=stem,
        ascii_stem=f"assessment-{run.period}-{run.level}",
    )


@require_POST
@permission_required(VIEW)
def run_close(request: SignedInRequest, pk: int) -> HttpResponse:
    run, whole = _run(request, pk)
    if not (whole and service.can_assess(request.user, run.region)):
        messages.error(request, _officers_only())
        return redirect(run.get_absolute_url())
    try:
        service.run_close(run=run, by=request.user)
    except ValidationError as exc:
        # said at the top of the run's page (below a long ranking it went unseen)
        for message in exc.messages:
            messages.error(request, message)
        return redirect(run.get_absolute_url())
    messages.success(
        request,
        _("The assessment of %(period)s is closed: its scores are final.") % {"period": run.period},
    )
    return redirect(run.get_absolute_url())


# ---- one score ----------------------------------------------------------------------------------


def _score(request: SignedInRequest, pk: int) -> Score:
    score: Score = visible_or_404(sel.score_for_detail(request.user), request.user, pk=pk)
    return score


def _score_page(
    request: SignedInRequest,
    score: Score,
    *,
    decided: int | None = None,
    **forms: Form,
) -> HttpResponse:
    user = request.user
    run = score.run
    now = timezone.now()
    can_act = not run.is_closed and service.can_assess(user, run.region)
    appeals = sel.appeals_of(score)
    waiting_appeal = any(a.status == AppealStatus.LODGED for a in appeals)
    may_appeal = not run.is_closed and not run.is_provisional and service.can_appeal(user, score)
    context: dict[str, Any] = {
        "score": score,
        "run": run,
        "lines": sel.lines_of(score),
        "adjustments": sel.adjustments_of(score),
        "appeals": appeals,
        "can_act": can_act,
        "can_decide": can_act,
        "may_appeal": may_appeal,
        "appeals_open": now <= run.appeals_until,
        "waiting_appeal": waiting_appeal,
        "decided": decided,
        "decide_form": forms.get("decide_form"),
        "pending": Approval.PENDING,
    }
    if can_act:
        context["adjustment_form"] = forms.get("adjustment_form") or AdjustmentForm()
    if forms.get("appeal_form"):  # a refused appeal, shown with its reasons
        context["appeal_form"] = forms["appeal_form"]
    elif may_appeal and now <= run.appeals_until and not waiting_appeal:
        context["appeal_form"] = AppealForm(score=score)
    return render(request, "governance/assessment/score.html", context)


@require_safe
@permission_required(VIEW)
def score_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _score_page(request, _score(request, pk))


@require_POST
@permission_required(VIEW)
def adjustment_propose(request: SignedInRequest, pk: int) -> HttpResponse:
    score = _score(request, pk)
    if not service.can_assess(request.user, score.run.region):
        messages.error(request, _officers_only())
        return redirect(score.get_absolute_url())
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        try:
            service.adjustment_propose(
                score=score,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("The adjustment is proposed: it counts once another officer approves it."),
            )
            return redirect(score.get_absolute_url())
    return _score_page(request, score, adjustment_form=form)


@require_POST
@permission_required(VIEW)
def adjustment_decide(request: SignedInRequest, pk: int) -> HttpResponse:
    adjustment: Adjustment = visible_or_404(
        Adjustment.objects.select_related("score"), request.user, pk=pk
    )
    score = _score(request, adjustment.score_id)
    if not service.can_assess(request.user, score.run.region):
        messages.error(request, _officers_only())
        return redirect(score.get_absolute_url())
    form = DecideAdjustmentForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            service.adjustment_decide(adjustment=adjustment, approve=approve, by=request.user)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("The adjustment has been approved: the score is updated.")
                if approve
                else _("The adjustment has been rejected."),
            )
            return redirect(score.get_absolute_url())
    return _score_page(request, score, decided=adjustment.pk, decide_form=form)


@require_POST
@permission_required(VIEW)
def appeal_lodge(request: SignedInRequest, pk: int) -> HttpResponse:
    score = _score(request, pk)
    if not service.can_appeal(request.user, score):
        messages.error(request, _("Appeals are lodged by the village whose score it is."))
        return redirect(score.get_absolute_url())
    form = AppealForm(request.POST, score=score)
    if form.is_valid():
        try:
            appeal = service.appeal_lodge(
                score=score,
                grounds=form.cleaned_data["grounds"],
                indicator=form.cleaned_data["indicator"],
                by=request.user,
            )
        except ValidationError as exc:
            run = AssessmentRun.objects.get(pk=score.run_id)
            if run.is_closed or run.is_provisional or timezone.now() > run.appeals_until:
                # the score takes no appeal now (a page left open from before): said at the
                # top of the page, where a phone shows it, without a form to fill in again
                for message in exc.messages:
                    messages.error(request, message)
                return redirect(score.get_absolute_url())
            errors_onto(form, exc)
        else:
            messages.success(request, _("The appeal has been lodged: the township will decide it."))
            return redirect(appeal.get_absolute_url())
    return _score_page(request, score, appeal_form=form)


# ---- appeals ------------------------------------------------------------------------------------


@require_safe
@permission_required(VIEW)
def appeal_list(request: SignedInRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ("lodged", "decided"):
        status = ""
    appeals = sel.appeal_list(request.user, status=status)
    page = Paginator(appeals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "governance/assessment/appeal_list.html", {"page": page, "status": status}
    )


def _appeal_page(
    request: SignedInRequest, appeal: Appeal, form: AppealDecisionForm | None = None
) -> HttpResponse:
    run = appeal.score.run
    can_decide = (
        appeal.status == AppealStatus.LODGED
        and not run.is_closed
        and service.can_assess(request.user, run.region)
    )
    context: dict[str, Any] = {
        "appeal": appeal,
        "score": appeal.score,
        "run": run,
        "indicator_label": sel.indicator_label(appeal.indicator) if appeal.indicator else "",
        "adjustment": sel.adjustment_of(appeal) if appeal.status == AppealStatus.UPHELD else None,
        "form": (form or AppealDecisionForm()) if can_decide else None,
        "ceiling": service.appeal_ceiling(appeal) if can_decide else None,
        "township_view": service.can_assess(request.user, run.region),
    }
    return render(request, "governance/assessment/appeal.html", context)


def _appeal(request: SignedInRequest, pk: int) -> Appeal:
    appeal: Appeal = visible_or_404(sel.appeal_for_detail(request.user), request.user, pk=pk)
    return appeal


@require_safe
@permission_required(VIEW)
def appeal_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _appeal_page(request, _appeal(request, pk))


@require_POST
@permission_required(VIEW)
def appeal_decide(request: SignedInRequest, pk: int) -> HttpResponse:
    appeal = _appeal(request, pk)
    if not service.can_assess(request.user, appeal.score.run.region):
        messages.error(request, _officers_only())
        return redirect(appeal.get_absolute_url())
    form = AppealDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        upheld = data["outcome"] == "upheld"
        try:
            service.appeal_decide(
                appeal=appeal,
                upheld=upheld,
                decision=data["decision"],
                points=data["points"] if upheld else None,
                by=request.user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The appeal is upheld: the score changes once another township officer "
                    "approves the change."
                )
                if upheld
                else _("The appeal is dismissed: the score stands."),
            )
            return redirect(appeal.get_absolute_url())
    return _appeal_page(request, appeal, form)
