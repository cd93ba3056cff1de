"""The tender vault (P-13) at scale: seal 10,000 bids, open them all with a 3-of-5 rebuilt key,
and check every submission receipt.

    .venv/bin/python bench/vault.py
    BENCH_BIDS=2000 BENCH_WORKERS=1 .venv/bin/python bench/vault.py

Each bid is a small JSON with a price, sealed with `vault.seal` to one vault key with the context
`bid|BENCH-T|<bidder i>`; at sealing time the platform signs its receipt (`vault.receipt_payload`,
ECDSA P-256 with SHA-256, a generated platform key). `seal_per_s` counts the `vault.seal` calls
alone (what the bidder's client does), not the receipt signing. Then the key is split 3-of-5 and:

* `open_s`: `vault.combine` of 3 shares, and `vault.open_sealed` of every bid, each checked
  against the price that was sealed;
* `verify_s`: for every receipt, the SHA-256 of the stored envelope equals the receipt's sha256,
  and the receipt's ECDSA signature verifies with the platform's public key.

Single-threaded, opening and verifying the 10,000 bids took about 1.7 s on the two-core bench
machine (open_s ~1.0 s, verify_s ~0.7 s; seal_per_s ~8,000-9,000), well under the 5 s budget,
so both run in this one process by default. BENCH_WORKERS=<n> (n > 1) spreads opening and
verification over a ProcessPoolExecutor of n processes instead (with 2: open_s ~0.5 s,
verify_s ~0.4 s); those timings include starting the pool, and each worker rebuilds the key
from the same 3 shares.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from onestop.procurement.domain import vault

BIDS = int(os.environ.get("BENCH_BIDS", "10000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
TENDER = "BENCH-T"
THRESHOLD, MEMBERS = 3, 5
SIGNATURE = ec.ECDSA(hashes.SHA256())


def context(bidder: int) -> str:
    return f"bid|{TENDER}|{bidder}"


def price(bidder: int) -> str:
    return f"{1_000_000 + bidder * 37}.{bidder % 100:02d}"


# --- opening and verification (run here, or in each worker process) ------------------------------


def open_all(share_bytes: list[bytes], point: bytes, envelopes: list[tuple[int, bytes]]) -> int:
    key = vault.combine([vault.share_from_bytes(data) for data in share_bytes], THRESHOLD, point)
    for bidder, envelope in envelopes:
        bid = json.loads(vault.open_sealed(key, envelope, context(bidder)))
        assert bid["price"] == price(bidder), (bidder, bid)
    return len(envelopes)


def verify_all(platform_public: bytes, receipts: list[tuple[bytes, bytes, bytes]]) -> int:
    public = serialization.load_der_public_key(platform_public)
    for envelope, payload, signature in receipts:
        if vault.digest(envelope) != json.loads(payload)["sha256"]:
            raise AssertionError("a stored envelope does not match its receipt")
        try:
            public.verify(signature, payload, SIGNATURE)
        except InvalidSignature:
            raise AssertionError("a receipt signature does not verify") from None
    return len(receipts)


def chunks(items: list, parts: int) -> list[list]:
    size = -(-len(items) // parts)
    return [items[start : start + size] for start in range(0, len(items), size)]


def main() -> None:
    platform = ec.generate_private_key(ec.SECP256R1())
    platform_public = platform.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    vault_key = vault.generate()
    point = vault.public_point(vault_key)

    # Sealing (timed alone) and, at once, the platform's signed receipt for each submission.
    envelopes: list[tuple[int, bytes]] = []
    receipts: list[tuple[bytes, bytes, bytes]] = []
    seal_seconds = 0.0
    submitted_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for bidder in range(BIDS):
        plaintext = json.dumps({"bidder": bidder, "price": price(bidder)}).encode()
        started = time.perf_counter()
        envelope = vault.seal(point, plaintext, context(bidder))
        seal_seconds += time.perf_counter() - started
        payload = vault.receipt_payload(
            tender=TENDER,
            bidder=str(bidder),
            submitted_at=submitted_at,
            sha256=vault.digest(envelope),
            sequence=bidder + 1,
        )
        envelopes.append((bidder, envelope))
        receipts.append((envelope, payload, platform.sign(payload, SIGNATURE)))

    # The committee: 3 of 5 shares come to the opening; the key itself is gone.
    shares = vault.split(vault_key, THRESHOLD, MEMBERS)
    del vault_key
    released = [vault.share_bytes(share) for share in (shares[0], shares[2], shares[4])]

    if WORKERS > 1:
        started = time.perf_counter()
        with ProcessPoolExecutor(WORKERS) as pool:
            parts = chunks(envelopes, WORKERS)
            opened = sum(pool.map(open_all, [released] * len(parts), [point] * len(parts), parts))
            open_seconds = time.perf_counter() - started
            started = time.perf_counter()
            parts = chunks(receipts, WORKERS)
            verified = sum(pool.map(verify_all, [platform_public] * len(parts), parts))
            verify_seconds = time.perf_counter() - started
    else:
        started = time.perf_counter()
        opened = open_all(released, point, envelopes)
        open_seconds = time.perf_counter() - started
        started = time.perf_counter()
        verified = verify_all(platform_public, receipts)
        verify_seconds = time.perf_counter() - started
    assert opened == verified == BIDS

    print(
        json.dumps(
            {
                "bids": BIDS,
                "seal_per_s": round(BIDS / seal_seconds),
                "open_s": round(open_seconds, 2),
                "verify_s": round(verify_seconds, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
