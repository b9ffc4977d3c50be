"""An uploaded sheet kept between the steps of an import (choose the file, confirm its columns,
import), named by a signed ticket that only its uploader can use, for a day.

The file lies under MEDIA_ROOT/imports/ like the files of background imports; it is deleted
once imported (or refused), and files left behind by an import nobody finished are swept away
the next time anyone stages one.
"""

import datetime as dt
import uuid
from dataclasses import asdict, dataclass
from pathlib import PurePath
from typing import IO, Any

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from qunfang.core.spreadsheets.reading import FileRefused, annotated_copy

FOLDER = "imports"
TICKET_SALT = "qunfang.spreadsheets.staged"
KEPT = dt.timedelta(days=1)


@dataclass(frozen=True)
class Staged:
    stored: str  # the storage name under FOLDER
    filename: str  # as the user named it
    layout: str
    village: int  # Region pk
    by: int  # User pk: nobody else may use the ticket
    dry_run: bool = False
    all_sheets: bool = False

    def open(self) -> IO[bytes]:
        handle: IO[bytes] = default_storage.open(self.stored, "rb")
        return handle

    def discard(self) -> None:
        default_storage.delete(self.stored)


def store(upload: Any) -> str:
    """Keep `upload` (a Django UploadedFile) under FOLDER; the storage name."""
    suffix = PurePath(upload.name).suffix.lower()[:8]
    name: str = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}{suffix}", upload)
    return name


def stage(upload: Any, **details: Any) -> tuple[Staged, str]:
    """Keep the upload for the next step; the staged file and its ticket."""
    sweep()
    staged = Staged(stored=store(upload), filename=upload.name[-100:], **details)
    return staged, signing.dumps(asdict(staged), salt=TICKET_SALT, compress=True)


def staged(ticket: str, *, user_id: int) -> Staged | None:
    """The staged file a ticket names, if it is the user's, under a day old and still there."""
    try:
        data = signing.loads(ticket, salt=TICKET_SALT, max_age=KEPT)
        found = Staged(**data)
    except (signing.BadSignature, TypeError):
        return None
    if found.by != user_id or not default_storage.exists(found.stored):
        return None
    return found


def sweep() -> None:
    """Delete staged files older than a day (imports nobody finished)."""
    try:
        _dirs, names = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - KEPT
    for name in names:
        path = f"{FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


PROBLEMS_SALT = "qunfang.spreadsheets.problems"


def keep_problems(*, file: Any, filename: str, errors: list[Any], by: int) -> str:
    """The file as it was sent with a column of the reasons on each bad row, kept for a day for
    its uploader to download; its ticket ("" when the file cannot be read back)."""
    try:
        data = annotated_copy(file=file, filename=filename, errors=errors)
    except FileRefused:
        return ""
    stem = PurePath(filename).stem[:60]
    stored = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}-problems.xlsx", ContentFile(data))
    details = {"stored": stored, "name": f"{stem}-问题.xlsx", "by": by}
    return signing.dumps(details, salt=PROBLEMS_SALT, compress=True)


def problems(ticket: str, *, user_id: int) -> tuple[bytes, str] | None:
    """The kept file of problems and its download name, if the ticket is the user's and fresh."""
    try:
        details = signing.loads(ticket, salt=PROBLEMS_SALT, max_age=KEPT)
    except signing.BadSignature:
        return None
    if details.get("by") != user_id or not default_storage.exists(details["stored"]):
        return None
    with default_storage.open(details["stored"], "rb") as kept:
        return kept.read(), details["name"]
