"""How outsiders are answered on the bulletins routes (tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters; WRITES: the
routes among ROUTES that take a POST (tests/patrols/test_write_matrix.py lists them as covered
by this walk).

A bulletin belongs to its township; a village reaches it only once it is published and names the
village. The routes are walked with a published bulletin that names village 1 alone: village 1's
director opens it (and is told on the edit page, and by a message after a POST, that the
township's office writes bulletins); the next village's director and another township's officer
get 404."""

import datetime as dt
from types import SimpleNamespace

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    "governance:bulletin_list": SCOPED,  # the published bulletins naming the user's village
    "governance:bulletin_draft": SCOPED,  # the township's office, for its own township (else 403)
    "governance:bulletin_create": SCOPED,  # the same
    "governance:bulletin_detail": FOREIGN_404,
    "governance:bulletin_edit": FOREIGN_404,  # a village reads why it does not edit
    "governance:bulletin_mention_add": FOREIGN_404,  # POST only; the township's office
    "governance:bulletin_mention_remove": FOREIGN_404,  # POST only; the township's office
    "governance:bulletin_approve": FOREIGN_404,  # POST only; another officer than the drafter
    "governance:bulletin_publish": FOREIGN_404,  # POST only; the township's office
    "governance:bulletin_withdraw": FOREIGN_404,  # POST only; the township's office
    "governance:bulletin_print": FOREIGN_404,  # the notice and its PDF
}
PK_OWNER: dict[str, str] = {name: "bulletin" for name in ROUTES if ROUTES[name] == FOREIGN_404}
SAMPLES: dict[str, object] = {}
MARKER_TITLE = "枫源村夜巡脱岗通报BUW1"
MARKER_TEXT = "枫源村治保会十二月两次夜巡无人在岗BUW2"
MARKERS: list[str] = [MARKER_TITLE, MARKER_TEXT]  # only in the bulletin naming village 1
WRITES: set[str] = {
    "governance:bulletin_draft",
    "governance:bulletin_create",
    "governance:bulletin_edit",
    "governance:bulletin_mention_add",
    "governance:bulletin_mention_remove",
    "governance:bulletin_approve",
    "governance:bulletin_publish",
    "governance:bulletin_withdraw",
}


def records(world, base) -> SimpleNamespace:
    """A bulletin of 枫桥镇 naming village 1 alone, drafted by the township's officer, approved
    by a second officer and published."""
    from django.utils import timezone

    from qunfang.governance.models.bulletins import (
        Bulletin,
        BulletinMention,
        BulletinStatus,
        MentionKind,
    )

    now = timezone.now()
    bulletin = Bulletin.objects.create(
        region=world.township,
        year=timezone.localdate(now).year,
        number=1,
        period="2028-12",
        title=MARKER_TITLE,
        problems=f"1. {MARKER_TEXT}",
        status=BulletinStatus.PUBLISHED,
        drafted_by=world.township_officer,
        approved_by=world.admin,
        approved_at=now - dt.timedelta(days=1),
        published_at=now,
    )
    BulletinMention.objects.create(
        bulletin=bulletin, region=world.village1, kind=MentionKind.PROBLEM
    )
    return SimpleNamespace(bulletin=bulletin)
