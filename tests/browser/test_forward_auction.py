"""A forward auction of a surplus asset in Chromium (P-19): two businesses register on the
auction page, each gets a deposit bill and pays its Thai QR at the bank sandbox (a separate
program that calls the platform back), only then may they bid; the highest bid above the
reserve wins, and the result document is a signed PDF."""

from __future__ import annotations

import datetime as dt
import re
import time
import urllib.request

from tests.browser.conftest import screenshot
from tests.browser.test_auction import NAMES, bid, local
from tests.browser.test_purchasing import as_user, reload_until

OPENS_IN = 25  # registration and two payments happen before the opening
RUNS_FOR = 25
BIDDERS = ["supplier.siampaper", "supplier.thaioffice"]


def wait_for_bank(platform, seconds: float = 90) -> None:
    """The bank sandbox starts next to the server; on a busy machine it takes a while."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{platform.bank}/", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def pay_deposit(browser, platform, seller) -> None:
    """Follow the page's Thai QR link and pay the bill at the bank sandbox, as a banking app
    would after scanning the code."""
    seller.locator("#bid-panel a[href*='/payments/bills/']").first.click()
    payload = (seller.locator("#qr-payload").text_content() or "").strip()
    assert payload.startswith("000201")
    bank = browser.new_context().new_page()
    wait_for_bank(platform)
    bank.goto(f"{platform.bank}/")
    bank.fill("#payload", payload)
    bank.fill("#payer_name", "ฝ่ายการเงินผู้ประมูล")
    bank.locator("form button[type=submit]").click()
    assert bank.locator(".error").count() == 0, bank.locator(".error").inner_text()
    bank.context.close()
    seller.locator("#bill-status").filter(has_text=re.compile("จ่ายเงินแล้ว|Paid")).wait_for(
        timeout=30_000
    )


def test_a_forward_auction_with_registration_and_deposits(platform, browser):
    buyer = as_user(browser, platform, "cgd.buyer")
    buyer.goto(f"{platform}/procurement/auctions/new/")
    buyer.select_option("#kind", "forward")
    buyer.fill("#title", "ขายทอดตลาดเครื่องถ่ายเอกสารที่ชำรุด 3 เครื่อง")
    buyer.fill("#start_price", "15000")
    buyer.fill("#step_amount", "500")
    buyer.fill("#reserve_price", "16000")
    buyer.fill("#deposit", "1000")
    opens = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=OPENS_IN)
    buyer.fill("#opens_at", local(opens))
    buyer.fill("#ends_at", local(opens + dt.timedelta(seconds=RUNS_FOR)))
    buyer.fill("#extension_window", "0")
    buyer.locator("#auction-form button[type=submit]").click()
    buyer.wait_for_url(re.compile(r".*/procurement/auctions/CGD-AU-.*"))
    auction_url = buyer.url

    sellers = {}
    for login in BIDDERS:
        seller = as_user(browser, platform, login)
        seller.goto(auction_url)
        seller.locator("#register form button").first.click()
        seller.locator(".notice.success").wait_for()
        assert seller.locator("#bid-form").count() == 0  # not before the deposit is paid
        assert "1,000.00" in seller.locator("#bid-panel .notice.warning").inner_text()
        pay_deposit(browser, platform, seller)
        seller.goto(auction_url)
        reload_until(seller, lambda page=seller: page.locator("#bid-form").count() == 1)
        sellers[login] = seller
    screenshot(sellers["supplier.thaioffice"], "forward-auction-1-registered")

    siam, office = (sellers[login] for login in BIDDERS)
    siam.locator("#bid-submit:not([disabled])").wait_for(timeout=(OPENS_IN + 10) * 1000)
    assert "#1" in bid(siam, "15000")
    refused = bid(office, "15200")  # not a whole step above the best
    assert office.locator("#bid-error").is_visible() and "15,500.00" in refused
    assert "#2" in bid(office, "15500")
    assert "#3" in bid(siam, "16500")

    time.sleep(RUNS_FOR + 1)
    buyer.goto(auction_url)
    buyer.locator("#auction-result:not([hidden])").wait_for(timeout=15_000)
    assert NAMES["supplier.siampaper"] in buyer.locator("#winner").inner_text()
    assert "16,500.00" in buyer.locator("#winning-amount").inner_text()
    assert buyer.locator("#reserve-met").get_attribute("data-met") == "true"
    screenshot(buyer, "forward-auction-2-result")

    link = buyer.locator("#result-document a").get_attribute("href")
    deadline = time.monotonic() + 30
    while True:  # the worker signs the document just after the close
        try:
            with urllib.request.urlopen(f"{platform}{link}", timeout=10) as answer:
                pdf = answer.read()
                break
        except urllib.error.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf  # a signed PDF
