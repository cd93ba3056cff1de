"""The whole purchasing path in Chromium, each role in its own browser, against the real
platform (server, worker, bank sandbox) started like `make run`."""

from __future__ import annotations

import re
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from onestop.demo import data
from onestop.identity.domain.thai_id import with_check_digit
from tests.browser.conftest import screenshot
from tests.browser.test_portal import log_in

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def as_user(browser, platform, login, password=data.DEMO_PASSWORD):
    context = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, platform, login, password)
    page.wait_for_url(re.compile(r".*/home/.*"))
    return page


def reload_until(page, predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.reload()
        if predicate():
            return
        time.sleep(1)
    assert predicate()


def _validate_in_thread(pdf_path, context):
    """pyHanko runs its own event loop; Playwright's sync API holds this thread's."""

    def validate():
        with pdf_path.open("rb") as handle:
            return validate_pdf_signature(PdfFileReader(handle).embedded_signatures[0], context)

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate).result()


@pytest.fixture(scope="module")
def uploaded_certificate(tmp_path_factory):
    path = tmp_path_factory.mktemp("upload") / "company-certificate.pdf"
    path.write_bytes(PDF)
    return path


def test_from_supplier_registration_to_payment(platform, browser, uploaded_certificate, tmp_path):
    juristic_id = with_check_digit("010555909090")

    # a business registers, applies as a supplier with its certificate
    seller = browser.new_context(locale="th-TH").new_page()
    seller.set_default_timeout(20_000)
    seller.goto(f"{platform}/register/business/")
    seller.fill("#id_business-juristic_id", juristic_id)
    seller.fill("#id_business-name_th", "บริษัท ทดสอบเครื่องเขียน จำกัด")
    seller.fill("#id_account-username", "seller.e2e")
    seller.fill("#id_account-first_name", "ทดสอบ")
    seller.fill("#id_account-last_name", "ผู้ขาย")
    seller.fill("#id_account-email", "seller@e2e.example")
    seller.fill("#id_account-password", "long-enough-password")
    seller.locator("form.form button[type=submit]").click()
    seller.wait_for_url(f"{platform}/home/business/")
    seller.goto(f"{platform}/procurement/supplier/{juristic_id}/")
    seller.locator("input[name=categories][value='14111500']").check()
    seller.fill("#id_address", "99 ถนนสุขุมวิท กรุงเทพมหานคร 10110")
    seller.fill("#id_contact_name", "ทดสอบ ผู้ขาย")
    seller.fill("#id_contact_phone", "021112222")
    seller.fill("#id_contact_email", "seller@e2e.example")
    seller.locator("input[name=payout_method][value=promptpay]").check()
    seller.fill("#id_promptpay_id", "0891234567")
    seller.set_input_files("#id_company_certificate", str(uploaded_certificate))
    seller.locator("form.form button").click()
    seller.locator("#supplier-status").wait_for()
    screenshot(seller, "purchasing-1-supplier-applied")

    # the registrar (CGD's administrator) approves
    registrar = as_user(browser, platform, "cgd.admin")
    registrar.goto(f"{platform}/procurement/suppliers/{juristic_id}/")
    registrar.select_option("#id_decision", "approve")
    registrar.locator("form button.button").click()
    registrar.locator(".notice.success").wait_for()

    # the supplier lists an item
    seller.goto(f"{platform}/procurement/supplier/{juristic_id}/items/new/")
    seller.select_option("#id_category", "14111500")
    seller.fill("#id_sku", "E2E-A4")
    seller.fill("#id_name_th", "กระดาษถ่ายเอกสารรีไซเคิล A4 ทดสอบระบบ")
    seller.fill("#id_unit", "รีม")
    seller.fill("#id_price", "111.00")
    seller.locator("form.form button").click()
    seller.wait_for_url(f"{platform}/procurement/supplier/{juristic_id}/")

    # a buyer searches in Thai, adds it to the list and submits a requisition
    buyer = as_user(browser, platform, "cgd.buyer")
    buyer.goto(f"{platform}/procurement/catalog/?q=" + urllib.request.quote("กระดาษรีไซเคิล"))
    row = buyer.locator("#catalog-results tbody tr", has_text="ทดสอบระบบ")
    row.wait_for()
    screenshot(buyer, "purchasing-2-catalog-search")
    item_id = row.get_attribute("data-item")
    buyer.fill(f"#qty-{item_id}", "6")
    buyer.locator(f"button[data-add='{item_id}']").click()
    buyer.goto(f"{platform}/procurement/cart/")
    buyer.fill("#id_justification", "ใช้ในงานสารบรรณ ไตรมาส 1")
    buyer.select_option("#id_store", "MAIN")
    buyer.locator("form.form button").click()
    buyer.wait_for_url(re.compile(r".*/procurement/requisitions/CGD-PR-.*"))
    requisition_url = buyer.url
    screenshot(buyer, "purchasing-3-requisition")

    # an approver approves; the signed purchase order is issued
    approver = as_user(browser, platform, "cgd.approver")
    approver.goto(requisition_url)
    approver.locator("input[name=decision][value=approve]").check()
    approver.locator("#decide button").click()
    approver.locator("#requisition-status").wait_for()
    po_link = approver.locator("a[href*='/procurement/orders/CGD-PO-']").first
    po_url = platform + po_link.get_attribute("href")

    # the PDF opens and its PAdES signature validates against the platform's root certificate
    pdf = approver.context.request.get(po_url + "pdf/")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    root_pem = urllib.request.urlopen(f"{platform}/api/pki/root.pem").read()
    _type, _headers, der = pem.unarmor(root_pem)
    context = ValidationContext(trust_roots=[x509.Certificate.load(der)])
    (pdf_path := tmp_path / "po.pdf").write_bytes(pdf.body())
    status = _validate_in_thread(pdf_path, context)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()

    # the supplier acknowledges
    seller.goto(po_url)
    seller.locator("button[value=acknowledge]").click()
    seller.locator(".notice.success").wait_for()

    # the inspection committee records the delivery
    inspector = as_user(browser, platform, "cgd.inspector")
    inspector.goto(po_url)
    inspector.locator("input[name^=delivered-]").fill("6")
    inspector.locator("input[name^=accepted-]").fill("6")
    inspector.locator("#receive-form button").click()
    inspector.locator(".notice.success").wait_for()

    # the supplier invoices; it matches, the bank sandbox pays and calls back
    seller.goto(po_url)
    seller.fill("#supplier_number", "INV-E2E-001")
    seller.fill("#invoice-total", "666.00")
    seller.locator("#invoice-form button").click()
    seller.locator(".notice.success").wait_for()
    buyer.goto(requisition_url)
    status = buyer.locator("#requisition-status")
    reload_until(buyer, lambda: status.get_attribute("data-status") == "paid", seconds=45)
    assert status.inner_text() == "จ่ายเงินแล้ว"
    screenshot(buyer, "purchasing-4-requisition-paid")
    seller.goto(po_url)
    screenshot(seller, "purchasing-5-order-closed")

    # the audit log shows every step
    auditor = as_user(browser, platform, "auditor")
    auditor.goto(f"{platform}/audit/?action=procurement.")
    text = auditor.locator("table").inner_text()
    for step in (
        "procurement.supplier.apply",
        "procurement.supplier.approve",
        "procurement.item.create",
        "procurement.requisition.submit",
        "procurement.requisition.approve",
        "procurement.order.issue",
        "procurement.order.acknowledge",
        "procurement.receipt.record",
        "procurement.invoice.submit",
        "procurement.invoice.paid",
    ):
        assert auditor.locator(f"span[title='{step}']").count() >= 1, step
    assert text
    screenshot(auditor, "purchasing-6-audit-log")
