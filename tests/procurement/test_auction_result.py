"""The signed result document of an e-Auction (P-20): what it says (Thai, embedded fonts),
its signature, one document per auction however often it is asked for or issued, and who may
read it when (anyone, once the results are known)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onestop.core import thai
from onestop.documents.public import Document, agency_certificate, document_pdf, verify_pdf
from onestop.documents.rendering import decompose_sara_am
from onestop.identity.models import User
from onestop.procurement import selectors_auctions as reads
from onestop.procurement.models import Auction, Supplier
from onestop.procurement.selectors_auctions import results_known
from onestop.procurement.services import auction_results, auctions
from onestop.procurement.tasks import auction_result_enqueue, auction_result_task
from tests.conftest import ApiClient, assert_error_shape
from tests.documents.pdfs import pdf_fonts, pdf_text
from tests.procurement.test_auctions import place, schedule, supplier_of

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.django_db


def name_of(owner) -> str:
    return Supplier.objects.get(pk=supplier_of(owner)).business.name_th


def squashed(text: str) -> str:
    """Text without whitespace (pdftotext breaks lines inside table cells) and without Thai
    vowel and tone marks above and below the line (it may put them after the next letter)."""
    return re.sub(r"[\s\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]+", "", decompose_sara_am(text))


def assert_says(pdf_text_: str, *needles: str) -> None:
    text = squashed(pdf_text_)
    for needle in needles:
        assert squashed(needle) in text, needle


def result_documents(reference: str):
    return Document.objects.filter(kind=auction_results.DOCUMENT_KIND, reference=reference)


def page_url(reference: str) -> str:
    return f"/procurement/auctions/{reference}/result.pdf"


def api_url(reference: str) -> str:
    return f"/api/procurement/auctions/{reference}/result.pdf"


def closed_on_commit(auction, capture) -> Auction:
    """Close the auction, running what it queues on commit (the result task is queued)."""
    with capture(execute=True):
        return auctions.auction_close(reference=auction.reference)


def _client(principal=None) -> Client:
    client = Client()
    if principal is not None:
        client.force_login(User.objects.get(pk=principal.user_id))
    return client


@pytest.fixture
def scene(cgd, officer, approved_supplier, clock):
    # The agency's certificate from before the clock moves on: the signatures are verified
    # against the real time.
    agency_certificate("CGD")
    buyer = officer("CGD", "buyer")
    bidders = [approved_supplier() for _ in range(3)]
    return clock, buyer, bidders


def test_results_are_known_after_the_close_and_a_sealed_auctions_opening():
    assert not results_known(SimpleNamespace(status="scheduled", kind="reverse"))
    assert not results_known(SimpleNamespace(status="cancelled", kind="forward"))
    assert results_known(SimpleNamespace(status="closed", kind="reverse"))
    assert results_known(SimpleNamespace(status="closed", kind="forward"))
    assert not results_known(SimpleNamespace(status="closed", kind="sealed"))
    assert not results_known(SimpleNamespace(status="closed", kind="sealed", opened_at=None))
    opened = SimpleNamespace(status="closed", kind="sealed", opened_at=dt.datetime.now(dt.UTC))
    assert results_known(opened)
    assert not results_known(SimpleNamespace(status="scheduled", kind="sealed", opened_at=None))


def test_a_tender_reverse_auction_result_is_signed_in_thai_and_issued_once_at_the_close(
    buyer, committee, clock, approved_supplier, run_tasks, django_capture_on_commit_callbacks
):
    from tests.procurement.test_analytics import opened_tender

    agency_certificate("CGD")
    owners = [approved_supplier() for _ in range(3)]
    tender = opened_tender(
        buyer,
        committee,
        clock,
        clock.now,
        list(zip(owners, ["1150000", "1100000", "1190000"], strict=True)),
    )
    tender.submissions.update(qualified=True)
    auction = auctions.auction_create(
        actor=buyer,
        data=auctions.AuctionInput(
            kind="reverse",
            title="ประมูลจ้างพัฒนาระบบสารสนเทศ",
            tender_reference=tender.reference,
            start_price="1100000",
            step_amount="5000",
            opens_at=clock.now + dt.timedelta(minutes=5),
            ends_at=clock.now + dt.timedelta(minutes=35),
            extension_window=120,
            extension=180,
        ),
    )
    assert auction.reference_price == Decimal("1200000.00")
    clock.to(auction.opens_at)
    place(auction, owners[0], "1095000")
    place(auction, owners[1], "1090000")
    clock.to(auction.ends_at - dt.timedelta(seconds=60))
    place(auction, owners[0], "1080000")  # extends the end
    auction.refresh_from_db()
    assert auction.extensions == 1
    with pytest.raises(auction_results.AuctionResultNotReadyError):
        auction_results.auction_result_issue(reference=auction.reference)

    clock.to(auction.ends_at)
    closed_on_commit(auction, django_capture_on_commit_callbacks)
    assert not result_documents(auction.reference).exists()  # queued, not issued in the close
    run_tasks()
    document = result_documents(auction.reference).get()
    assert document.agency_code == "CGD" and document.signed
    pdf = document_pdf(document)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "auction-result.pdf").write_bytes(pdf)  # to look at

    text = pdf_text(pdf)
    assert_says(
        text,
        "ผลการประมูลอิเล็กทรอนิกส์",
        auction.reference,
        "ประมูลจ้างพัฒนาระบบสารสนเทศ",
        "กรม CGD",
        "ประมูลแบบย้อนกลับ (ราคาต่ำสุดชนะ)",
        f"อ้างถึงประกวดราคา / Tender {tender.reference}",
        "ขยายเวลา 1 ครั้ง",
        "ราคาเริ่มต้น / Start price 1,100,000.00 บาท",
        "ราคากลาง / Reference price 1,200,000.00 บาท",
        f"ผู้ชนะการประมูล / Winner {name_of(owners[0])}",
        "ราคาที่ชนะ / Winning price 1,080,000.00 บาท",
        thai.baht_in_words(Decimal("1080000")),  # หนึ่งล้านแปดหมื่นบาทถ้วน
        "120,000.00 บาท (ร้อยละ 10.00",
        "ผู้มีสิทธิเสนอราคา 3 ราย เสนอราคา 2 ราย รวม 3 ครั้ง",
        name_of(owners[1]),
        name_of(owners[2]),
        "ไม่เสนอราคา",
    )
    assert squashed("ราคาขั้นต่ำที่ยอมขาย") not in squashed(text)  # no reserve in a reverse auction
    bids = list(auction.bids.select_related("bidder").order_by("sequence"))
    opening_day = timezone.localtime(auction.opens_at).date()
    for bid in bids:  # the full history: sequence, time, label, name, amount
        moment = auction_results._time(bid.received_at, opening_day)
        name = name_of_label(auction, bid.bidder.label)
        assert_says(text, f"{bid.sequence} {moment} {bid.bidder.label} {name} {bid.amount:,.2f}")
    # the late bid shows the end it moved to
    assert_says(
        text, f"{bids[2].amount:,.2f} {auction_results._time(bids[2].extended_to, opening_day)}"
    )
    sheet = reads.auction_result_sheet(reads.auction_detail(auction.reference))
    assert [(row.rank, row.best, row.bids) for row in sheet.standings] == [
        (1, Decimal("1080000.00"), 2),
        (2, Decimal("1090000.00"), 1),
        (None, None, 0),
    ]

    # Thai renders: every font embedded, and all of them Sarabun (no fallback, no tofu)
    fonts = pdf_fonts(pdf)
    assert fonts and all(embedded for _name, embedded in fonts)
    names = {name.split("+", 1)[-1] for name, _ in fonts}
    assert names >= {"SarabunThai", "SarabunLatin"}
    assert all(name.startswith("Sarabun") for name in names), names
    assert "\ufffd" not in text

    verdict = verify_pdf(pdf)
    assert verdict.status == "valid", verdict
    assert verdict.document_reference == auction.reference

    # the same signed file for every download; asking again or queuing again issues nothing new
    again = auction_results.auction_result_issue(reference=auction.reference)
    assert again.pk == document.pk
    with django_capture_on_commit_callbacks(execute=True):
        auction_result_enqueue(auction.reference)
    run_tasks()
    assert result_documents(auction.reference).count() == 1
    assert _client().get(page_url(auction.reference)).content == pdf
    assert ApiClient().get(api_url(auction.reference)).content == pdf
    results = DBTaskResult.objects.filter(task_path=auction_result_task.module_path)
    assert [row.status for row in results] == ["SUCCESSFUL", "SUCCESSFUL"]


def name_of_label(auction, label: str) -> str:
    return (
        auction.bidders.select_related("supplier__business")
        .get(label=label)
        .supplier.business.name_th
    )


def test_two_issues_at_once_store_one_document(scene, monkeypatch):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders, reference_price="1100000")
    clock.to(auction.opens_at)
    place(auction, bidders[0], "995000")
    clock.to(auction.ends_at)
    auctions.auction_close(reference=auction.reference)
    first = auction_results.auction_result_issue(reference=auction.reference)

    # the second one did not see the first one's document before rendering its own
    stored = auction_results._stored
    calls = []

    def late(found_auction):
        calls.append(found_auction)
        return None if len(calls) == 1 else stored(found_auction)

    monkeypatch.setattr(auction_results, "_stored", late)
    second = auction_results.auction_result_issue(reference=auction.reference)
    assert second.pk == first.pk and len(calls) == 2
    assert result_documents(auction.reference).count() == 1


def test_nothing_before_the_close_then_it_is_public(scene, dlt, officer):
    clock, buyer, bidders = scene
    auction = schedule(buyer, clock, bidders, reference_price="1100000")
    reference = auction.reference
    detail = f"/procurement/auctions/{reference}/"

    def refused_everywhere():
        for client in (_client(), _client(buyer)):
            response = client.get(page_url(reference))
            assert response.status_code == 404
            assert "application/pdf" not in response["Content-Type"]
        for client in (ApiClient(), ApiClient(buyer)):
            body = assert_error_shape(client.get(api_url(reference)), 404)
            assert body["code"] == "auction_result_not_ready"
            assert reference in body["message"]["th"] and reference in body["message"]["en"]
        assert 'id="result-document"' not in _client().get(detail).content.decode()

    refused_everywhere()  # scheduled
    clock.to(auction.opens_at)
    place(auction, bidders[0], "995000")
    place(auction, bidders[1], "990000")
    refused_everywhere()  # running
    assert not result_documents(reference).exists()

    # past the end, without a worker: the first request closes it and issues the document
    clock.to(auction.ends_at + dt.timedelta(seconds=1))
    anonymous = _client().get(page_url(reference))
    assert anonymous.status_code == 200 and anonymous["Content-Type"] == "application/pdf"
    assert Auction.objects.get(pk=auction.pk).status == Auction.Status.CLOSED
    pdf = anonymous.content
    readers = [_client(bidders[0]), _client(officer("DLT", "buyer")), _client(buyer)]
    for client in readers:
        response = client.get(page_url(reference))
        assert response.status_code == 200 and response.content == pdf
    for client in (ApiClient(), ApiClient(bidders[2])):
        response = client.get(api_url(reference))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content == pdf
    assert result_documents(reference).count() == 1

    page = _client().get(detail).content.decode()
    assert f'href="{page_url(reference)}"' in page and 'id="result-document"' in page
    assert_says(
        pdf_text(pdf),
        "ประหยัดได้เทียบกับราคากลาง",
        "110,000.00 บาท (ร้อยละ 10.00",  # 1,100,000 − 990,000
        "ไม่มีการขยายเวลา",
    )


def test_an_unknown_or_cancelled_auction_has_no_result(scene):
    clock, buyer, bidders = scene
    assert_error_shape(ApiClient().get(api_url("CGD-AU-0000-00000")), 404, "auction_not_found")
    assert _client().get(page_url("CGD-AU-0000-00000")).status_code == 404
    auction = schedule(buyer, clock, bidders)
    Auction.objects.filter(pk=auction.pk).update(status=Auction.Status.CANCELLED)
    body = assert_error_shape(ApiClient().get(api_url(auction.reference)), 404)
    assert body["code"] == "auction_result_not_ready" and "cancelled" in body["message"]["en"]


def test_a_forward_auction_says_whether_the_reserve_was_met(scene):
    clock, buyer, bidders = scene

    def forward(title: str, reserve: str) -> Auction:
        auction = schedule(
            buyer,
            clock,
            [],
            kind="forward",
            title=title,
            start_price="150000",
            step_amount="",
            step_percent="2",
            reserve_price=reserve,
        )
        for owner in bidders[:2]:
            auctions.auction_register(
                actor=owner, reference=auction.reference, supplier_id=supplier_of(owner)
            )
        return auction

    sold = forward("ขายรถยนต์ราชการ 1 คัน", "180000")
    unsold = forward("ขายรถจักรยานยนต์ราชการ 1 คัน", "200000")
    nobody = forward("ขายครุภัณฑ์คอมพิวเตอร์ชำรุด", "160000")
    clock.to(sold.opens_at)
    place(sold, bidders[0], "150000")
    place(sold, bidders[1], "190000")
    place(unsold, bidders[1], "160000")
    clock.to(sold.ends_at)
    for auction in (sold, unsold, nobody):
        auctions.auction_close(reference=auction.reference)

    text = pdf_text(_client().get(page_url(sold.reference)).content)
    assert_says(
        text,
        "ประมูลขายทรัพย์สิน (ราคาสูงสุดชนะ)",
        "ราคาขั้นต่ำที่ยอมขาย / Reserve price 180,000.00 บาท",
        f"ผู้เสนอราคาสูงสุด / Highest bidder {name_of(bidders[1])}",
        "ราคาที่ชนะ / Winning price 190,000.00 บาท",
        thai.baht_in_words(Decimal("190000")),  # หนึ่งแสนเก้าหมื่นบาทถ้วน
        "สูงกว่าราคาเริ่มต้น / Above the start price 40,000.00 บาท (ร้อยละ 26.67",
        "ถึงราคาขั้นต่ำ ขายได้ / met: sold",
        "ผู้มีสิทธิเสนอราคา 2 ราย เสนอราคา 2 ราย รวม 2 ครั้ง",
    )
    assert squashed("ประหยัดได้") not in squashed(text)
    text = pdf_text(_client().get(page_url(unsold.reference)).content)
    assert_says(text, "ไม่ถึงราคาขั้นต่ำ ไม่ขาย / not met: no sale", "160,000.00")
    text = pdf_text(_client().get(page_url(nobody.reference)).content)
    assert_says(text, "ไม่มีผู้เสนอราคา จึงไม่มีผู้ชนะการประมูล", "ไม่มีการเสนอราคา / No bids")
    assert verify_pdf(document_pdf(result_documents(nobody.reference).get())).valid
