"""QR images of Thai QR payloads."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
import qrcode
import qrcode.constants
from PIL import Image

from onestop.payments.domain.promptpay import bill_payment_payload
from onestop.payments.domain.qr import qr_png, qr_svg

PAYLOAD = bill_payment_payload(biller_id="099400016550101", ref1="B2570000042", ref2="INV778")


def _modules(payload: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(payload)
    code.make(fit=True)
    return code.get_matrix()


def test_png_draws_the_payloads_modules_at_box_size():
    # given
    modules = _modules(PAYLOAD)
    box = 3

    # when
    image = Image.open(io.BytesIO(qr_png(PAYLOAD, box_size=box))).convert("L")

    # then: every module's centre pixel is dark exactly where the symbol has a dark module
    assert image.size == (len(modules) * box, len(modules) * box)
    drawn = [
        [image.getpixel((x * box + box // 2, y * box + box // 2)) < 128 for x in range(len(row))]
        for y, row in enumerate(modules)
    ]
    assert drawn == modules


def test_png_is_a_png():
    assert qr_png(PAYLOAD).startswith(b"\x89PNG\r\n\x1a\n")


def test_svg_is_one_inline_svg_element():
    svg = qr_svg(PAYLOAD)

    root = ET.fromstring(svg)  # noqa: S314 - the SVG was just made here, not received
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert not svg.startswith("<?xml")
    assert root.get("viewBox") == f"0 0 {len(_modules(PAYLOAD))} {len(_modules(PAYLOAD))}"
    assert root.find("{http://www.w3.org/2000/svg}path") is not None


def test_an_empty_payload_is_refused():
    with pytest.raises(ValueError, match="needs a payload"):
        qr_svg("")
    with pytest.raises(ValueError, match="box_size must be at least 1"):
        qr_png(PAYLOAD, box_size=0)
