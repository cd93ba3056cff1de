"""Just enough HTTP on plain ASGI for the sandbox: requests, responses and a router."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

MAX_BODY = 1_000_000


class BodyTooLargeError(Exception):
    """The request body is larger than MAX_BODY bytes."""


@dataclass(frozen=True)
class Request:
    """One HTTP request, read whole. Header names are lower-case."""

    method: str
    path: str
    query_string: bytes
    raw_path: bytes
    headers: dict[str, str]
    body: bytes

    @property
    def target(self) -> bytes:
        """The path with its query string as sent: what a GET request's signature covers."""
        return self.raw_path + (b"?" + self.query_string if self.query_string else b"")

    def query(self) -> dict[str, str]:
        """The query parameters (the first value of each)."""
        return _first_values(self.query_string.decode("latin-1"))

    def form(self) -> dict[str, str]:
        """The fields of an application/x-www-form-urlencoded body."""
        return _first_values(self.body.decode("utf-8", "replace"))

    def is_form(self) -> bool:
        """Whether the body is an HTML form."""
        content_type = self.headers.get("content-type", "")
        return content_type.split(";")[0].strip() == "application/x-www-form-urlencoded"


def _first_values(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        values.setdefault(name, value)
    return values


@dataclass(frozen=True)
class Response:
    """One HTTP response."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def json_response(status: int, data: Any) -> Response:
    """A JSON response (UTF-8, Thai text kept readable)."""
    return Response(status, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def error_response(status: int, message: str, field_name: str | None = None) -> Response:
    """The protocol's error shape: {"error": "...", "field": "..."}."""
    data = {"error": message} if field_name is None else {"error": message, "field": field_name}
    return json_response(status, data)


def html_response(status: int, text: str) -> Response:
    """An HTML page."""
    return Response(status, text.encode("utf-8"), "text/html; charset=utf-8")


def redirect(location: str) -> Response:
    """303 See Other: after a form is posted, the browser loads `location`."""
    return Response(303, b"", "text/plain; charset=utf-8", (("location", location),))


Handler = Callable[[Request], Awaitable[Response]]


class Router:
    """Exact-path routes by method; unknown paths answer 404 and wrong methods 405."""

    def __init__(self) -> None:
        self._routes: dict[str, dict[str, Handler]] = {}

    def add(self, method: str, path: str, handler: Handler) -> None:
        """Route `method path` to `handler`."""
        self._routes.setdefault(path, {})[method] = handler

    async def dispatch(self, request: Request) -> Response:
        """Answer a request with its handler's response, or with 404/405."""
        methods = self._routes.get(request.path)
        if methods is None:
            return error_response(404, f"no such path: {request.path}")
        handler = methods.get(request.method)
        if handler is None:
            allowed = ", ".join(sorted(methods))
            return Response(
                405,
                json.dumps({"error": f"method {request.method} not allowed"}).encode(),
                headers=(("allow", allowed),),
            )
        return await handler(request)


async def read_request(scope: dict[str, Any], receive: Callable[[], Awaitable[dict]]) -> Request:
    """Read the request of an ASGI http scope, body included; raises BodyTooLargeError."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise BodyTooLargeError
        chunks.append(chunk)
        more = message.get("more_body", False)
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in scope.get("headers", [])
    }
    return Request(
        method=scope["method"],
        path=scope["path"],
        query_string=scope.get("query_string", b""),
        raw_path=scope.get("raw_path") or scope["path"].encode("utf-8"),
        headers=headers,
        body=b"".join(chunks),
    )


async def send_response(send: Callable[[dict], Awaitable[None]], response: Response) -> None:
    """Send a response through ASGI."""
    headers = [
        (b"content-type", response.content_type.encode("latin-1")),
        (b"content-length", str(len(response.body)).encode("latin-1")),
        (b"x-content-type-options", b"nosniff"),
        *((name.encode("latin-1"), value.encode("latin-1")) for name, value in response.headers),
    ]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
