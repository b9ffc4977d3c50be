"""The villagers' opinion book (群众意见簿): entries from the public form and from staff, answers,
publication on the village's board, status moves, satisfaction, and the guards of the public form.

Public entries keep nothing about the sender: no address, no browser, no exact time (the hour
only, so an entry cannot be matched to a line of a web server's log). The rate limiter keeps
counters in the cache only, under a keyed hash of the client address, for an hour at most; the
form's anti-bot token is signed by the server and carried by the browser, never stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import time

from axes.helpers import get_client_ip_address  # the login lockout's way to find the client address
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.casebook import cases
from qunfang.casebook.models import Case, CaseType, Opinion, OpinionStatus, ReporterKind
from qunfang.core.models import Region, RegionKind, User
from qunfang.core.notify import notify
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


def can_act(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and any(user.can(p) for p in ACT_PERMS)


def works_in(user: User, village: Region) -> bool:
    return can_act(user) and bool(user.region_id) and village.path.startswith(user.region.path)


def allowed_moves(opinion: Opinion) -> list[str]:
    return [s for s in S.values if s in MOVES[opinion.status]]


# ---- the public form's guards ---------------------------------------------------------------


def public_village(code: str) -> Region | None:
    """The village behind a public URL: 12 digits and a village, else None (the view answers 404)."""
    if not re.fullmatch(r"[0-9]{12}", code or ""):
        return None
    return (
        Region.objects.filter(kind=RegionKind.VILLAGE, code=code).select_related("parent").first()
    )


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
        raise ValidationError(_("This form has expired. Please read your entry once more and send it again."),
                              code="expired")  # fmt: skip
    if age < FORM_MIN_SECONDS:
        raise ValidationError(
            _("That was faster than anyone can write. Please read your entry once more and send it again."),
            code="too_fast",
        )  # fmt: skip


def token_used(token: str) -> bool:
    """Mark a form token as used; True if it already was (a double submission or a replay)."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return not cache.add(f"qf:opinion-token:{digest}", 1, timeout=FORM_MAX_SECONDS + 60)


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the client address: the limiter never keeps the address itself."""
    address = get_client_ip_address(request) or "unknown"
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def hit(bucket: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt in a fixed window; False once the window holds more than `limit`."""
    name = f"qf:rl:{bucket}:{key}:{int(time.time() // window)}"
    cache.add(name, 0, timeout=window + 60)
    try:
        count = cache.incr(name)
    except ValueError:  # the window expired between add and incr
        cache.set(name, 1, timeout=window + 60)
        count = 1
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


def _identity(anonymous: bool, name: str, contact: str) -> tuple[str, str]:
    if anonymous:
        return "", ""  # whatever was typed before ticking "anonymous" is dropped, never stored
    name, contact = name.strip(), contact.strip()
    if not (name or contact):
        raise ValidationError(_("Give a name or a contact, or stay anonymous."))
    return name, contact


@transaction.atomic
def submit_public(*, village: Region, kind: str, text: str, anonymous: bool, name: str = "",
                  contact: str = "") -> Opinion:  # fmt: skip
    """An entry through the public form. Its time is kept to the hour only."""
    name, contact = _identity(anonymous, name, contact)
    if not text.strip():
        raise ValidationError(_("Write what you want to tell the village."))
    hour = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    opinion = Opinion(region=village, kind=kind, text=text.strip(), anonymous=anonymous, name=name, contact=contact,
                      channel="public_form", created_at=hour)  # fmt: skip
    opinion._history_date = hour  # the history row keeps the hour too
    opinion._history_user = None  # not the signed-in user of a shared phone
    opinion.save()
    for director in _directors(village):
        notify(director, "assignment",
               _("A new entry in the opinion book of %(village)s.") % {"village": village.name},
               opinion.get_absolute_url())  # fmt: skip
    return opinion


@transaction.atomic
def enter_in_person(*, village: Region, kind: str, text: str, anonymous: bool, name: str, contact: str,
                    received_at: dt.datetime | None, by: User) -> Opinion:  # fmt: skip
    """An entry a villager made in person (or in the paper book), written in by staff."""
    if not works_in(by, village):
        raise ValidationError(_("You cannot enter opinions for this village."))
    name, contact = _identity(anonymous, name, contact)
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(_("The time received lies in the future."))
    return Opinion.objects.create(region=village, kind=kind, text=text.strip(), anonymous=anonymous, name=name,
                                  contact=contact, channel="in_person", created_at=received_at, entered_by=by)  # fmt: skip


def normalise_code(raw: str) -> str:
    return re.sub(r"[\s\-_.]", "", (raw or "").upper())[:40]


def find_by_code(raw: str) -> Opinion | None:
    """Look up an entry by its tracking code. Every wrong code takes the same path (one query)."""
    code = normalise_code(raw)
    return Opinion.objects.filter(tracking_code=code).select_related("region").first()


def spaced(code: str) -> str:
    return " ".join(code[k : k + 4] for k in range(0, len(code), 4))


# ---- staff work --------------------------------------------------------------------------------


def _locked(opinion: Opinion) -> Opinion:
    return Opinion.objects.select_for_update().select_related("region").get(pk=opinion.pk)


def _check_actor(opinion: Opinion, by: User) -> None:
    if not works_in(by, opinion.region):
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


@transaction.atomic
def move(*, opinion: Opinion, to: str, by: User) -> Opinion:
    _check_actor(opinion, by)
    opinion = _locked(opinion)
    if to not in MOVES.get(opinion.status, ()):
        if to == S.ANSWERED:
            raise ValidationError(_("An entry becomes answered by writing the answer."))
        raise ValidationError(
            _("An entry that is %(from)s cannot become %(to)s.")
            % {"from": S(opinion.status).label, "to": S(to).label if to in S.values else to}
        )
    opinion.status = to
    opinion.save()
    return opinion


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
def to_case(*, opinion: Opinion, case_type: CaseType, severity: int, title: str, occurred_at: dt.datetime,
            by: User) -> Case:  # fmt: skip
    """Register a case from the entry (its text, its sender as far as known) and take it up."""
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
        case=Case(region=opinion.region, case_type=case_type, severity=severity, title=title.strip(),
                  description=opinion.text, occurred_at=occurred_at, reporter_kind=kind,
                  reporter_name="" if opinion.anonymous else opinion.name, source_opinion=opinion),
        by=by,
    )  # fmt: skip
    if opinion.status == S.RECEIVED:
        opinion.status = S.IN_HAND
        opinion.save()
    return case
