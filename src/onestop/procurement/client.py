"""A small Python client for suppliers who bid through the API (P-12).

The bid is sealed here, on the bidder's machine, to the tender's vault key: the platform only
ever receives the envelope, never the price. Authenticate with an API token from
`POST /api/auth/tokens` (sent as `Authorization: Bearer <token>`)::

    client = TenderClient("https://onestop.example.go.th", token)
    receipt = client.submit_bid("CGD-TD-2569-00001", supplier_id=7, price="1095500.50")
    assert client.verify_receipt(receipt)
    # a sealed-bid auction (P-18) the same way:
    receipt = client.submit_auction_bid("CGD-AU-2570-00002", supplier_id=7, price="447500.50")

Only `onestop.procurement.domain.vault` (pure Python, no Django) is used from the platform.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import httpx

from onestop.procurement.domain import vault

API = "/api/procurement/tenders"
AUCTIONS = "/api/procurement/auctions"


class TenderClientError(Exception):
    """The platform refused a request. Carries its bilingual error:
    `code`, `message` ({"th", "en"}), `field` and `errors`, and the HTTP `status`."""

    def __init__(self, status: int, body: Any) -> None:
        if not isinstance(body, dict):
            body = {}
        message = body.get("message")
        if not isinstance(message, dict):
            message = {"th": "", "en": str(message or "")}
        self.status = status
        self.code: str = str(body.get("code") or f"http_{status}")
        self.message: dict[str, str] = {
            "th": str(message.get("th") or ""),
            "en": str(message.get("en") or ""),
        }
        self.field: str | None = body.get("field")
        self.errors: list[Any] = list(body.get("errors") or [])
        text = self.message["en"] or self.message["th"] or f"HTTP {status}"
        super().__init__(f"{status} {self.code}: {text}")


class TenderClient:
    """Reads a tender's vault key, seals bids locally, submits them and checks receipts."""

    def __init__(self, base_url: str, token: str, *, http: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._owns_http = http is None
        self.http = http if http is not None else httpx.Client(timeout=30.0)
        # reference -> [(supplier_id, sealed bytes)], every bid this client submitted
        self.submitted: dict[str, list[tuple[int, bytes]]] = {}

    # HTTP -------------------------------------------------------------------------------------

    def _url(self, reference: str, suffix: str = "") -> str:
        return f"{self.base_url}{API}/{quote(reference, safe='')}{suffix}"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}

    def _json(self, response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not response.is_success:
            raise TenderClientError(response.status_code, body)
        return body

    # The vault --------------------------------------------------------------------------------

    def tender(self, reference: str) -> dict[str, Any]:
        """The published tender (public data)."""
        return self._json(self.http.get(self._url(reference), headers=self._headers()))

    def vault_key(self, reference: str) -> bytes:
        """The tender's vault public key (65-byte uncompressed P-256 point)."""
        encoded = self.tender(reference).get("vault_public_key")
        if not encoded:
            raise vault.VaultError(f"Tender {reference} has no vault key (not published yet).")
        point = vault.unb64url(encoded)
        vault.load_point(point)
        return point

    def seal_bid(self, reference: str, supplier_id: int, price: Any, **fields: Any) -> bytes:
        """The sealed envelope of a bid: {"price": "<2 decimals>", **fields} sealed to the
        tender's key, bound to this tender and supplier."""
        plaintext = json.dumps(
            {"price": _price(price), **fields}, ensure_ascii=False, default=str
        ).encode()
        return vault.seal(
            self.vault_key(reference), plaintext, f"bid|{reference}|{int(supplier_id)}"
        )

    def submit_bid(
        self, reference: str, supplier_id: int, price: Any, **fields: Any
    ) -> dict[str, Any]:
        """Seal and submit a bid; returns the platform's signed receipt (JSON)."""
        sealed = self.seal_bid(reference, supplier_id, price, **fields)
        response = self.http.post(
            self._url(reference, "/bids"),
            headers=self._headers(),
            json={"supplier_id": int(supplier_id), "sealed_bid": sealed.decode("ascii")},
        )
        receipt = self._json(response)
        self.submitted.setdefault(reference, []).append((int(supplier_id), sealed))
        return receipt

    # Sealed-bid auctions (P-18) ------------------------------------------------------------------

    def auction_vault_key(self, reference: str) -> bytes:
        """A sealed-bid auction's vault public key (65-byte uncompressed P-256 point)."""
        url = f"{self.base_url}{AUCTIONS}/{quote(reference, safe='')}"
        state = self._json(self.http.get(url, headers=self._headers()))
        encoded = state.get("vault_key") if isinstance(state, dict) else None
        if not encoded:
            raise vault.VaultError(f"Auction {reference} is not a sealed-bid auction.")
        point = vault.unb64url(encoded)
        vault.load_point(point)
        return point

    def submit_auction_bid(self, reference: str, supplier_id: int, price: Any) -> dict[str, Any]:
        """Seal a price to a sealed-bid auction's key (bound to the auction and supplier) and
        submit it; returns the platform's signed receipt, checked by verify_receipt too."""
        plaintext = json.dumps({"price": _price(price)}).encode()
        sealed = vault.seal(
            self.auction_vault_key(reference),
            plaintext,
            f"auction-bid|{reference}|{int(supplier_id)}",
        )
        response = self.http.post(
            f"{self.base_url}{AUCTIONS}/{quote(reference, safe='')}/sealed-bids",
            headers=self._headers(),
            json={"supplier_id": int(supplier_id), "sealed_bid": sealed.decode("ascii")},
        )
        receipt = self._json(response)
        self.submitted.setdefault(reference, []).append((int(supplier_id), sealed))
        return receipt

    def verify_receipt(self, receipt: dict[str, Any]) -> bool:
        """Whether a receipt is for a bid this client sealed and sent: its SHA-256 is that of the
        exact envelope bytes, and the receipt statement names the tender, bidder and SHA-256.

        This is a local check; the platform's signature (`signature`, `certificate_pem`) is
        checked against the platform root (/api/pki/root.pem) or by GET .../verify."""
        try:
            statement = json.loads(receipt["receipt"])
            sha256 = receipt["sha256"]
        except (KeyError, TypeError, ValueError):
            return False
        if not isinstance(statement, dict) or statement.get("type") != "onestop-vault-receipt":
            return False
        reference = statement.get("tender")
        if statement.get("sha256") != sha256 or not isinstance(reference, str):
            return False
        if "sequence" in receipt and statement.get("sequence") != receipt["sequence"]:
            return False
        return any(
            hashlib.sha256(sealed).hexdigest() == sha256
            and statement.get("bidder") == str(supplier_id)
            for supplier_id, sealed in self.submitted.get(reference, [])
        )

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> TenderClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _price(value: Any) -> str:
    """A price in baht as text with two decimals ("1095500.50"); more precision is refused."""
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation as error:
        raise ValueError(f"Not a price: {value!r}") from error
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"Not a price: {value!r}")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"A price has at most 2 decimal places: {value!r}")
    return f"{amount.quantize(Decimal('0.01')):f}"
