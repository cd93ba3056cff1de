"""Running document numbers per agency, kind and fiscal year: CGD-PO-2570-00001."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from onestop.core.thai import fiscal_year
from onestop.procurement.models import DocumentCounter


def next_number(agency, kind: str) -> tuple[str, int]:
    """The next number of this kind for the agency in the current fiscal year, and the year.

    Must run inside the transaction that creates the numbered record (the counter row is locked,
    so numbers are gap-free for committed records and never repeat).
    """
    assert transaction.get_connection().in_atomic_block
    year = fiscal_year(timezone.now())
    counter, _created = DocumentCounter.objects.select_for_update().get_or_create(
        agency=agency, kind=kind, fiscal_year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{agency.code}-{kind}-{year}-{counter.last:05d}", year
