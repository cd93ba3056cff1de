"""Thai catalog search (C-08): indexing time, query latency and recall@10, against a plain
substring search over the same rows, on a fresh database of the configured kind.

    .venv/bin/python bench/catalog_search.py                      # SQLite (WAL, synchronous=FULL)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/catalog_search.py

`tokenize_s` is the time to segment the 100,000 item names alone (pythainlp newmm, from an
empty cache of segmented Thai runs); `index_s` the time of `index_many()` for all items, which
segments titles and texts again from an empty cache.

The catalog (bench/_thai_catalog.py) is 100,000 generated Thai items; each of the fixed queries
names the concepts it means, and an item is relevant when it has them all (known by
construction, not by any tokenizer). The queries cover whole Thai words, words inside compounds,
Thai mixed with English, letter case, typos and several words.

recall@10 of one query = (relevant items among the first 10 results) / min(10, relevant items);
the figure printed is its mean over all queries. Latencies are per `search()` call (the query
after a first warm-up round, which loads the vocabulary cache), over ROUNDS rounds of every query;
p50 and p95 are over all those calls. The baseline is `title__icontains=<query>` on the same
SearchEntry rows, ordered by id, first 10, scored the same way and timed over one round after
its warm-up (it scans every title, so more rounds would only make the run longer).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ITEMS = int(os.environ.get("BENCH_ITEMS", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
BASELINE_ROUNDS = 1  # a substring search scans every title: one timed round is plenty
INDEX = "catalog"


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


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _recall(found: list[str], relevant: set[str]) -> float:
    if not relevant:
        raise ValueError("every benchmark query has relevant items by construction")
    return len([key for key in found[:10] if key in relevant]) / min(10, len(relevant))


def _run(queries: list, relevant: list[set[str]], find, rounds: int) -> tuple[list[float], float]:
    """Latencies (ms) over `rounds` rounds after one warm-up round, and the mean recall@10."""
    recalls = [
        _recall(find(query.text), keys) for query, keys in zip(queries, relevant, strict=True)
    ]
    latencies = []
    for _round in range(rounds):
        for query in queries:
            started = time.perf_counter()
            find(query.text)
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies, statistics.mean(recalls)


def _segmenting(items: list) -> float:
    """Seconds to segment every item name, from an empty cache of segmented Thai runs (the
    dictionary, loaded once per process, is loaded before timing). The cache is emptied again
    so that indexing segments everything itself."""
    from onestop.search.domain.text import segment_thai
    from onestop.search.public import tokenize

    tokenize("กระดาษ")
    segment_thai.cache_clear()
    started = time.perf_counter()
    for item in items:
        tokenize(item.title)
    seconds = time.perf_counter() - started
    segment_thai.cache_clear()
    return seconds


def _measure() -> dict:
    root = Path(__file__).resolve().parents[1]
    sys.path[:0] = [str(root / "src"), str(root / "bench")]
    import django

    django.setup()
    from decimal import Decimal

    from django.conf import settings

    # DEBUG=1 only spares the secrets a production run needs; queries are not logged in
    # production, and logging them (Django quotes every parameter) would be what is measured.
    settings.DEBUG = False

    from django.core.management import call_command
    from django.db import connection

    from _thai_catalog import QUERIES, catalog
    from onestop.search import public as search
    from onestop.search.models import SearchEntry

    call_command("migrate", verbosity=0)
    items = catalog(ITEMS)
    tokenize_seconds = _segmenting(items)
    documents = (
        search.SearchDocument(
            key=item.key,
            title=item.title,
            text=item.text,
            tags=(f"category:{item.category}",),
            amount=Decimal(item.price),
        )
        for item in items
    )
    started = time.perf_counter()
    indexed = search.index_many(index=INDEX, documents=documents)
    index_seconds = time.perf_counter() - started
    assert indexed == ITEMS, indexed

    queries = list(QUERIES)
    relevant = [
        {item.key for item in items if query.concepts <= item.concepts} for query in queries
    ]

    def engine(text: str) -> list[str]:
        return [hit.key for hit in search.search(index=INDEX, query=text, limit=10).hits]

    def baseline(text: str) -> list[str]:
        rows = SearchEntry.objects.filter(index_name=INDEX, title__icontains=text).order_by("id")
        return list(rows.values_list("key", flat=True)[:10])

    latencies, recall = _run(queries, relevant, engine, ROUNDS)
    baseline_latencies, baseline_recall = _run(queries, relevant, baseline, BASELINE_ROUNDS)
    return {
        "database": connection.vendor,
        "items": indexed,
        "queries": len(queries),
        "tokenize_s": round(tokenize_seconds, 2),
        "index_s": round(index_seconds, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(_percentile(latencies, 0.95), 2),
        "recall_at_10": round(recall, 3),
        "baseline_p50_ms": round(statistics.median(baseline_latencies), 2),
        "baseline_p95_ms": round(_percentile(baseline_latencies, 0.95), 2),
        "baseline_recall_at_10": round(baseline_recall, 3),
    }


if __name__ == "__main__":
    main()
