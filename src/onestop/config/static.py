"""Static files served in front of Django by ServeStatic (no per-request Django work).

In DEBUG the apps' static folders are served directly and re-read on change; otherwise the
collected STATIC_ROOT (hashed, compressed, cached for a year) is served.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings

HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.\w+$")


def _immutable(path: str, url: str) -> bool:
    return bool(HASHED_NAME.search(url))


def static_directories() -> list[Path]:
    if not settings.DEBUG:
        return [Path(settings.STATIC_ROOT)]
    return [
        Path(config.path) / "static"
        for config in apps.get_app_configs()
        if (Path(config.path) / "static").is_dir()
    ]


def serve_static(server_class: Any, application: Any) -> Any:
    """Wrap a WSGI (servestatic.ServeStatic) or ASGI (ServeStaticASGI) application."""
    server = server_class(
        application,
        autorefresh=settings.DEBUG,
        max_age=0 if settings.DEBUG else 365 * 24 * 3600,
        immutable_file_test=_immutable,
    )
    for directory in static_directories():
        server.add_files(str(directory), prefix=settings.STATIC_URL)
    return server
