from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from qunfang.core.books.base import AppendOnly as AppendOnly
from qunfang.core.books.base import AppendOnlyQuerySet as AppendOnlyQuerySet
from qunfang.core.books.base import ChainHead as ChainHead
from qunfang.core.crypto import EncryptedTextField, blind_index
from qunfang.core.personal import mask_id_number, mask_phone
from qunfang.core.roles import Role, permissions_for
from qunfang.core.scoping import M, RegionOwned, ScopedQuerySet

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class RegionKind(models.TextChoices):
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village")
    GROUP = "group", _("Villager group")


PARENT_KIND = {
    RegionKind.COUNTY: None,
    RegionKind.TOWNSHIP: RegionKind.COUNTY,
    RegionKind.VILLAGE: RegionKind.TOWNSHIP,
    RegionKind.GROUP: RegionKind.VILLAGE,
}


class Region(RegionOwned):
    """A node of the jurisdiction tree, keyed by its 12-digit statistical division code
    (统计用区划代码). Villager groups have no official code: theirs is the village's code
    followed by a 3-digit group number."""

    region_lookup = ""

    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=100)
    official_name = models.CharField(_("official name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Codes of the node and its ancestors, root first, each followed by "/": a subtree is a prefix.
    path = models.CharField(max_length=255, unique=True, editable=False)

    history = HistoricalRecords(excluded_fields=["path"])

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=RegionKind.COUNTY, parent__isnull=True)
                | (~Q(kind=RegionKind.COUNTY) & Q(parent__isnull=False)),
                name="region_only_counties_are_roots",
            ),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{12}([0-9]{3})?$"), name="region_code_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return self.path.count("/")

    def contains(self, other: "Region") -> bool:
        return other.path.startswith(self.path)


class UserQuerySet(ScopedQuerySet[M]):
    pass


UserManagerBase = UserManager.from_queryset(UserQuerySet)


# The plugin makes UserManagerBase a class, but when mypy checks the whole tree it sees the
# variable first, on a pass before the plugin's (`unused-ignore`: a run on fewer files does not)
class QunfangUserManager(UserManagerBase["User"]):  # type: ignore[valid-type, unused-ignore]
    pass


class User(AbstractUser):
    """An account. It works inside one region (its jurisdiction) with one or more roles."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    id_number = EncryptedTextField(_("ID number"), blank=True, default="")
    # NULL, not "", for "no ID number": unique must not clash between accounts without one
    id_number_bidx = models.CharField(max_length=64, null=True, unique=True, editable=False)  # noqa: DJ001
    # pages and messages read in it; the language switch on any page changes it too
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    objects = QunfangUserManager()  # type: ignore[misc]  # AbstractUser's, typed as UserManager
    region_lookup = "region"

    history = HistoricalRecords(excluded_fields=["password", "last_login", "id_number_bidx"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.id_number_bidx = blind_index(self.id_number) if self.id_number else None
        super().save(*args, **kwargs)

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(r.role for r in self.roles.all())

    @cached_property
    def permissions(self) -> frozenset[str]:
        return permissions_for(self.role_names) if self.is_active else frozenset()

    def can(self, perm: str) -> bool:
        return perm in self.permissions

    @property
    def is_system_admin(self) -> bool:
        return self.is_active and Role.SYSTEM_ADMIN in self.role_names

    def works_in(self, region: Region | None) -> bool:
        """Is `region` inside this account's jurisdiction (its own region or below)? The one
        answer to "is this mine" for a write; reads go through `visible_to`. An inactive account
        or one without a region works nowhere. Being a system administrator does not count: it
        is a permission, not a place, so the few writes a system administrator may make anywhere
        say so themselves (`user.is_system_admin or user.works_in(region)`)."""
        if not (self.is_active and self.region_id and region is not None):
            return False
        return self.region is not None and self.region.contains(region)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    def role_labels(self) -> list["StrPromise"]:
        return [Role(r).label for r in sorted(self.role_names)]


class UserRole(RegionOwned):
    region_lookup = "user__region"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class SecurityEventKind(models.TextChoices):
    LOGIN_SUCCEEDED = "login_succeeded", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOCKED_OUT = "locked_out", _("Locked out after repeated failures")
    LOGGED_OUT = "logged_out", _("Signed out")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_REVOKED = "role_revoked", _("Role revoked")
    JURISDICTION_CHANGED = "jurisdiction_changed", _("Jurisdiction changed")
    ACCOUNT_CREATED = "account_created", _("Account created")
    ACCOUNT_DEACTIVATED = "account_deactivated", _("Account deactivated")
    PERSONAL_DATA_REVEALED = "personal_data_revealed", _("Personal data revealed")
    DATA_EXPORTED = "data_exported", _("List exported")
    LOG_ARCHIVED = "log_archived", _("Older lines archived")
    DISPLAY_LINK_CREATED = "display_link_created", _("Sign screen link made")
    DISPLAY_LINK_REVOKED = "display_link_revoked", _("Sign screen link revoked")


class SecurityEvent(AppendOnly):
    """Security log: append-only, one hash chain for the whole log (written in short
    transactions, and archived as one prefix, see books/retention.py)."""

    book = "security"

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=30, choices=SecurityEventKind.choices)
    username = models.CharField(_("user name"), max_length=150, blank=True)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="security_events"
    )
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta(AppendOnly.Meta):
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["region", "-at"], name="secevent_region_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"

    @classmethod
    def archive_marks(cls, chain: str, *, using: str = "default") -> list[dict[str, Any]]:
        lines = cls._base_manager.using(using).filter(
            chain=chain, kind=SecurityEventKind.LOG_ARCHIVED
        )
        return list(lines.values_list("detail", flat=True))

    def summary(self) -> str:
        """The detail in words, for the log page: which list, which filters, how many rows."""
        from qunfang.core.exports import EXPORTED_LISTS

        d: dict[str, Any] = self.detail or {}
        if self.kind == SecurityEventKind.DATA_EXPORTED:
            filters = "; ".join(f"{k}={v}" for k, v in sorted(d.get("filters", {}).items()))
            text = _("%(list)s (%(format)s), %(rows)s rows") % {
                "list": EXPORTED_LISTS.get(d.get("list", ""), d.get("list", "")),
                "format": d.get("format", ""),
                "rows": d.get("rows", 0),
            }
            return text + (_("; filters: %(filters)s") % {"filters": filters} if filters else "")
        if self.kind == SecurityEventKind.PERSONAL_DATA_REVEALED:
            return _("field: %(field)s") % {"field": d.get("field", "")}
        if self.kind == SecurityEventKind.LOG_ARCHIVED:
            return _("%(count)s lines before %(before)s, to %(file)s (SHA-256 %(sha)s)") % {
                "count": d.get("count", 0),
                "before": d.get("before", ""),
                "file": d.get("file", ""),
                "sha": d.get("sha256", "")[:16],
            }
        if "point_name" in d:
            return _("patrol point: %(point)s") % {"point": d["point_name"]}
        if "role" in d:
            return cast(str, d["role"])
        return ""


class Notification(RegionOwned):
    """An in-app message to one user (a shift reminder, a swap decision). It keeps the sentence
    untranslated (`message`: a `core.phrases.Phrase` as JSON) and is rendered in the reader's
    language when shown or sent; rows from before that keep their text in `text`."""

    region_lookup = "user__region"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, blank=True)
    message = models.JSONField(_("message"), default=dict, blank=True)
    text = models.CharField(_("message"), max_length=300, blank=True)  # older rows only
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text_in()

    def text_in(self, language: str | None = None) -> str:
        """The message in `language` (the active one when None)."""
        from qunfang.core.phrases import Phrase

        return Phrase.from_json(self.message).render(language) if self.message else self.text


class NotificationPreference(RegionOwned):
    """Which kinds of message a user also wants by e-mail, at once or in one daily digest."""

    region_lookup = "user__region"

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_kinds = models.JSONField(_("by e-mail"), default=list, blank=True)
    daily_digest = models.BooleanField(
        _("one daily digest instead of single e-mails"), default=False
    )
    digest_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def mails(self, kind: str) -> bool:
        return kind in self.email_kinds and not self.daily_digest


class DemoStamp(models.Model):
    """Present only in a database built by `qunfang demo`, which refuses to touch any other."""

    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"demo built {self.created_at:%Y-%m-%d %H:%M}"


class JobKind(models.TextChoices):
    ROSTER = "roster", _("Making a roster")
    IMPORT = "import", _("Importing a file")


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job", "Waiting to start")
    RUNNING = "running", pgettext_lazy("job", "Running")
    DONE = "done", pgettext_lazy("job", "Done")
    FAILED = "failed", pgettext_lazy("job", "Failed")


class Job(RegionOwned):
    """Long work someone started (a roster, a large import), run by the task worker: what it is,
    how far it got and where its result is. `core.jobs` is the only writer."""

    FINISHED = (JobStatus.DONE, JobStatus.FAILED)

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=20, choices=JobKind.choices)
    started_by = models.ForeignKey(
        User, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="jobs"
    )
    language = models.CharField(max_length=10)  # the starter's: steps and errors read in it
    params = models.JSONField(default=dict)
    task_result_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    result_url = models.CharField(max_length=200, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:job", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED


class ImportMapping(RegionOwned):
    """The columns of a village's own sheet as its user last confirmed them for a layout
    (`core.spreadsheets.mapping`): tried first when the village imports such a file again."""

    region = models.ForeignKey(Region, verbose_name=_("village"), on_delete=models.CASCADE)
    layout = models.CharField(_("layout"), max_length=40)
    columns = models.JSONField(_("columns"), default=dict)  # layout key -> header as written
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        constraints = [
            models.UniqueConstraint(fields=["region", "layout"], name="one_mapping_per_layout")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.layout}"


class ScheduledRun(models.Model):
    """One row per periodic task and time slot: the scheduler enqueues a task only when it
    inserts the row, so two schedulers never send the same reminders twice."""

    task = models.CharField(max_length=100)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "slot"], name="scheduled_run_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.task} @ {self.slot:%Y-%m-%d %H:%M}"
