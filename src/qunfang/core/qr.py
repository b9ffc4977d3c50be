"""QR codes for pages and printouts: a patrol point's sign and screen, the opinion book's poster."""

import segno


def qr_svg(data: str, scale: int = 6) -> str:
    """`data` as an inline SVG QR code (error correction M, black on white). No fixed size: the
    viewBox lets CSS shrink the code to a phone's width."""
    return segno.make(data, error="m").svg_inline(
        scale=scale, dark="#000", light="#fff", omitsize=True
    )
