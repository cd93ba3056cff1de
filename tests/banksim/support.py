"""Shared pieces of the bank sandbox tests: orders, the platform stand-ins, a fake clock."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from onestop.banksim import BankSandbox, create_app
from onestop.payments.domain.signing import sign

API_SECRET = "test-bank-api-secret"
WEBHOOK_SECRET = "test-bank-webhook-secret"
CALLBACK_URL = "http://platform.test/api/payments/bank/callback"
START = 1_795_590_300.0  # 2026-11-25T14:05:00+07:00


def order(**changes: Any) -> dict[str, Any]:
    """A valid payment order, as the platform sends it."""
    data: dict[str, Any] = {
        "idempotency_key": "invoice:42",
        "reference": "PAY-2570-000042",
        "amount": "12840.00",
        "currency": "THB",
        "payer": {"name": "กรมบัญชีกลาง", "account": "CGD"},
        "payee": {
            "name": "บริษัท สยามกระดาษ จำกัด",
            "method": "promptpay",
            "promptpay_id": "0105545012345",
        },
        "description": "PO-2570-000045 / INV-778",
    }
    data.update(changes)
    return data


def encode(data: Any) -> bytes:
    """JSON bytes as the platform sends them."""
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def signed_headers(body: bytes, *, secret: str = API_SECRET, timestamp: float | None = None):
    """The content type and the two signature headers for a body (or a GET path)."""
    stamp = None if timestamp is None else int(timestamp)
    return {"Content-Type": "application/json", **sign(secret, body, timestamp=stamp)}


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Platform:
    """The platform's callback endpoint as an httpx transport: answers the given statuses, then 200."""

    def __init__(self, answers: list[int | Exception] | None = None) -> None:
        self.answers = list(answers or [])
        self.received: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, json={"status": "ok" if answer == 200 else "error"})

    @property
    def events(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.received]


@contextlib.asynccontextmanager
async def sandbox(
    database: Path,
    *,
    platform: Platform,
    clock: Callable[[], float],
    settle_seconds: float = 1.0,
) -> AsyncIterator[tuple[BankSandbox, httpx.AsyncClient]]:
    """A sandbox on `database` and an httpx client that calls it in-process."""
    app = create_app(
        database=str(database),
        api_secret=API_SECRET,
        webhook_secret=WEBHOOK_SECRET,
        callback_url=CALLBACK_URL,
        settle_seconds=settle_seconds,
        clock=clock,
        callback_transport=httpx.MockTransport(platform.handle),
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bank.test") as client:
        try:
            yield app, client
        finally:
            await app.stop()
            app.store.close()


@contextlib.asynccontextmanager
async def lifespan(app: BankSandbox) -> AsyncIterator[None]:
    """Run the app's ASGI lifespan as a server does: startup now, shutdown on exit."""
    to_app: asyncio.Queue = asyncio.Queue()
    from_app: asyncio.Queue = asyncio.Queue()
    task = asyncio.create_task(app({"type": "lifespan"}, to_app.get, from_app.put))
    await to_app.put({"type": "lifespan.startup"})
    assert (await from_app.get())["type"] == "lifespan.startup.complete"
    try:
        yield
    finally:
        await to_app.put({"type": "lifespan.shutdown"})
        assert (await from_app.get())["type"] == "lifespan.shutdown.complete"
        await task


# The real program -----------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    """The platform as a tiny HTTP server in a thread: records every callback.

    Answers the statuses in `answers` first, then `status`.
    """

    def __init__(self, answers: list[int] | None = None, status: int = 200) -> None:
        self.answers = list(answers or [])
        self.status = status
        self.received: list[dict[str, Any]] = []
        self._condition = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/payments/bank/callback"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._condition:
                    status = receiver.answers.pop(0) if receiver.answers else receiver.status
                    receiver.received.append(
                        {
                            "at": time.monotonic(),
                            "headers": dict(self.headers.items()),
                            "body": body,
                            "event": json.loads(body),
                            "answered": status,
                        }
                    )
                    receiver._condition.notify_all()
                answer = b'{"status": "ok"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def wait_for(
        self, condition: Callable[[list[dict[str, Any]]], bool], timeout: float = 15.0
    ) -> list[dict[str, Any]]:
        """Wait until the received callbacks satisfy `condition`; returns them."""
        with self._condition:
            if not self._condition.wait_for(lambda: condition(self.received), timeout):
                raise AssertionError(f"timed out; received {[r['event'] for r in self.received]}")
            return list(self.received)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
