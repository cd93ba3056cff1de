"""The audit log's cost: appends per second (one transaction each, one and four writers) and
verification speed, on a fresh database of the configured kind.

    .venv/bin/python bench/audit_chain.py                      # SQLite (WAL, synchronous=FULL)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/audit_chain.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

APPENDS = int(os.environ.get("BENCH_APPENDS", "3000"))
VERIFY_ROWS = int(os.environ.get("BENCH_VERIFY_ROWS", "100000"))


def _setup(tmp: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    os.environ.update({"DEBUG": "1", "ONESTOP_VAR_DIR": tmp, "LOG_LEVEL": "WARNING"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.config.settings")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = f"onestop_bench_{os.getpid()}"
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"
        return name
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    return ""


def _drop(url: str, name: str) -> None:
    if name:
        import psycopg

        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    original_url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        database = _setup(tmp)
        try:
            print(json.dumps(_measure()))
        finally:
            from django.db import connections

            connections.close_all()
            _drop(original_url, database)


def _measure() -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import close_old_connections, connection, transaction

    from onestop.core import audit
    from onestop.core.models import AuditChainHead, AuditEntry

    call_command("migrate", verbosity=0)

    def append(label: str) -> None:
        with transaction.atomic():
            audit.record(
                actor=audit.SYSTEM,
                action="bench.append",
                object_type="bench.thing",
                object_id=label,
                before={"price": "10.00"},
                after={"price": "12.50"},
            )

    started = time.perf_counter()
    for index in range(APPENDS):
        append(str(index))
    one_writer = APPENDS / (time.perf_counter() - started)

    def writer(worker: int) -> None:
        for index in range(APPENDS // 4):
            append(f"{worker}-{index}")
        close_old_connections()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    four_writers = (APPENDS // 4 * 4) / (time.perf_counter() - started)

    # Fill up to VERIFY_ROWS quickly (hashes computed here, inserted in bulk), then verify.
    seq, previous = audit.head()
    rows = []
    now = AuditEntry.objects.latest("seq").at
    while seq < VERIFY_ROWS:
        seq += 1
        values = {
            "seq": seq,
            "at": now,
            "actor_id": "system",
            "actor_name": "OneStop",
            "action": "bench.fill",
            "object_type": "bench.thing",
            "object_id": str(seq),
            "object_label": "",
            "agency_code": "",
            "request_id": "",
            "before": None,
            "after": {"n": seq},
            "prev_hash": previous,
        }
        values["hash"] = previous = audit.entry_hash(values)
        rows.append(AuditEntry(**values))
        if len(rows) == 5000:
            AuditEntry.objects.bulk_create(rows)
            rows = []
    AuditEntry.objects.bulk_create(rows)
    AuditChainHead.objects.filter(pk=1).update(seq=seq, hash=previous)

    started = time.perf_counter()
    report = audit.verify()
    verify_seconds = time.perf_counter() - started
    assert report.ok and report.checked == seq, report.as_dict()
    return {
        "database": connection.vendor,
        "appends_one_writer_per_s": round(one_writer),
        "appends_four_writers_per_s": round(four_writers),
        "verified_entries": report.checked,
        "verify_s": round(verify_seconds, 2),
        "verify_entries_per_s": round(report.checked / verify_seconds),
    }


if __name__ == "__main__":
    main()
