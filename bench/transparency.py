"""The public procurement information center (P-21) at a million tenders: filtered list and
search latency, OCDS export throughput and the exports' peak memory, on a fresh database of the
configured kind. One JSON line on stdout; progress on stderr.

    .venv/bin/python bench/transparency.py                        # SQLite (WAL, synchronous=FULL)
    .venv/bin/python bench/transparency.py --tenders 200000 --indexed all
    .venv/bin/python bench/transparency.py --schema-as-is         # without the proposed indexes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/transparency.py

Building: 50 agencies through identity's services, then `--tenders` tenders (default 1,000,000)
in one bulk load (SQLite: executemany, secondary indexes rebuilt after the load; PostgreSQL:
COPY), then ANALYZE. Titles are Thai procurement titles from a generator (ซื้อ/จ้าง + object +
place); statuses 5 % draft, 25 % published, 10 % opened, 10 % awarded, 45 % contracted, 5 %
cancelled; agencies skewed (the largest publishes about 22 % of the tenders, the smallest about
0.4 %). The tenders have no lines, bids or contracts rows.

The search index: `tender_publish` indexes one tender at a time; here the newest public tenders
go in through the search app's `index_many()`, 10,000 at a time. The search app indexes about
10,000 documents a second on SQLite and 2,500 on PostgreSQL (2 cores), so a million cannot be
indexed within the two minutes a benchmark may take: `--indexed auto` (the default) indexes as
many as the time budget leaves (BENCH_BUDGET_S, minus RESERVE_S for what follows) and prints
the real number as `search_indexed`; `--indexed all` or a number asks for more.

PROPOSED_INDEXES are added when the schema lacks them (`indexes_added` names them; see there
why); `--schema-as-is` measures without them.

`list_p95_ms`: p95 over ROUNDS rounds (after a warm-up) of a fixed set of list requests (every
filter alone and combined, first pages and the eleventh page behind a cursor) through
`infocenter.tenders_page()` and `results_page()`, rows loaded. `page_p95_ms`: the first pages of
those requests through the whole page (test client: middleware, form, template), one round.
`search_p95_ms`: `tenders_page(q=...)` for Thai queries (common and rare words, a typo, a query
matching nothing, with and without filters), SEARCH_ROUNDS rounds. `ocds_releases_per_s`:
`iter_release_package_json()` of all public data, serialised, for EXPORT_SECONDS after the first
release (`ocds_first_release_s` is the wait for it), in a process of its own whose peak resident
memory (VmHWM, whole process) is `export_peak_rss_mb`. `csv_rows_per_s`, `xlsx_rows_per_s` and
`download_peak_rss_mb`: the CSV and XLSX downloads of the first XLSX_ROWS public tenders, in
another process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TENDERS = 1_000_000
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SEARCH_ROUNDS = int(os.environ.get("BENCH_SEARCH_ROUNDS", "3"))
EXPORT_SECONDS = float(os.environ.get("BENCH_EXPORT_SECONDS", "6"))
XLSX_ROWS = int(os.environ.get("BENCH_XLSX_ROWS", "20000"))
BUDGET_S = float(os.environ.get("BENCH_BUDGET_S", "95"))  # the whole run, start to end
RESERVE_S = float(os.environ.get("BENCH_RESERVE_S", "34"))  # what follows the search index
INDEX_CHUNK = 10_000
AUTO = -1

SEED = 20261201
AGENCIES = 50
VERBS = ("ซื้อ", "ซื้อ", "จ้าง", "จ้างเหมาบริการ", "จ้างก่อสร้าง", "เช่า")
THINGS = (
    "เครื่องคอมพิวเตอร์โน้ตบุ๊ก",
    "เครื่องคอมพิวเตอร์แม่ข่าย",
    "วัสดุสำนักงาน",
    "กระดาษถ่ายเอกสาร",
    "ถนนคอนกรีตเสริมเหล็ก",
    "ระบบสารสนเทศ",
    "รถยนต์ส่วนกลาง",
    "ครุภัณฑ์การแพทย์",
    "เครื่องปรับอากาศ",
    "ทำความสะอาดอาคาร",
    "รักษาความปลอดภัย",
    "อาหารกลางวันนักเรียน",
    "ยาและเวชภัณฑ์",
    "ซ่อมแซมอาคารเรียน",
    "ระบบกล้องวงจรปิด",
    "เครื่องพิมพ์เลเซอร์",
    "โต๊ะและเก้าอี้สำนักงาน",
    "ท่อระบายน้ำ",
    "สะพานข้ามคลอง",
    "ระบบประปาหมู่บ้าน",
    "ไฟฟ้าส่องสว่างทางสาธารณะ",
    "เครื่องเอกซเรย์ดิจิทัล",
    "เรือตรวจการณ์",
    "ห้องปฏิบัติการวิทยาศาสตร์",
)
PLACES = (
    "ตำบลบางพลี",
    "อำเภอเมือง",
    "หมู่ที่ 5",
    "กรุงเทพมหานคร",
    "จังหวัดเชียงใหม่",
    "จังหวัดขอนแก่น",
    "จังหวัดสงขลา",
    "สำนักงานเขตจตุจักร",
    "โรงพยาบาลส่งเสริมสุขภาพตำบล",
    "ศูนย์ราชการแจ้งวัฒนะ",
)
# status, share of all tenders
STATES = (
    ("draft", 5),
    ("published", 25),
    ("opened", 10),
    ("awarded", 10),
    ("contracted", 45),
    ("cancelled", 5),
)
METHODS = (("e_bidding", 6), ("e_market", 3), ("specific", 1))
OPENED = {"opened", "awarded", "contracted"}


def title(rng: random.Random) -> str:
    return (
        f"{rng.choice(VERBS)}{rng.choice(THINGS)} {rng.choice(PLACES)} "
        f"จำนวน {rng.randint(1, 60)} รายการ"
    )


def _weighted(pairs) -> list[str]:
    return [value for value, weight in pairs for _ in range(weight)]


def _copy_text(value) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


def build(count: int) -> dict:
    """Agencies through identity's services, then `count` tenders in bulk (raw inserts)."""
    from django.db import connection
    from django.utils import timezone

    from onestop.identity import public as identity
    from onestop.procurement.models import Tender

    admin_user = identity.platform_admin_bootstrap(
        username="bench.admin",
        first_name="ผู้ดูแล",
        last_name="ระบบ",
        password=secrets.token_urlsafe(16),
    )
    admin = identity.principal_for(admin_user)
    ministries = [f"M{n}" for n in range(5)]
    for code in ministries:
        identity.agency_create(
            actor=admin, code=code, name_th=f"กระทรวง {code}", name_en=code, kind="ministry"
        )
    agencies = []
    for n in range(AGENCIES):
        agencies.append(
            identity.agency_create(
                actor=admin,
                code=f"AG{n:02d}",
                name_th=f"กรมทดสอบที่ {n}",
                name_en=f"Department {n}",
                kind="department",
                parent_code=ministries[n % 5],
            ).pk
        )
    # Skewed: the first agencies publish most, the last ones a few hundred tenders each.
    weights = [1.0 / (n + 1) for n in range(AGENCIES)]

    rng = random.Random(SEED)
    statuses = _weighted(STATES)
    methods = _weighted(METHODS)
    fields = [f for f in Tender._meta.concrete_fields if not f.primary_key]
    defaults = {}
    for field in fields:
        value = field.get_default() if field.has_default() else None
        if value is None and not field.null:
            value = ""
        defaults[field.attname] = value
    vendor = connection.vendor
    now = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    if vendor == "sqlite":  # Django's own storage form: naive UTC text, Decimal as text
        now = now.replace(tzinfo=None)
        moment_value = str
        money_value = str
    else:

        def moment_value(value):
            return value

        def money_value(value):
            return value

    start = now - dt.timedelta(days=3 * 365)
    step = (now - start) / max(count, 1)
    for field in fields:
        if field.get_internal_type() == "JSONField" and defaults[field.attname] in ("", None, []):
            defaults[field.attname] = "[]"
    names = [f.attname for f in fields]
    position = {name: index for index, name in enumerate(names)}
    template = [defaults[name] for name in names]
    columns = [f.column for f in fields]
    cent = Decimal("0.01")
    days = [dt.timedelta(days=d) for d in (7, 10, 14, 20)]
    three_days, two_days, nine_days = (dt.timedelta(days=d) for d in (3, 2, 9))
    one_hour, two_hours = dt.timedelta(hours=1), dt.timedelta(hours=2)
    p = position

    creator = admin_user.pk
    titles = [title(rng) for _ in range(min(count, 20_000) or 1)]
    budgets = [Decimal(int(10 ** rng.uniform(4.7, 8.7))) for _ in range(5000)]
    prices = [(budget * Decimal("0.96")).quantize(cent) for budget in budgets]
    budgets = [money_value(budget) for budget in budgets]
    prices = [money_value(price) for price in prices]

    def rows():
        # Bulk random draws (C loops) for what varies per row; the rest is arithmetic.
        picks = rng.choices(agencies, weights=weights, k=count)
        states = rng.choices(statuses, k=count)
        names = rng.choices(titles, k=count)
        amounts = rng.choices(range(len(budgets)), k=count)
        for i in range(count):
            status = states[i]
            moment = start + step * i
            deadline = moment + days[i & 3]
            row = template[:]
            row[p["agency_id"]] = picks[i]
            row[p["reference"]] = f"BT-{i:08d}"
            row[p["fiscal_year"]] = 2567 + (moment.year - 2024)
            row[p["title"]] = names[i]
            row[p["method"]] = methods[i % len(methods)]
            row[p["budget"]] = budgets[amounts[i]]
            row[p["reference_price"]] = prices[amounts[i]]
            row[p["status"]] = status
            row[p["clarification_deadline"]] = moment_value(deadline - three_days)
            row[p["submission_deadline"]] = moment_value(deadline)
            row[p["opening_at"]] = moment_value(deadline + one_hour)
            row[p["created_by_id"]] = creator
            row[p["created_at"]] = moment_value(moment - two_days)
            if status != "draft":
                row[p["published_at"]] = moment_value(moment)
            if status in OPENED:
                row[p["opened_at"]] = moment_value(deadline + two_hours)
                if status != "opened":
                    row[p["awarded_at"]] = moment_value(deadline + nine_days)
            yield row

    table = Tender._meta.db_table
    if vendor == "postgresql":
        # COPY in its text format, written by the thousand lines (write_row adapts every value
        # on its own and is several times slower).
        text = [_copy_text(value) for value in template]
        lines = []
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows():
                    line = text[:]
                    for index, value in enumerate(row):
                        if value is not template[index]:
                            line[index] = _copy_text(value)
                    lines.append("\t".join(line))
                    if len(lines) == 5000:
                        copy.write("\n".join(lines) + "\n")
                        lines = []
                if lines:
                    copy.write("\n".join(lines) + "\n")
            cursor.execute(f"ANALYZE {table}")
    else:
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['?'] * len(columns))})"
        )
        connection.ensure_connection()
        raw = connection.connection
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("PRAGMA cache_size=-400000")
        # Secondary indexes are dropped for the load and built again afterwards (faster than
        # keeping seven b-trees in step row by row); their definitions are kept as they were.
        indexes = raw.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        ).fetchall()
        raw.execute("BEGIN")
        for name, _sql in indexes:
            raw.execute(f'DROP INDEX "{name}"')
        raw.executemany(sql, rows())
        for _name, index_sql in indexes:
            raw.execute(index_sql)
        raw.execute("COMMIT")
        raw.execute("ANALYZE")
    return {"tenders": count}


# Running ---------------------------------------------------------------------------------------


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


def _django() -> None:
    sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]
    import django

    django.setup()
    from django.conf import settings

    # DEBUG=1 only spares the secrets a production run needs; queries are not logged in
    # production, and logging them would be what is measured.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenders", type=int, default=DEFAULT_TENDERS)
    parser.add_argument(
        "--indexed",
        default="auto",
        help="how many of the newest public tenders go into the search index: a number, "
        "'all', or 'auto' (as many as fit in the time budget, BENCH_BUDGET_S)",
    )
    parser.add_argument(
        "--schema-as-is",
        action="store_true",
        help="measure without adding the proposed indexes (PROPOSED_INDEXES)",
    )
    parser.add_argument("--child", choices=("ocds", "downloads"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # the export, in a process of its own (its peak memory is the figure)
        _django()
        print(json.dumps(_export(args.child)))
        return
    original_url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        database = _setup(tmp)
        try:
            limit = {"auto": AUTO, "all": None}.get(args.indexed)
            if args.indexed not in ("auto", "all"):
                limit = int(args.indexed)
            print(json.dumps(_measure(args.tenders, limit, args.schema_as_is)))
        finally:
            from django.db import connections

            connections.close_all()
            _drop(original_url, database)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _timed(calls, rounds: int) -> list[float]:
    """Latencies (ms) of every call over `rounds` rounds, after one warm-up round."""
    for call in calls:
        call()
    latencies = []
    for _round in range(rounds):
        for call in calls:
            started = time.perf_counter()
            call()
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def _list_calls(agencies: list[str]):
    """Every filter alone and combined, first pages and pages deep behind a cursor."""
    from onestop.procurement import infocenter

    big, small = agencies[0], agencies[-1]
    today = dt.date.today()
    cases = [
        ("tenders", {}),
        ("tenders", {"status": "published"}),
        ("tenders", {"status": "contracted"}),
        ("tenders", {"agency": big}),
        ("tenders", {"agency": small}),
        ("tenders", {"agency": big, "status": "opened"}),
        ("tenders", {"method": "specific"}),
        ("tenders", {"amount_min": Decimal("100000000")}),
        ("tenders", {"amount_min": Decimal("1000000"), "amount_max": Decimal("2000000")}),
        ("tenders", {"date_from": today - dt.timedelta(days=400)}),
        (
            "tenders",
            {
                "date_from": today - dt.timedelta(days=800),
                "date_to": today - dt.timedelta(days=700),
            },
        ),
        (
            "tenders",
            {
                "agency": small,
                "method": "e_bidding",
                "amount_min": Decimal("500000"),
                "date_from": today - dt.timedelta(days=900),
            },
        ),
        ("results", {}),
        ("results", {"agency": big}),
        ("results", {"agency": small, "amount_max": Decimal("5000000")}),
    ]
    calls = []
    for kind, fields in cases:
        page = infocenter.PAGES[kind]
        filters = infocenter.Filters(**fields)
        calls.append(lambda page=page, filters=filters: page(filters).rows)
        calls[-1].label = f"{kind} {fields}"
        # ten pages in: the cursor of the tenth page, then that page itself
        cursor = None
        for _page in range(10):
            cursor = page(filters, cursor).next_cursor
            if cursor is None:
                break
        if cursor:
            calls.append(lambda page=page, filters=filters, cursor=cursor: page(filters, cursor))
            calls[-1].label = f"{kind} {fields} page 11"
    return calls, cases


SEARCHES = (
    ("คอมพิวเตอร์", {}),
    ("เครื่องเอกซเรย์", {}),
    ("สะพานข้ามคลอง", {}),
    ("ซื้อกระดาษ", {}),
    ("ประปา เชียงใหม่", {}),
    ("เรือตรวจการณ์ สงขลา", {}),
    ("กล้องวงจรปิด", {"status": "contracted"}),
    ("ทำความสะอาด", {"agency": "AG00"}),
    ("อาหารกลางวัน", {"agency": "AG49", "method": "e_bidding"}),
    ("ครุภัณฑ์การแพทย", {}),  # typed without its last letter
    ("ถนนคอนกรีต", {"amount_min": Decimal("5000000")}),
    ("ไม่มีคำนี้ในประกาศ", {}),
)


def _search_calls():
    from onestop.procurement import infocenter

    return [
        lambda query=query, fields=fields: (
            infocenter.tenders_page(infocenter.Filters(q=query, **fields)).rows
        )
        for query, fields in SEARCHES
    ]


def _page_calls(cases):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    calls = []
    for kind, fields in cases:
        url = reverse(f"procurement:info_{kind}")
        params = {key: str(value) for key, value in fields.items()}
        calls.append(lambda url=url, params=params: client.get(url, params))
    return calls


def _child(kind: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", kind],
        check=False,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=300,
    )
    if output.returncode:
        raise RuntimeError(f"The {kind} export failed:\n{output.stderr}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def _export(kind: str) -> dict:
    """In the child process: stream an export for up to EXPORT_SECONDS (OCDS) or XLSX_ROWS
    rows (XLSX); report what was written and the process's peak resident memory."""
    started = time.perf_counter()
    first = None
    if kind == "ocds":
        from onestop.procurement.ocds import releases as ocds

        count = 0
        written = 0

        def counted():
            nonlocal count, first
            for release in ocds.iter_releases():
                if first is None:
                    first = time.perf_counter()
                count += 1
                yield release
                if time.perf_counter() - first > EXPORT_SECONDS:
                    return

        for piece in ocds.iter_release_package_json(
            uri="https://onestop.example/api/ocds/releases", releases=counted()
        ):
            written += len(piece)
    else:
        from itertools import islice

        from django.test import RequestFactory

        from onestop.procurement import infocenter
        from onestop.procurement.http import views_infocenter as views

        columns = views._columns("tenders", RequestFactory().get("/"))
        # the CSV download first (streamed), then the XLSX one, of the same XLSX_ROWS rows
        rows = islice(infocenter.iter_rows("tenders", infocenter.Filters()), XLSX_ROWS)
        csv_bytes = sum(len(piece.encode()) for piece in views._csv_stream(columns, rows))
        csv_seconds = time.perf_counter() - started
        started = time.perf_counter()
        rows = islice(infocenter.iter_rows("tenders", infocenter.Filters()), XLSX_ROWS)
        spool = views._xlsx_file(columns, rows, "Tenders")
        written = spool.seek(0, 2)
        spool.close()
        count = XLSX_ROWS
    ended = time.perf_counter()
    if kind != "ocds":
        return {
            "items": count,
            "first_s": 0.0,
            "seconds": ended - started,
            "csv_seconds": csv_seconds,
            "bytes": written,
            "csv_bytes": csv_bytes,
            "peak_rss_mb": _peak_rss_mb(),
        }
    return {
        "items": count,
        "first_s": (first or ended) - started,
        "seconds": ended - (first or started),
        "bytes": written,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _peak_rss_mb() -> float:
    """This process's peak resident memory. Linux keeps getrusage's ru_maxrss across exec (a
    child started from a big parent would report the parent's); VmHWM is the new program's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


STARTED = time.perf_counter()


def _note(text: str) -> None:
    """Progress on stderr (the JSON line alone goes to stdout)."""
    print(f"[{time.perf_counter() - STARTED:6.1f} s] {text}", file=sys.stderr, flush=True)


# Indexes the bench adds when the schema lacks them (see the module's docstring):
PROPOSED_INDEXES = {
    # the agency filter reads a page of (agency, status) newest first straight from an index,
    # instead of sorting every tender of a large agency in that status
    "tender_agency_status_published": ("agency_id", "status", "published_at"),
    # the OCDS export reads every public tender oldest first: without it, the database sorts
    # them all before the first release
    "tender_published": ("published_at", "id"),
}


def _proposed_indexes() -> list[str]:
    """Add the proposed indexes the schema lacks; return the names of those added."""
    from django.db import connection

    from onestop.procurement.models import Tender

    table = Tender._meta.db_table
    added = []
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
        present = {tuple(info["columns"]) for info in constraints.values() if info["index"]}
        for name, columns in PROPOSED_INDEXES.items():
            if any(index[: len(columns)] == columns for index in present):
                continue
            cursor.execute(f"CREATE INDEX {name} ON {table} ({', '.join(columns)})")
            added.append(name)
    return added


def _index(limit: int | None) -> int:
    """Put the newest public tenders in the search index through the search app's
    `index_many()`, as publication does one by one: `limit` of them (None: every one), or with
    AUTO as many as the time budget allows (the measurements after it need about RESERVE_S)."""
    from onestop.procurement import infocenter
    from onestop.procurement.models import Tender
    from onestop.search import public as search

    deadline = STARTED + BUDGET_S - RESERVE_S
    public = (
        Tender.objects.filter(published_at__isnull=False)
        .exclude(status=Tender.Status.DRAFT)
        .select_related("agency")
        .order_by("-pk")
    )
    indexed, last = 0, None
    while limit is None or limit == AUTO or indexed < limit:
        if limit == AUTO and time.perf_counter() > deadline:
            break
        size = INDEX_CHUNK if limit in (None, AUTO) else min(INDEX_CHUNK, limit - indexed)
        batch = public.filter(pk__lt=last) if last else public
        tenders = list(batch[:size])
        if not tenders:
            break
        last = tenders[-1].pk
        indexed += search.index_many(
            index=infocenter.TENDER_INDEX,
            documents=[infocenter.tender_search_document(tender) for tender in tenders],
        )
    return indexed


def _measure(count: int, limit: int | None, schema_as_is: bool) -> dict:
    _django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    added = [] if schema_as_is else _proposed_indexes()
    started = time.perf_counter()
    build(count)
    build_seconds = time.perf_counter() - started
    _note(f"built {count} tenders in {build_seconds:.1f} s")
    started = time.perf_counter()
    indexed = _index(limit)
    index_seconds = time.perf_counter() - started
    _note(f"indexed {indexed} tenders for search in {index_seconds:.1f} s")

    agencies = [f"AG{n:02d}" for n in range(AGENCIES)]
    calls, cases = _list_calls(agencies)
    lists = _timed(calls, ROUNDS)
    pages = _timed(_page_calls(cases), 1)
    searches = _timed(_search_calls(), SEARCH_ROUNDS)
    _note("lists and searches measured")
    ocds = _child("ocds")
    xlsx = _child("downloads")
    _note("exports measured")
    return {
        "database": connection.vendor,
        "tenders": count,
        "indexes_added": added,
        "build_s": round(build_seconds, 1),
        "search_indexed": indexed,
        "index_s": round(index_seconds, 1),
        "list_p50_ms": round(statistics.median(lists), 2),
        "list_p95_ms": round(_percentile(lists, 0.95), 2),
        "page_p95_ms": round(_percentile(pages, 0.95), 2),
        "search_p50_ms": round(statistics.median(searches), 2),
        "search_p95_ms": round(_percentile(searches, 0.95), 2),
        "ocds_releases_per_s": round(ocds["items"] / ocds["seconds"]),
        "ocds_first_release_s": round(ocds["first_s"], 2),
        "export_peak_rss_mb": round(ocds["peak_rss_mb"], 1),
        "csv_rows_per_s": round(xlsx["items"] / xlsx["csv_seconds"]),
        "xlsx_rows_per_s": round(xlsx["items"] / xlsx["seconds"]),
        "download_peak_rss_mb": round(xlsx["peak_rss_mb"], 1),
    }


if __name__ == "__main__":
    main()
