"""The bank adapter: the platform's side of docs/bank-protocol.md over HTTP."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings

from onestop.payments.domain.signing import sign


class BankUnavailableError(Exception):
    """The bank could not be reached or answered with a server error: try again later."""


class BankRefusedError(Exception):
    """The bank refused the request for good (HTTP 4xx); the message says why."""


def _client() -> httpx.Client:
    return httpx.Client(base_url=settings.ONESTOP_BANK_API_URL, timeout=10.0)


def _answer(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 500:
        raise BankUnavailableError(f"bank answered {response.status_code}")
    if response.status_code >= 400:
        try:
            detail = response.json().get("error", response.text)
        except ValueError:
            detail = response.text
        raise BankRefusedError(f"{response.status_code}: {detail}"[:300])
    return response.json()


def submit_payment_order(order: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/payment-orders, signed. Returns the bank's answer (bank_reference, status)."""
    body = json.dumps(order, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", **sign(settings.ONESTOP_BANK_API_SECRET, body)}
    try:
        with _client() as client:
            response = client.post("/v1/payment-orders", content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise BankUnavailableError(str(exc)) from exc
    return _answer(response)


def statements(date_from: datetime, date_to: datetime) -> list[dict[str, Any]]:
    """GET /v1/statements for a period, signed over the path and query."""
    path = "/v1/statements?" + urlencode({"from": date_from.isoformat(), "to": date_to.isoformat()})
    headers = sign(settings.ONESTOP_BANK_API_SECRET, path.encode())
    try:
        with _client() as client:
            response = client.get(path, headers=headers)
    except httpx.HTTPError as exc:
        raise BankUnavailableError(str(exc)) from exc
    return _answer(response).get("transactions", [])
