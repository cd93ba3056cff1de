"""The public procurement information center (P-21): lists, filters, Thai search, keyset pages,
a tender's public timeline and the CSV/XLSX downloads, read without logging in."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from onestop.core.thai import fiscal_year
from onestop.procurement import infocenter
from onestop.procurement.models import Tender
from onestop.procurement.services import awarding, budget, planning, tendering
from onestop.procurement.services.documents import DocumentUpload, tender_document_add
from tests.procurement.conftest import PASSPHRASE, PDF, enrol, juristic_of, otp
from tests.procurement.test_tendering import bid, draft, published, supplier_id

pytestmark = pytest.mark.django_db

TITLES = {
    "system": "จ้างพัฒนาระบบสารสนเทศ 1 ระบบ",
    "laptops": "ซื้อเครื่องคอมพิวเตอร์โน้ตบุ๊ก 10 เครื่อง",
    "building": "จ้างก่อสร้างอาคารสำนักงานขนส่งจังหวัด",
    "paper": "ซื้อกระดาษถ่ายเอกสาร 500 รีม",
}


def priced(budget: str) -> dict:
    """A budget with one line priced at 90 % of it (the reference price stays within)."""
    price = (Decimal(budget) * Decimal("0.9")).quantize(Decimal("0.01"))
    return {
        "budget": budget,
        "lines": [tendering.LineInput("งานตามขอบเขต", "1", "งาน", str(price))],
    }


def anonymous() -> Client:
    return Client()


def listed(response) -> list[str]:
    """The tender references of a list page, in order."""
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('data-reference="')[1:]]


def opened(tender, committee, clock):
    clock.to(tender.opening_at)
    for member in committee[:2]:
        tendering.share_release(
            actor=member, reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
        )
    return Tender.objects.get(pk=tender.pk)


@pytest.fixture
def dlt_team(dlt, officer):
    members = [officer("DLT", "committee") for _ in range(3)]
    for member in members:
        tendering.vault_key_create(actor=member, passphrase=PASSPHRASE)
        enrol(member)
    return officer("DLT", "buyer"), members


@pytest.fixture
def world(buyer, committee, dlt_team, clock):
    """Tenders of CGD and DLT over three days, and a draft that must never show."""
    start = clock.now
    made = {
        "system": published(buyer, committee, clock, title=TITLES["system"]),
        # the same moment as the first: the id settles the order
        "laptops": published(
            buyer, committee, clock, title=TITLES["laptops"], method="e_market", **priced("300000")
        ),
    }
    clock.to(start + dt.timedelta(days=1))
    dlt_buyer, dlt_committee = dlt_team
    made["building"] = published(
        dlt_buyer,
        dlt_committee,
        clock,
        title=TITLES["building"],
        method="specific",
        **priced("5000000"),
    )
    clock.to(start + dt.timedelta(days=2))
    made["paper"] = published(buyer, committee, clock, title=TITLES["paper"], **priced("150000"))
    made["draft"] = draft(buyer, clock, title="ร่างลับ ซื้อเครื่องคอมพิวเตอร์ 99 เครื่อง")
    return made


def refs(*tenders) -> list[str]:
    return [tender.reference for tender in tenders]


def test_anyone_reads_every_list_without_logging_in(world):
    client = anonymous()
    assert client.get("/procurement/info/").url == reverse("procurement:info_tenders")
    for name in ("info_tenders", "info_results", "info_contracts", "info_plans"):
        response = client.get(reverse(f"procurement:{name}"))
        assert response.status_code == 200, name
    page = client.get(reverse("procurement:info_tender", args=[world["system"].reference]))
    assert page.status_code == 200
    assert TITLES["system"] in page.content.decode()


def test_the_list_is_newest_first_and_never_shows_a_draft(world):
    response = anonymous().get(reverse("procurement:info_tenders"))
    # same publication moment: the higher id first
    assert listed(response) == refs(
        world["paper"], world["building"], world["laptops"], world["system"]
    )
    assert world["draft"].reference not in response.content.decode()
    hidden = anonymous().get(reverse("procurement:info_tender", args=[world["draft"].reference]))
    assert hidden.status_code == 404


def test_a_cancelled_draft_stays_hidden(world, cgd, officer):
    approver = officer("CGD", "approver")
    awarding.tender_cancel(actor=approver, reference=world["draft"].reference, reason="ไม่ต้องการแล้ว")
    response = anonymous().get(reverse("procurement:info_tenders"), {"status": "cancelled"})
    assert listed(response) == []
    page = infocenter.tenders_page(infocenter.Filters(q="คอมพิวเตอร์"))
    assert [tender.reference for tender in page.rows] == refs(world["laptops"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"agency": "DLT"}, ["building"]),
        ({"agency": "CGD"}, ["paper", "laptops", "system"]),
        ({"method": "e_market"}, ["laptops"]),
        ({"method": "specific"}, ["building"]),
        ({"amount_min": "200000", "amount_max": "1,250,000"}, ["laptops", "system"]),
        ({"amount_min": "1000000"}, ["building", "system"]),
        ({"amount_max": "150000.00"}, ["paper"]),
        ({"agency": "CGD", "method": "e_bidding", "amount_min": "1000000"}, ["system"]),
    ],
)
def test_each_filter(world, params, expected):
    response = anonymous().get(reverse("procurement:info_tenders"), params)
    assert response.status_code == 200
    assert listed(response) == [world[name].reference for name in expected]


def test_the_date_filter_takes_whole_days_in_thai_or_common_era(world, clock):
    published_day = timezone.localtime(world["building"].published_at).date()
    for value in (
        published_day.isoformat(),
        f"{published_day.day}/{published_day.month}/{published_day.year + 543}",
    ):
        response = anonymous().get(
            reverse("procurement:info_tenders"), {"date_from": value, "date_to": value}
        )
        assert listed(response) == refs(world["building"]), value
    later = published_day + dt.timedelta(days=1)
    response = anonymous().get(reverse("procurement:info_tenders"), {"date_from": later})
    assert listed(response) == refs(world["paper"])


def test_the_status_filter(world, committee, approved_supplier, clock):
    bid(world["paper"], approved_supplier(), "140000.00")
    opened(world["paper"], committee, clock)
    response = anonymous().get(reverse("procurement:info_tenders"), {"status": "opened"})
    assert listed(response) == refs(world["paper"])
    response = anonymous().get(reverse("procurement:info_tenders"), {"status": "published"})
    assert listed(response) == refs(world["building"], world["laptops"], world["system"])


def test_thai_search_finds_a_word_inside_a_thai_title(world):
    # "โน้ตบุ๊ก" is written inside "ซื้อเครื่องคอมพิวเตอร์โน้ตบุ๊ก": no space around it
    response = anonymous().get(reverse("procurement:info_tenders"), {"q": "โน้ตบุ๊ก"})
    assert listed(response) == refs(world["laptops"])
    response = anonymous().get(reverse("procurement:info_tenders"), {"q": "คอมพิวเตอร์"})
    assert listed(response) == refs(world["laptops"])  # never the draft, which says it too
    response = anonymous().get(reverse("procurement:info_tenders"), {"q": "ก่อสร้างอาคาร"})
    assert listed(response)[0] == world["building"].reference


def test_a_reference_finds_its_tender(world):
    reference = world["building"].reference
    for typed in (reference, f" {reference.lower()} "):
        response = anonymous().get(reverse("procurement:info_tenders"), {"q": typed})
        assert listed(response) == [reference]
    hidden = anonymous().get(reverse("procurement:info_tenders"), {"q": world["draft"].reference})
    assert world["draft"].reference not in listed(hidden)


def test_search_combines_with_the_filters(world):
    response = anonymous().get(reverse("procurement:info_tenders"), {"q": "จ้าง", "agency": "DLT"})
    assert listed(response) == refs(world["building"])
    response = anonymous().get(
        reverse("procurement:info_tenders"), {"q": "จ้าง", "amount_max": "2000000"}
    )
    assert listed(response) == refs(world["system"])


def _every_page(fetch, size):
    seen, cursor, pages = [], None, 0
    while True:
        page = fetch(cursor, size)
        pages += 1
        seen += [row.reference for row in page.rows]
        if page.next_cursor is None:
            return seen, pages
        assert len(page.rows) == size
        cursor = page.next_cursor


def test_keyset_pages_return_every_row_exactly_once(world, buyer, committee, clock):
    # more tenders, several of them published at the very same moment
    more = [published(buyer, committee, clock, title=f"ซื้อวัสดุสำนักงาน ชุดที่ {n}") for n in range(5)]
    everyone = [
        tender.reference
        for tender in sorted(
            [*more, *(world[name] for name in ("system", "laptops", "building", "paper"))],
            key=lambda tender: (tender.published_at, tender.pk),
            reverse=True,
        )
    ]
    for size in (1, 2, 3, 4, 100):
        seen, pages = _every_page(
            lambda cursor, size: infocenter.tenders_page(infocenter.Filters(), cursor, size), size
        )
        assert seen == everyone, size
        assert pages == max(1, -(-len(everyone) // size))
    # the same through a text search, in its own (ranked) order
    seen, _pages = _every_page(
        lambda cursor, size: infocenter.tenders_page(infocenter.Filters(q="ซื้อ"), cursor, size),
        2,
    )
    assert sorted(seen) == sorted([*refs(*more), *refs(world["laptops"], world["paper"])])


def test_the_next_page_link_carries_the_filters_and_an_opaque_cursor(world, monkeypatch):
    monkeypatch.setattr(infocenter, "PAGE_SIZE", 2)
    client = anonymous()
    first = client.get(reverse("procurement:info_tenders"), {"agency": "CGD"})
    assert listed(first) == refs(world["paper"], world["laptops"])
    link = first.context["next_query"]
    assert "agency=CGD" in link and "cursor=" in link and "offset" not in link
    second = client.get(reverse("procurement:info_tenders") + "?" + link)
    assert listed(second) == refs(world["system"])
    assert second.context["page"].next_cursor is None


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_csv_download_keeps_thai_and_the_filters(world):
    response = anonymous().get(
        reverse("procurement:info_download", args=["tenders", "csv"]), {"agency": "CGD"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert len(header) == 12
    assert [row[0] for row in rows] == refs(world["paper"], world["laptops"], world["system"])
    assert rows[1][1] == TITLES["laptops"]
    assert rows[1][3] == world["laptops"].agency.name_th
    assert rows[1][6] == "300000.00"
    assert rows[1][-1].endswith(f"/procurement/info/tenders/{world['laptops'].reference}/")
    everything = _csv_rows(
        anonymous().get(reverse("procurement:info_download", args=["tenders", "csv"]))
    )
    assert world["draft"].reference not in {row[0] for row in everything}
    assert len(everything) == 5


def test_the_xlsx_download_opens_with_its_rows(world):
    response = anonymous().get(
        reverse("procurement:info_download", args=["tenders", "xlsx"]), {"q": "จ้าง"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 3
    assert sorted(row[0] for row in rows[1:]) == sorted(refs(world["system"], world["building"]))
    titles = {row[0]: row[1] for row in rows[1:]}
    assert titles[world["building"].reference] == TITLES["building"]
    budgets = {row[0]: row[6] for row in rows[1:]}
    assert budgets[world["building"].reference] == 5000000
    assert isinstance(rows[1][8], dt.datetime)


def test_a_title_is_escaped_in_pages_and_kept_as_text_in_downloads(buyer, committee, clock):
    title = '<script>alert("x")</script> =HYPERLINK("http://evil") ซื้อ'
    tender = published(buyer, committee, clock, title=title)
    for url in (
        reverse("procurement:info_tenders"),
        reverse("procurement:info_tender", args=[tender.reference]),
    ):
        html = anonymous().get(url).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    _header, row = _csv_rows(
        anonymous().get(reverse("procurement:info_download", args=["tenders", "csv"]))
    )
    assert row[1] == title  # starts with "<": nothing for a spreadsheet to run
    workbook = load_workbook(
        io.BytesIO(
            b"".join(
                anonymous()
                .get(reverse("procurement:info_download", args=["tenders", "xlsx"]))
                .streaming_content
            )
        )
    )
    assert workbook.active["B2"].value == title and workbook.active["B2"].data_type == "s"


def test_a_formula_in_a_title_is_not_run_by_a_spreadsheet(buyer, committee, clock):
    title = '=HYPERLINK("http://evil.example","ซื้อ")'
    published(buyer, committee, clock, title=title)
    _header, row = _csv_rows(
        anonymous().get(reverse("procurement:info_download", args=["tenders", "csv"]))
    )
    assert row[1] == "'" + title
    response = anonymous().get(reverse("procurement:info_download", args=["tenders", "xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["B2"].value == title and sheet["B2"].data_type == "s"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"amount_min": "abc"}, "amount_min", "Enter a number."),
        ({"amount_max": "-5"}, "amount_max", "greater than or equal to 0"),
        ({"amount_min": "500", "amount_max": "100"}, "amount_max", "below the lowest"),
        ({"date_from": "2026-13-45"}, "date_from", "Enter a date such as 31/12/2569"),
        ({"date_to": "tomorrow"}, "date_to", "Enter a date such as"),
        ({"date_from": "2026-12-31", "date_to": "2026-12-01"}, "date_to", "before the first"),
        ({"agency": "NOPE"}, "agency", "Select a valid choice"),
        ({"status": "draft"}, "status", "Select a valid choice"),
        ({"cursor": "!!not-a-cursor"}, None, "This page link is not valid"),
        ({"cursor": "WyJrIiwiMjAyNiIsMV0"}, None, "This page link is not valid"),
    ],
)
def test_a_bad_filter_gets_a_clear_message(world, params, field, message):
    client = anonymous()
    client.cookies["django_language"] = "en"
    response = client.get(reverse("procurement:info_tenders"), params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'class="error-summary"' in html
    if field:
        assert message in " ".join(response.context["form"].errors[field])
    download = client.get(
        reverse("procurement:info_download", args=["tenders", "csv"]),
        params,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert download.status_code == 400 if field else download.status_code in (200, 400)


def test_a_bad_filter_message_is_in_thai_by_default(world):
    response = anonymous().get(reverse("procurement:info_tenders"), {"amount_min": "abc"})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert response.context["form"].errors["amount_min"] != ["Enter a number."]


@pytest.fixture
def approver(cgd, officer):
    return officer("CGD", "approver")


@pytest.fixture
def budget_line(cgd, officer):
    admin = officer("CGD", "agency_admin")
    return budget.budget_line_create(
        actor=admin,
        agency_code="CGD",
        fiscal_year=fiscal_year(timezone.now()),
        code="INV-01",
        name="ค่าครุภัณฑ์และระบบสารสนเทศ",
        amount=Decimal("5000000.00"),
    )


@pytest.fixture
def contracted(buyer, committee, approver, budget_line, approved_supplier, clock):
    """A tender all the way to its contract, with a document and questions on the way."""
    tender = published(buyer, committee, clock)
    tender_document_add(
        actor=buyer,
        reference=tender.reference,
        upload=DocumentUpload("ประกาศเชิญชวน.pdf", PDF, kind="invitation"),
    )
    bidders = [approved_supplier() for _ in range(3)]
    asked = awarding.question_ask(
        actor=bidders[0],
        reference=tender.reference,
        supplier_id=supplier_id(bidders[0]),
        question="ต้องแนบหนังสือรับรองผลงานกี่ฉบับ",
    )
    awarding.question_answer(
        actor=buyer, reference=tender.reference, question_id=asked.pk, answer="อย่างน้อย 1 ฉบับ"
    )
    awarding.question_ask(
        actor=bidders[1],
        reference=tender.reference,
        supplier_id=supplier_id(bidders[1]),
        question="คำถามที่ยังไม่มีคำตอบ",
    )
    for owner, price in zip(bidders, ("1180000.00", "1095500.50", "1210000.00"), strict=True):
        bid(tender, owner, price)
    before = anonymous().get(reverse("procurement:info_tender", args=[tender.reference]))
    tender = opened(tender, committee, clock)
    for submission in tender.submissions.filter(superseded=False):
        awarding.submission_evaluate(
            actor=committee[0],
            reference=tender.reference,
            sequence=submission.sequence,
            qualified=True,
        )
    awarding.tender_award(actor=approver, reference=tender.reference)
    clock.advance(days=8)
    contract = awarding.contract_sign(
        actor=approver,
        reference=tender.reference,
        budget_line_id=budget_line.pk,
        delivery_due=timezone.localdate() + dt.timedelta(days=60),
        delivery_address="กรมบัญชีกลาง ถนนพระรามที่ 6 กรุงเทพฯ",
    )
    return Tender.objects.get(pk=tender.pk), contract, bidders, before


def test_a_tender_page_shows_its_whole_public_timeline(contracted):
    tender, contract, bidders, before = contracted
    # before the opening: no price, no bidder
    html = before.content.decode()
    for price in ("1,095,500.50", "1,180,000.00", "1,210,000.00"):
        assert price not in html
    assert "ต้องแนบหนังสือรับรองผลงานกี่ฉบับ" in html and "อย่างน้อย 1 ฉบับ" in html
    assert "คำถามที่ยังไม่มีคำตอบ" not in html
    # who asked is not published, nor who bids, before the opening
    for owner in bidders:
        assert juristic_of(owner) not in html

    response = anonymous().get(reverse("procurement:info_tender", args=[tender.reference]))
    html = response.content.decode()
    timeline = response.context["timeline"]
    assert [m.key for m in timeline.milestones] == [
        "published",
        "clarification",
        "submission",
        "opening",
        "award",
        "standstill",
        "contract",
    ]
    assert all(m.done for m in timeline.milestones)
    assert [p.price for p in timeline.prices] == [
        Decimal("1095500.50"),
        Decimal("1180000.00"),
        Decimal("1210000.00"),
    ]
    assert timeline.winner.price == Decimal("1095500.50")
    assert timeline.winner.supplier_name in html
    assert contract.number in html
    assert "ประกาศเชิญชวน.pdf" in html
    assert "คำถามที่ยังไม่มีคำตอบ" not in html
    assert [c.answer for c in timeline.answers] == ["อย่างน้อย 1 ฉบับ"]


def test_a_public_document_downloads_without_login(contracted):
    tender = contracted[0]
    document = tender.documents.get()
    response = anonymous().get(
        reverse("procurement:info_document", args=[tender.reference, document.pk])
    )
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    missing = anonymous().get(
        reverse("procurement:info_document", args=[tender.reference, document.pk + 1000])
    )
    assert missing.status_code == 404


def test_results_and_contracts_lists(contracted, world):
    tender, contract, _bidders, _before = contracted
    results = anonymous().get(reverse("procurement:info_results"))
    assert listed(results) == refs(tender)
    html = results.content.decode()
    assert "1,095,500.50" in html
    contracts = anonymous().get(reverse("procurement:info_contracts"))
    assert contract.number in contracts.content.decode()
    empty = anonymous().get(reverse("procurement:info_contracts"), {"amount_min": "2000000"})
    assert contract.number not in empty.content.decode()
    _header, *rows = _csv_rows(
        anonymous().get(reverse("procurement:info_download", args=["results", "csv"]))
    )
    assert rows[0][0] == tender.reference and rows[0][-2] == "1095500.50"
    _header, *rows = _csv_rows(
        anonymous().get(reverse("procurement:info_download", args=["contracts", "csv"]))
    )
    assert [row[0] for row in rows] == [contract.number]
    searched = infocenter.contracts_page(infocenter.Filters(q="สารสนเทศ"))
    assert [c.number for c in searched.rows] == [contract.number]
    for typed in (contract.number, tender.reference):
        found = infocenter.contracts_page(infocenter.Filters(q=typed))
        assert [c.number for c in found.rows] == [contract.number]


def test_plans_list_only_published_plans(buyer, dlt_team, clock):
    year = fiscal_year(timezone.now())
    month = timezone.localdate().replace(day=1)
    items = [
        planning.PlanItemInput("ซื้อเครื่องคอมพิวเตอร์แม่ข่าย", "e_bidding", "2500000", month),
        planning.PlanItemInput("จ้างทำความสะอาดอาคาร", "specific", "480000", month),
    ]
    planning.plan_save(actor=buyer, fiscal_year=year, items=items)
    planning.plan_publish(actor=buyer, fiscal_year=year)
    dlt_buyer, _committee = dlt_team
    planning.plan_save(
        actor=dlt_buyer,
        fiscal_year=year,
        items=[planning.PlanItemInput("ร่างแผนที่ยังไม่ประกาศ", "e_bidding", "100000", month)],
    )
    html = anonymous().get(reverse("procurement:info_plans")).content.decode()
    assert "ซื้อเครื่องคอมพิวเตอร์แม่ข่าย" in html and "จ้างทำความสะอาดอาคาร" in html
    assert "ร่างแผนที่ยังไม่ประกาศ" not in html
    found = anonymous().get(reverse("procurement:info_plans"), {"q": "คอมพิวเตอร์"})
    assert "ซื้อเครื่องคอมพิวเตอร์แม่ข่าย" in found.content.decode()
    assert "จ้างทำความสะอาดอาคาร" not in found.content.decode()
    _header, *rows = _csv_rows(
        anonymous().get(
            reverse("procurement:info_download", args=["plans", "csv"]), {"method": "specific"}
        )
    )
    assert [row[4] for row in rows] == ["จ้างทำความสะอาดอาคาร"]


def test_the_home_page_and_menu_link_the_information_center(db):
    html = anonymous().get("/").content.decode()
    assert reverse("procurement:info_tenders") in html
