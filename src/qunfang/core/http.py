"""What a view may take for granted about its request, for the type checker.

A view behind `login_required` or `permission_required` takes a `SignedInRequest`: its user is
a signed-in `User`, not `User | AnonymousUser`. A public view keeps `HttpRequest`. Nothing here
runs: the classes only name what the middleware and the decorators already guarantee."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from qunfang.core.models import User


class SignedInRequest(HttpRequest):
    user: User
    htmx: HtmxDetails  # django_htmx's middleware sets it on every request
