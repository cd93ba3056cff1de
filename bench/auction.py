"""A live e-Auction under load: 50 bidders bidding over HTTP for 30 s while 1,000 watchers follow
it over WebSockets, on a real server, on a fresh database.

    .venv/bin/python bench/auction.py                      # SQLite (WAL) in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/auction.py
    BENCH_SERVER=uvicorn .venv/bin/python bench/auction.py   # other layouts: see SERVERS
    BENCH_WATCHERS=0 .venv/bin/python bench/auction.py       # the bid path alone
    BENCH_GUNICORN_WORKERS=4 BENCH_WS_DEFLATE=1 ...          # more web workers; compressed frames

Setup (one Django process, `--helper`): `migrate`, `demo --quiet`, then through the services
(like tests/procurement/conftest.py): 47 more businesses with approved supplier registrations
(50 with the demo's three), an API token for each bidder, and a reverse auction among the 50
opening a few seconds later (start 100,000,000.00 baht, step 100.00 baht, ending in an hour so
that no bid extends it). The bench's own 47 accounts get their passwords hashed with a cheap
Argon2 in that process only (the production cost is 0.6 s per hash here: 28 s of the budget);
they never log in with them, their tokens come from `api_token_create`, the service behind
POST /api/auth/tokens.

The server runs with production settings (DEBUG=0). `SERVERS` lists the layouts measured;
the default, `gunicorn-2+uvicorn-redis`, was the fastest for the bid path (docs/performance.md):
the production layout of docs/operations.md, gunicorn (2 sync workers, WSGI) for HTTP and one
uvicorn process (ASGI) for the WebSockets, joined by the Redis channel layer (REDIS_URL, default
redis://127.0.0.1:6379/0; a Redis must answer there). As in production, the live process does not
compress frames (`--ws-per-message-deflate false`) and, on SQLite, each gunicorn worker keeps its
database connection (SQLITE_CONN_MAX_AGE). `uvicorn` is `onestop serve` without its
worker: one process, HTTP and WebSockets, the in-memory channel layer, no Redis needed.
A child process (`--watchers`) opens the 1,000 WebSockets (`websockets`, offering
permessage-deflate as browsers do) and notes when each frame arrives and its `bids_count`.

Then, with the same 50 httpx clients (one keep-alive connection and one token each):

* GET /api/health for BENCH_TRIVIAL_SECONDS (`trivial_per_s`), the watchers connected;
* bidding for BENCH_SECONDS: each bidder bids a whole step below the best it last saw (its own
  last accepted bid, or the best named in a refusal), again and again. Refusals (someone was
  faster) are counted apart (`bids_refused`); `bid_p50_ms`/`bid_p99_ms` are the accepted bids'
  (201) latencies, `refusal_p99_ms` the refusals'. `bids_per_s` counts accepted bids,
  `bid_requests_per_s` every answered bid request.

`fanout_p99_ms`: for every accepted bid and every watcher, the time from the 201 reaching the
bidder to the first frame with at least that `bids_count` reaching the watcher (both clocks
are the machine's CLOCK_MONOTONIC; negative when the frame came first: the 201 leaves only
after the bid has been handed to the channel layer). `fanout_from_bid_p99_ms`: the same from
the moment the server took the bid (its `received_at`). `fanout_missed`: pairs never
delivered. `lost`: acknowledged bids (201) that are not, with the same sequence, amount
and request id, in the database at the end (read by the helper after the run).

`server_cpu_ms_per_*`: CPU time (user + system, from /proc) of each server command with its
workers (gunicorn, then uvicorn), per trivial request, per bid request and per accepted bid
while bidding. Latencies and rates depend on whatever else runs on the machine; CPU per request
much less, so these compare two runs best.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from array import array
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
BIDDERS = int(os.environ.get("BENCH_BIDDERS", "50"))
WATCHERS = int(os.environ.get("BENCH_WATCHERS", "1000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
TRIVIAL_SECONDS = float(os.environ.get("BENCH_TRIVIAL_SECONDS", "5"))
SERVER = os.environ.get("BENCH_SERVER", "gunicorn-2+uvicorn-redis")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
START_PRICE = Decimal("100000000.00")
STEP = Decimal("100.00")
OPENS_AFTER_SECONDS = int(os.environ.get("BENCH_OPENS_AFTER", "10"))
BENCH_PASSWORD = "ราคาต่ำสุด-2569-ok"  # noqa: S105 - accounts of a throw-away database
COUNT = re.compile(rb'"bids_count":(\d+)')
BEST = re.compile(r"The best bid is ([\d,]+\.\d\d) baht")
STARTED = time.monotonic()


def note(text: str) -> None:
    """Progress on stderr (the JSON line alone goes to stdout)."""
    print(f"[{time.monotonic() - STARTED:6.1f} s] {text}", file=sys.stderr, flush=True)


def percentile(values, fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# The helper: setup and verification, in one Django process --------------------------------------


def _quick_hasher():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    class QuickArgon2PasswordHasher(Argon2PasswordHasher):
        time_cost = 1
        memory_cost = 64
        parallelism = 1

    return QuickArgon2PasswordHasher


QuickArgon2PasswordHasher = None  # set in the helper, once Django is set up


def _setup() -> dict:
    from django.core.management import call_command
    from django.test import override_settings
    from django.utils import timezone

    from onestop.identity import public as identity
    from onestop.identity.models import Business, User
    from onestop.identity.services import api_token_create
    from onestop.procurement.models import Supplier
    from onestop.procurement.services import auctions, suppliers

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    note(f"helper: migrated in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    call_command("demo", quiet=True)
    note(f"helper: demo data in {time.monotonic() - started:.1f} s")

    admin = identity.principal_for(User.objects.get(username="admin"))
    buyer = identity.principal_for(User.objects.get(username="cgd.buyer"))
    owners = [
        identity.principal_for(supplier.business.members.get(role="owner").user)
        for supplier in Supplier.objects.filter(status=Supplier.Status.APPROVED)
        .select_related("business")
        .order_by("pk")
    ]
    certificate = b"%PDF-1.4\n% bench company certificate\n"
    with override_settings(PASSWORD_HASHERS=["__main__.QuickArgon2PasswordHasher"]):
        number = 0
        while len(owners) < BIDDERS:
            number += 1
            user = identity.account_create(
                username=f"bench.bidder{number:02d}",
                first_name="ผู้เสนอราคา",
                last_name=f"ที่ {number}",
                password=BENCH_PASSWORD,
            )
            owner = identity.principal_for(user)
            juristic_id = identity.with_check_digit(f"0105569{number:05d}")
            identity.business_register(
                owner=owner, juristic_id=juristic_id, name_th=f"บริษัท ประมูลทดสอบ {number} จำกัด"
            )
            owner = identity.principal_for(user)
            business = Business.objects.get(juristic_id=juristic_id)
            suppliers.supplier_apply(
                actor=owner,
                juristic_id=juristic_id,
                categories=["14111500"],
                address="88 ถนนพระราม 4 กรุงเทพมหานคร 10110",
                contact_name=user.display_name,
                contact_phone="021234567",
                contact_email=f"bidder{number}@example.co.th",
                payout_method="bank_account",
                bank_code="014",
                bank_account_number=f"{number:010d}",
                bank_account_name=business.name_th,
                documents=[suppliers.Upload("company_certificate", "certificate.pdf", certificate)],
            )
            suppliers.supplier_review(actor=admin, juristic_id=juristic_id, decision="approve")
            owners.append(owner)
    bidders = []
    for owner in owners[:BIDDERS]:
        supplier = Supplier.objects.get(business_id=next(iter(owner.business_ids)))
        token, _record = api_token_create(actor=owner, name="bench")
        bidders.append({"username": owner.username, "supplier_id": supplier.pk, "token": token})
    now = timezone.now()
    auction = auctions.auction_create(
        actor=buyer,
        data=auctions.AuctionInput(
            kind="reverse",
            title="ประมูลซื้อเครื่องคอมพิวเตอร์ (ทดสอบสมรรถนะ)",
            start_price=START_PRICE,
            step_amount=STEP,
            opens_at=now + dt.timedelta(seconds=OPENS_AFTER_SECONDS),
            ends_at=now + dt.timedelta(hours=1),
            suppliers=[bidder["supplier_id"] for bidder in bidders],
        ),
    )
    return {
        "reference": auction.reference,
        "opens_at": auction.opens_at.timestamp(),
        "bidders": bidders,
    }


def _verify(acks_path: str, reference: str) -> dict:
    """Every acknowledged bid against the rows in the database."""
    from onestop.procurement.models import Auction, AuctionBid

    acks = json.loads(Path(acks_path).read_text())
    rows = {
        sequence: (f"{amount:.2f}", request_id, supplier_id)
        for sequence, amount, request_id, supplier_id in AuctionBid.objects.filter(
            auction__reference=reference
        ).values_list("sequence", "amount", "request_id", "bidder__supplier_id")
    }
    lost = [
        ack
        for ack in acks
        if rows.get(ack["sequence"]) != (ack["amount"], ack["request_id"], ack["supplier_id"])
    ]
    auction = Auction.objects.select_related("best_bid").get(reference=reference)
    best_acked = min((Decimal(ack["amount"]) for ack in acks), default=None)
    return {
        "lost": len(lost),
        "rows": len(rows),
        "rows_not_acknowledged": len(rows) - (len(acks) - len(lost)),
        "bids_count": auction.bids_count,
        "best_is_best_acknowledged": (auction.best_bid.amount if auction.best_bid else None)
        == best_acked,
    }


def helper() -> None:
    global QuickArgon2PasswordHasher
    sys.path[:0] = [str(ROOT / "src")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.config.settings")
    import django

    django.setup()
    from django.db import connections

    QuickArgon2PasswordHasher = _quick_hasher()
    setup = _setup()
    connections.close_all()
    print(json.dumps(setup), flush=True)
    acks_path = sys.stdin.readline().strip()
    print(json.dumps(_verify(acks_path, setup["reference"])), flush=True)
    connections.close_all()


# The watchers: a child process with the WebSockets ----------------------------------------------


async def _watch(port: int, reference: str, count: int) -> None:
    from websockets.asyncio.client import connect

    uri = f"ws://127.0.0.1:{port}/ws/auctions/{reference}/"
    origin = f"http://127.0.0.1:{port}"
    sockets: list = [None] * count
    counts = [array("l") for _ in range(count)]
    times = [array("d") for _ in range(count)]
    gate = asyncio.Semaphore(25)

    async def open_one(index: int) -> None:
        async with gate:
            for attempt in range(5):
                try:
                    ws = await connect(
                        uri, origin=origin, max_size=None, ping_interval=None, open_timeout=60
                    )
                    break
                except (OSError, TimeoutError):
                    if attempt == 4:
                        raise
                    await asyncio.sleep(0.5)
            first = await ws.recv(decode=False)
            assert COUNT.search(first), first[:200]
            sockets[index] = ws

    async def read(index: int) -> None:
        ws, seen, at = sockets[index], counts[index], times[index]
        last = -1
        try:
            async for frame in ws:
                now = time.monotonic()
                if isinstance(frame, str):
                    frame = frame.encode()
                match = COUNT.search(frame)
                if match:
                    number = int(match[1])
                    if number > last:
                        last = number
                        seen.append(number)
                        at.append(now)
        except Exception:  # noqa: S110 - a dropped socket shows as missed frames
            pass

    await asyncio.gather(*(open_one(index) for index in range(count)))
    readers = [asyncio.create_task(read(index)) for index in range(count)]
    cpu = os.times()
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.readline)
    acks_path, final = line.split()
    final = int(final)
    deadline = time.monotonic() + 10  # let the last frames arrive
    while time.monotonic() < deadline and any(
        not seen or seen[-1] < final for seen in counts if final
    ):
        await asyncio.sleep(0.1)
    cpu_now = os.times()
    for ws in sockets:
        await ws.close()
    for reader in readers:
        reader.cancel()
    # [[sequence, monotonic time of the 201, monotonic time the server took the bid]]
    acked = json.loads(Path(acks_path).read_text())
    acked.sort()
    latencies, from_bid = array("d"), array("d")
    missed = 0
    for seen, at in zip(counts, times, strict=True):
        position = 0
        for sequence, acked_at, placed_at in acked:
            while position < len(seen) and seen[position] < sequence:
                position += 1
            if position == len(seen):
                missed += 1
            else:
                latencies.append((at[position] - acked_at) * 1000)
                from_bid.append((at[position] - placed_at) * 1000)
    ordered = sorted(latencies)
    from_bid = sorted(from_bid)
    frames = sum(len(seen) for seen in counts)
    print(
        json.dumps(
            {
                "fanout_p50_ms": round(percentile(ordered, 0.50), 1),
                "fanout_p99_ms": round(percentile(ordered, 0.99), 1),
                "fanout_max_ms": round(ordered[-1], 1) if ordered else 0.0,
                "fanout_from_bid_p50_ms": round(percentile(from_bid, 0.50), 1),
                "fanout_from_bid_p99_ms": round(percentile(from_bid, 0.99), 1),
                "fanout_missed": missed,
                "fanout_pairs": len(ordered),
                "watcher_states_seen": frames,
                "watcher_cpu_s": round(cpu_now.user + cpu_now.system - cpu.user - cpu.system, 1),
            }
        ),
        flush=True,
    )


def watchers(port: int, reference: str, count: int) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_watch(port, reference, count))


# The server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


UVICORN = [
    "onestop.config.asgi:application",
    "--log-level",
    "warning",
    "--no-access-log",
    "--lifespan",
    "off",
    # permessage-deflate compresses every frame for every watcher (docs/performance.md);
    # BENCH_WS_DEFLATE=1 measures it on.
    "--ws-per-message-deflate",
    "true" if os.environ.get("BENCH_WS_DEFLATE", "0") == "1" else "false",
]

# name: (commands, whether it needs Redis); each command gets the HTTP port and the WS port.
SERVERS = {
    # `onestop serve`: one uvicorn process, the in-memory channel layer, and a background worker.
    "onestop-serve": (
        lambda http, ws: [[PYTHON, "-m", "onestop", "serve", "--port", str(http), "--no-banksim"]],
        False,
    ),
    # The same uvicorn process without the worker.
    "uvicorn": (lambda http, ws: [[str(BIN / "uvicorn"), *UVICORN, "--port", str(http)]], False),
    "uvicorn-redis": (
        lambda http, ws: [[str(BIN / "uvicorn"), *UVICORN, "--port", str(http)]],
        True,
    ),
    # Two uvicorn processes on one port, the Redis channel layer.
    "uvicorn-2-redis": (
        lambda http, ws: [[str(BIN / "uvicorn"), *UVICORN, "--port", str(http), "--workers", "2"]],
        True,
    ),
    # The production layout (docs/operations.md): gunicorn for HTTP, uvicorn for /ws/.
    "gunicorn-2+uvicorn-redis": (
        lambda http, ws: [
            [
                "env",
                "SQLITE_CONN_MAX_AGE=600",  # sync workers: one connection each (no-op on PostgreSQL)
                str(BIN / "gunicorn"),
                "onestop.config.wsgi:application",
                "--bind",
                f"127.0.0.1:{http}",
                "--workers",
                os.environ.get("BENCH_GUNICORN_WORKERS", "2"),
                "--log-level",
                "warning",
            ],
            [str(BIN / "uvicorn"), *UVICORN, "--port", str(ws)],
        ],
        True,
    ),
}


def _redis_answers(url: str) -> bool:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1
        ) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def wait_until_up(port: int, processes: list[subprocess.Popen], log: Path) -> None:
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            raise RuntimeError(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


# The bidders and the trivial endpoint -----------------------------------------------------------


def group_cpu(groups: list[int]) -> list[float]:
    """CPU seconds (user + system) used so far by the live processes of each process group
    (a server command and its workers). Unlike latencies, this does not depend on what else
    runs on the machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = dict.fromkeys(groups, 0.0)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        group = int(fields[2])  # pgrp; utime and stime follow at 11 and 12
        if group in used:
            used[group] += (int(fields[11]) + int(fields[12])) / ticks
    return [used[group] for group in groups]


async def _load(
    http_port: int,
    setup: dict,
    watchers_child: subprocess.Popen | None,
    tmp: Path,
    groups: list[int],
) -> dict:
    import httpx

    base = f"http://127.0.0.1:{http_port}"
    reference = setup["reference"]
    path = f"/api/procurement/auctions/{reference}/bids"
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(
            base_url=base,
            headers={"Authorization": f"Bearer {bidder['token']}", "Accept-Language": "en"},
            limits=limits,
            timeout=30,
        )
        for bidder in setup["bidders"]
    ]
    try:
        # The trivial endpoint, same clients, same server, watchers connected.
        health_latencies: list[float] = []
        health_errors = 0

        async def health(client: httpx.AsyncClient, until: float) -> None:
            nonlocal health_errors
            while time.monotonic() < until:
                started = time.perf_counter()
                response = await client.get("/api/health")
                health_latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    health_errors += 1

        await asyncio.gather(*(client.get("/api/health") for client in clients))  # connect
        cpu_before = group_cpu(groups)
        started = time.monotonic()
        await asyncio.gather(*(health(client, started + TRIVIAL_SECONDS) for client in clients))
        trivial_seconds = time.monotonic() - started
        cpu_trivial = group_cpu(groups)
        note(f"trivial endpoint: {len(health_latencies) / trivial_seconds:.0f} req/s")

        wait = setup["opens_at"] - time.time() + 0.2
        if wait > 0:
            note(f"waiting {wait:.1f} s for the auction to open")
            await asyncio.sleep(wait)

        acks: list[dict] = []
        acked_at: list[list] = []
        # The server notes when it took each bid (`received_at`, wall clock): on the monotonic
        # clock of this machine that is received_at - wall_offset.
        wall_offset = time.time() - time.monotonic()
        accepted_ms: list[float] = []
        refused_ms: list[float] = []
        refusals: dict[str, int] = {}
        errors: dict[str, int] = {}

        async def bidder(number: int, client: httpx.AsyncClient, until: float) -> None:
            me = setup["bidders"][number]
            best = START_PRICE
            sent = 0
            while time.monotonic() < until:
                sent += 1
                amount = f"{best - STEP:.2f}"
                request_id = f"bench-{number}-{sent}"
                started = time.perf_counter()
                try:
                    response = await client.post(
                        path,
                        json={
                            "supplier_id": me["supplier_id"],
                            "amount": amount,
                            "request_id": request_id,
                        },
                    )
                except httpx.HTTPError as error:
                    errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                    continue
                now = time.monotonic()
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code == 201:
                    body = response.json()
                    accepted_ms.append(elapsed)
                    placed = dt.datetime.fromisoformat(body["received_at"]).timestamp()
                    acked_at.append([body["sequence"], now, placed - wall_offset])
                    acks.append(
                        {
                            "sequence": body["sequence"],
                            "amount": amount,
                            "request_id": request_id,
                            "supplier_id": me["supplier_id"],
                        }
                    )
                    best = Decimal(amount)
                elif response.status_code == 422:
                    refused_ms.append(elapsed)
                    body = response.json()
                    refusals[body["code"]] = refusals.get(body["code"], 0) + 1
                    seen = BEST.search(body["message"]["en"])
                    if seen:
                        best = min(best, Decimal(seen[1].replace(",", "")))
                else:
                    key = str(response.status_code)
                    errors[key] = errors.get(key, 0) + 1
                    await asyncio.sleep(0.05)

        cpu_bidding = group_cpu(groups)
        started = time.monotonic()
        await asyncio.gather(
            *(bidder(number, client, started + SECONDS) for number, client in enumerate(clients))
        )
        bidding_seconds = time.monotonic() - started
        cpu_after = group_cpu(groups)
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    note(f"bidding: {len(acks)} accepted, {sum(refusals.values())} refused, errors {errors}")
    acks_file = tmp / "acks.json"
    acks_file.write_text(json.dumps(acks))
    times_file = tmp / "acked_at.json"
    times_file.write_text(json.dumps(acked_at))
    final = max((ack["sequence"] for ack in acks), default=0)
    if watchers_child is not None:
        watchers_child.stdin.write(f"{times_file} {final}\n")
        watchers_child.stdin.flush()
    answered = len(accepted_ms) + len(refused_ms)
    return {
        "acks_file": str(acks_file),
        "bids_accepted": len(acks),
        "bids_refused": sum(refusals.values()),
        "bid_errors": sum(errors.values()),
        "bids_per_s": round(len(acks) / bidding_seconds, 1),
        "bid_requests_per_s": round(answered / bidding_seconds, 1),
        "bid_p50_ms": round(percentile(accepted_ms, 0.50), 1),
        "bid_p99_ms": round(percentile(accepted_ms, 0.99), 1),
        "refusal_p99_ms": round(percentile(refused_ms, 0.99), 1),
        "trivial_per_s": round(len(health_latencies) / trivial_seconds, 1),
        "trivial_p99_ms": round(percentile(health_latencies, 0.99), 1),
        "trivial_errors": health_errors,
        # CPU of each server command (its whole process group), in ms: per trivial request,
        # per bid request (accepted or refused) and per accepted bid while bidding.
        "server_cpu_ms_per_trivial": [
            round((b - a) * 1000 / max(1, len(health_latencies)), 2)
            for a, b in zip(cpu_before, cpu_trivial, strict=True)
        ],
        "server_cpu_ms_per_bid_request": [
            round((b - a) * 1000 / max(1, answered), 2)
            for a, b in zip(cpu_bidding, cpu_after, strict=True)
        ],
        "server_cpu_ms_per_accepted_bid": [
            round((b - a) * 1000 / max(1, len(acks)), 1)
            for a, b in zip(cpu_bidding, cpu_after, strict=True)
        ],
    }


# Running -----------------------------------------------------------------------------------------


def _database(tmp: str) -> tuple[str, str]:
    """The benchmark's own database: (url, PostgreSQL database to drop at the end or "")."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = f"onestop_bench_auction_{os.getpid()}"
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return url.rsplit("/", 1)[0] + f"/{name}", name
    return f"sqlite:///{tmp}/bench.sqlite3", ""


def _drop(name: str) -> None:
    if name:
        import psycopg

        admin = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _stop(processes: list[subprocess.Popen]) -> None:
    """Stop what this bench started: each process, and for a server started in a session of its
    own, its whole process group (uvicorn's workers, `onestop serve`'s worker)."""

    def signal_all(process: subprocess.Popen, number: int) -> None:
        try:
            if getattr(process, "own_group", False):
                os.killpg(process.pid, number)
            elif process.poll() is None:
                process.send_signal(number)
        except ProcessLookupError:
            pass

    for process in processes:
        signal_all(process, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            signal_all(process, signal.SIGKILL)
            process.wait()
        if getattr(process, "own_group", False):
            signal_all(process, signal.SIGKILL)  # whatever is left of its group


def main() -> None:
    commands, needs_redis = SERVERS[SERVER]
    if needs_redis and not _redis_answers(REDIS_URL):
        raise SystemExit(
            f"The {SERVER} layout needs Redis, and none answers at {REDIS_URL} "
            "(set REDIS_URL, or BENCH_SERVER=uvicorn for one process without Redis)."
        )
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url, database = _database(tmp_name)
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "PKI_MASTER_KEY": "bench-pki-master-key-" + "x" * 40,
            "BANK_API_SECRET": "bench-bank-api-secret-" + "x" * 20,
            "BANK_WEBHOOK_SECRET": "bench-bank-webhook-secret-" + "x" * 20,
            "ONESTOP_VAR_DIR": tmp_name,
            "DATABASE_URL": url,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT / "src"),
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        if needs_redis:
            env["REDIS_URL"] = REDIS_URL
        else:
            env.pop("REDIS_URL", None)
        processes: list[subprocess.Popen] = []
        log = tmp / "server.log"
        try:
            helper_process = subprocess.Popen(
                [PYTHON, __file__, "--helper"],
                env=env,
                cwd=tmp_name,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            processes.append(helper_process)
            line = helper_process.stdout.readline()
            if not line:
                raise RuntimeError("the setup failed (see its traceback above)")
            setup = json.loads(line)
            note(f"setup done: auction {setup['reference']} with {len(setup['bidders'])} bidders")

            http_port, ws_port = free_port(), free_port()
            with log.open("w") as output:
                for command in commands(http_port, ws_port):
                    server = subprocess.Popen(
                        command,
                        env=env,
                        cwd=tmp_name,
                        stdout=output,
                        stderr=output,
                        start_new_session=True,
                    )
                    server.own_group = True
                    processes.append(server)
            if len(commands(http_port, ws_port)) == 1:
                ws_port = http_port
            wait_until_up(http_port, processes[1:], log)
            wait_until_up(ws_port, processes[1:], log)
            note(f"server up ({SERVER})")

            watchers_process = None
            if WATCHERS:
                watchers_process = subprocess.Popen(
                    [
                        PYTHON,
                        __file__,
                        "--watchers",
                        str(WATCHERS),
                        "--port",
                        str(ws_port),
                        "--reference",
                        setup["reference"],
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                processes.append(watchers_process)
                ready = watchers_process.stdout.readline().strip()
                if ready != "ready":
                    raise RuntimeError(f"the watchers did not connect ({ready!r}); see {log}")
                note(f"{WATCHERS} watchers connected")

            groups = [process.pid for process in processes if getattr(process, "own_group", False)]
            figures = asyncio.run(_load(http_port, setup, watchers_process, tmp, groups))
            if figures["bid_errors"] or figures["trivial_errors"]:
                errors = [line for line in log.read_text().splitlines() if "Error" in line]
                note("server errors (last 10):\n" + "\n".join(errors[-10:]))
            fanout = {"fanout_p99_ms": None}
            if watchers_process is not None:
                fanout = json.loads(watchers_process.stdout.readline())
                note("fan-out measured")
            helper_process.stdin.write(figures.pop("acks_file") + "\n")
            helper_process.stdin.flush()
            verified = json.loads(helper_process.stdout.readline())
            note(f"verified against the database: {verified}")
        finally:
            _stop(list(reversed(processes)))
            _drop(database)
    result = {
        "bidders": BIDDERS,
        "watchers": WATCHERS,
        "bids_accepted": figures["bids_accepted"],
        "bids_per_s": figures["bids_per_s"],
        "bid_p50_ms": figures["bid_p50_ms"],
        "bid_p99_ms": figures["bid_p99_ms"],
        "lost": verified["lost"],
        "fanout_p99_ms": fanout["fanout_p99_ms"],
        "trivial_per_s": figures["trivial_per_s"],
        "server": SERVER.replace(
            "gunicorn-2", f"gunicorn-{os.environ.get('BENCH_GUNICORN_WORKERS', '2')}"
        ),
        "database": "postgresql" if database else "sqlite",
        "seconds": SECONDS,
        **{key: value for key, value in figures.items() if key not in ("bids_accepted",)},
        **fanout,
        "best_is_best_acknowledged": verified["best_is_best_acknowledged"],
        "rows_not_acknowledged": verified["rows_not_acknowledged"],
        "total_s": round(time.monotonic() - STARTED, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--helper", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--watchers", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--reference", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.helper:
        helper()
    elif args.watchers is not None:
        watchers(args.port, args.reference, args.watchers)
    else:
        main()
