"""Menus contributed by apps: each app registers a function that lists the links a person sees.

Lower apps (identity's home pages, the base template) show links of higher apps without
importing them: the higher app registers in its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    description: str = ""
    section: str = ""  # officer, supplier, registrar, auditor, citizen, public...


LinkProvider = Callable[[Any], list[Link]]
_PROVIDERS: list[LinkProvider] = []


def register(provider: LinkProvider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


# Links anyone may follow, logged in or not (the public information of an app).
PUBLIC = "public"


def links_for(principal: Any, section: str | None = None) -> list[Link]:
    """Every registered link this principal may follow (optionally of one section). Someone
    who is not logged in gets the PUBLIC links only."""
    if principal is None:
        return []
    anonymous = not getattr(principal, "is_authenticated", False)
    if anonymous and section not in (None, PUBLIC):
        return []
    links = [link for provider in _PROVIDERS for link in provider(principal)]
    return [
        link
        for link in links
        if (section is None or link.section == section)
        and (not anonymous or link.section == PUBLIC)
    ]
