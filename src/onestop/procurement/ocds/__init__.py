"""Open Contracting Data Standard 1.1 (P-22): release and record packages of public tenders and
catalog purchases. `releases` builds them; `schema/` holds the official OCDS 1.1.5 schemas,
unchanged, to validate against offline."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
SCHEMA_FILES = (
    "release-package-schema.json",
    "record-package-schema.json",
    "release-schema.json",
    "versioned-release-validation-schema.json",
)


@cache
def official_schema(name: str) -> dict:
    """One of the official OCDS 1.1.5 schema files, parsed (e.g. "release-package-schema.json")."""
    if name not in SCHEMA_FILES:
        raise ValueError(f"{name!r} is not one of the OCDS schema files {SCHEMA_FILES}")
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
