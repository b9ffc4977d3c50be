"""What a view may take for granted about its request, for the type checker.

A view behind `login_required` or `permission_required` takes a `SignedInRequest`: its user is
a signed-in `User`, not `User | AnonymousUser`. A public view keeps `HttpRequest`. Nothing here
runs in the classes: they only name what the middleware and the decorators already guarantee.
Also the one reading of a list's `?village=` filter."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from qunfang.core.models import Region, RegionKind, User
from qunfang.core.scoping import visible_or_404


class SignedInRequest(HttpRequest):
    user: User
    htmx: HtmxDetails  # django_htmx's middleware sets it on every request


def requested_village(request: SignedInRequest) -> Region | None:
    """The `?village=<code>` filter of a list: one of the user's villages (any other answers
    404), or None when the list is not narrowed."""
    code = request.GET.get("village", "").strip()
    if not code:
        return None
    return visible_or_404(Region.objects.filter(kind=RegionKind.VILLAGE), request.user, code=code)
