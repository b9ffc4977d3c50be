"""Images built in the tests: a phone photo with what a phone writes into it (EXIF with the
maker and GPS position, XMP, a comment, an orientation), and decompression bombs that are a few
kilobytes on disk but billions of pixels once decoded."""

import functools
import io
import struct
import zlib

from PIL import Image, PngImagePlugin

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKER = "HUAWEI"
COMMENT = "secret-comment"
XMP = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
GPS = {1: "N", 2: (29.0, 42.0, 36.0), 3: "E", 4: (120.0, 14.0, 24.0)}  # 枫桥镇


def phone_photo(fmt: str = "JPEG", *, orientation: int | None = None) -> bytes:
    """40×20 pixels, the left half red and the right half blue, with EXIF (maker, GPS and the
    orientation if given), XMP and a comment."""
    image = Image.new("RGB", (40, 20), "red")
    image.paste((0, 0, 255), (20, 0, 40, 20))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = MAKER, "P40 Pro"
    exif[GPS_IFD] = GPS
    if orientation:
        exif[ORIENTATION] = orientation
    buffer = io.BytesIO()
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", COMMENT)
        info.add_itxt("XML:com.adobe.xmp", XMP)
        image.save(buffer, fmt, exif=exif, pnginfo=info)
    else:
        extra = {"comment": COMMENT.encode()} if fmt == "JPEG" else {}
        image.save(buffer, fmt, exif=exif, xmp=XMP.encode(), **extra)
    data = buffer.getvalue()
    assert {"EXIF", "GPS", "XMP", "maker"} <= set(metadata_left(data))  # as a phone sends it
    return data


def metadata_left(data: bytes) -> list[str]:
    """What of the phone's metadata is still in these bytes, as Pillow reads it and raw."""
    left = []
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        if len(exif):
            left.append("EXIF")
        if exif.get_ifd(GPS_IFD):
            left.append("GPS")
        if "xmp" in image.info or b"xmpmeta" in data:
            left.append("XMP")
        if COMMENT.encode() in data:
            left.append("comment")
    if MAKER.encode() in data:
        left.append("maker")
    return left


@functools.cache
def bomb_png(width: int, height: int) -> bytes:
    """A single-colour 1-bit PNG of width×height pixels, compressed to a few kilobytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    row = b"\x00" + bytes((width + 7) // 8)  # filter byte, then the row's bits
    deflate = zlib.compressobj(9)
    pixels = b"".join(deflate.compress(row) for _ in range(height)) + deflate.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
