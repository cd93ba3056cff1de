"""A sealed-bid auction in Chromium (P-18): the buyer schedules it with the opening committee, two
suppliers seal their prices in their own browsers (the posted form carries only the envelope),
nobody sees a price while it runs, and after the close two committee members open the bids with
their passphrase and authenticator code; everyone then sees the winner and the savings."""

from __future__ import annotations

import datetime as dt
import re
import time

from onestop.demo.procurement_data import DEMO_VAULT_PASSPHRASE
from tests.browser.conftest import screenshot
from tests.browser.test_auction import NAMES, local
from tests.browser.test_purchasing import as_user
from tests.browser.test_tendering import authenticator_code

OPENS_IN = 8
RUNS_FOR = 30
PRICES = {"supplier.thaioffice": "452000.00", "supplier.bkkit": "447500.50"}


def test_a_sealed_bid_auction_opened_by_its_committee(platform, browser):
    buyer = as_user(browser, platform, "cgd.buyer")
    buyer.goto(f"{platform}/procurement/auctions/new/")
    buyer.select_option("#kind", "sealed")
    buyer.fill("#title", "ประมูลแบบปิด จัดซื้อเครื่องสำรองไฟฟ้า 40 เครื่อง")
    for login in PRICES:
        buyer.get_by_label(NAMES[login]).check()
    buyer.fill("#reference_price", "480000")
    buyer.fill("#start_price", "470000")
    for member in ("cgd.committee1", "cgd.committee2", "cgd.committee3"):
        buyer.locator(f"#committee-choices input[value='{member}']").check()
    buyer.fill("#threshold", "2")
    opens = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=OPENS_IN)
    closes = opens + dt.timedelta(seconds=RUNS_FOR)
    buyer.fill("#opens_at", local(opens))
    buyer.fill("#ends_at", local(closes))
    buyer.locator("#auction-form button[type=submit]").click()
    buyer.wait_for_url(re.compile(r".*/procurement/auctions/CGD-AU-.*"))
    auction_url = buyer.url
    assert buyer.locator("#auction-kind").get_attribute("data-kind") == "sealed"
    assert buyer.locator("#sealed-status").get_attribute("data-phase") == "upcoming"

    # each supplier seals a price in the browser once the auction opens
    time.sleep(max(0.0, (opens - dt.datetime.now(dt.UTC)).total_seconds()) + 1)
    posted: list[str] = []
    for login, price in PRICES.items():
        seller = as_user(browser, platform, login)
        seller.on(
            "request",
            lambda request: (
                posted.append(request.post_data or "")
                if request.method == "POST" and request.url.endswith("/sealed-bid/")
                else None
            ),
        )
        seller.goto(auction_url)
        form = seller.locator("#bid-panel form")
        form.locator("input[name=price]").fill(price)
        form.locator("button[type=submit]").click()
        seller.locator(".notice.success").wait_for()
        assert seller.locator("#my-receipts li").count() == 1
        if login == "supplier.bkkit":
            screenshot(seller, "sealed-auction-1-receipt")
    assert len(posted) == 2
    for body, price in zip(posted, PRICES.values(), strict=True):
        assert "sealed_bid" in body and price not in body and price.replace(".", "") not in body

    # the buyer's page updates its count by itself and shows no price
    buyer.wait_for_function("document.getElementById('envelopes').textContent.trim() === '2'")
    text = buyer.content()
    assert all(
        price not in text and f"{float(price):,.2f}" not in text for price in PRICES.values()
    )
    screenshot(buyer, "sealed-auction-2-buyer-while-running")

    # after the close two of the three members release their shares; the bids open
    time.sleep(max(0.0, (closes - dt.datetime.now(dt.UTC)).total_seconds()) + 1)
    for member in ("cgd.committee1", "cgd.committee3"):
        page = as_user(browser, platform, member)
        page.goto(auction_url)
        page.fill("#passphrase", DEMO_VAULT_PASSPHRASE)
        page.fill("#second_factor", authenticator_code())
        page.locator("#release button").click()
        page.locator(".notice.success").wait_for()
    anonymous = browser.new_context(locale="th-TH").new_page()
    anonymous.goto(auction_url)
    assert anonymous.locator("#sealed-status").get_attribute("data-phase") == "opened"
    assert NAMES["supplier.bkkit"] in anonymous.locator("#winner").inner_text()
    assert "447,500.50" in anonymous.locator("#winning-amount").inner_text()
    assert "32,499.50" in anonymous.locator("#savings").inner_text()  # 480,000 − 447,500.50
    assert anonymous.locator("#standings tbody tr").count() == 2
    screenshot(anonymous, "sealed-auction-3-opened")
