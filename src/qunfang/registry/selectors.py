"""Scoped reads for the registry screens: each starts from `.visible_to(user)` and fetches what
its page shows in a fixed number of queries. At the end, what the contract screens and the printed
agreement show: terms in words, the payment summary, amounts in capital numerals."""

import datetime as dt
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from qunfang.registry.models import (
    GroupMembership,
    Household,
    JointDefenceGroup,
    Membership,
    Organisation,
    PerformanceTerm,
    Person,
    Post,
    SecurityContract,
    TrainingRecord,
    VettingCheck,
)

CURRENT = Q(ended_on__isnull=True)


def _posts_with_holders() -> Prefetch:
    """Each post's current holders, in the post's `holders`. (django-stubs 5.2 cannot type a
    Prefetch over a model with its own manager: typeddjango/django-stubs#3263.)"""
    current_holders = Membership.objects.filter(CURRENT).select_related("person")
    holders = Prefetch("memberships", current_holders, to_attr="holders")
    posts = Post.objects.prefetch_related(holders)  # type: ignore[arg-type]
    return Prefetch("posts", queryset=posts)


def organisations(*, user, village=None, kind="", status="", search="") -> QuerySet[Organisation]:
    queryset = Organisation.objects.visible_to(user).select_related("region")
    if village:
        queryset = queryset.filter(region=village)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if search:
        queryset = queryset.filter(name__icontains=search)
    return queryset.prefetch_related(_posts_with_holders())


def post_rows(organisation: Organisation) -> list[dict]:
    """Posts with their current holders and empty seats (uses the prefetched `holders`)."""
    rows = []
    for post in organisation.posts.all():
        holders = [m.person for m in getattr(post, "holders", [])]
        rows.append({"post": post, "holders": holders, "empty": max(post.seats - len(holders), 0)})
    return rows


def organisation_detail(*, user, pk) -> Organisation:
    from qunfang.core.scoping import visible_or_404

    queryset = Organisation.objects.select_related("region").prefetch_related(_posts_with_holders())
    return visible_or_404(queryset, user, pk=pk)


def people(*, user, village=None, search="", serving=None) -> QuerySet[Person]:
    queryset = Person.objects.visible_to(user).select_related("region", "household")
    if village:
        queryset = queryset.filter(region=village)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(household__number=search))
    if serving is not None:
        has_post = Q(memberships__ended_on__isnull=True) & Q(memberships__isnull=False)
        queryset = queryset.filter(has_post).distinct() if serving else queryset.exclude(has_post)
    # Counts come from a prefetch of the page's rows, not an aggregate over the whole list, and the
    # order follows an index: both keep a county-wide list fast (bench/pages.py).
    return queryset.prefetch_related(
        Prefetch(
            "memberships", queryset=Membership.objects.filter(CURRENT), to_attr="current_posts"
        )
    ).order_by("region_id", "name", "id")


def households(*, user, village=None, group=None, search="", flag="") -> QuerySet[Household]:
    queryset = Household.objects.visible_to(user).select_related("region", "group", "head")
    if village:
        queryset = queryset.filter(region=village)
    if group:
        queryset = queryset.filter(group=group)
    if search:
        queryset = queryset.filter(
            Q(number__icontains=search)
            | Q(head__name__icontains=search)
            | Q(address__icontains=search)
        )
    if flag in Household.FLAGS:
        queryset = queryset.filter(**{flag: True})
    return queryset.prefetch_related("members").order_by("region_id", "number")


def export_rows(*, layout: str, user, village=None, search="") -> QuerySet:
    """What an export of `layout` holds: the list as the user filtered it on screen."""
    if layout == "people":
        return people(user=user, village=village, search=search)
    if layout == "households":
        return households(user=user, village=village, search=search)
    queryset = Membership.objects.visible_to(user).order_by("post__organisation__region_id", "id")
    if village:
        queryset = queryset.filter(post__organisation__region=village)
    if search:
        queryset = queryset.filter(
            Q(person__name__icontains=search) | Q(post__organisation__name__icontains=search)
        )
    return queryset


def joint_defence_groups(*, user, village=None) -> QuerySet[JointDefenceGroup]:
    queryset = JointDefenceGroup.objects.visible_to(user).select_related(
        "region", "leader_household__head"
    )
    if village:
        queryset = queryset.filter(region=village)
    current = GroupMembership.objects.filter(left_on__isnull=True)
    return queryset.prefetch_related(
        Prefetch("memberships", queryset=current, to_attr="current")
    ).order_by("region_id", "formed_on", "id")


DUE_WITHIN_DAYS = 60  # re-vetting and training shown as due this many days ahead


def vetting_due(*, user, within_days: int = DUE_WITHIN_DAYS) -> QuerySet[VettingCheck]:
    """Checks in force whose re-vetting falls due soon (or has passed) for people still in a
    post."""
    horizon = timezone.localdate() + dt.timedelta(days=within_days)
    latest = VettingCheck.objects.visible_to(user).filter(due_on__lte=horizon)
    # EXISTS per check, not `person IN (everyone serving)`: that list was built from every open
    # membership in the database before the user's checks were picked
    serving = Membership.objects.filter(
        person=OuterRef("person"), ended_on__isnull=True, post__requires_vetting=True
    )
    return latest.filter(Exists(serving)).select_related("person__region").order_by("due_on")


def training_due(*, user, within_days: int = DUE_WITHIN_DAYS) -> QuerySet[Membership]:
    """Current holders of posts that require training with no certificate of that kind valid
    past the window (none, none with an expiry, or all expiring within it); `expires` is their
    latest certificate's expiry (None: none). "No valid certificate" is a NOT EXISTS, which
    PostgreSQL runs as one anti-join after the scope: a filter on the latest expiry was worked
    out for every holder in the database before the township's were picked (2.3x at 100x)."""
    today = timezone.localdate()
    latest = _certificates(today).order_by(F("certificate_expires_on").desc(nulls_last=True))
    return (
        _training_due(user, today, within_days)
        .annotate(expires=Subquery(latest.values("certificate_expires_on")[:1]))
        .select_related("person__region", "post__organisation")
        .order_by(F("expires").asc(nulls_first=True), "person__name")
    )


def _certificates(today: dt.date) -> QuerySet[TrainingRecord]:
    """The certificates of the kind the outer membership's post requires, held by today."""
    return TrainingRecord.objects.filter(
        person=OuterRef("person"), kind=OuterRef("post__required_training"), held_on__lte=today
    )


def _training_due(user, today: dt.date, within_days: int) -> QuerySet[Membership]:
    """The rows of `training_due` without what only its list shows (counted on the home page)."""
    horizon = today + dt.timedelta(days=within_days)
    return (
        Membership.objects.visible_to(user)
        .filter(CURRENT)
        .exclude(post__required_training="")
        .filter(~Exists(_certificates(today).filter(certificate_expires_on__gt=horizon)))
    )


def registry_summary(user) -> dict:
    """The home-page panel: organisations, empty seats, households and what falls due."""
    orgs = Organisation.objects.visible_to(user).exclude(status="dissolved")
    seats = (
        Post.objects.visible_to(user)
        .filter(organisation__in=orgs)
        .aggregate(total=Sum("seats"))["total"]
        or 0
    )
    held = Membership.objects.visible_to(user).filter(CURRENT, post__organisation__in=orgs).count()
    return {
        "organisations": orgs.count(),
        "empty_seats": max(seats - held, 0),
        "households": Household.objects.visible_to(user).count(),
        "vetting_due": vetting_due(user=user).count(),
        "training_due": _training_due(user, timezone.localdate(), DUE_WITHIN_DAYS).count(),
    }


# ---- security contracts: words and sums for the screens and the printed agreement --------


def plain_number(value: Decimal) -> str:
    """2.00 → "2", 95.50 → "95.5": targets read as people write them."""
    return format(value.normalize(), "f")


def term_in_words(term: PerformanceTerm) -> str:
    """ "Thefts in the area per month: at most 2" (in the reader's language)."""
    return _("%(measure)s: %(comparator)s %(target)s") % {
        "measure": term.get_metric_display(),
        "comparator": term.get_comparator_display(),
        "target": plain_number(term.target),
    }


def payment_summary(contract: SecurityContract) -> dict:
    """Instalments against the contract amount, with a warning for each thing that does not fit.
    Uses `contract.payments.all()`, so prefetch it."""
    payments = list(contract.payments.all())
    total = sum((p.amount for p in payments), Decimal("0.00"))
    warnings = []
    if total != contract.amount:
        warnings.append(
            _(
                "The instalments add up to ¥%(total)s, but the contract amount is ¥%(amount)s "
                "(a difference of ¥%(difference)s)."
            )
            % {
                "total": total,
                "amount": contract.amount,
                "difference": abs(contract.amount - total),
            }
        )
    outside = [p for p in payments if not contract.starts_on <= p.due_on <= contract.ends_on]
    if outside:
        warnings.append(
            _("Instalments due outside the contract term: %(dates)s.")
            % {"dates": "、".join(f"{p.due_on:%Y-%m-%d}" for p in outside)}
        )
    return {"payments": payments, "total": total, "warnings": warnings}


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def _four_digits(group: int) -> str:
    text, zero = "", False
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit == 0:
            zero = bool(text)
        else:
            text += ("零" if zero else "") + _DIGITS[digit] + _SMALL_UNITS[position]
            zero = False
    return text


def rmb_in_words(amount: Decimal) -> str:
    """The amount in capital Chinese numerals, as contracts and receipts write it
    (12,000.50 → 壹万贰仟元伍角整)."""
    cents = int((amount.quantize(Decimal("0.01")) * 100).to_integral_value())
    if cents < 0:
        return "负" + rmb_in_words(-amount)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    groups = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    text = ""
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        if text and group < 1000:
            text += "零"
        text += _four_digits(group) + _BIG_UNITS[index]
    text = (text or "零") + "元"
    if jiao == 0 and fen == 0:
        return text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text != "零元":
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    else:
        text += "整"
    return text.removeprefix("零元")
