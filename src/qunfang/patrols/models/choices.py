"""The patrols' choices: how often a point's code changes, kinds of shift, qualifications,
and the statuses and kinds of rosters, assignments, swaps, check-ins and duty-ledger lines."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignPeriod(models.IntegerChoices):
    """How often a point's code changes. A printed sign is reprinted each period; a screen at
    the point (an old phone) can show a code that changes every minute. A week is the longest
    period: a code is accepted in its period and the next one, so a printed code is never
    good for more than 14 days (see services/signs.py)."""

    MINUTE = 60, _("every minute (screen at the point)")
    HOUR = 3600, _("every hour (screen at the point)")
    DAY = 86400, _("every day (printed sign)")
    WEEK = 7 * 86400, _("every week (printed sign)")


class ShiftKind(models.TextChoices):
    DAY = "day", _("Day shift")
    NIGHT = "night", _("Night shift (夜班)")
    ROTATING = "rotating", _("Rotating cycle (轮班)")


class Qualification(models.TextChoices):
    VETTED = "vetted", _("Vetted (all three checks)")
    PATROL_TRAINING = "patrol", _("Patrol skills training")
    FIRST_AID = "first_aid", _("First aid training")
    FIRE_SAFETY = "fire_safety", _("Fire safety training")


class RosterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Outcome(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SERVED = "served", _("Served")
    LATE = "late", _("Late")
    PARTIAL = "partial", _("Partial")
    MISSED = "missed", _("Missed")
    EXCUSED = "excused", _("Excused")


class SwapStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the director")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CheckInKind(models.TextChoices):
    START = "start", _("Start of patrol")
    POINT = "point", _("At a patrol point")
    END = "end", _("End of patrol")


class Finding(models.TextChoices):
    NOTHING = "nothing", _("Nothing to report")
    HAZARD = "hazard", _("Hazard")
    INCIDENT = "incident", _("Incident")
    DISPUTE = "dispute", _("Dispute")


class LedgerKind(models.TextChoices):
    OWED = "owed", _("Turn owed")
    SERVED = "served", _("Served")
    EXCUSED = "excused", _("Excused")
    SWAPPED = "swapped", _("Swapped to another household")
    BOUGHT_OUT = "bought_out", _("Bought out (payment)")
    MISSED = "missed", _("Missed")
