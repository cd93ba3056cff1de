"""QR code images of Thai QR payloads, with error correction level M (15 % of the code)."""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
import qrcode.image.svg


def _code(payload: str, **options: object) -> qrcode.QRCode:
    if not payload:
        raise ValueError("A QR code needs a payload.")
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, **options)
    code.add_data(payload)
    code.make(fit=True)
    return code


def qr_png(payload: str, box_size: int = 8) -> bytes:
    """A PNG image of the payload's QR code, each module `box_size` pixels wide, with a quiet zone."""
    if box_size < 1:
        raise ValueError(f"box_size must be at least 1 pixel, not {box_size}.")
    image = _code(payload, box_size=box_size).make_image()
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_svg(payload: str) -> str:
    """An `<svg>` element (no XML declaration) of the payload's QR code, for inline HTML."""
    image = _code(payload, image_factory=qrcode.image.svg.SvgPathImage).make_image()
    return image.to_string(encoding="unicode")
