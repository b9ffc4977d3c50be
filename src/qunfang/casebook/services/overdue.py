"""Overdue upward reports (上报) and rectification orders (整改通知), told to the people who must
act, as "overdue" notifications: `send_overdue_notices()` runs as a scheduled task (and as
`qunfang send-overdue-notices` from cron).

Overdue means what the pages show: an upward report not sent by its due time, or sent and not
acknowledged an hour after it (`selectors.cases.overdue_q`), of a case still open; an open order
past its deadline (`selectors.inspections.overdue_orders`). Who is told: the case's owner for a
report not sent, the receiving level for a report not acknowledged, the village's directors for
an order (the township officers when the village has none).

Each item is told at most once a day, and again while it stays overdue: a report every day (it
is a matter the next level must hear of within hours), an order every week (the party has to do
work; a daily message would soon go unread). An `OverdueNotice` row per item and day records it;
the rows of the books themselves are not touched."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from qunfang.casebook.models import (
    CaseStatus,
    Escalation,
    Level,
    OrderStatus,
    OverdueNotice,
    RectificationOrder,
)
from qunfang.casebook.selectors.cases import overdue_q
from qunfang.casebook.services.cases import receivers
from qunfang.core.models import Region, User
from qunfang.core.notify import notify
from qunfang.core.phrases import Phrase
from qunfang.core.roles import Perm

REPORT_EVERY_DAYS = 1
ORDER_EVERY_DAYS = 7


def send_overdue_notices(now: dt.datetime | None = None) -> int:
    """Tell whoever must act on each overdue report and order not told within its interval.
    Idempotent; returns the number of messages made."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    made = 0
    for escalation in _reports_due(now, today):
        made += _tell(escalation, now, today, _report_message(escalation), _report_readers)
    for order in _orders_due(today):
        made += _tell(order, now, today, _order_message(order), _order_readers)
    return made


def _not_told_since(today: dt.date, every_days: int) -> Q:
    return Q(overdue_notices__on__gt=today - dt.timedelta(days=every_days))


def _reports_due(now: dt.datetime, today: dt.date):
    return (
        Escalation.objects.filter(overdue_q(now))
        .exclude(case__status=CaseStatus.CLOSED)
        .exclude(_not_told_since(today, REPORT_EVERY_DAYS))
        .select_related("case__region", "case__owner")
        .order_by("due_at", "pk")
    )


def _orders_due(today: dt.date):
    return (
        RectificationOrder.objects.filter(status=OrderStatus.OPEN, deadline__lt=today)
        .exclude(_not_told_since(today, ORDER_EVERY_DAYS))
        .select_related("hazard__inspection__region")
        .order_by("deadline", "pk")
    )


def _tell(item, now: dt.datetime, today: dt.date, message: Phrase, readers) -> int:
    if isinstance(item, Escalation):
        url, record = item.case.get_absolute_url(), {"escalation": item}
        region_id = item.case.region_id
    else:
        url, record = item.hazard.inspection.get_absolute_url(), {"order": item}
        region_id = item.hazard.inspection.region_id
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the clash below leaves the rest standing
                notice = OverdueNotice.objects.create(
                    region_id=region_id, on=today, sent_at=now, **record
                )
        except IntegrityError:
            return 0  # another run told them today
        notice.told = sum(bool(notify(reader, "overdue", message, url)) for reader in readers(item))
        notice.save(update_fields=["told"])
    return notice.told


# ---- upward reports -----------------------------------------------------------------------


def _due(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def _report_message(escalation: Escalation) -> Phrase:
    if escalation.sent_at is None:
        return Phrase(
            gettext_noop(
                "Overdue: case %(case)s was due to be reported by %(due)s (to: %(level)s) and "
                "has not been reported."
            ),
            case=escalation.case,
            level=Level(escalation.level).label,  # translated for each reader
            due=_due(escalation.due_at),
        )
    return Phrase(
        gettext_noop(
            "Overdue: the report of case %(case)s, sent on %(sent)s, is still not acknowledged."
        ),
        case=escalation.case,
        sent=_due(escalation.sent_at),
    )


def _report_readers(escalation: Escalation) -> list[User]:
    """Not sent: its owner, who reports. Sent: the receiving level, who acknowledges (never
    the sender, who may not acknowledge their own report)."""
    case = escalation.case
    if escalation.sent_at is None:
        return [case.owner]
    senders = {case.owner_id, escalation.sent_by_id}
    return [u for u in receivers(case, escalation.level) if u.pk not in senders]


# ---- rectification orders -----------------------------------------------------------------


def _order_message(order: RectificationOrder) -> Phrase:
    return Phrase(
        gettext_noop(
            "Overdue: the rectification at %(place)s by %(responsible)s was due by %(deadline)s "
            "and has not been reported done."
        ),
        place=order.hazard.inspection.place_name,
        responsible=order.responsible,
        deadline=order.deadline,
    )


def _order_readers(order: RectificationOrder) -> list[User]:
    """The village's directors follow up the order; the township officers when it has none."""
    village = order.hazard.inspection.region
    directors = _with_perm(User.objects.filter(region=village), Perm.MANAGE_VILLAGE)
    if directors:
        return directors
    above = Region.objects.filter(pk__in=_ancestor_ids(village))
    return _with_perm(User.objects.filter(region__in=above), Perm.SUPERVISE_VILLAGES)


def _with_perm(users, perm: str) -> list[User]:
    users = users.filter(is_active=True).prefetch_related("roles").order_by("pk")
    return [u for u in users.select_related("notification_preference") if u.can(perm)]


def _ancestor_ids(region: Region) -> list[int]:
    ids, node = [], region.parent
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return ids
