"""The screen at a patrol point: the page a display link opens, with nobody signed in.

It shows the point's name and its current QR code and nothing else, refreshes the code by
itself (htmx, every 20 seconds; a meta refresh without JavaScript), writes nothing, sets no
cookie, and asks search engines and the next site to forget it (`X-Robots-Tag`,
`Referrer-Policy`). A withdrawn link answers 410 and an unknown one 404, each with a short
page; the code fragment then tells htmx to reload, so the old screen shows the withdrawal.
See services/displays.py for how links are made and withdrawn.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from qunfang.core.qr import qr_svg
from qunfang.patrols.models import PointDisplay
from qunfang.patrols.selectors.display import display_for_token
from qunfang.patrols.services import signs

REFRESH_SCALE = 7


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def _live(token: str) -> tuple[PointDisplay | None, int]:
    """The link if it still works, else the status to answer: 404 never made, 410 withdrawn
    (or its point taken out of use)."""
    display = display_for_token(token)
    if display is None:
        return None, 404
    if display.revoked_at is not None or not display.point.active:
        return None, 410
    return display, 200


def _gone(request: HttpRequest, status: int) -> HttpResponse:
    response = render(
        request, "patrols/display/gone.html", {"revoked": status == 410}, status=status
    )
    if request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # the screen reloads and shows this page
    return _private(response)


def _code_context(request: HttpRequest, display: PointDisplay) -> dict:
    point, now = display.point, timezone.now()
    code = signs.current_code(point, now)
    url = request.build_absolute_uri(signs.scan_url(point, now))
    return {
        "point": point,
        "code_spaced": f"{code[:4]} {code[4:]}",
        "qr": qr_svg(url, scale=REFRESH_SCALE),
        "shown_at": timezone.localtime(now),
    }


@require_safe
def display(request: HttpRequest, token: str) -> HttpResponse:
    link, status = _live(token)
    if link is None:
        return _gone(request, status)
    context = {
        **_code_context(request, link),
        "code_url": reverse("patrols:display_code", args=[token]),
    }
    return _private(render(request, "patrols/display/screen.html", context))


@require_safe
def display_code(request: HttpRequest, token: str) -> HttpResponse:
    link, status = _live(token)
    if link is None:
        return _gone(request, status)
    return _private(render(request, "patrols/display/_code.html", _code_context(request, link)))
