"""The villagers' opinion book (群众意见簿): entries from the public form and from staff, answers,
publication on the village's board, status moves, satisfaction, and the guards of the public form.

Public entries keep nothing about the sender: no address, no browser, no exact time (the hour
only, so an entry cannot be matched to a line of a web server's log). Nothing that leaves for an
anonymous entry is more precise than that either: its notice waits for the hourly batch
(`send_held_notices`), names no entry and links to the book, not to the entry. The rate limiter
keeps counters in the cache only, under a keyed hash of the client address, for an hour at most;
the form's anti-bot token is signed by the server and carried by the browser; once used, only a
hash of it is kept, until a whole hour (`token_used`). No cache entry expires at a time counted
from the moment of a request: each expires on an hour (or a limiter window's) boundary.

A sender's contact is shown masked; the whole value only through a logged reveal. A confidential
sender (举报人保密: the sender asked for it on the public form, staff marked it, or a case opened
from the entry is confidential) is masked whole — name and contact — on every page, print, search
and message, and shown only to Perm.VIEW_CONFIDENTIAL through a logged reveal (`sender_reveal`).

The reads behind the book's pages (the list and its search, the public board, tracking codes, the
register) are in `casebook.selectors.opinions`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math
import time
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext_lazy

from qunfang.casebook.models import Case, CaseType, Opinion, OpinionStatus, ReporterKind
from qunfang.casebook.services import cases
from qunfang.core.audit import reveal_record
from qunfang.core.clientaddr import client_address
from qunfang.core.lifecycle import Lifecycle
from qunfang.core.models import Region, User
from qunfang.core.notify import notify
from qunfang.core.personal import mask_phone, validate_phone
from qunfang.core.phrases import Phrase
from qunfang.core.roles import Perm

log = logging.getLogger(__name__)

S = OpinionStatus
# Status moves by hand. "Answered" is reached only by answering (which needs the answer's text).
MOVES: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.IN_HAND}),
    S.IN_HAND: frozenset(),
    S.ANSWERED: frozenset({S.IN_HAND, S.CLOSED}),  # look into it again, or close it
    S.CLOSED: frozenset({S.IN_HAND}),  # reopen
}
UNANSWERED = (S.RECEIVED, S.IN_HAND)
ACT_PERMS = (Perm.MANAGE_VILLAGE, Perm.HANDLE_MEDIATION, Perm.SUPERVISE_VILLAGES)

# The public form's guards.
FORM_MIN_SECONDS = 4  # nobody reads the form and writes an opinion faster
FORM_MAX_SECONDS = 4 * 3600  # an older form is sent again (a fresh token)
CLIENT_LIMIT, CLIENT_WINDOW = 5, 3600  # entries per client address and hour
VILLAGE_LIMIT, VILLAGE_WINDOW = 60, 3600  # entries per village and hour, all clients together
TRACK_LIMIT, TRACK_WINDOW = 10, 900  # tracking-code lookups per client address and quarter-hour
_FORM_SALT = "qunfang.casebook.opinion-form"


def can_act(user, village: Region | None = None) -> bool:
    """Works on the opinion book; with `village`, on that village's (inside the jurisdiction;
    a system administrator without one acts nowhere, as before)."""
    if not (getattr(user, "is_authenticated", False) and any(user.can(p) for p in ACT_PERMS)):
        return False
    return village is None or user.works_in(village)


# ---- the public form's guards ---------------------------------------------------------------


def form_token(village: Region, *, now: float | None = None) -> str:
    """A signed note of when the form was handed out (checked on sending, never stored)."""
    return signing.dumps(
        {"v": village.code, "t": int(now if now is not None else time.time())}, salt=_FORM_SALT
    )


def check_form_token(token: str, village: Region, *, now: float | None = None) -> None:
    """Refuse a form sent too fast after it was opened (a bot), too late, or forged."""
    try:
        data = signing.loads(token or "", salt=_FORM_SALT)
        age = (now if now is not None else time.time()) - int(data["t"])
        valid = data["v"] == village.code
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        valid, age = False, 0
    if not valid or age > FORM_MAX_SECONDS:
        raise ValidationError(
            _("This form has expired. Please read your entry once more and send it again."),
            code="expired",
        )
    if age < FORM_MIN_SECONDS:
        raise ValidationError(
            _(
                "That was faster than anyone can write. Please read your entry once more and "
                "send it again."
            ),
            code="too_fast",
        )


# A used token is remembered at least as long as it could be sent again (FORM_MAX_SECONDS after
# the form was handed out, which was before this hour began or within it) and until a whole hour,
# counted from the start of the hour the entry keeps: its expiry says no more than that hour.
TOKEN_KEEP_HOURS = math.ceil((3600 + FORM_MAX_SECONDS + 60) / 3600)


def _hour_start(now: float) -> dt.datetime:
    moment = timezone.localtime(dt.datetime.fromtimestamp(now, tz=dt.UTC))
    return moment.replace(minute=0, second=0, microsecond=0)


def token_used(token: str) -> bool:
    """Mark a form token as used; True if it already was (a double submission or a replay).
    The cache keeps a hash of the token (not the token, not the time) and expires it on a whole
    hour, the same for every entry of that hour: a database cache row then says no more about
    the moment of sending than the entry's own hour."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    expires = _hour_start(time.time()) + dt.timedelta(hours=TOKEN_KEEP_HOURS)
    return not cache.add(f"qf:opinion-token:{digest}", 1, timeout=expires.timestamp() - time.time())


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the client address: the limiter never keeps the address itself."""
    address = client_address(request) or "unknown"
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def hit(bucket: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt in a fixed window; False once the window holds more than `limit`. The
    counter expires a minute after its window ends, not a window after its first or its last
    attempt: the cache keeps no trace of when an attempt was made."""
    number = int(time.time() // window)
    name = f"qf:rl:{bucket}:{key}:{number}"

    def timeout() -> float:  # counted again for each write, so each lands on the same moment
        return (number + 1) * window + 60 - time.time()

    cache.add(name, 0, timeout=timeout())
    try:
        count = cache.incr(name)
    except ValueError:  # the window expired between add and incr
        cache.set(name, 1, timeout=timeout())
        count = 1
    # The database cache's incr() writes the counter again with the default timeout (five
    # minutes from now: the moment of this attempt, and a counter that forgets too soon).
    cache.touch(name, timeout=timeout())
    return count <= limit


def public_entry_allowed(request: HttpRequest, village: Region) -> bool:
    allowed = hit(
        "opinion-client", client_key(request), limit=CLIENT_LIMIT, window=CLIENT_WINDOW
    ) and hit("opinion-village", village.code, limit=VILLAGE_LIMIT, window=VILLAGE_WINDOW)
    if not allowed:
        log.warning("opinion book: public entries for village %s over the rate limit", village.code)
    return allowed


def lookup_allowed(request: HttpRequest) -> bool:
    allowed = hit("opinion-track", client_key(request), limit=TRACK_LIMIT, window=TRACK_WINDOW)
    if not allowed:
        log.warning("opinion book: tracking-code lookups over the rate limit")
    return allowed


# ---- entries ---------------------------------------------------------------------------------


def _directors(village: Region) -> list[User]:
    users = User.objects.filter(is_active=True, region=village).prefetch_related("roles")
    return [u for u in users if u.can(Perm.MANAGE_VILLAGE)]


def _entry(
    *,
    village: Region,
    kind: str,
    text: str,
    anonymous: bool,
    name: str,
    contact: str,
    confidential: bool,
    **how: Any,
) -> Opinion:
    """A new entry, not saved yet; `how` is its channel, time and the like. A named sender gives
    a name or a contact; of an anonymous one nothing is kept, not even what was typed before
    "anonymous" was ticked."""
    if anonymous:
        name = contact = ""
    else:
        name, contact = name.strip(), contact.strip()
        if not (name or contact):
            raise ValidationError(_("Give a name or a contact, or stay anonymous."))
    return Opinion(
        region=village,
        kind=kind,
        text=text.strip(),
        anonymous=anonymous,
        name=name,
        contact=contact,
        confidential=confidential and not anonymous,
        **how,
    )


@transaction.atomic
def submit_public(
    *,
    village: Region,
    kind: str,
    text: str,
    anonymous: bool,
    name: str = "",
    contact: str = "",
    confidential: bool = False,
) -> Opinion:
    """An entry through the public form. Its time is kept to the hour only. A named sender may
    ask that only the township and the police see their name and contact (`confidential`)."""
    hour = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    opinion = _entry(
        village=village,
        kind=kind,
        text=text,
        anonymous=anonymous,
        name=name,
        contact=contact,
        confidential=confidential,
        channel="public_form",
        created_at=hour,
        notice_pending=anonymous,
    )
    if not opinion.text:
        raise ValidationError(_("Write what you want to tell the village."))
    opinion._history_date = hour  # the history row keeps the hour too
    opinion._history_user = None  # not the signed-in user of a shared phone
    opinion.save()
    if anonymous:
        return opinion  # told in the next hourly batch, with the hour's other anonymous entries
    for director in _directors(village):
        notify(
            director,
            "assignment",
            Phrase(
                gettext_noop("A new entry in the opinion book of %(village)s."),
                village=village.name,
            ),
            opinion.get_absolute_url(),
        )
    return opinion


def _book_url(village: Region) -> str:
    return f"{reverse('casebook:opinion_list')}?{urlencode({'village': village.code})}"


def send_held_notices(*, now: dt.datetime | None = None) -> int:
    """Tell each village's directors about the anonymous public entries whose hour is over: one
    message per village and batch, with how many arrived, no entry's id, code or time, and a link
    to the village's book. Run it hourly (`qunfang send-opinion-notices`); it is idempotent, and
    two runs at once tell each entry once. Returns the number of messages made."""
    boundary = timezone.localtime(now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    held = Opinion.objects.filter(notice_pending=True, created_at__lt=boundary)
    by_village: dict[int, list[int]] = {}
    for pk, region_id in held.values_list("pk", "region_id"):
        by_village.setdefault(region_id, []).append(pk)
    sent = 0
    for village in Region.objects.filter(pk__in=by_village).order_by("path"):
        with transaction.atomic():
            # the update claims the entries: a second run at the same time finds none left
            count = Opinion.objects.filter(
                pk__in=by_village[village.pk], notice_pending=True
            ).update(notice_pending=False)  # a queryset update writes no history row
            if not count:
                continue
            text = Phrase(
                ngettext_lazy(
                    "%(n)d new anonymous entry in the opinion book of %(village)s.",
                    "%(n)d new anonymous entries in the opinion book of %(village)s.",
                    "n",
                ),
                n=count,
                village=village.name,
            )
            for director in _directors(village):
                sent += bool(notify(director, "assignment", text, _book_url(village)))
    return sent


@transaction.atomic
def enter_in_person(
    *,
    village: Region,
    kind: str,
    text: str,
    anonymous: bool,
    name: str,
    contact: str,
    received_at: dt.datetime | None,
    by: User,
    confidential: bool = False,
) -> Opinion:
    """An entry a villager made in person (or in the paper book), written in by staff; the
    villager may ask to stay confidential (举报人保密)."""
    if not can_act(by, village):
        raise ValidationError(_("You cannot enter opinions for this village."))
    received_at = received_at or timezone.now()
    opinion = _entry(
        village=village,
        kind=kind,
        text=text,
        anonymous=anonymous,
        name=name,
        contact=contact,
        confidential=confidential,
        channel="in_person",
        created_at=received_at,
        entered_by=by,
    )
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(_("The time received lies in the future."))
    opinion.save()
    return opinion


# ---- the sender's contact ----------------------------------------------------------------------

CONTACT_MASK = "******"  # the same for every contact that is not a phone: no length, no shape


def mask_contact(contact: str) -> str:
    """A phone number keeps its first three and last four digits; anything else is hidden whole."""
    if not contact:
        return ""
    try:
        return mask_phone(validate_phone(contact))
    except ValidationError:
        return CONTACT_MASK


def contact_reveal(*, opinion: Opinion, viewer: User, request: HttpRequest | None = None) -> str:
    """The whole contact, for a viewer who reached the entry through their scope and whose role
    needs personal data (and, for a confidential sender, may see confidential reporters). Every
    reveal is logged (the entry's id, never the value)."""
    if not viewer.can(Perm.REVEAL_PERSONAL_DATA):
        raise PermissionDenied
    if opinion.confidential and not viewer.can(Perm.VIEW_CONFIDENTIAL):
        raise PermissionDenied
    reveal_record(viewer=viewer, record=opinion, field="contact", request=request)
    return opinion.contact


# ---- a confidential sender (举报人保密) ------------------------------------------------------


def sender_masked(opinion: Opinion) -> bool:
    """Whether the entry has a sender whose name and contact pages must not show."""
    return opinion.confidential and not opinion.anonymous


def sender_reveal(
    *, opinion: Opinion, viewer: User, request: HttpRequest | None = None
) -> tuple[str, str]:
    """A confidential sender's name and contact, for a viewer who already reached the entry
    through their scope and may see confidential reporters (PermissionDenied otherwise). The
    contact stays masked for a viewer whose role does not need personal data. Every reveal is
    logged once, with the entry's id, never with the name or the contact."""
    if not sender_masked(opinion):  # the page shows the name already: nothing to log
        return opinion.name, mask_contact(opinion.contact)
    if not viewer.can(Perm.VIEW_CONFIDENTIAL):
        raise PermissionDenied
    reveal_record(viewer=viewer, record=opinion, field="confidential_sender", request=request)
    whole = viewer.can(Perm.REVEAL_PERSONAL_DATA)
    return opinion.name, opinion.contact if whole else mask_contact(opinion.contact)


@transaction.atomic
def mark_confidential(*, opinion: Opinion, by: User) -> Opinion:
    """Keep the sender confidential from now on, and so the reporter of every case opened from
    the entry. There is no way back: once masked, a name is not shown to every reader again."""
    _check_actor(opinion, by)
    opinion = _locked(opinion)
    if opinion.anonymous:
        raise ValidationError(_("An anonymous entry keeps no sender to keep confidential."))
    if not opinion.confidential:
        opinion.confidential = True
        opinion.save()
    _cases_follow(opinion)
    return opinion


def _cases_follow(opinion: Opinion) -> None:
    """The cases opened from a confidential entry keep their reporter confidential too."""
    for case in opinion.cases.filter(reporter_confidential=False):
        case.reporter_confidential = True
        case.save()  # through save(): the case's history records the change


# ---- staff work --------------------------------------------------------------------------------


def _locked(opinion: Opinion) -> Opinion:
    return Opinion.objects.select_for_update().select_related("region").get(pk=opinion.pk)


def _check_actor(opinion: Opinion, by: User) -> None:
    if not can_act(by, opinion.region):
        raise ValidationError(_("You cannot work on this village's opinion book."))


@transaction.atomic
def answer(*, opinion: Opinion, text: str, by: User, publish: bool | None = None) -> Opinion:
    """Write (or correct) the answer; an unanswered entry becomes answered."""
    _check_actor(opinion, by)
    opinion = _locked(opinion)
    if opinion.status == S.CLOSED:
        raise ValidationError(_("This entry is closed. Reopen it before changing the answer."))
    if not text.strip():
        raise ValidationError(_("Write the answer."))
    opinion.answer, opinion.answered_by, opinion.answered_at = text.strip(), by, timezone.now()
    if opinion.status in UNANSWERED:
        opinion.status = S.ANSWERED
    if publish is not None:
        opinion.answer_published = publish
    opinion.save()
    return opinion


@transaction.atomic
def set_published(*, opinion: Opinion, published: bool, by: User) -> Opinion:
    """Show the answer on the village's public board (without any name), or take it down."""
    _check_actor(opinion, by)
    opinion = _locked(opinion)
    if published and not opinion.answer.strip():
        raise ValidationError(_("There is no answer to publish yet."))
    opinion.answer_published = published
    opinion.save()
    return opinion


# The entry's history rows are its line of every move.
LIFECYCLE = Lifecycle(
    Opinion,
    OpinionStatus,
    MOVES,
    may=lambda opinion, user, to: can_act(user, opinion.region),
    refused_by_who=gettext_lazy("You cannot work on this village's opinion book."),
    refusals={S.ANSWERED: gettext_lazy("An entry becomes answered by writing the answer.")},
    related=("region",),
)


@transaction.atomic
def move(*, opinion: Opinion, to: str, by: User) -> Opinion:
    _check_actor(opinion, by)
    return LIFECYCLE.move(opinion, to, by=by)


@transaction.atomic
def rate(*, opinion: Opinion, rating: int) -> Opinion:
    """The villager's satisfaction, 1 to 5: once, and only after the entry is closed."""
    opinion = _locked(opinion)
    if opinion.status != S.CLOSED:
        raise ValidationError(_("You can rate the answer once the entry is closed."))
    if opinion.satisfaction is not None:
        raise ValidationError(_("This entry has already been rated. Thank you."))
    if rating not in range(1, 6):
        raise ValidationError(_("Choose from 1 to 5."))
    opinion.satisfaction = rating
    opinion._history_user = None
    opinion.save()
    return opinion


@transaction.atomic
def to_case(
    *,
    opinion: Opinion,
    case_type: CaseType,
    severity: int,
    title: str,
    occurred_at: dt.datetime,
    by: User,
    confidential: bool = True,
) -> Case:
    """Register a case from the entry (its text, its sender as far as known) and take it up.
    The sender wrote to the villagers' opinion book, not to the case register: their name stays
    confidential there unless the caller says otherwise. The entry and its case agree: a
    confidential sender is a confidential reporter, and a confidential case's reporter is a
    confidential sender in the book (else the book would name whom the case keeps secret)."""
    _check_actor(opinion, by)
    opinion = _locked(opinion)
    existing = opinion.cases.first()
    if existing is not None:
        raise ValidationError(
            _("This entry is already case %(number)s.") % {"number": existing.number}
        )
    if opinion.anonymous:
        kind = ReporterKind.ANONYMOUS
    else:
        kind = ReporterKind.PUBLIC_FORM if opinion.channel == "public_form" else ReporterKind.PERSON
    case = cases.register_case(
        case=Case(
            region=opinion.region,
            case_type=case_type,
            severity=severity,
            title=title.strip(),
            description=opinion.text,
            occurred_at=occurred_at,
            reporter_kind=kind,
            reporter_name="" if opinion.anonymous else opinion.name,
            source_opinion=opinion,
            reporter_confidential=(confidential or opinion.confidential) and not opinion.anonymous,
        ),
        by=by,
    )
    changed = False
    if case.reporter_confidential and not opinion.confidential:
        opinion.confidential, changed = True, True
    if opinion.status == S.RECEIVED:
        opinion.status, changed = S.IN_HAND, True
    if changed:
        opinion.save()
    return case
