import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

SESSION_STARTED_KEY = "qf_started"
SESSION_SEEN_KEY = "qf_seen"
SEEN_RESOLUTION_SECONDS = (
    60  # refresh the idle clock at most once a minute: one write, not one per request
)

if TYPE_CHECKING:
    from qunfang.core.models import User

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class SecurityHeadersMiddleware:
    """Headers Django does not set itself. Camera and location stay allowed for this site only:
    patrol check-in scans QR signs and records GPS."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy",
            "camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), "
            "interest-cohort=()",
        )
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class RequestSizeLimitMiddleware:
    """Refuses a request body over QUNFANG_MAX_REQUEST_BYTES (413) before anything reads it:
    Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out, so one post could otherwise fill the
    disk with temporary uploads wherever no proxy caps it. A body of unknown length (chunked)
    is refused too (411): its size cannot be checked up front. Placed after the language is
    chosen, so the refusal is in the user's language."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.META.get("HTTP_TRANSFER_ENCODING"):
            return _refusal(
                request,
                411,
                _(
                    "This request did not say how large it is, "
                    "so it was refused and nothing was saved."
                ),
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body at all then
        limit = settings.QUNFANG_MAX_REQUEST_BYTES
        if length > limit:
            message = _(
                "This request is larger than %(mb)d MB, so it was refused and nothing was saved. "
                "Send fewer or smaller files."
            ) % {"mb": limit // (1024 * 1024)}
            return _refusal(request, 413, message)
        return self.get_response(request)


def _refusal(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """JSON for the API, as its other errors; a page without the request context (nothing
    after this middleware has run: no user, no session) for the rest."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    page = render_to_string("request_refused.html", {"message": message})
    return HttpResponse(page, status=status)


class CookieLanguageMiddleware:
    """Chinese unless the user chose otherwise with the language switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a township PC with an
    English browser must still open in Chinese.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else None
        except LookupError:
            language = None
        language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


def remember_language(response: HttpResponseBase, language: str) -> None:
    """The browser's language (the cookie the switch sets), e.g. the account's after sign-in."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        # a str setting in the stubs, one of the values set_cookie takes in fact
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )


class AccountLanguageMiddleware:
    """A signed-in user's pages are in their account's language on a browser that has not
    chosen one (and the browser keeps it from then on). Signing in sets the browser's language
    to the account's (core.views.LoginView) and the switch on any page changes both
    (core.views.set_language), so the two agree; the cookie stays what decides a page, as
    before, for a browser that has chosen."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        chosen = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
        if chosen or user is None or not user.is_authenticated:
            return self.get_response(request)
        language = _supported(user.language) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers["Content-Language"] = language
        if settings.LANGUAGE_COOKIE_NAME not in response.cookies:  # not the switch's new choice
            remember_language(response, language)
        return response


def _supported(code: str) -> str | None:
    try:
        return translation.get_supported_language_variant(code) if code else None
    except LookupError:
        return None


class SessionLifetimeMiddleware:
    """Ends a signed-in session after SESSION_IDLE_SECONDS without a request, or
    SESSION_MAX_SECONDS after sign-in, whichever comes first."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(SESSION_STARTED_KEY, now)
            seen = session.get(SESSION_SEEN_KEY, now)
            if (
                now - seen > settings.SESSION_IDLE_SECONDS
                or now - started > settings.SESSION_MAX_SECONDS
            ):
                self._expire(request)
            elif now - seen >= SEEN_RESOLUTION_SECONDS or SESSION_SEEN_KEY not in session:
                session[SESSION_SEEN_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _expire(request: HttpRequest) -> None:
        from qunfang.core.audit import security_event_record
        from qunfang.core.models import SecurityEventKind

        security_event_record(
            kind=SecurityEventKind.SESSION_EXPIRED,
            request=request,
            user=cast("User", request.user),  # signed in: the caller asked
        )
        request.session.flush()
        request.user = AnonymousUser()
        messages.info(request, _("Your session has expired. Please sign in again."))
