"""Approval chains: how many approvers a requisition needs, by amount (pure rules)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise


@dataclass(frozen=True)
class Level:
    level: int
    min_amount: Decimal


DEFAULT_LEVELS = (Level(1, Decimal("0")),)


def required_levels(total: Decimal, levels: Sequence[Level]) -> int:
    """The number of approval levels a total needs: every level whose threshold it reaches.

    An agency without configured levels needs one approval.
    """
    levels = levels or DEFAULT_LEVELS
    return max(1, sum(1 for level in levels if total >= level.min_amount))


def levels_are_consistent(levels: Sequence[Level]) -> bool:
    """Levels are numbered 1..n without gaps, level 1 starts at zero, thresholds rise."""
    ordered = sorted(levels, key=lambda level: level.level)
    if not ordered:
        return True
    if [level.level for level in ordered] != list(range(1, len(ordered) + 1)):
        return False
    if ordered[0].min_amount != 0:
        return False
    return all(a.min_amount < b.min_amount for a, b in pairwise(ordered))
