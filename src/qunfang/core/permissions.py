from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


class NotYours(PermissionDenied):
    """A refusal the user reads: they may see the record but it is not theirs to change. The
    message (already in the user's language) names who decides; pages and the API answer 403
    with it."""


def permission_required(perm: str):
    """Sign-in first (redirect to the login page), then the named permission (403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not request.user.can(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_permission = perm
        return wrapped

    return decorator
