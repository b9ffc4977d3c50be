"""Display links: the screen at a patrol point shows the point's rotating QR code through a
link that needs nobody signed in.

A link is a random token (`secrets.token_urlsafe`, 192 bits); only its SHA-256 is stored, so
the database alone cannot open a screen, and the full link is shown once, when it is made.
The page it opens (`/patrols/display/<token>/`) shows the point's name and its code, nothing
else, writes nothing and sets no cookie. A point has at most one live link: making a new one
revokes the old one; revoking keeps the row (who made it, who withdrew it, when), and the
old screen is told the link was withdrawn. Made and withdrawn only by those who may change
the point (its village's planners and the township above them). The link a token opens:
`selectors.display.display_for_token`.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.core.audit import security_event_record
from qunfang.core.models import SecurityEventKind
from qunfang.patrols.models import PatrolPoint, PointDisplay, SignPeriod
from qunfang.patrols.selectors.common import change_or_403
from qunfang.patrols.selectors.display import token_hash

TOKEN_BYTES = 24


def _revoke(display: PointDisplay, by, now) -> None:
    display.revoked_at, display.revoked_by = now, by
    display._history_user = by
    display.save(update_fields=["revoked_at", "revoked_by"])
    _log(SecurityEventKind.DISPLAY_LINK_REVOKED, display, by)


def _log(kind: str, display: PointDisplay, by) -> None:
    # a link opens a screen to anyone who holds it: who made or ended one belongs in the log
    point = display.point
    security_event_record(
        kind=kind,
        user=by,
        actor=by,
        region=point.region,
        detail={"point": point.pk, "point_name": point.name, "display": display.pk},
    )


@transaction.atomic
def display_create(*, point: PatrolPoint, by) -> tuple[PointDisplay, str]:
    """Make the point's display link, revoking the one before. Returns the row and the token
    (shown once; only its hash is kept)."""
    change_or_403(by, point)
    if point.sign_period > SignPeriod.HOUR:
        raise ValidationError(
            _(
                "A screen at the point is for a code that changes every minute or every hour. "
                "Set the point to change its code every minute first, or print its sign."
            )
        )
    now = timezone.now()
    for old in PointDisplay.objects.select_for_update().filter(point=point, revoked_at=None):
        _revoke(old, by, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    display = PointDisplay(point=point, token_hash=token_hash(token), created_by=by, created_at=now)
    display._history_user = by
    display.save()
    _log(SecurityEventKind.DISPLAY_LINK_CREATED, display, by)
    return display, token


@transaction.atomic
def display_revoke(*, display: PointDisplay, by) -> PointDisplay:
    change_or_403(by, display.point)
    if display.revoked_at is None:
        _revoke(display, by, timezone.now())
    return display
