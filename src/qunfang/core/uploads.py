"""Checked uploads, one helper for every app.

A photo must decode as a JPEG, PNG or WebP image (so an HTML or SVG file named .jpg is refused)
and stay under a pixel limit read from its header before anything is decoded (a decompression
bomb is a form error, never a 500). It is then re-encoded upright in its own format without
EXIF, GPS, XMP or comments: the cleaned copy is what gets stored. A PDF, where allowed, is
stored as given. Every stored file gets a name of our own, never the sender's.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 8 * 1024 * 1024
PDF = "application/pdf"
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", PDF: "pdf"}
JPEG_QUALITY = WEBP_QUALITY = 90
# What a broken or hostile image raises while it is read; Pillow's own bomb error aside.
_DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed `check_upload`: `file` is what to store (the cleaned photo or the
    PDF as given, under a name of our own); `name` is the sender's, for display only."""

    content_type: str
    size: int
    name: str
    file: File[Any]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def content_type_of(head: bytes) -> str | None:
    """The type of a stored file by its first bytes (a stored photo was re-encoded by us)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def max_pixels() -> int:
    """Our limit, never above Pillow's: between 1x and 2x its limit Pillow only warns."""
    limit = settings.QUNFANG_MAX_IMAGE_PIXELS
    return min(limit, Image.MAX_IMAGE_PIXELS) if Image.MAX_IMAGE_PIXELS else limit


def check_upload(
    upload: UploadedFile | CheckedFile, *, allow_pdf: bool = True, max_bytes: int = MAX_BYTES
) -> CheckedFile:
    """The checked, cleaned file, or a ValidationError in the user's language. A file checked
    once (by a form) passes through unchanged when the service checks it again."""
    if isinstance(upload, CheckedFile):
        if upload.content_type == PDF and not allow_pdf:
            raise _not_allowed(allow_pdf)
        return upload
    size = cast(int, upload.size)  # None only for a file not uploaded
    if size == 0:
        raise ValidationError(_("The file is empty."))
    if size > max_bytes:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    name = cast(str, upload.name)[:200]  # None only for a file not uploaded
    if allow_pdf and head.startswith(b"%PDF-"):
        return CheckedFile(PDF, size, name, File(upload, name=f"{uuid.uuid4().hex}.pdf"))
    data, content_type = _clean_photo(upload, head, allow_pdf)
    stored = ContentFile(data, name=f"{uuid.uuid4().hex}.{EXTENSIONS[content_type]}")
    return CheckedFile(content_type, len(data), name, stored)


def _clean_photo(upload: UploadedFile, head: bytes, allow_pdf: bool) -> tuple[bytes, str]:
    try:
        with Image.open(upload, formats=list(IMAGE_TYPES)) as image:
            if image.width * image.height > max_pixels():  # from the header: nothing decoded yet
                raise _too_large(image.width * image.height)
            found = image.format or ""
            kind = {"MPO": "JPEG"}.get(found, found)  # a camera's multi-picture JPEG
            if kind not in IMAGE_TYPES:
                raise _not_allowed(allow_pdf)
            image.load()  # the whole decode: a truncated or corrupt file fails here
            data = _reencode(image, kind, lossless=head[12:16] == b"VP8L")
    except Image.DecompressionBombError as exc:  # beyond twice Pillow's limit, so beyond ours
        raise _too_large(_pixels_named_in(exc)) from None
    except _DECODE_ERRORS:
        raise _not_allowed(allow_pdf) from None
    finally:
        upload.seek(0)
    return data, IMAGE_TYPES[kind]


def _too_large(pixels: int) -> ValidationError:
    return ValidationError(
        _("This image is too large to process: %(pixels)s megapixels, at most %(limit)s.")
        % {"pixels": _megapixels(pixels), "limit": _megapixels(max_pixels())}
    )


def _pixels_named_in(exc: Exception) -> int:
    """Pillow refuses before it tells the size; its message names the pixel count."""
    found = re.search(r"\((\d+) pixels\)", str(exc))
    return int(found.group(1)) if found else 2 * (Image.MAX_IMAGE_PIXELS or 0) + 1


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f}".removesuffix(".0")


def _reencode(image: Image.Image, kind: str, *, lossless: bool) -> bytes:
    """Only the pixels survive, upright; the colour profile and transparency are kept because
    they are how the photo looks, not who took it or where."""
    keep = {k: image.info[k] for k in ("icc_profile", "transparency") if k in image.info}
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block costs the orientation, not the photo
        upright = image.copy()
    upright.info = {}  # Pillow writes a JPEG comment or a PNG profile from here unless emptied
    options_of: dict[str, dict[str, Any]] = {
        "JPEG": {"quality": JPEG_QUALITY},
        "PNG": {},
        "WEBP": {"lossless": True} if lossless else {"quality": WEBP_QUALITY},
    }
    options = options_of[kind]
    buffer = io.BytesIO()
    try:
        upright.save(buffer, format=kind, **keep, **options)
    except (OSError, ValueError):  # a mode the format cannot write back as it came
        buffer = io.BytesIO()
        upright.convert("RGBA" if kind != "JPEG" else "RGB").save(buffer, format=kind, **options)
    return buffer.getvalue()


def _not_allowed(allow_pdf: bool) -> ValidationError:
    allowed = (
        _("a JPEG, PNG or WebP photo, or a PDF") if allow_pdf else _("a JPEG, PNG or WebP photo")
    )
    return ValidationError(_("This file is not %(allowed)s.") % {"allowed": allowed})
