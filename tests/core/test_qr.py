"""QR codes live in core: patrol signs and screens and the opinion book's poster all draw them."""

import re

import segno

from qunfang.core.qr import qr_svg


def test_it_draws_the_text_as_an_inline_svg_that_css_can_shrink():
    svg = qr_svg("https://example.org/o/330681109290/", scale=4)
    assert svg.startswith("<svg") and "viewBox" in svg
    assert not re.search(r"<svg[^>]*\swidth=", svg)  # no fixed size on a phone
    # the same symbol segno makes at error correction M, and another text gives another one
    size = segno.make("https://example.org/o/330681109290/", error="m").symbol_size(scale=4)
    assert f'viewBox="0 0 {size[0]} {size[1]}"' in svg
    assert qr_svg("https://example.org/o/330681109291/", scale=4) != svg
