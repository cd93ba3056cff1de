"""The real program: `python -m onestop.banksim` in a subprocess, the platform as a local server."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from onestop.payments.domain.promptpay import bill_payment_payload
from onestop.payments.domain.signing import verify
from tests.banksim.support import (
    API_SECRET,
    WEBHOOK_SECRET,
    Receiver,
    encode,
    free_port,
    order,
    signed_headers,
)

pytestmark = pytest.mark.slow


class Sandbox:
    """One run of the sandbox program on a free port."""

    def __init__(self, database: Path, callback_url: str, settle_seconds: float, log: Path):
        self.port = free_port()
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "onestop.banksim",
                    "--port",
                    str(self.port),
                    "--database",
                    str(database),
                    "--callback-url",
                    callback_url,
                    "--settle-seconds",
                    str(settle_seconds),
                ],
                env={
                    **os.environ,
                    "BANK_API_SECRET": API_SECRET,
                    "BANK_WEBHOOK_SECRET": WEBHOOK_SECRET,
                },
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=10)
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the sandbox exited:\n{self.log.read_text()}")
            try:
                if self.client.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError(f"the sandbox did not start:\n{self.log.read_text()}")

    def post_order(self, data: dict[str, Any], **signing: Any) -> httpx.Response:
        body = encode(data)
        return self.client.post(
            "/v1/payment-orders", content=body, headers=signed_headers(body, **signing)
        )

    def statement(self, **period: str) -> list[dict[str, Any]]:
        path = "/v1/statements" + ("?" + urlencode(period) if period else "")
        response = self.client.get(path, headers=signed_headers(path.encode()))
        assert response.status_code == 200, response.text
        return response.json()["transactions"]

    def kill(self) -> None:
        """SIGKILL: no shutdown, no chance to flush anything."""
        self.process.kill()
        self.process.wait(timeout=10)
        self.client.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.client.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    platform = Receiver()
    yield platform
    platform.close()


@pytest.fixture
def start_sandbox(tmp_path, receiver):
    started: list[Sandbox] = []

    def start(settle_seconds: float = 0.2) -> Sandbox:
        sandbox = Sandbox(
            tmp_path / "bank.sqlite3", receiver.url, settle_seconds, tmp_path / "banksim.log"
        )
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


def _pending_callbacks_drain(bank: Sandbox, timeout: float = 10) -> bool:
    """Whether the sandbox records every callback as delivered within `timeout` seconds.

    The platform sees a callback before the sandbox records the answer, so this waits a little.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if bank.client.get("/health").json()["pending_callbacks"] == 0:
            return True
        time.sleep(0.05)
    return False


def _check_signatures(received: list[dict[str, Any]]) -> None:
    for callback in received:
        verify(WEBHOOK_SECRET, callback["body"], callback["headers"])


def test_the_program_accepts_settles_and_calls_back(receiver, start_sandbox):
    bank = start_sandbox()
    qr = bill_payment_payload(
        biller_id="099400016550101", ref1="B2570000042", ref2="INV778", amount=Decimal("250.50")
    )

    # when
    accepted = bank.post_order(order())
    repeated = bank.post_order(order())
    bad_signature = bank.post_order(order(idempotency_key="invoice:666"), secret="guess")
    replayed = bank.post_order(order(idempotency_key="invoice:667"), timestamp=time.time() - 600)
    failing = bank.post_order(
        order(
            idempotency_key="invoice:43",
            payee={"name": "Nobody", "method": "promptpay", "promptpay_id": "0812340000"},
        )
    )
    paid = bank.client.post("/v1/qr-payments", json={"payload": qr, "payer_name": "สมชาย ใจดี"})
    received = receiver.wait_for(lambda r: len(r) >= 3)

    # then
    reference = accepted.json()["bank_reference"]
    assert (accepted.status_code, accepted.json()["status"]) == (202, "accepted")
    assert (repeated.status_code, repeated.json()["bank_reference"]) == (200, reference)
    assert (bad_signature.status_code, bad_signature.json()) == (401, {"error": "bad signature"})
    assert (replayed.status_code, replayed.json()) == (401, {"error": "timestamp too old"})
    assert (failing.status_code, paid.status_code) == (202, 202)
    _check_signatures(received)
    events = {callback["event"]["type"]: callback["event"] for callback in received}
    assert set(events) == {"payment_order.settled", "payment_order.failed", "qr_payment.received"}
    assert events["payment_order.settled"]["bank_reference"] == reference
    assert events["payment_order.settled"]["idempotency_key"] == "invoice:42"
    assert events["payment_order.failed"]["reason"] == "PromptPay ID not registered"
    qr_event = events["qr_payment.received"]
    assert {
        key: qr_event[key] for key in ("biller_id", "ref1", "ref2", "amount", "payer_name")
    } == {
        "biller_id": "099400016550101",
        "ref1": "B2570000042",
        "ref2": "INV778",
        "amount": "250.50",
        "payer_name": "สมชาย ใจดี",
    }
    statement = bank.statement(**{"from": "2020-01-01T00:00:00+07:00"})
    assert sorted((t["type"], t.get("idempotency_key", ""), t["status"]) for t in statement) == [
        ("payment_order", "invoice:42", "settled"),
        ("payment_order", "invoice:43", "failed"),
        ("qr_payment", "", "settled"),
    ]


def test_the_program_retries_until_the_platform_acknowledges(receiver, start_sandbox):
    receiver.answers = [500, 500]
    bank = start_sandbox()

    bank.post_order(order())
    received = receiver.wait_for(lambda r: len(r) >= 3)
    drained = _pending_callbacks_drain(bank)
    page = bank.client.get("/")

    assert [callback["answered"] for callback in receiver.received] == [500, 500, 200]
    assert len({callback["body"] for callback in received}) == 1
    _check_signatures(received)
    first_gap = received[1]["at"] - received[0]["at"]
    second_gap = received[2]["at"] - received[1]["at"]
    assert first_gap >= 0.9
    assert second_gap >= 1.9
    assert page.text.count(": 500</li>") == 2
    assert ": 200</li>" in page.text
    assert drained


def test_a_killed_program_delivers_pending_callbacks_after_a_restart(
    tmp_path, receiver, start_sandbox
):
    # given: the platform is down; one order settled (its callback pending), one just accepted
    receiver.status = 503
    bank = start_sandbox(settle_seconds=1.0)
    bank.post_order(order(idempotency_key="invoice:1"))
    before = receiver.wait_for(lambda r: len(r) >= 1)
    accepted = bank.post_order(order(idempotency_key="invoice:2"))

    # when: the sandbox is killed, the platform comes back, the sandbox restarts
    bank.kill()
    with sqlite3.connect(tmp_path / "bank.sqlite3") as database:
        at_kill = dict(database.execute("SELECT idempotency_key, status FROM transactions"))
        pending_at_kill = database.execute(
            "SELECT count(*) FROM callbacks WHERE state = 'pending'"
        ).fetchone()[0]
    receiver.status = 200
    restarted = start_sandbox()
    after = receiver.wait_for(
        lambda r: (
            {c["event"]["idempotency_key"] for c in r if c["answered"] == 200}
            == {"invoice:1", "invoice:2"}
        )
    )

    # then
    assert accepted.status_code == 202
    assert at_kill == {"invoice:1": "settled", "invoice:2": "accepted"}
    assert pending_at_kill == 1
    delivered = {c["event"]["idempotency_key"]: c["event"] for c in after if c["answered"] == 200}
    assert delivered["invoice:1"] == before[0]["event"]
    assert delivered["invoice:2"]["bank_reference"] == accepted.json()["bank_reference"]
    _check_signatures(after)
    assert _pending_callbacks_drain(restarted)
