"""Tools to look inside PDFs in tests: text, fonts, byte ranges, and a foreign CA."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tempfile
from pathlib import Path

from onestop.documents.domain import certificates
from onestop.documents.signing import sign_with_key

BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def _run(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "document.pdf"
        path.write_bytes(pdf)
        result = subprocess.run(
            [tool, *args, str(path), "-"] if tool == "pdftotext" else [tool, *args, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    return result.stdout


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF as poppler's pdftotext extracts it."""
    return _run("pdftotext", pdf, "-enc", "UTF-8")


def pdf_fonts(pdf: bytes) -> list[tuple[str, bool]]:
    """(font name, embedded) for every font, from poppler's pdffonts."""
    lines = _run("pdffonts", pdf).splitlines()[2:]
    fonts = []
    for line in lines:
        columns = line.split()
        # name, type (may be several words), encoding, emb, sub, uni, object, id
        fonts.append((columns[0], columns[-5] == "yes"))
    return fonts


def pdfsig(pdf: bytes) -> str:
    """poppler's pdfsig report (an independent validator; it does not know our root)."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "document.pdf"
        path.write_bytes(pdf)
        result = subprocess.run(
            ["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=False
        )
    return result.stdout + result.stderr


def pdf_info(pdf: bytes) -> dict[str, str]:
    """poppler's pdfinfo as a dict: 'Pages', 'Page size', 'Title', ..."""
    lines = _run("pdfinfo", pdf).splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}


def page_count(pdf: bytes) -> int:
    return int(pdf_info(pdf)["Pages"])


def byte_range(pdf: bytes) -> tuple[int, int, int, int]:
    match = BYTE_RANGE.search(pdf)
    assert match, "no signature byte range in the PDF"
    return tuple(int(value) for value in match.groups())


def tamper(pdf: bytes) -> bytes:
    """Change one byte inside the first page content stream, inside the signed byte range."""
    start, length, _second_start, _second_length = byte_range(pdf)
    offset = pdf.index(b"stream\n") + len(b"stream\n") + 20
    assert start <= offset < start + length
    changed = bytearray(pdf)
    changed[offset] ^= 0x01
    return bytes(changed)


def foreign_ca_signed(pdf: bytes, *, agency_code: str = "CGD") -> bytes:
    """Signed by a look-alike CA ('OneStop Platform Root CA' too) that is not the platform's."""
    now = dt.datetime.now(dt.UTC)
    root = certificates.build_root(now=now)
    signer = certificates.build_end_entity(
        issuer=root,
        subject=certificates.agency_name(
            name_en="The Comptroller General's Department", code=agency_code
        ),
        now=now,
    )
    return sign_with_key(
        pdf,
        certificate=signer.certificate,
        private_key=signer.private_key,
        chain=[root.certificate],
        reason="forged",
    )
