from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from qunfang.core import login, selectors, services
from qunfang.core.audit import security_event_record
from qunfang.core.dashboard import panels_for
from qunfang.core.forms import AccountLanguageForm, NotificationPreferenceForm
from qunfang.core.http import SignedInRequest
from qunfang.core.middleware import remember_language
from qunfang.core.models import NotificationPreference, SecurityEventKind, User
from qunfang.core.notify import KIND_LABELS
from qunfang.core.permissions import NotYours, permission_required
from qunfang.core.roles import Perm
from qunfang.core.scoping import visible_or_404

PAGE_SIZE = 50


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": "ok"})
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("qunfang/favicon.svg"), permanent=True)


@login_required
def home(request: SignedInRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "region": user.region,
        "roles": user.role_labels(),
        "panels": panels_for(user),
    }
    if user.can(Perm.VIEW_REGIONS):
        context["child_regions"] = (
            selectors.regions_with_counts(user=user).filter(parent=user.region)
            if user.region
            else selectors.regions_with_counts(user=user).filter(parent__isnull=True)
        )
    if user.can(Perm.VIEW_SECURITY_LOG):
        context["recent_events"] = selectors.security_events_visible(user=user)[:8]
    return render(request, "core/home.html", context)


@permission_required(Perm.VIEW_REGIONS)
def region_list(request: SignedInRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:50]
    regions = selectors.regions_with_counts(user=request.user, search=search)
    page = Paginator(regions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/region_list.html", {"page": page, "q": search})


@permission_required(Perm.VIEW_REGIONS)
def region_detail(request: SignedInRequest, code: str) -> HttpResponse:
    region = visible_or_404(selectors.regions_visible(user=request.user), request.user, code=code)
    children = selectors.regions_with_counts(user=request.user).filter(parent=region)
    users = (
        selectors.users_visible(user=request.user).filter(region=region)
        if request.user.can(Perm.VIEW_USERS)
        else None
    )
    return render(
        request, "core/region_detail.html", {"region": region, "children": children, "users": users}
    )


@permission_required(Perm.VIEW_USERS)
def user_list(request: SignedInRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:50]
    page = Paginator(selectors.users_visible(user=request.user, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "core/user_list.html", {"page": page, "q": search})


@permission_required(Perm.VIEW_USERS)
def user_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    subject = visible_or_404(selectors.users_visible(user=request.user), request.user, pk=pk)
    return render(request, "core/user_detail.html", {"subject": subject})


@never_cache
@require_POST
@permission_required(Perm.VIEW_USERS)
def user_reveal(request: SignedInRequest, pk: int, field: str) -> HttpResponse:
    if field not in services.REVEALABLE_FIELDS:
        raise Http404
    subject = visible_or_404(User, request.user, pk=pk)
    if not request.user.can(Perm.REVEAL_PERSONAL_DATA):
        raise PermissionDenied
    value = services.personal_data_reveal(
        viewer=request.user, subject=subject, field=field, request=request
    )
    return render(request, "core/_revealed.html", {"value": value or "—"})


@permission_required(Perm.VIEW_SECURITY_LOG)
def security_log(request: SignedInRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in SecurityEventKind.values:
        kind = ""
    page = Paginator(
        selectors.security_events_visible(user=request.user, kind=kind), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "core/security_log.html",
        {"page": page, "kind": kind, "kinds": SecurityEventKind.choices},
    )


@login_required
def account(request: SignedInRequest) -> HttpResponse:
    return render(request, "core/account.html", {"subject": request.user})


@login_required
def password_change(request: SignedInRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        security_event_record(kind=SecurityEventKind.PASSWORD_CHANGED, request=request, user=user)
        messages.success(request, _("Your password has been changed."))
        return redirect("core:account")
    return render(request, "core/password_change.html", {"form": form})


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if isinstance(exception, NotYours) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_500(request: HttpRequest) -> HttpResponse:
    # No request context: the database may be what failed.
    return HttpResponse(loader.render_to_string("500.html"), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


@login_required
def notification_settings(request: SignedInRequest) -> HttpResponse:
    """Which messages also come by e-mail, and the language of pages and messages."""
    # without saved preferences every kind is mailed (core.notify): the form shows just that
    prefs, _created = NotificationPreference.objects.get_or_create(
        user=request.user, defaults={"email_kinds": list(KIND_LABELS)}
    )
    form = NotificationPreferenceForm(request.POST or None, instance=prefs)
    language_form = AccountLanguageForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid() and language_form.is_valid():
        form.save()
        user = language_form.save()
        messages.success(request, _("Your message settings are saved."))
        response = redirect("core:notification_settings")
        remember_language(response, user.language)  # this browser follows at once
        return response
    return render(
        request,
        "core/notification_settings.html",
        {"form": form, "language_form": language_form, "has_email": bool(request.user.email)},
    )


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; for a signed-in user the choice is also their account's, so
    their messages and their other browsers follow."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response


class LoginView(auth_views.LoginView):
    """Django's sign-in, which also remembers this browser as one the account uses, so the
    account's slow-down under a guessing attack never applies here (core/login.py)."""

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        login.remember_device(self.request, response, form.get_user().get_username())
        remember_language(response, form.get_user().language)  # a shared PC: the account's
        return response
