"""Checked uploads: a photo must decode as a JPEG, PNG or WebP image (so an HTML or SVG file
named .jpg is refused) and a document must be a PDF; both within a size limit."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 8 * 1024 * 1024
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    name: str


def check_upload(upload: UploadedFile, *, allow_pdf: bool = True) -> CheckedFile:
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if allow_pdf and head == b"%PDF-":
        return CheckedFile("application/pdf", upload.size, upload.name[:200])
    try:
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    finally:
        upload.seek(0)
    if kind not in IMAGE_TYPES:
        allowed = (
            _("a JPEG, PNG or WebP photo, or a PDF")
            if allow_pdf
            else _("a JPEG, PNG or WebP photo")
        )
        raise ValidationError(_("This file is not %(allowed)s.") % {"allowed": allowed})
    return CheckedFile(IMAGE_TYPES[kind], upload.size, upload.name[:200])
