"""Sealed-bid auction pages and API (P-18): scheduling with a committee, sealing (the envelope is
what the browser posts), receipts, the self-refreshing status, the committee's release, and
what each viewer sees before and after the opening."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from onestop.documents.public import verify_statement
from onestop.identity.models import User
from onestop.procurement.client import TenderClient
from onestop.procurement.models import Auction, AuctionBid
from tests.conftest import ApiClient
from tests.procurement.conftest import PASSPHRASE, otp
from tests.procurement.test_auctions import supplier_of
from tests.procurement.test_sealed_auctions import schedule, seal
from tests.procurement.test_tendering_api import token_for

pytestmark = pytest.mark.django_db


def logged_in(principal) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=principal.user_id))
    return client


def username(principal) -> str:
    return User.objects.get(pk=principal.user_id).username


@pytest.fixture
def scene(buyer, committee, approved_supplier, clock):
    bidders = [approved_supplier() for _ in range(2)]
    return clock, buyer, bidders, committee


def test_the_buyer_schedules_a_sealed_auction_on_the_page(scene):
    clock, buyer, bidders, committee = scene
    page = logged_in(buyer)
    form = page.get("/procurement/auctions/new/").content.decode()
    assert 'name="committee"' in form and username(committee[0]) in form
    opens = timezone.localtime(clock.now + dt.timedelta(minutes=30))
    answer = page.post(
        "/procurement/auctions/new/",
        {
            "kind": "sealed",
            "title": "ประมูลแบบปิด ซื้อเครื่องกำเนิดไฟฟ้า",
            "start_price": "850000",
            "suppliers": [str(supplier_of(owner)) for owner in bidders],
            "committee": [username(member) for member in committee],
            "threshold": "2",
            "allow_resubmission": "on",
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M:%S"),
            "ends_at": (opens + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"),
        },
    )
    auction = Auction.objects.get()
    assert answer.status_code == 302 and answer["Location"].endswith(f"/{auction.reference}/")
    assert auction.kind == "sealed" and auction.allow_resubmission and auction.threshold == 2

    # Without a threshold the form comes back with the reason, in Thai.
    again = page.post(
        "/procurement/auctions/new/",
        {
            "kind": "sealed",
            "title": "ไม่มีจำนวนกรรมการ",
            "start_price": "850000",
            "suppliers": [str(supplier_of(owner)) for owner in bidders],
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M:%S"),
            "ends_at": (opens + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"),
        },
    )
    assert again.status_code == 200 and 'id="form-error"' in again.content.decode()
    assert Auction.objects.count() == 1


def test_sealing_receipts_status_release_and_result_on_the_page(scene):
    clock, buyer, bidders, committee = scene
    auction = schedule(buyer, clock, bidders, committee)
    url = f"/procurement/auctions/{auction.reference}/"
    bidder_page = logged_in(bidders[0])
    upcoming = bidder_page.get(url).content.decode()
    assert 'data-phase="upcoming"' in upcoming and "sealed-form-" not in upcoming

    clock.to(auction.opens_at)
    running = bidder_page.get(url).content.decode()
    assert "data-vault-seal" in running
    assert (
        f'data-vault-context="auction-bid|{auction.reference}|{supplier_of(bidders[0])}"' in running
    )
    for owner, price in ((bidders[0], "840000.00"), (bidders[1], "815000.00")):
        answer = logged_in(owner).post(
            f"{url}sealed-bid/",
            {
                "supplier_id": supplier_of(owner),
                "sealed_bid": seal(auction, owner, price).decode(),
            },
        )
        assert answer.status_code == 302
    assert AuctionBid.objects.filter(auction=auction).count() == 2
    mine = bidder_page.get(url).content.decode()
    assert 'id="my-receipts"' in mine
    assert AuctionBid.objects.get(bidder__supplier_id=supplier_of(bidders[0])).sha256 in mine

    # The buyer's page: the count of envelopes and no price, in the page and its status part.
    buyer_page = logged_in(buyer)
    seen = buyer_page.get(url).content.decode()
    status = buyer_page.get(f"{url}?part=status", HTTP_HX_REQUEST="true").content.decode()
    for html in (seen, status):
        assert "815,000" not in html and "840,000" not in html
    assert 'id="envelopes">2<' in status and 'hx-trigger="every 5s"' in status

    # A malformed envelope from the page is refused with a message, nothing stored.
    refused = logged_in(bidders[1]).post(
        f"{url}sealed-bid/",
        {"supplier_id": supplier_of(bidders[1]), "sealed_bid": "not an envelope"},
        follow=True,
    )
    assert 'class="notice error" role="alert"' in refused.content.decode()
    assert AuctionBid.objects.filter(auction=auction).count() == 2

    clock.to(auction.ends_at)
    for member in committee[:2]:
        member_page = logged_in(member)
        assert 'id="release"' in member_page.get(url).content.decode()
        answer = member_page.post(
            f"{url}share/", {"passphrase": PASSPHRASE, "second_factor": otp()}
        )
        assert answer.status_code == 302
    opened = Client().get(url).content.decode()  # anyone, after the opening
    assert 'id="auction-result"' in opened and "815,000.00" in opened
    assert 'data-phase="opened"' in opened and "hx-trigger" not in opened


def test_the_api_seals_and_opens_a_sealed_auction(scene, wsgi_http):
    clock, buyer, bidders, committee = scene
    opens = clock.now + dt.timedelta(minutes=10)
    created = ApiClient(buyer).post(
        "/api/procurement/auctions",
        {
            "kind": "sealed",
            "title": "ประมูลแบบปิดผ่าน API",
            "start_price": "500000",
            "suppliers": [supplier_of(owner) for owner in bidders],
            "committee": [username(member) for member in committee],
            "threshold": 2,
            "opens_at": opens.isoformat(),
            "ends_at": (opens + dt.timedelta(minutes=30)).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "sealed" and body["vault_key"] and body["threshold"] == 2
    reference = body["reference"]
    auction = Auction.objects.get(reference=reference)
    clock.to(auction.opens_at)
    # The second bidder uses the Python client over an API token: it seals on its side.
    client = TenderClient("http://testserver", token_for(bidders[1]), http=wsgi_http)
    assert client.auction_vault_key(reference) == bytes(auction.vault_public)
    by_client = client.submit_auction_bid(reference, supplier_of(bidders[1]), "480000")
    assert client.verify_receipt(by_client) and by_client["sequence"] == 1
    api = ApiClient(bidders[0])
    envelope = seal(auction, bidders[0], "470000.00").decode()
    payload = {"supplier_id": supplier_of(bidders[0]), "sealed_bid": envelope}
    receipt = api.post(f"/api/procurement/auctions/{reference}/sealed-bids", payload)
    assert receipt.status_code == 201, receipt.content
    signed = receipt.json()
    assert verify_statement(
        signed["receipt"].encode(), signed["signature"], signed["certificate_pem"]
    )
    assert json.loads(signed["receipt"])["sha256"] == signed["sha256"]
    # No open bids in a sealed auction; the state shows no price.
    refused = api.post(
        f"/api/procurement/auctions/{reference}/bids",
        {"supplier_id": supplier_of(bidders[0]), "amount": "460000", "request_id": "r1"},
    )
    assert refused.status_code == 409 and refused.json()["code"] == "auction_sealed_only"
    state = ApiClient(buyer).get(f"/api/procurement/auctions/{reference}").json()
    assert state["sealed"] and state["best_amount"] is None and "470000" not in json.dumps(state)

    early = ApiClient(committee[0]).post(
        f"/api/procurement/auctions/{reference}/shares",
        {"passphrase": PASSPHRASE, "second_factor": otp()},
    )
    assert early.status_code == 409 and early.json()["code"] == "auction_opening_too_early"
    clock.to(auction.ends_at)
    for member in committee[1:]:
        answer = ApiClient(member).post(
            f"/api/procurement/auctions/{reference}/shares",
            {"passphrase": PASSPHRASE, "second_factor": otp()},
        )
        assert answer.status_code == 200, answer.content
    state = ApiClient().get(f"/api/procurement/auctions/{reference}").json()
    assert state["opened"] and state["best_amount"] == "470000.00"
    assert [row["amount"] for row in state["standings"]] == ["470000.00", "480000.00"]
