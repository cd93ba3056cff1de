"""A whole sealed-bid tender in Chromium against the real platform: the buyer drafts with a
reference price and publishes, a supplier asks and the answer is published, three suppliers
seal their bids in their own browsers, an early opening is refused, two of three committee
members open with passphrase and authenticator code, every receipt verifies, the committee
evaluates, the approver awards, the standstill runs, and the contract is signed."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import urllib.request
from zoneinfo import ZoneInfo

import pyotp

from onestop.demo.procurement_data import DEMO_VAULT_PASSPHRASE
from onestop.identity.public import DEMO_TOTP_SECRET
from tests.browser.conftest import screenshot
from tests.browser.test_purchasing import as_user

BANGKOK = ZoneInfo("Asia/Bangkok")
BIDS = {
    "supplier.siampaper": "1180000.00",
    "supplier.thaioffice": "1095500.50",
    "supplier.bkkit": "1210000.00",
}


def authenticator_code() -> str:
    """What the committee member's authenticator app shows now (the demo secret)."""
    return pyotp.TOTP(DEMO_TOTP_SECRET).now()


def local(moment: dt.datetime) -> str:
    return moment.astimezone(BANGKOK).strftime("%Y-%m-%dT%H:%M:%S")


def test_a_whole_tender_with_bids_sealed_in_the_browser(platform, browser):
    now = dt.datetime.now(dt.UTC)
    deadline = now + dt.timedelta(seconds=75)
    opening = deadline + dt.timedelta(seconds=5)

    # the buyer drafts a tender with its reference price and publishes it to a committee
    buyer = as_user(browser, platform, "cgd.buyer")
    buyer.goto(f"{platform}/procurement/tenders/new/")
    buyer.fill("#title", "จ้างพัฒนาระบบบริหารงานพัสดุ")
    buyer.fill("#budget", "1300000")
    buyer.fill(
        "#lines",
        "พัฒนาระบบ | 1 | ระบบ | 1000000 | ราคาตลาด 3 ราย\nฝึกอบรมผู้ใช้ | 2 | ครั้ง | 100000",
    )
    buyer.fill("#clarification_deadline", local(now + dt.timedelta(seconds=30)))
    buyer.fill("#submission_deadline", local(deadline))
    buyer.fill("#opening_at", local(opening))
    buyer.fill("#qualification_rules", "มีผลงานพัฒนาระบบภาครัฐอย่างน้อย 1 สัญญา")
    buyer.locator("form.form button[type=submit]").click()
    buyer.wait_for_url(re.compile(r".*/procurement/tenders/CGD-TD-.*"))
    reference = buyer.url.rstrip("/").rsplit("/", 1)[1]
    assert "1,200,000.00" in buyer.locator("#reference-price").inner_text()
    for member in ("cgd.committee1", "cgd.committee2", "cgd.committee3"):
        buyer.locator(f"input[name=committee][value='{member}']").check()
    buyer.fill("#threshold", "2")
    buyer.locator("#publish button").click()
    buyer.locator(".notice.success").wait_for()
    assert buyer.locator("#tender-status").get_attribute("data-status") == "published"
    tender_url = buyer.url.split("#")[0]

    # a supplier asks before the clarification deadline; the buyer's answer is published to all
    asker = as_user(browser, platform, "supplier.siampaper")
    asker.goto(tender_url)
    asker.fill("#question", "ต้องแนบหนังสือรับรองผลงานฉบับจริงหรือไม่")
    asker.locator("#ask-form button").click()
    asker.locator(".notice.success").wait_for()
    buyer.goto(tender_url)
    buyer.locator("#questions textarea[name=answer]").fill("แนบสำเนาที่รับรองแล้วได้")
    buyer.locator("#questions form button").click()
    buyer.locator(".notice.success").wait_for()
    reader = browser.new_context(locale="th-TH").new_page()
    reader.goto(tender_url)
    assert "แนบสำเนาที่รับรองแล้วได้" in reader.locator("#questions").inner_text()
    screenshot(reader, "tender-0-published-answer")

    # three suppliers seal their bids in their browsers; the server receives only envelopes
    posted = []
    for login, price in BIDS.items():
        seller = as_user(browser, platform, login)
        seller.on(
            "request",
            lambda request: (
                posted.append(request.post_data or "")
                if request.method == "POST" and "/bid/" in request.url
                else None
            ),
        )
        seller.goto(tender_url)
        form = seller.locator("form[data-vault-seal]").first
        form.locator("input[name=price]").fill(price)
        form.locator("textarea[name=note]").fill("ยืนราคา 90 วัน")
        form.locator("button[type=submit]").click()
        seller.locator(".notice.success").wait_for()
        assert seller.locator("#my-receipts code").count() == 1
        if login == "supplier.thaioffice":
            screenshot(seller, "tender-1-sealed-bid-receipt")
    assert len(posted) == 3
    for body, price in zip(posted, BIDS.values(), strict=True):
        assert "sealed_bid" in body and price not in body and price.replace(".", "") not in body

    # the public sees the receipt hashes, not who bid or at what price
    anonymous = browser.new_context().new_page()
    anonymous.goto(tender_url)
    assert anonymous.locator("#receipts tbody tr").count() == 3
    page_text = anonymous.content()
    assert all(price not in page_text for price in BIDS.values())
    assert "สยามกระดาษ" not in anonymous.locator("#receipts").inner_text()

    # an early opening is refused
    member1 = as_user(browser, platform, "cgd.committee1")
    member1.goto(tender_url)
    member1.fill("#passphrase", DEMO_VAULT_PASSPHRASE)
    member1.fill("#second_factor", authenticator_code())
    member1.locator("#release button").click()
    refusal = member1.locator(".notice.error")
    refusal.wait_for()
    assert "ก่อน" in refusal.inner_text() or "before" in refusal.inner_text()
    screenshot(member1, "tender-2-early-opening-refused")

    # from the opening time, two of the three members release their shares and the bids open
    time.sleep(max(0.0, (opening - dt.datetime.now(dt.UTC)).total_seconds()) + 1)
    for page in (member1, as_user(browser, platform, "cgd.committee3")):
        page.goto(tender_url)
        page.fill("#passphrase", DEMO_VAULT_PASSPHRASE)
        page.fill("#second_factor", authenticator_code())
        page.locator("#release button").click()
        page.locator(".notice.success").wait_for()
    buyer.goto(tender_url)
    assert buyer.locator("#tender-status").get_attribute("data-status") == "opened"
    tender_url = buyer.url.split("#")[0]
    rows = buyer.locator("#opened-bids tbody tr")
    assert rows.count() == 3
    assert "1,095,500.50" in rows.first.inner_text()
    screenshot(buyer, "tender-3-opened-bids")

    # anyone verifies every receipt and every opened bid
    anonymous.goto(f"{platform}/procurement/tenders/{reference}/verify/")
    assert anonymous.locator("#vault-verdict").get_attribute("data-ok") == "true"
    screenshot(anonymous, "tender-4-verified")
    with urllib.request.urlopen(f"{platform}/api/procurement/tenders/{reference}/verify") as answer:
        report = json.load(answer)
    assert report["ok"] and report["key_matches"] and len(report["checks"]) == 3

    # the committee finds every bid qualified; the approver awards to the lowest price
    member1.goto(tender_url)
    for sequence in range(1, len(BIDS) + 1):
        member1.locator(f"#bid-{sequence} form button").click()
        member1.locator(".notice.success").wait_for()
    approver = as_user(browser, platform, "cgd.approver")
    approver.goto(tender_url)
    approver.locator("#award-form button").click()
    approver.locator(".notice.success").wait_for()
    assert "1,095,500.50" in approver.locator("#award-result").inner_text()
    assert approver.locator("#standstill-running").is_visible()
    screenshot(approver, "tender-5-award-standstill")

    # signing during the standstill is refused
    approver.locator("#contract-form button").click()
    assert approver.locator(".notice.error").first.is_visible()

    # a week cannot pass in a test: move the standstill's end into the past on the server
    platform.run(
        "shell",
        "-c",
        "from django.utils import timezone; from onestop.procurement.models import Tender; "
        f"Tender.objects.filter(reference='{reference}').update(standstill_until=timezone.now())",
    )
    approver.goto(tender_url)
    approver.locator("#contract-form button").click()
    approver.locator(".notice.success").wait_for()
    assert approver.locator("#contract-number").inner_text().startswith("CGD-CT-")
    assert approver.locator("#tender-status").get_attribute("data-status") == "contracted"
    screenshot(approver, "tender-6-contract")
