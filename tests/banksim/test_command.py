"""`onestop banksim`: the sandbox started with the platform's settings."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from decimal import Decimal

import httpx
import pytest

from onestop.payments.domain.promptpay import bill_payment_payload
from onestop.payments.domain.signing import verify
from tests.banksim.support import Receiver, free_port

pytestmark = pytest.mark.slow

API_SECRET = "command-test-api-secret"
WEBHOOK_SECRET = "command-test-webhook-secret"


def _environment(**values: str) -> dict[str, str]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "onestop.config.settings_test"}
    environment.update(values)
    return environment


def test_help_tells_a_newcomer_what_the_sandbox_is():
    result = subprocess.run(
        [sys.executable, "-m", "onestop", "banksim", "--help"],
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    for phrase in (
        "Run the bank sandbox",
        "docs/bank-protocol.md",
        "--settle-seconds",
        "--callback-url",
        "BANK_WEBHOOK_SECRET",
        "0000000000",
        "Examples:",
    ):
        assert phrase in result.stdout


def test_missing_secrets_are_named():
    environment = _environment(
        DJANGO_SETTINGS_MODULE="onestop.config.settings",
        DEBUG="0",
        SECRET_KEY="command-test-secret-key-that-is-long-enough-0123456789",
    )
    environment.pop("BANK_API_SECRET", None)
    environment.pop("BANK_WEBHOOK_SECRET", None)

    result = subprocess.run(
        [sys.executable, "-m", "onestop", "banksim"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "BANK_API_SECRET and BANK_WEBHOOK_SECRET must be set" in result.stderr


def test_the_command_runs_the_sandbox_with_the_settings(tmp_path):
    # given: settings pointing the bank at a free port and the platform at a local receiver
    receiver = Receiver()
    port = free_port()
    public_url = receiver.url.removesuffix("/api/payments/bank/callback")
    process = subprocess.Popen(
        [sys.executable, "-m", "onestop", "banksim", "--settle-seconds", "0.1"],
        env=_environment(
            BANK_API_URL=f"http://127.0.0.1:{port}",
            PUBLIC_URL=public_url,
            ONESTOP_VAR_DIR=str(tmp_path),
            BANK_API_SECRET=API_SECRET,
            BANK_WEBHOOK_SECRET=WEBHOOK_SECRET,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        _wait_for_health(client, process)
        qr = bill_payment_payload(biller_id="099400016550101", ref1="B1", amount=Decimal("10.00"))

        # when
        paid = client.post("/v1/qr-payments", json={"payload": qr})
        received = receiver.wait_for(lambda r: len(r) >= 1)

        # then: the callback went to PUBLIC_URL, signed with the webhook secret of the settings
        assert paid.status_code == 202
        verify(WEBHOOK_SECRET, received[0]["body"], received[0]["headers"])
        assert received[0]["event"]["ref1"] == "B1"
        assert (tmp_path / "banksim.sqlite3").exists()
        client.close()
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode()
        receiver.close()
    assert f"Bank sandbox at http://127.0.0.1:{port}/" in output


def _wait_for_health(client: httpx.Client, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.communicate()[0].decode())
        try:
            if client.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the sandbox did not answer /health")
