"""The bank sandbox in-process: httpx over ASGI, a fake clock, the platform as a mock transport."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from decimal import Decimal
from urllib.parse import urlencode

import httpx
import pytest

from onestop.banksim import create_app
from onestop.payments.domain.promptpay import bill_payment_payload, promptpay_payload
from onestop.payments.domain.signing import verify
from tests.banksim.support import (
    API_SECRET,
    CALLBACK_URL,
    START,
    WEBHOOK_SECRET,
    FakeClock,
    Platform,
    encode,
    lifespan,
    order,
    sandbox,
    signed_headers,
)

BILL_QR = bill_payment_payload(
    biller_id="099400016550101", ref1="B2570000042", ref2="INV778", amount=Decimal("500.00")
)


async def _post_order(client: httpx.AsyncClient, data, clock: FakeClock, **options):
    body = data if isinstance(data, bytes) else encode(data)
    headers = signed_headers(body, timestamp=options.pop("timestamp", clock.now), **options)
    return await client.post("/v1/payment-orders", content=body, headers=headers)


async def _statement(client: httpx.AsyncClient, clock: FakeClock, **period: str):
    path = "/v1/statements" + ("?" + urlencode(period) if period else "")
    return await client.get(path, headers=signed_headers(path.encode(), timestamp=clock.now))


def _nothing_recorded(app) -> bool:
    return app.store.recent_transactions() == [] and app.store.recent_callbacks() == []


# Payment orders ------------------------------------------------------------------------------


def test_an_order_is_accepted_once_and_settles_with_a_signed_callback(tmp_path):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            app,
            client,
        ):
            # when
            first = await _post_order(client, order(), clock)
            again = await _post_order(client, order(), clock)
            await app.tick()
            received_before_due = len(platform.received)
            clock.advance(1.0)
            await app.tick()
            after = await _post_order(client, order(), clock)
            await app.tick()

            # then
            reference = first.json()["bank_reference"]
            assert (first.status_code, first.json()["status"]) == (202, "accepted")
            assert reference.startswith("BSIM-")
            assert (again.status_code, again.json()) == (
                200,
                {"bank_reference": reference, "status": "accepted"},
            )
            assert (after.status_code, after.json()["status"]) == (200, "settled")
            assert received_before_due == 0
            assert len(platform.received) == 1
            callback = platform.received[0]
            assert str(callback.url) == CALLBACK_URL
            verify(WEBHOOK_SECRET, callback.content, callback.headers, now=int(clock.now))
            event = platform.events[0]
            assert event["event_id"].startswith("evt_")
            assert event == {
                "event_id": event["event_id"],
                "type": "payment_order.settled",
                "bank_reference": reference,
                "idempotency_key": "invoice:42",
                "amount": "12840.00",
                "occurred_at": "2026-11-25T14:05:01+07:00",
            }

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("payee", "reason"),
    [
        (
            {"name": "Closed Co.", "method": "bank_account", "bank_code": "014"}
            | {"account_number": "0000000000"},
            "account closed",
        ),
        (
            {"name": "Nobody", "method": "promptpay", "promptpay_id": "0812340000"},
            "PromptPay ID not registered",
        ),
    ],
)
def test_the_failure_rules_fail_an_order(tmp_path, payee, reason):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            app,
            client,
        ):
            accepted = await _post_order(client, order(payee=payee), clock)
            clock.advance(1.0)
            await app.tick()
            statement = await _statement(client, clock)

            assert accepted.status_code == 202
            assert [(e["type"], e["reason"]) for e in platform.events] == [
                ("payment_order.failed", reason)
            ]
            assert [(t["status"], t["reason"]) for t in statement.json()["transactions"]] == [
                ("failed", reason)
            ]

    asyncio.run(scenario())


def test_an_order_to_a_bank_account_settles(tmp_path):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        payee = {"name": "ร้าน ก", "method": "bank_account", "bank_code": "014"}
        payee["account_number"] = "1234567890"
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            app,
            client,
        ):
            await _post_order(
                client, order(payee=payee, callback_url="http://other.test/cb"), clock
            )
            clock.advance(1.0)
            await app.tick()

            assert [str(r.url) for r in platform.received] == ["http://other.test/cb"]
            assert platform.events[0]["type"] == "payment_order.settled"

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"secret": "not-the-api-secret"}, "bad signature"),
        ({"secret": WEBHOOK_SECRET}, "bad signature"),
        ({"timestamp": START - 301}, "timestamp too old"),
        ({"timestamp": START + 301}, "timestamp in the future"),
    ],
)
def test_orders_with_a_bad_signature_are_refused(tmp_path, options, reason):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            app,
            client,
        ):
            response = await _post_order(client, order(), clock, **options)

            assert (response.status_code, response.json()) == (401, {"error": reason})
            assert _nothing_recorded(app)

    asyncio.run(scenario())


def test_unsigned_and_tampered_orders_are_refused(tmp_path):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            app,
            client,
        ):
            body = encode(order())
            unsigned = await client.post("/v1/payment-orders", content=body)
            headers = signed_headers(body, timestamp=clock.now)
            tampered = await client.post(
                "/v1/payment-orders",
                content=body.replace(b"12840.00", b"99999.00"),
                headers=headers,
            )

            assert (unsigned.status_code, unsigned.json()) == (401, {"error": "missing timestamp"})
            assert (tampered.status_code, tampered.json()) == (401, {"error": "bad signature"})
            assert _nothing_recorded(app)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"not json", "body"),
        (b"\xff\xfe", "body"),
        ([order()], "body"),
        (order(idempotency_key=""), "idempotency_key"),
        (order(idempotency_key=42), "idempotency_key"),
        (order(reference=None), "reference"),
        (order(amount="100"), "amount"),
        (order(amount=12840.0), "amount"),
        (order(amount="0.00"), "amount"),
        (order(amount="-1.00"), "amount"),
        (order(amount="1,000.00"), "amount"),
        (order(currency="USD"), "currency"),
        (order(payer="CGD"), "payer"),
        (order(description=7), "description"),
        (order(payee=None), "payee"),
        (order(payee={"name": "", "method": "promptpay"}), "payee.name"),
        (order(payee={"name": "A", "method": "cash"}), "payee.method"),
        (order(payee={"name": "A", "method": "promptpay"}), "payee.promptpay_id"),
        (
            order(payee={"name": "A", "method": "promptpay", "promptpay_id": "12345"}),
            "payee.promptpay_id",
        ),
        (
            order(payee={"name": "A", "method": "bank_account", "bank_code": "14"}),
            "payee.bank_code",
        ),
        (
            order(
                payee={
                    "name": "A",
                    "method": "bank_account",
                    "bank_code": "014",
                    "account_number": "12ab",
                }
            ),
            "payee.account_number",
        ),
        (order(callback_url="ftp://platform.test/cb"), "callback_url"),
        (order(callback_url="platform.test/cb"), "callback_url"),
    ],
)
def test_malformed_orders_answer_422_naming_the_field(tmp_path, data, field):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            app,
            client,
        ):
            response = await _post_order(client, data, clock)

            assert response.status_code == 422
            assert response.json()["field"] == field
            assert response.json()["error"]
            assert _nothing_recorded(app)

    asyncio.run(scenario())


# Callback delivery ---------------------------------------------------------------------------


def test_callbacks_are_retried_with_backoff_until_acknowledged(tmp_path):
    async def scenario():
        clock, platform = FakeClock(), Platform([500] * 8 + [404, 200])
        async with sandbox(
            tmp_path / "bank.sqlite3", platform=platform, clock=clock, settle_seconds=0
        ) as (app, client):
            await _post_order(client, order(), clock)
            delays = []
            for _ in range(10):
                await app.tick()
                callback = app.store.recent_callbacks()[0]
                if callback["state"] == "delivered":
                    break
                delay = callback["next_attempt"] - clock.now
                delays.append(delay)
                clock.advance(delay - 0.01)
                await app.tick()  # not due yet: no attempt
                clock.advance(0.01)

            # then
            assert delays == [1, 2, 4, 8, 16, 32, 60, 60, 60]
            assert len(platform.received) == 10
            assert len({request.content for request in platform.received}) == 1
            callback = app.store.recent_callbacks()[0]
            assert (callback["state"], callback["attempts"]) == ("delivered", 10)
            attempts = app.store.attempts_of([callback["id"]])[callback["id"]]
            assert [a["status_code"] for a in attempts] == [500] * 8 + [404, 200]
            assert app.store.pending_callback_count() == 0
            page = (await client.get("/")).text
            assert "4 earlier attempts not shown." in page
            assert page.count(": 500</li>") == 4
            assert ": 404</li>" in page

    asyncio.run(scenario())


def test_a_callback_that_cannot_connect_is_recorded_and_retried(tmp_path):
    async def scenario():
        clock = FakeClock()
        platform = Platform([httpx.ConnectError("connection refused")])
        async with sandbox(
            tmp_path / "bank.sqlite3", platform=platform, clock=clock, settle_seconds=0
        ) as (app, client):
            await _post_order(client, order(), clock)
            await app.tick()
            failed = app.store.recent_callbacks()[0]
            clock.advance(1)
            await app.tick()

            attempts = app.store.attempts_of([failed["id"]])[failed["id"]]
            assert [(a["status_code"], a["error"]) for a in attempts] == [
                (None, "ConnectError: connection refused"),
                (200, ""),
            ]
            assert failed["next_attempt"] == START + 1

    asyncio.run(scenario())


def test_pending_work_resumes_after_a_restart(tmp_path):
    async def scenario():
        database = tmp_path / "bank.sqlite3"
        clock, down = FakeClock(), Platform([503])
        # given: one order settled whose callback failed, one accepted and not yet due
        async with sandbox(database, platform=down, clock=clock, settle_seconds=5) as (
            app,
            client,
        ):
            await _post_order(client, order(idempotency_key="invoice:1"), clock)
            clock.advance(5)
            await app.tick()
            await _post_order(client, order(idempotency_key="invoice:2"), clock)
        # when: a new sandbox on the same file
        up = Platform()
        async with sandbox(database, platform=up, clock=clock, settle_seconds=5) as (app, _):
            clock.advance(5)
            await app.tick()
            await app.tick()

        # then
        assert [e["idempotency_key"] for e in down.events] == ["invoice:1"]
        assert sorted(e["idempotency_key"] for e in up.events) == ["invoice:1", "invoice:2"]
        first_again = next(e for e in up.events if e["idempotency_key"] == "invoice:1")
        assert first_again == down.events[0]

    asyncio.run(scenario())


def test_the_lifespan_runs_settlement_and_delivery_in_the_background(tmp_path):
    async def scenario():
        platform = Platform()
        app = create_app(
            database=str(tmp_path / "bank.sqlite3"),
            api_secret=API_SECRET,
            webhook_secret=WEBHOOK_SECRET,
            callback_url=CALLBACK_URL,
            settle_seconds=0.05,
            callback_transport=httpx.MockTransport(platform.handle),
        )
        transport = httpx.ASGITransport(app=app)
        async with (
            lifespan(app),
            httpx.AsyncClient(transport=transport, base_url="http://bank.test") as client,
        ):
            body = encode(order())
            accepted = await client.post(
                "/v1/payment-orders", content=body, headers=signed_headers(body)
            )
            deadline = time.monotonic() + 10
            while not platform.received and time.monotonic() < deadline:
                await asyncio.sleep(0.05)

        assert accepted.status_code == 202
        assert [e["type"] for e in platform.events] == ["payment_order.settled"]
        assert app._worker is None
        app.store.close()

    asyncio.run(scenario())


# QR payments ---------------------------------------------------------------------------------


def test_a_qr_payment_is_recorded_and_reported(tmp_path):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            app,
            client,
        ):
            paid = await client.post(
                "/v1/qr-payments",
                json={"payload": BILL_QR, "payer_name": "สมชาย ใจดี", "amount": "1.00"},
            )
            await app.tick()
            statement = await _statement(client, clock)

            reference = paid.json()["bank_reference"]
            assert (paid.status_code, paid.json()["status"]) == (202, "settled")
            event = platform.events[0]
            assert event == {
                "event_id": event["event_id"],
                "type": "qr_payment.received",
                "bank_reference": reference,
                "amount": "500.00",
                "biller_id": "099400016550101",
                "ref1": "B2570000042",
                "ref2": "INV778",
                "payer_name": "สมชาย ใจดี",
                "occurred_at": "2026-11-25T14:05:00+07:00",
            }
            callback = platform.received[0]
            verify(WEBHOOK_SECRET, callback.content, callback.headers, now=int(clock.now))
            assert statement.json() == {
                "transactions": [
                    {
                        "bank_reference": reference,
                        "type": "qr_payment",
                        "status": "settled",
                        "amount": "500.00",
                        "biller_id": "099400016550101",
                        "ref1": "B2570000042",
                        "ref2": "INV778",
                        "settled_at": "2026-11-25T14:05:00+07:00",
                    }
                ]
            }

    asyncio.run(scenario())


def test_a_qr_without_an_amount_is_paid_the_amount_given(tmp_path):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        payload = bill_payment_payload(biller_id="099400016550101", ref1="B1")
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            app,
            client,
        ):
            paid = await client.post("/v1/qr-payments", json={"payload": payload, "amount": "75"})
            await app.tick()

            assert paid.status_code == 202
            assert [(e["amount"], e["payer_name"], e["ref2"]) for e in platform.events] == [
                ("75.00", "Sandbox customer", "")
            ]

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"payload": BILL_QR[:-4] + "0000"}, "payload", "CRC does not match"),
        ({"payload": BILL_QR[:-10] + BILL_QR[-8:]}, "payload", "CRC"),
        ({"payload": ""}, "payload", "payload is required"),
        ({"payload": promptpay_payload(target="0812345678")}, "payload", "bill payment QR"),
        (
            {"payload": bill_payment_payload(biller_id="099400016550101", ref1="B1")},
            "amount",
            "This QR has no amount",
        ),
        (
            {"payload": bill_payment_payload(biller_id="099400016550101", ref1="B1")}
            | {"amount": "1.234"},
            "amount",
            "two decimals",
        ),
        ({"payload": BILL_QR, "payer_name": ["x"]}, "payer_name", "payer_name must be text"),
        (["not", "an", "object"], "body", "JSON object"),
    ],
)
def test_bad_qr_payments_answer_422(tmp_path, body, field, message):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            app,
            client,
        ):
            response = await client.post("/v1/qr-payments", json=body)

            assert response.status_code == 422
            assert response.json()["field"] == field
            assert message in response.json()["error"]
            assert _nothing_recorded(app)

    asyncio.run(scenario())


def test_the_page_pays_a_pasted_qr_and_lists_what_happened(tmp_path):
    async def scenario():
        clock, platform = FakeClock(), Platform([500])
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            app,
            client,
        ):
            # when: a person pastes the QR on the page (with spaces around it) and pays
            paid = await client.post(
                "/v1/qr-payments", data={"payload": f"  {BILL_QR}\n", "payer_name": "Somchai"}
            )
            await app.tick()
            page = await client.get(paid.headers["location"])

            # then
            assert paid.status_code == 303
            assert paid.headers["location"].startswith("/?notice=")
            assert "Paid 500.00 THB to biller 099400016550101: BSIM-" in page.text
            assert "Somchai paid biller 099400016550101 (B2570000042 / INV778)" in page.text
            assert "qr_payment.received" in page.text
            assert ": 500</li>" in page.text
            assert "pending" in page.text

    asyncio.run(scenario())


def test_the_page_shows_a_refused_payment_next_to_the_form(tmp_path):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            app,
            client,
        ):
            refused = await client.post(
                "/v1/qr-payments", data={"payload": "<b>" + BILL_QR[:-4] + "0000"}
            )

            assert refused.status_code == 422
            assert refused.headers["content-type"] == "text/html; charset=utf-8"
            assert 'role="alert"' in refused.text
            assert "&lt;b&gt;000201" in refused.text
            assert "<b>000201" not in refused.text
            assert _nothing_recorded(app)

    asyncio.run(scenario())


def test_the_page_escapes_what_it_prints(tmp_path):
    async def scenario():
        clock, platform = FakeClock(), Platform([httpx.ConnectError("<img src=x onerror=1>")])
        hostile = order(
            reference='PAY"><script>alert(1)</script>',
            payee={"name": "<script>alert(2)</script>", "method": "promptpay"}
            | {"promptpay_id": "0812345678"},
        )
        async with sandbox(
            tmp_path / "bank.sqlite3", platform=platform, clock=clock, settle_seconds=0
        ) as (app, client):
            await _post_order(client, hostile, clock)
            await app.tick()
            page = await client.get("/?notice=<i>hello</i>")

            assert "<script>" not in page.text
            assert "<img" not in page.text
            assert "<i>" not in page.text
            assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page.text
            assert "PAY&quot;&gt;&lt;script&gt;" in page.text
            assert "ConnectError: &lt;img src=x onerror=1&gt;" in page.text

    asyncio.run(scenario())


# Statements and the rest ---------------------------------------------------------------------


def test_statements_list_what_settled_in_the_period(tmp_path):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            app,
            client,
        ):
            await client.post("/v1/qr-payments", json={"payload": BILL_QR})  # at 14:05:00
            await _post_order(client, order(), clock)
            clock.advance(3600)
            await app.tick()  # the order settles at 15:05:00

            whole = await _statement(client, clock)
            first_hour = await _statement(
                client,
                clock,
                **{"from": "2026-11-25T14:00:00+07:00", "to": "2026-11-25T15:00:00+07:00"},
            )
            since_utc = await _statement(client, clock, **{"from": "2026-11-25T08:00:00+00:00"})

            assert [t["type"] for t in whole.json()["transactions"]] == [
                "qr_payment",
                "payment_order",
            ]
            assert [t["type"] for t in first_hour.json()["transactions"]] == ["qr_payment"]
            assert [t["type"] for t in since_utc.json()["transactions"]] == ["payment_order"]
            assert whole.json()["transactions"][1] == {
                "bank_reference": whole.json()["transactions"][1]["bank_reference"],
                "type": "payment_order",
                "status": "settled",
                "amount": "12840.00",
                "idempotency_key": "invoice:42",
                "reference": "PAY-2570-000042",
                "settled_at": "2026-11-25T15:05:00+07:00",
            }

    asyncio.run(scenario())


def test_statements_accept_an_unencoded_plus_in_the_time_zone(tmp_path):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            _,
            client,
        ):
            await client.post("/v1/qr-payments", json={"payload": BILL_QR})
            path = "/v1/statements?from=2026-11-25T14:00:00+07:00"
            response = await client.get(
                path, headers=signed_headers(path.encode(), timestamp=clock.now)
            )

            assert len(response.json()["transactions"]) == 1

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-11-25T14:00:00"}, "from"),
        ({"to": "2026-13-01T00:00:00+07:00"}, "to"),
    ],
)
def test_statements_refuse_bad_periods(tmp_path, period, field):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            _,
            client,
        ):
            response = await _statement(client, clock, **period)

            assert (response.status_code, response.json()["field"]) == (422, field)

    asyncio.run(scenario())


def test_statements_are_signed_over_the_path_and_query(tmp_path):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            _,
            client,
        ):
            path = "/v1/statements?" + urlencode({"from": "2026-11-25T14:00:00+07:00"})
            path_only = signed_headers(b"/v1/statements", timestamp=clock.now)
            wrong = await client.get(path, headers=path_only)
            unsigned = await client.get(path)
            replayed = await client.get(
                path, headers=signed_headers(path.encode(), timestamp=clock.now - 301)
            )

            assert (wrong.status_code, wrong.json()) == (401, {"error": "bad signature"})
            assert (unsigned.status_code, unsigned.json()) == (401, {"error": "missing timestamp"})
            assert (replayed.status_code, replayed.json()) == (401, {"error": "timestamp too old"})

    asyncio.run(scenario())


def test_health_unknown_paths_wrong_methods_and_large_bodies(tmp_path):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        async with sandbox(tmp_path / "bank.sqlite3", platform=platform, clock=clock) as (
            _,
            client,
        ):
            await client.post("/v1/qr-payments", json={"payload": BILL_QR})
            health = await client.get("/health")
            missing = await client.get("/v2/anything")
            wrong_method = await client.get("/v1/payment-orders")
            large = await client.post("/v1/qr-payments", content=b"x" * 1_000_001)

            assert (health.status_code, health.json()) == (
                200,
                {"status": "ok", "pending_callbacks": 1},
            )
            assert missing.status_code == 404
            assert (wrong_method.status_code, wrong_method.headers["allow"]) == (405, "POST")
            assert large.status_code == 413

    asyncio.run(scenario())


def test_the_sandbox_needs_its_secrets(tmp_path):
    with pytest.raises(ValueError, match="needs both"):
        create_app(
            database=str(tmp_path / "bank.sqlite3"),
            api_secret="",
            webhook_secret=WEBHOOK_SECRET,
            callback_url=CALLBACK_URL,
        )


def test_an_accepted_order_is_in_the_database_before_the_answer(tmp_path):
    async def scenario():
        clock, platform = FakeClock(), Platform()
        database = tmp_path / "bank.sqlite3"
        async with sandbox(database, platform=platform, clock=clock) as (_, client):
            accepted = await _post_order(client, order(), clock)

            with sqlite3.connect(database) as other_connection:
                stored = other_connection.execute(
                    "SELECT bank_reference, status, request FROM transactions"
                ).fetchall()

            assert [(r, s, json.loads(q)["reference"]) for r, s, q in stored] == [
                (accepted.json()["bank_reference"], "accepted", "PAY-2570-000042")
            ]

    asyncio.run(scenario())
