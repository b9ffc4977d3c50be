"""The JSON API (OpenAPI at /api/v1/openapi.json, browsable at /api/v1/docs).

Session sign-in for now (phones use the same login); every route reads through the same
scoping as the pages, so another village's record answers 404 like a missing one.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import django_auth

from qunfang.api import core as core_routes
from qunfang.api import patrols as patrols_routes
from qunfang.core.permissions import NotYours

api = NinjaAPI(
    title="Qunfang API",
    version="1",
    description="群防群治 — community prevention and governance",
    auth=django_auth,
    urls_namespace="api",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def not_signed_in(request, exc):
    return api.create_response(request, {"detail": _("Please sign in.")}, status=401)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    detail = str(exc) if isinstance(exc, NotYours) else _("You do not have permission to do this.")
    return api.create_response(request, {"detail": detail}, status=403)


@api.exception_handler(patrols_routes.BadInput)
def bad_input(request, exc):
    body = {"detail": exc.detail, "problems": exc.problems}
    return api.create_response(request, body, status=400)


api.add_router("", core_routes.router)
api.add_router("/patrols/", patrols_routes.router)
