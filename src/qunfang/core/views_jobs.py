"""The page of one background job: status and progress, polled by htmx until it finishes,
then the link to the result (or the reason it failed). A reload shows the same state: it is
all in the `Job` row."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from qunfang.core.http import SignedInRequest
from qunfang.core.jobs import job_refresh
from qunfang.core.models import Job, JobKind
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404

# who may watch a job: whoever may do the work (an import's report names rows of people)
JOB_PERMISSION: dict[str, str] = {
    JobKind.ROSTER: Perm.MANAGE_PATROLS,
    JobKind.IMPORT: Perm.MANAGE_REGISTRY,
}
POLL_SECONDS = 2


def _result_template(kind: str) -> str:
    """The app that owns the work shows its result: templates/jobs/<kind>.html."""
    try:
        # the Django engine's template, which its stubs leave out
        name: str = get_template(f"jobs/{kind}.html").template.name  # type: ignore[attr-defined]
        return name
    except TemplateDoesNotExist:
        return ""


@require_GET
@never_cache
@login_required
def job_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    job = visible_or_404(Job.objects.select_related("started_by", "region"), request.user, pk=pk)
    if not request.user.can(JOB_PERMISSION.get(job.kind, Perm.MANAGE_VILLAGE)):
        raise Http404  # not yours looks like not there
    job = job_refresh(job)
    context = {
        "job": job,
        "poll_seconds": POLL_SECONDS,
        "result_template": _result_template(job.kind),
    }
    template = "core/_job_status.html" if request.htmx else "core/job_detail.html"
    return render(request, template, context)
