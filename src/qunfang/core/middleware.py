import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

SESSION_STARTED_KEY = "qf_started"
SESSION_SEEN_KEY = "qf_seen"
SEEN_RESOLUTION_SECONDS = (
    60  # refresh the idle clock at most once a minute: one write, not one per request
)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself. Camera and location stay allowed for this site only:
    patrol check-in scans QR signs and records GPS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy",
            "camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), interest-cohort=()",
        )
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class CookieLanguageMiddleware:
    """Chinese unless the user chose otherwise with the language switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a township PC with an
    English browser must still open in Chinese.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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


class SessionLifetimeMiddleware:
    """Ends a signed-in session after SESSION_IDLE_SECONDS without a request, or
    SESSION_MAX_SECONDS after sign-in, whichever comes first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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
    def _expire(request):
        from qunfang.core.audit import security_event_record
        from qunfang.core.models import SecurityEventKind

        security_event_record(
            kind=SecurityEventKind.SESSION_EXPIRED, request=request, user=request.user
        )
        request.session.flush()
        request.user = AnonymousUser()
        messages.info(request, _("Your session has expired. Please sign in again."))
