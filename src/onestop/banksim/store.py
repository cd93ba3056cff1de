"""The sandbox's durable state: one SQLite file in WAL mode, every write committed before answering.

Three tables: `transactions` (payment orders and QR payments), `callbacks` (one row per event
to deliver, stored before its first attempt) and `attempts` (each delivery attempt).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS transactions (
    bank_reference  TEXT PRIMARY KEY,
    type            TEXT NOT NULL CHECK (type IN ('payment_order', 'qr_payment')),
    status          TEXT NOT NULL CHECK (status IN ('accepted', 'settled', 'failed')),
    amount          TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    reference       TEXT NOT NULL DEFAULT '',
    payee_name      TEXT NOT NULL DEFAULT '',
    payee_method    TEXT NOT NULL DEFAULT '',
    promptpay_id    TEXT NOT NULL DEFAULT '',
    bank_code       TEXT NOT NULL DEFAULT '',
    account_number  TEXT NOT NULL DEFAULT '',
    biller_id       TEXT NOT NULL DEFAULT '',
    ref1            TEXT NOT NULL DEFAULT '',
    ref2            TEXT NOT NULL DEFAULT '',
    payer_name      TEXT NOT NULL DEFAULT '',
    failure_reason  TEXT NOT NULL DEFAULT '',
    callback_url    TEXT NOT NULL,
    request         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    settle_due      REAL,
    settled_at      TEXT,
    settled_epoch   REAL
);
CREATE INDEX IF NOT EXISTS transactions_due ON transactions (status, settle_due);
CREATE INDEX IF NOT EXISTS transactions_settled ON transactions (settled_epoch);

CREATE TABLE IF NOT EXISTS callbacks (
    id             INTEGER PRIMARY KEY,
    event_id       TEXT NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    bank_reference TEXT NOT NULL REFERENCES transactions (bank_reference),
    url            TEXT NOT NULL,
    body           BLOB NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('pending', 'delivered')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_attempt   REAL NOT NULL,
    created_at     TEXT NOT NULL,
    delivered_at   TEXT
);
CREATE INDEX IF NOT EXISTS callbacks_due ON callbacks (state, next_attempt);

CREATE TABLE IF NOT EXISTS attempts (
    id           INTEGER PRIMARY KEY,
    callback_id  INTEGER NOT NULL REFERENCES callbacks (id),
    attempted_at TEXT NOT NULL,
    status_code  INTEGER,
    error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS attempts_callback ON attempts (callback_id);
"""

TRANSACTION_COLUMNS = (
    "bank_reference",
    "type",
    "status",
    "amount",
    "idempotency_key",
    "reference",
    "payee_name",
    "payee_method",
    "promptpay_id",
    "bank_code",
    "account_number",
    "biller_id",
    "ref1",
    "ref2",
    "payer_name",
    "failure_reason",
    "callback_url",
    "request",
    "created_at",
    "settle_due",
    "settled_at",
    "settled_epoch",
)


@dataclass(frozen=True)
class NewCallback:
    """An event to deliver: the exact body is stored so every attempt sends the same bytes."""

    event_id: str
    type: str
    bank_reference: str
    url: str
    body: bytes
    created_at: str
    next_attempt: float


class Store:
    """The sandbox's SQLite database. Safe to share between threads; each write is one transaction."""

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._connection.row_factory = sqlite3.Row
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.execute("PRAGMA foreign_keys=ON")
        self._connection.execute("PRAGMA busy_timeout=5000")
        with self._lock:
            self._connection.executescript(SCHEMA)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._connection.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def _read(self, sql: str, parameters: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._connection.execute(sql, parameters).fetchall()

    # Transactions ---------------------------------------------------------------------------

    def add_order(self, values: dict[str, object]) -> tuple[sqlite3.Row, bool]:
        """Record an accepted payment order, unless its idempotency key is known.

        Returns the order's row and whether it was created now.
        """
        with self._write() as connection:
            existing = connection.execute(
                "SELECT * FROM transactions WHERE idempotency_key = ?",
                (values["idempotency_key"],),
            ).fetchone()
            if existing is not None:
                return existing, False
            _insert_transaction(connection, values)
            row = connection.execute(
                "SELECT * FROM transactions WHERE bank_reference = ?", (values["bank_reference"],)
            ).fetchone()
            return row, True

    def add_settled_payment(self, values: dict[str, object], callback: NewCallback) -> None:
        """Record a payment that is already settled (a QR payment) and queue its callback."""
        with self._write() as connection:
            _insert_transaction(connection, values)
            _insert_callback(connection, callback)

    def due_orders(self, now: float) -> list[sqlite3.Row]:
        """Accepted orders whose settlement time has come."""
        return self._read(
            "SELECT * FROM transactions WHERE status = 'accepted' AND settle_due <= ? "
            "ORDER BY settle_due",
            (now,),
        )

    def settle_order(
        self,
        bank_reference: str,
        *,
        status: str,
        reason: str,
        settled_at: str,
        settled_epoch: float,
        callback: NewCallback,
    ) -> bool:
        """Settle (or fail) an accepted order and queue its callback, in one transaction.

        Returns False, changing nothing, when the order is no longer accepted.
        """
        with self._write() as connection:
            changed = connection.execute(
                "UPDATE transactions SET status = ?, failure_reason = ?, settled_at = ?, "
                "settled_epoch = ? WHERE bank_reference = ? AND status = 'accepted'",
                (status, reason, settled_at, settled_epoch, bank_reference),
            ).rowcount
            if changed:
                _insert_callback(connection, callback)
            return bool(changed)

    def statement(self, start: float | None, end: float | None) -> list[sqlite3.Row]:
        """Settled and failed transactions with start <= settlement time < end, oldest first."""
        return self._read(
            "SELECT * FROM transactions WHERE status IN ('settled', 'failed') "
            "AND settled_epoch >= ? AND settled_epoch < ? ORDER BY settled_epoch, bank_reference",
            (float("-inf") if start is None else start, float("inf") if end is None else end),
        )

    def recent_transactions(self, limit: int = 50) -> list[sqlite3.Row]:
        """The latest transactions, newest first."""
        return self._read(
            "SELECT * FROM transactions ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)
        )

    # Callbacks ------------------------------------------------------------------------------

    def due_callbacks(self, now: float, limit: int = 20) -> list[sqlite3.Row]:
        """Pending callbacks whose next attempt time has come, earliest first."""
        return self._read(
            "SELECT * FROM callbacks WHERE state = 'pending' AND next_attempt <= ? "
            "ORDER BY next_attempt, id LIMIT ?",
            (now, limit),
        )

    def record_attempt(
        self,
        callback_id: int,
        *,
        attempted_at: str,
        status_code: int | None,
        error: str,
        delivered: bool,
        next_attempt: float,
    ) -> None:
        """Record one delivery attempt and the callback's new state."""
        with self._write() as connection:
            connection.execute(
                "INSERT INTO attempts (callback_id, attempted_at, status_code, error) "
                "VALUES (?, ?, ?, ?)",
                (callback_id, attempted_at, status_code, error),
            )
            connection.execute(
                "UPDATE callbacks SET attempts = attempts + 1, state = ?, next_attempt = ?, "
                "delivered_at = ? WHERE id = ?",
                (
                    "delivered" if delivered else "pending",
                    next_attempt,
                    attempted_at if delivered else None,
                    callback_id,
                ),
            )

    def recent_callbacks(self, limit: int = 50) -> list[sqlite3.Row]:
        """The latest callbacks, newest first."""
        return self._read("SELECT * FROM callbacks ORDER BY id DESC LIMIT ?", (limit,))

    def attempts_of(self, callback_ids: list[int]) -> dict[int, list[sqlite3.Row]]:
        """The attempts of each callback, oldest first."""
        found: dict[int, list[sqlite3.Row]] = {callback_id: [] for callback_id in callback_ids}
        if not callback_ids:
            return found
        marks = ", ".join("?" for _ in callback_ids)
        rows = self._read(
            f"SELECT * FROM attempts WHERE callback_id IN ({marks}) ORDER BY id",  # noqa: S608
            tuple(callback_ids),
        )
        for row in rows:
            found[row["callback_id"]].append(row)
        return found

    def pending_callback_count(self) -> int:
        """How many callbacks wait for delivery."""
        return self._read("SELECT count(*) FROM callbacks WHERE state = 'pending'")[0][0]


def _insert_transaction(connection: sqlite3.Connection, values: dict[str, object]) -> None:
    unknown = set(values) - set(TRANSACTION_COLUMNS)
    if unknown:
        raise ValueError(f"unknown transaction columns: {sorted(unknown)}")
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    connection.execute(
        f"INSERT INTO transactions ({names}) VALUES ({marks})",  # noqa: S608 - names are checked
        tuple(values.values()),
    )


def _insert_callback(connection: sqlite3.Connection, callback: NewCallback) -> None:
    connection.execute(
        "INSERT INTO callbacks (event_id, type, bank_reference, url, body, state, next_attempt, "
        "created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
        (
            callback.event_id,
            callback.type,
            callback.bank_reference,
            callback.url,
            callback.body,
            callback.next_attempt,
            callback.created_at,
        ),
    )
