"""Screens of rewards and punishments (奖惩): the township's rules (list, editor, the usual
rules in one go), the proposals (list with filters, by hand, from an assessment's results, one
with the records it rests on, approve / reject / publish), the payment requests, the printed
notice (公示) and the public village board. Thin: parse, call a selector (`selectors.sanctions`)
or a service (`services.sanctions`), render; a refusal is shown on the page and nothing is
written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qunfang.casebook.selectors.opinions import public_village
from qunfang.core.forms import errors_onto
from qunfang.core.http import SignedInRequest, requested_village
from qunfang.core.models import Region, RegionKind
from qunfang.core.pdf import printable
from qunfang.core.permissions import NotYours, permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404
from qunfang.core.selectors import villages_visible
from qunfang.governance.assessment.periods import Period
from qunfang.governance.assessment.triggers import TRIGGERS
from qunfang.governance.forms.sanctions import (
    BulkDecideForm,
    DecideForm,
    ProposeForm,
    PublishForm,
    RuleForm,
)
from qunfang.governance.models import (
    PAID,
    REWARDS,
    PaymentStatus,
    Sanction,
    SanctionRule,
    SanctionStatus,
)
from qunfang.governance.selectors import sanctions as sel
from qunfang.governance.services import sanctions as services
from qunfang.registry.fields import person_label, twin_names
from qunfang.registry.models import Person

PAGE_SIZE = 50
BOARD_PAGE_SIZE = 20
VIEW = Perm.VIEW_GOVERNANCE
S = SanctionStatus


def _choice(request: HttpRequest, name: str, allowed: Any) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


def _refusal(exc: ValidationError | NotYours) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


# ---- rules ------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW)
def sanction_rule_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    rules = list(sel.rule_list(user))
    for rule in rules:
        found = TRIGGERS.get(rule.trigger)
        rule.trigger_label = found.label if found else rule.trigger  # type: ignore[attr-defined]
    may_configure = services.can_configure(user) and sel.supervised_townships(user).exists()
    return render(
        request,
        "governance/sanctions/rule_list.html",
        {
            "rules": rules,
            "triggers": list(TRIGGERS.values()),
            "can_configure": may_configure,
            "editable": {r.region_id for r in rules if services.can_configure(user, r.region)},
        },
    )


@permission_required(Perm.SUPERVISE_VILLAGES)
def sanction_rule_form(request: SignedInRequest) -> HttpResponse:
    """Add a rule, or change the one `?rule=` names (a rule of the user's townships)."""
    user = request.user
    rule: SanctionRule | None = None
    if request.GET.get("rule"):
        rule = visible_or_404(sel.rule_to_edit(user), user, pk=request.GET["rule"])
    initial: dict[str, Any] = {"active": True, "times": 1}
    if rule is not None:
        initial = {
            "township": rule.region,
            "trigger": rule.trigger,
            "times": rule.times,
            "grade": rule.grade,
            "action": rule.action,
            "amount": rule.amount,
            "active": rule.active,
        }
    form = RuleForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.sanction_rule_save(
                township=rule.region if rule is not None else data["township"],
                trigger=data["trigger"],
                times=data["times"],
                grade=data["grade"],
                action=data["action"],
                amount=data["amount"],
                active=data["active"],
                rule=rule,
                by=user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request, _("The rule is saved: %(rule)s.") % {"rule": _rule_text(saved)}
            )
            return redirect("governance:sanction_rule_list")
    return render(
        request,
        "governance/sanctions/rule_form.html",
        {"form": form, "rule": rule, "triggers": list(TRIGGERS.values())},
    )


def _rule_text(rule: SanctionRule) -> str:
    found = TRIGGERS.get(rule.trigger)
    return _("%(trigger)s ×%(times)s → %(action)s") % {
        "trigger": found.label if found else rule.trigger,
        "times": rule.times,
        "action": rule.get_action_display(),
    }


@require_POST
@permission_required(Perm.SUPERVISE_VILLAGES)
def sanction_rule_defaults(request: SignedInRequest) -> HttpResponse:
    """Add the usual rules to the user's township (the one posted, when they have several)."""
    user = request.user
    townships = sel.supervised_townships(user)
    code = request.POST.get("township", "")
    township = townships.filter(code=code).first() if code else None
    if township is None and len(townships) == 1:
        township = townships[0]
    if township is None:
        messages.error(request, _("Choose the township the rules are for."))
        return redirect("governance:sanction_rule_list")
    try:
        added = services.default_rules(township, user)
    except (ValidationError, NotYours) as exc:
        messages.error(request, _refusal(exc))
    else:
        if added:
            messages.success(
                request,
                ngettext("%(n)d usual rule added.", "%(n)d usual rules added.", len(added))
                % {"n": len(added)},
            )
        else:
            messages.info(request, _("The township already has every usual rule."))
    return redirect("governance:sanction_rule_list")


# ---- proposals ---------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW)
def sanction_list(request: SignedInRequest) -> HttpResponse:
    return _list(request)


def _name_people(sanctions: Any) -> None:
    """Each sanction's `who`: its person as the proposal form names them (a namesake in the
    same village with the birth year: the approver must know which one), or its organisation."""
    people = [s.person for s in sanctions if s.person is not None]
    twins = twin_names(
        Person.objects.filter(
            region__in={p.region_id for p in people}, name__in={p.name for p in people}
        )
    )
    for sanction in sanctions:
        person = sanction.person
        sanction.who = (
            person_label(person, twins, village=False) if person else sanction.organisation.name
        )


def _list(request: SignedInRequest, *, bulk_form: BulkDecideForm | None = None) -> HttpResponse:
    """The list as its `?` filters narrow it; a decision on many that was refused (`bulk_form`)
    is shown above it, with the boxes still ticked."""
    user = request.user
    village = requested_village(request)
    status = _choice(request, "status", S.values)
    kind = _choice(request, "kind", (sel.REWARD, sel.PUNISHMENT))
    period = request.GET.get("period", "").strip()[:7]
    rows = sel.sanction_list(user, village=village, status=status, kind=kind, period=period)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    _name_people(page.object_list)
    counts = sel.status_counts(user, village=village)
    decidable = _decidable(user, page.object_list)
    ticked: set[int] = set()
    if bulk_form is not None:
        ticked = set(bulk_form.ticked())
    elif request.GET.get("tick") == "all":  # the user's own proposals left alone: skipped anyway
        ticked = decidable - {s.pk for s in page.object_list if s.proposed_by_id == user.pk}
    query = request.GET.copy()
    query.pop("tick", None)
    tick_all = query.copy()
    tick_all["tick"] = "all"
    return render(
        request,
        "governance/sanctions/list.html",
        {
            "page": page,
            "villages": villages_visible(user=user),
            "village": village,
            "village_code": village.code if village else "",
            "statuses": [(value, label, counts[value]) for value, label in S.choices],
            "status": status,
            "kinds": [(sel.REWARD, _("Rewards")), (sel.PUNISHMENT, _("Punishments"))],
            "kind": kind,
            "period": period,
            "rewards": sorted(REWARDS),
            "can_propose": services.can_propose(user),
            "can_configure": services.can_configure(user),
            "decidable": decidable,
            "ticked": ticked,
            "bulk_form": bulk_form or BulkDecideForm(),
            "query": query.urlencode(),
            "tick_all_query": tick_all.urlencode(),
        },
    )


def _decidable(user: Any, rows: Any) -> set[int]:
    """The proposals on the page the user may approve or reject: those of the villages of the
    townships whose office they are in (the user's own proposals among them: ticked, they are
    skipped and said so)."""
    if not services.can_configure(user):
        return set()
    townships = set(sel.supervised_townships(user).values_list("pk", flat=True))
    return {s.pk for s in rows if s.status == S.PROPOSED and s.region.parent_id in townships}


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(Perm.SUPERVISE_VILLAGES)
def sanction_decide_many(request: SignedInRequest) -> HttpResponse:
    """Approve or reject the proposals ticked on the list, each as on its own page; the list's
    filters ride along in the `?` query, to return to. A GET is the list re-shown after a
    refusal followed by one of its relative links (a filter, a page): to the list."""
    if request.method != "POST":
        return redirect(_list_with(request))
    user = request.user
    form = BulkDecideForm(request.POST)
    if form.is_valid():
        ticked = form.ticked()
        # only the user's own to see: another's id posted finds nothing
        seen = Sanction.objects.visible_to(user).filter(pk__in=ticked, status=S.PROPOSED)
        rows = (
            sel.sanction_for_detail().filter(pk__in=seen.values("pk")).order_by("proposed_at", "pk")
        )
        approve = form.cleaned_data["decision"] == "approve"
        try:
            done = services.sanctions_decide_many(
                sanctions=rows, approve=approve, note=form.cleaned_data["note"], by=user
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            _tell_decided(request, done, approve, len(ticked))
            return redirect(_list_with(request))
    return _list(request, bulk_form=form)


def _list_with(request: SignedInRequest) -> str:
    query = request.GET.urlencode()
    return reverse("governance:sanction_list") + (f"?{query}" if query else "")


def _tell_decided(
    request: SignedInRequest, done: services.Decisions, approve: bool, ticked: int
) -> None:
    """What was done and what was not, and why: "N approved. M skipped (your own proposals…)"."""
    n = len(done.decided)
    verdict = _("%(n)d approved.") if approve else _("%(n)d rejected.")
    parts = [verdict % {"n": n}]
    if done.own:
        parts.append(
            ngettext(
                "%(n)d skipped (your own proposal: another officer of the township decides it).",
                "%(n)d skipped (your own proposals: another officer of the township decides them).",
                len(done.own),
            )
            % {"n": len(done.own)}
        )
    others = ticked - n - len(done.own)  # decided meanwhile, or not the user's to decide
    if others > 0:
        parts.append(_("%(n)d skipped (already decided, or not yours to decide).") % {"n": others})
    (messages.success if n else messages.warning)(request, " ".join(parts))


@permission_required(Perm.RUN_GOVERNANCE)
def sanction_create(request: SignedInRequest) -> HttpResponse:
    """Propose a reward or punishment by hand (`?person=` / `?organisation=` preselect one)."""
    user = request.user
    initial = {
        name: request.GET[name]
        for name in ("person", "organisation")
        if request.GET.get(name, "").isdigit()
    }
    form = ProposeForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sanction = services.sanction_propose(
                person=data["person"],
                organisation=data["organisation"],
                action=data["action"],
                amount=data["amount"],
                reason=data["reason"],
                by=user,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("Proposed: %(action)s for %(subject)s. The township's office decides.")
                % {"action": sanction.get_action_display(), "subject": sanction.subject},
            )
            return redirect(sanction.get_absolute_url())
    return render(
        request,
        "governance/sanctions/form.html",
        {"form": form, "paid": sorted(PAID)},
    )


def _sanction(request: SignedInRequest, pk: int) -> Sanction:
    return visible_or_404(sel.sanction_for_detail(), request.user, pk=pk)


def _detail(
    request: SignedInRequest,
    sanction: Sanction,
    *,
    decide_form: DecideForm | None = None,
    publish_form: PublishForm | None = None,
    refusal: str = "",
) -> HttpResponse:
    user = request.user
    village = sanction.region
    may_decide = sanction.status == S.PROPOSED and services.can_decide(user, village)
    may_publish = sanction.status == S.APPROVED and services.can_publish(user, village)
    return render(
        request,
        "governance/sanctions/detail.html",
        {
            "sanction": sanction,
            "refs": sel.ref_links(sanction.refs),
            "trigger": TRIGGERS.get(sanction.rule.trigger) if sanction.rule else None,
            "payment": getattr(sanction, "payment", None),
            "may_decide": may_decide,
            "own_proposal": may_decide and sanction.proposed_by_id == user.pk,
            "decide_form": decide_form or DecideForm(),
            "may_publish": may_publish,
            "publish_form": publish_form or PublishForm(),
            "takes_due_date": sanction.action in services.DUE_DAYS,
            "board_url": reverse("governance:sanction_board", args=[village.code]),
            "refusal": refusal,
        },
    )


@require_GET
@permission_required(VIEW)
def sanction_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _detail(request, _sanction(request, pk))


@require_POST
@permission_required(VIEW)
def sanction_decide(request: SignedInRequest, pk: int) -> HttpResponse:
    sanction = _sanction(request, pk)
    form = DecideForm(request.POST)
    verdict = request.POST.get("decision", "")
    if verdict not in ("approve", "reject"):
        messages.error(request, _("Choose to approve or to reject."))
        return redirect(sanction.get_absolute_url())
    if form.is_valid():
        try:
            decided = services.sanction_decide(
                sanction=sanction,
                approve=verdict == "approve",
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except NotYours as exc:
            messages.error(request, str(exc))
            return redirect(sanction.get_absolute_url())
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # not the note's fault: told above the page
                return _detail(request, sanction, refusal=_refusal(exc))
            errors_onto(form, exc)
        else:
            if decided.status == S.APPROVED:
                text = _("Approved: %(action)s for %(subject)s.")
                if decided.action in PAID:
                    text = _(
                        "Approved: %(action)s for %(subject)s. The payment is requested: it "
                        "waits as “to be paid” until the funds books take it."
                    )
            else:
                text = _("Rejected: %(action)s for %(subject)s.")
            messages.success(
                request, text % {"action": decided.get_action_display(), "subject": decided.subject}
            )
            return redirect(sanction.get_absolute_url())
    return _detail(request, sanction, decide_form=form)


@require_POST
@permission_required(VIEW)
def sanction_publish(request: SignedInRequest, pk: int) -> HttpResponse:
    sanction = _sanction(request, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.sanction_publish(
                sanction=sanction, due_on=form.cleaned_data["due_on"], by=request.user
            )
        except NotYours as exc:
            messages.error(request, str(exc))
            return redirect(sanction.get_absolute_url())
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # not the date's fault: told above the page
                return _detail(request, sanction, refusal=_refusal(exc))
            errors_onto(form, exc)
        else:
            messages.success(request, _("Published on the village board."))
            return redirect(sanction.get_absolute_url())
    return _detail(request, sanction, publish_form=form)


# ---- proposals from an assessment's results ------------------------------------------------------


@permission_required(VIEW)
def sanctions_propose(request: SignedInRequest, pk: int) -> HttpResponse:
    """From an assessment run's page: the township's rules in use, applied to the run's period
    (a confirmation first)."""
    user = request.user
    # the township's, or one that scored the user's villages (which `visible_or_404` would not
    # reach: a run belongs to its township)
    run = sel.runs_seen(user).filter(pk=pk).first()
    if run is None:
        raise Http404
    if request.method == "POST":
        try:
            made = services.sanctions_propose_from_results(run=run, by=user)
        except (ValidationError, NotYours) as exc:
            messages.error(request, _refusal(exc))
            return redirect("governance:sanctions_propose", pk=run.pk)
        if made:
            messages.success(
                request,
                ngettext(
                    "%(n)d reward or punishment proposed: another officer decides.",
                    "%(n)d rewards and punishments proposed: another officer decides.",
                    len(made),
                )
                % {"n": len(made)},
            )
        else:
            messages.info(request, _("Nothing new to propose from these results."))
        query = f"?status={S.PROPOSED}&period={run.period}"
        return redirect(reverse("governance:sanction_list") + query)
    rules = list(SanctionRule.objects.filter(region=run.region, active=True))
    for rule in rules:
        found = TRIGGERS.get(rule.trigger)
        rule.trigger_label = found.label if found else rule.trigger  # type: ignore[attr-defined]
    return render(
        request,
        "governance/sanctions/propose.html",
        {
            "run": run,
            "rules": rules,
            "already": sel.proposed_from(run),
            "can_configure": services.can_configure(user, run.region),
            "run_url": _url_or_empty("governance:run_detail", run.pk),
        },
    )


def _url_or_empty(name: str, *args: Any) -> str:
    """The lead's assessment pages may not be wired yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# ---- payment requests --------------------------------------------------------------------------


@require_GET
@permission_required(VIEW)
def payment_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    village = requested_village(request)
    status = _choice(request, "status", PaymentStatus.values)
    rows = sel.payment_list(user, village=village, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/sanctions/payments.html",
        {
            "page": page,
            "villages": villages_visible(user=user),
            "village_code": village.code if village else "",
            "statuses": PaymentStatus.choices,
            "status": status,
            "settlement_links": bool(_url_or_empty("governance:settlement_detail", 1)),
        },
    )


# ---- the printed notice and the public board -----------------------------------------------------


@require_GET
@permission_required(VIEW)
def sanction_notice(request: SignedInRequest) -> HttpResponse:
    """The notice (公示) of a village's published rewards and punishments for a period (this
    year unless `?period=` says otherwise), to print for the notice board."""
    user = request.user
    village = requested_village(request)
    villages = list(villages_visible(user=user))
    if village is None and len(villages) == 1:
        village = villages[0]
    if village is None:
        return render(request, "governance/sanctions/notice_choose.html", {"villages": villages})
    try:
        period = Period.parse(request.GET.get("period") or str(timezone.localdate().year))
    except ValidationError:
        period = Period.parse(str(timezone.localdate().year))
    rows = list(sel.notice_rows(user, village, period.starts, period.ends))
    context = {
        "village": village,
        "period": period,
        "rewards": [r for r in rows if r.action in REWARDS],
        "punishments": [r for r in rows if r.action not in REWARDS],
        "today": timezone.localdate(),
    }
    return printable(
        request,
        "governance/sanctions/notice.html",
        context,
        stem=f"{village.name}-奖惩公示-{period}",
        ascii_stem=f"sanctions-{village.code}-{period}",
    )


@require_GET
def sanction_board(request: HttpRequest, village_code: str) -> HttpResponse:
    """Public, no sign-in: the rewards and punishments published for the village — who, what,
    why and when. No ID numbers or phones, and no amount of a punishment."""
    village: Region | None = public_village(village_code)
    if village is None or village.kind != RegionKind.VILLAGE:
        raise Http404
    page = Paginator(sel.board(village), BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/sanctions/board.html",
        {"village": village, "page": page, "rewards": sorted(REWARDS), "nav_items": None},
    )
