"""The bank sandbox as an ASGI application: the bank side of docs/bank-protocol.md.

Requests are answered only after their writes are committed to SQLite. A background task,
started by the ASGI lifespan, settles accepted orders when they fall due and delivers pending
callbacks with exponential backoff until the platform answers 2xx. Everything it needs is in the
database, so a restarted sandbox carries on where the previous one stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import httpx

from onestop.banksim import rules
from onestop.banksim.page import render_page
from onestop.banksim.store import NewCallback, Store
from onestop.banksim.web import (
    BodyTooLargeError,
    Request,
    Response,
    Router,
    error_response,
    html_response,
    json_response,
    read_request,
    redirect,
    send_response,
)
from onestop.payments.domain.signing import SignatureError, sign, verify

logger = logging.getLogger("onestop.banksim")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

POLL_SECONDS = 0.2
CALLBACK_TIMEOUT = 10.0


def create_app(
    *,
    database: str,
    api_secret: str,
    webhook_secret: str,
    callback_url: str,
    settle_seconds: float = 1.0,
    clock: Callable[[], float] = time.time,
    callback_transport: httpx.AsyncBaseTransport | None = None,
) -> BankSandbox:
    """Build the sandbox on its SQLite file (created when missing).

    `callback_url` receives QR payment callbacks, and order callbacks of orders that name none.
    `clock` and `callback_transport` let tests control time and the platform's answers.
    """
    if not api_secret or not webhook_secret:
        raise ValueError("The bank sandbox needs both the API secret and the webhook secret.")
    if settle_seconds < 0:
        raise ValueError(f"settle_seconds cannot be negative: {settle_seconds}.")
    return BankSandbox(
        store=Store(database),
        api_secret=api_secret,
        webhook_secret=webhook_secret,
        callback_url=callback_url,
        settle_seconds=settle_seconds,
        clock=clock,
        callback_transport=callback_transport,
    )


class BankSandbox:
    """The ASGI application. Use `create_app` to build one."""

    def __init__(
        self,
        *,
        store: Store,
        api_secret: str,
        webhook_secret: str,
        callback_url: str,
        settle_seconds: float,
        clock: Callable[[], float],
        callback_transport: httpx.AsyncBaseTransport | None,
    ) -> None:
        self.store = store
        self.callback_url = callback_url
        self.settle_seconds = settle_seconds
        self._api_secret = api_secret
        self._webhook_secret = webhook_secret
        self._clock = clock
        self._transport = callback_transport
        self._client: httpx.AsyncClient | None = None
        self._worker: asyncio.Task | None = None
        self._deliveries: dict[int, asyncio.Task] = {}
        self._wake: asyncio.Event | None = None
        self._router = Router()
        self._router.add("GET", "/", self._page)
        self._router.add("GET", "/health", self._health)
        self._router.add("POST", "/v1/payment-orders", self._payment_order)
        self._router.add("GET", "/v1/statements", self._statements)
        self._router.add("POST", "/v1/qr-payments", self._qr_payment)

    # ASGI -----------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.start()
                except Exception as error:  # reported to the server, which stops
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            request = await read_request(scope, receive)
        except BodyTooLargeError:
            await send_response(send, error_response(413, "The request body is too large."))
            return
        try:
            response = await self._router.dispatch(request)
        except Exception:
            logger.exception("%s %s failed", request.method, request.path)
            response = error_response(500, "The sandbox failed; see its log.")
        await send_response(send, response)

    # Background work ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start settling orders and delivering callbacks in the background."""
        if self._worker is None:
            self._wake = asyncio.Event()
            self._worker = asyncio.create_task(self._work(), name="banksim-worker")

    async def stop(self) -> None:
        """Stop the background work; undelivered callbacks stay pending in the database."""
        tasks = [t for t in (self._worker, *self._deliveries.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._worker = None
        self._deliveries.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def tick(self) -> None:
        """Do the due work once and wait for it: settle due orders, attempt due callbacks."""
        self._settle_due()
        rows = [
            row
            for row in self.store.due_callbacks(self._clock())
            if row["id"] not in self._deliveries
        ]
        await asyncio.gather(*(self._deliver(row) for row in rows))

    async def _work(self) -> None:
        assert self._wake is not None
        while True:
            try:
                self._settle_due()
                self._dispatch_due_callbacks()
            except Exception:
                logger.exception("the background work failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            self._wake.clear()

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _settle_due(self) -> None:
        for order in self.store.due_orders(self._clock()):
            now = self._clock()
            reason = rules.failure_reason(order)
            occurred_at = rules.iso(now)
            event = rules.order_event(order, reason=reason, occurred_at=occurred_at)
            settled = self.store.settle_order(
                order["bank_reference"],
                status="failed" if reason else "settled",
                reason=reason,
                settled_at=occurred_at,
                settled_epoch=now,
                callback=self._callback(event, order["callback_url"], now),
            )
            if settled:
                logger.info("%s %s", event["type"], order["bank_reference"])

    def _dispatch_due_callbacks(self) -> None:
        for row in self.store.due_callbacks(self._clock()):
            if row["id"] not in self._deliveries:
                task = asyncio.create_task(self._deliver(row), name=f"callback-{row['id']}")
                self._deliveries[row["id"]] = task
                task.add_done_callback(lambda _, key=row["id"]: self._deliveries.pop(key, None))

    def _callback(self, event: dict[str, str], url: str, now: float) -> NewCallback:
        return NewCallback(
            event_id=event["event_id"],
            type=event["type"],
            bank_reference=event["bank_reference"],
            url=url,
            body=json.dumps(event, ensure_ascii=False).encode("utf-8"),
            created_at=rules.iso(now),
            next_attempt=now,
        )

    async def _deliver(self, row: Any) -> None:
        """One delivery attempt of a callback, signed afresh, and its record."""
        body = bytes(row["body"])
        signature = sign(self._webhook_secret, body, timestamp=int(self._clock()))
        headers = {"Content-Type": "application/json", **signature}
        status_code: int | None = None
        error = ""
        try:
            response = await self._http_client().post(row["url"], content=body, headers=headers)
            status_code = response.status_code
        except Exception as failure:  # any failure is a failed attempt, recorded and retried
            error = type(failure).__name__ + (f": {failure}" if str(failure) else "")
        delivered = status_code is not None and 200 <= status_code < 300
        now = self._clock()
        attempts = row["attempts"] + 1
        self.store.record_attempt(
            row["id"],
            attempted_at=rules.iso(now),
            status_code=status_code,
            error=error,
            delivered=delivered,
            next_attempt=now if delivered else now + rules.retry_delay(attempts),
        )
        logger.info(
            "callback %s to %s: %s", row["event_id"], row["url"], status_code or error or "?"
        )

    def _http_client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=CALLBACK_TIMEOUT, transport=self._transport)
        return self._client

    # Endpoints ------------------------------------------------------------------------------

    def _signature_refusal(self, request: Request, signed: bytes) -> Response | None:
        try:
            verify(self._api_secret, signed, request.headers, now=int(self._clock()))
        except SignatureError as error:
            return error_response(401, str(error))
        return None

    async def _payment_order(self, request: Request) -> Response:
        refusal = self._signature_refusal(request, request.body)
        if refusal is not None:
            return refusal
        try:
            order = rules.payment_order_from(
                _json(request.body), default_callback_url=self.callback_url
            )
        except rules.InvalidRequestError as error:
            return error_response(422, str(error), error.field)
        now = self._clock()
        row, created = self.store.add_order(
            {
                "bank_reference": rules.new_bank_reference(),
                "type": "payment_order",
                "status": "accepted",
                **{name: getattr(order, name) for name in _ORDER_COLUMNS},
                "request": request.body.decode("utf-8", "replace"),
                "created_at": rules.iso(now),
                "settle_due": now + self.settle_seconds,
            }
        )
        if created:
            self._poke()
        return json_response(
            202 if created else 200,
            {"bank_reference": row["bank_reference"], "status": row["status"]},
        )

    async def _statements(self, request: Request) -> Response:
        refusal = self._signature_refusal(request, request.target)
        if refusal is not None:
            return refusal
        query = request.query()
        try:
            start = rules.parse_moment(query.get("from"), "from")
            end = rules.parse_moment(query.get("to"), "to")
        except rules.InvalidRequestError as error:
            return error_response(422, str(error), error.field)
        rows = self.store.statement(start, end)
        return json_response(200, {"transactions": [rules.statement_entry(row) for row in rows]})

    async def _qr_payment(self, request: Request) -> Response:
        from_form = request.is_form()
        data = request.form() if from_form else None
        try:
            payment = rules.qr_payment_from(data if from_form else _json(request.body))
        except rules.InvalidRequestError as error:
            if from_form:
                return html_response(422, self._render(form=data, error=str(error)))
            return error_response(422, str(error), error.field)
        bank_reference = rules.new_bank_reference()
        self._record_qr_payment(bank_reference, payment, request.body)
        self._poke()
        if from_form:
            notice = f"Paid {payment.amount} THB to biller {payment.biller_id}: {bank_reference}."
            return redirect("/?notice=" + quote(notice))
        return json_response(202, {"bank_reference": bank_reference, "status": "settled"})

    def _record_qr_payment(self, bank_reference: str, payment: rules.QrPayment, raw: bytes) -> None:
        now = self._clock()
        occurred_at = rules.iso(now)
        event = rules.qr_event(bank_reference, payment, occurred_at=occurred_at)
        self.store.add_settled_payment(
            {
                "bank_reference": bank_reference,
                "type": "qr_payment",
                "status": "settled",
                "amount": payment.amount,
                "biller_id": payment.biller_id,
                "ref1": payment.ref1,
                "ref2": payment.ref2,
                "payer_name": payment.payer_name,
                "callback_url": self.callback_url,
                "request": raw.decode("utf-8", "replace"),
                "created_at": occurred_at,
                "settled_at": occurred_at,
                "settled_epoch": now,
            },
            self._callback(event, self.callback_url, now),
        )

    async def _page(self, request: Request) -> Response:
        return html_response(200, self._render(notice=request.query().get("notice", "")))

    def _render(
        self, *, form: dict[str, str] | None = None, error: str = "", notice: str = ""
    ) -> str:
        callbacks = self.store.recent_callbacks()
        return render_page(
            transactions=self.store.recent_transactions(),
            callbacks=callbacks,
            attempts=self.store.attempts_of([row["id"] for row in callbacks]),
            callback_url=self.callback_url,
            form=form,
            error=error,
            notice=notice,
        )

    async def _health(self, request: Request) -> Response:
        return json_response(
            200, {"status": "ok", "pending_callbacks": self.store.pending_callback_count()}
        )


_ORDER_COLUMNS = (
    "idempotency_key",
    "reference",
    "amount",
    "payee_name",
    "payee_method",
    "promptpay_id",
    "bank_code",
    "account_number",
    "callback_url",
)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise rules.InvalidRequestError("The body must be JSON (UTF-8).", "body") from None
