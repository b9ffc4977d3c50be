from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBase

if TYPE_CHECKING:
    from qunfang.core.http import SignedInRequest

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class NotYours(PermissionDenied):
    """A refusal the user reads: they may see the record but it is not theirs to change. The
    message (already in the user's language) names who decides; pages and the API answer 403
    with it."""


def permission_required(
    perm: str | None = None, *, any_of: Iterable[str] = ()
) -> Callable[[View], View]:
    """Sign-in first (redirect to the login page), then the named permission (403).

    `@permission_required(Perm.X)` asks for one permission; `@permission_required(any_of=(Perm.A,
    Perm.B))` for a page that serves several roles, any one of them. The view keeps what it asks
    for in `required_permission`: the permission, or the tuple given as `any_of`. Whether the
    user may act on a particular village is the service's question (`user.works_in(region)`),
    not the decorator's."""
    wanted = tuple(any_of)
    if (perm is None) == (not wanted):
        raise TypeError("permission_required() takes one permission or any_of=(…), not both")
    needed = (perm,) if perm is not None else wanted

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: "SignedInRequest", *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not any(request.user.can(p) for p in needed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # a function attribute, which mypy does not model: the tests read it
        required = perm if perm is not None else wanted
        wrapped.required_permission = required  # type: ignore[attr-defined]
        return cast(View, wrapped)

    return decorator
