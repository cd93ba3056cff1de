from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from onestop.identity.policies import ANONYMOUS


def principal(request: HttpRequest) -> dict[str, Any]:
    return {"principal": getattr(request, "principal", ANONYMOUS)}
