"""Outsider-walk classification of the opinion book's routes
(see tests/core/test_outsider_walk.py)."""

import datetime as dt
from types import SimpleNamespace

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"
PUBLIC = "public"

ROUTES: dict[str, str] = {
    # public: no sign-in; they show the village's name and what it published, nothing else
    "casebook:public_form": PUBLIC,
    "casebook:public_board": PUBLIC,
    "casebook:public_track": PUBLIC,
    "casebook:opinion_list": SCOPED,
    "casebook:opinion_create": SCOPED,  # the form lists only the user's villages
    "casebook:opinion_register_print": SCOPED,  # ?village= of another village answers 404
    "casebook:opinion_poster": FOREIGN_404,  # <code> = village 1's code (the walk's shared sample)
    "casebook:opinion_detail": FOREIGN_404,
    "casebook:opinion_contact_reveal": FOREIGN_404,  # POST only, logged
    # POST only; a confidential sender needs VIEW_CONFIDENTIAL
    "casebook:opinion_sender_reveal": FOREIGN_404,
    "casebook:opinion_confidential": FOREIGN_404,  # POST only, staff of the village
    "casebook:opinion_answer": FOREIGN_404,
    "casebook:opinion_move": FOREIGN_404,
    "casebook:opinion_to_case": FOREIGN_404,
}
PK_OWNER: dict[str, str] = {  # route name -> attribute of the namespace records() returns
    "casebook:opinion_detail": "opinion",
    "casebook:opinion_contact_reveal": "opinion",
    "casebook:opinion_sender_reveal": "opinion",
    "casebook:opinion_confidential": "opinion",
    "casebook:opinion_answer": "opinion",
    "casebook:opinion_move": "opinion",
    "casebook:opinion_to_case": "opinion",
}
# The public pages are walked with the NEXT village's code (乐山村, tests/conftest.py): a public
# page rightly shows its own village's name, so the check is that nothing of village 1 (its
# entries, its published answers) shows on another village's pages.
SAMPLES: dict[str, object] = {"village_code": "330681109291"}
OPINION_TEXT = "村口路灯坏了三个月没人修OPW1"
ANSWER_TEXT = "已安排电工本周修好村口路灯ANW1"
MARKERS: list[str] = [
    OPINION_TEXT,
    ANSWER_TEXT,
]  # strings only village 1's records of this group contain


def records(world, base) -> SimpleNamespace:
    from django.utils import timezone

    from qunfang.casebook.models import Opinion

    opinion = Opinion.objects.create(
        region=world.village1,
        kind="complaint",
        text=OPINION_TEXT,
        anonymous=False,
        name=base.person.name,
        contact="13700001111",
        channel="in_person",
        entered_by=world.director1,
        created_at=timezone.now() - dt.timedelta(days=2),
        status="answered",
        answer=ANSWER_TEXT,
        answer_published=True,
        answered_by=world.director1,
        answered_at=timezone.now(),
    )
    return SimpleNamespace(opinion=opinion)
