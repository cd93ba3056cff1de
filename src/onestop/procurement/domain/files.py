"""What a file really is, read from its first bytes (never from its name or the browser's word)."""

from __future__ import annotations

import io
import zipfile

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_SIGNATURES = {b"%PDF-": PDF, b"\x89PNG\r\n\x1a\n": PNG, b"\xff\xd8\xff": JPEG}
# An Office Open XML file is a ZIP whose main part tells the kind.
_OFFICE_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}

EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", DOCX: "docx", XLSX: "xlsx"}


def detect(data: bytes) -> str | None:
    """The content type of a PDF, PNG, JPEG, DOCX or XLSX file, or None for anything else."""
    for signature, content_type in _SIGNATURES.items():
        if data.startswith(signature):
            return content_type
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        for part, content_type in _OFFICE_PARTS.items():
            if part in names and "[Content_Types].xml" in names:
                return content_type
    return None
