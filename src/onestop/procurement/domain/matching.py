"""Three-way match of purchase order, goods receipt and invoice (pure rules).

An invoice line may be paid when its unit price equals the order's and its quantity, added to
what earlier invoices billed, does not exceed what the inspection committee accepted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class OrderLine:
    line_id: int
    description: str
    unit_price: Decimal
    ordered: Decimal
    accepted: Decimal  # accepted by inspection so far
    invoiced: Decimal  # billed by earlier (non-rejected) invoices


@dataclass(frozen=True)
class InvoiceLine:
    line_id: int
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class Mismatch:
    line_id: int | None
    kind: str  # price, quantity_not_received, unknown_line, duplicate_line, total
    expected: str
    found: str


@dataclass(frozen=True)
class MatchResult:
    mismatches: list[Mismatch] = field(default_factory=list)
    total: Decimal = Decimal("0.00")

    @property
    def matched(self) -> bool:
        return not self.mismatches


def three_way_match(
    order_lines: Sequence[OrderLine],
    invoice_lines: Sequence[InvoiceLine],
    invoice_total: Decimal,
) -> MatchResult:
    """Compare an invoice with its order and what was received; list every mismatch."""
    by_id: Mapping[int, OrderLine] = {line.line_id: line for line in order_lines}
    mismatches: list[Mismatch] = []
    seen: set[int] = set()
    computed = Decimal("0.00")
    for line in invoice_lines:
        order = by_id.get(line.line_id)
        if order is None:
            mismatches.append(Mismatch(line.line_id, "unknown_line", "-", str(line.line_id)))
            continue
        if line.line_id in seen:
            mismatches.append(Mismatch(line.line_id, "duplicate_line", "1", "2"))
            continue
        seen.add(line.line_id)
        if line.unit_price != order.unit_price:
            mismatches.append(
                Mismatch(line.line_id, "price", str(order.unit_price), str(line.unit_price))
            )
        billable = order.accepted - order.invoiced
        if line.quantity > billable:
            mismatches.append(
                Mismatch(line.line_id, "quantity_not_received", str(billable), str(line.quantity))
            )
        computed += (line.quantity * line.unit_price).quantize(Decimal("0.01"))
    if computed != invoice_total:
        mismatches.append(Mismatch(None, "total", str(computed), str(invoice_total)))
    return MatchResult(mismatches, computed)
