"""The append-only base every book inherits, and the head of each chain."""

from collections.abc import Collection, Iterable
from typing import Any, ClassVar, NoReturn, TypeVar

from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunfang.core.books.chain import GENESIS, link
from qunfang.core.scoping import RegionOwned, ScopedQuerySet

REFUSED_CHANGE = "append-only: rows are never changed"
REFUSED_DELETE = "append-only: rows are never deleted"

Line = TypeVar("Line", bound="AppendOnly", covariant=True)


class AppendOnlyQuerySet(ScopedQuerySet[Line]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError(REFUSED_CHANGE)

    def bulk_update(
        self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None
    ) -> NoReturn:
        raise PermissionError(REFUSED_CHANGE)

    def delete(self) -> NoReturn:
        raise PermissionError(REFUSED_DELETE)

    def bulk_create(
        self,
        objs: Iterable[Line],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list[Line]:
        """Many lines at once, each linked to its chain in the order given."""
        if ignore_conflicts or update_conflicts:
            raise PermissionError("append-only: every line is written, none skipped or merged")
        lines = list(objs)
        with transaction.atomic(using=self.db):
            link(lines, using=self.db)
            return super().bulk_create(
                lines,
                batch_size=batch_size,
                update_fields=update_fields,
                unique_fields=unique_fields,
            )


class AppendOnly(RegionOwned):
    """A book whose lines are only ever added, each a link in a hash chain (see chain.py).

    The ORM refuses changes and deletes; database triggers refuse UPDATE and DELETE (see
    core/triggers.py, made for every subclass after `migrate`). A book names its chains with
    `book` and, when it keeps one chain per region, `chain_region_id()`."""

    book: ClassVar[str]

    chain = models.CharField(_("chain"), max_length=40, editable=False)
    seq = models.PositiveBigIntegerField(_("line in the chain"), editable=False)
    prev_hash = models.CharField(_("previous line's hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    # the plugin gives each book its manager; mypy alone sees RegionOwned's class variable
    objects = AppendOnlyQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "seq"], name="%(app_label)s_%(class)s_chain_seq"
            )
        ]

    def chain_region_id(self) -> int | None:
        return None

    def chain_name(self) -> str:
        region = self.chain_region_id()
        return self.book if region is None else f"{self.book}/{region}"

    @classmethod
    def archive_marks(cls, chain: str, *, using: str = "default") -> list[dict[str, Any]]:
        """What the book's archive lines say they took away (see retention.py): a chain may
        start after line 1 only where one of them says its archived lines end."""
        return []

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError(REFUSED_CHANGE)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            link([self], using=using)
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError(REFUSED_DELETE)


class ChainHead(models.Model):
    """Where a chain ends: the one changing row per chain, locked while lines are added so that
    writers to one chain take turns. Anyone who can write the database can rewind it, so the
    heads are also kept outside (backup manifests, the auditors' digest, printed registers)."""

    name = models.CharField(_("chain"), max_length=40, unique=True)
    seq = models.PositiveBigIntegerField(_("lines"), default=0)
    hash = models.CharField(_("hash"), max_length=64, default=GENESIS)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("chain head")
        verbose_name_plural = _("chain heads")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} {self.seq} {self.hash[:16]}"
