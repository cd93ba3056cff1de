"""Every demo account logs in through the real login page and lands on its role's home page."""

from __future__ import annotations

import re

import pytest

from onestop.demo import data, loader
from tests.browser.conftest import screenshot

HOME_OF = {
    "platform admin": ("/home/platform/", "platform"),
    "auditor": ("/home/auditor/", "auditor"),
    "officer": ("/home/agency/", "officer"),
    "supplier": ("/home/business/", "business"),
    "citizen": ("/home/citizen/", "citizen"),
}


def log_in(page, platform: str, login: str, password: str = data.DEMO_PASSWORD) -> None:
    page.goto(f"{platform}/login/")
    page.get_by_label(re.compile("เลขประจำตัวประชาชน|National ID")).fill(login)
    page.get_by_label(re.compile("^(รหัสผ่าน|Password)$")).fill(password)
    page.get_by_role("button", name=re.compile("^(เข้าสู่ระบบ|Log in)$")).click()


@pytest.mark.parametrize("account", loader.accounts(), ids=lambda account: account.login)
def test_every_demo_account_logs_in_and_lands_on_its_home(platform, page, account):
    path, kind = HOME_OF[account.kind]

    log_in(page, platform, account.login)

    page.wait_for_url(f"{platform}{path}")
    page.locator(f"[data-home='{kind}']").wait_for()
    assert account.name.split()[0] in page.content()
    screenshot(page, f"home-{account.login}")


def test_thai_renders_in_the_sarabun_font(platform, page):
    page.goto(f"{platform}/")
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.documentElement.lang") == "th"
    assert page.evaluate("document.fonts.check('16px Sarabun', 'บริการภาครัฐ')")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family + ' ' + f.weight)"
    )
    assert any("Sarabun" in font for font in loaded), loaded
    screenshot(page, "portal-th")


def test_the_language_switch_turns_the_page_english_and_back(platform, page):
    page.goto(f"{platform}/login/")
    page.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.get_by_role("heading", name="Log in to OneStop").is_visible()
    screenshot(page, "login-en")
    page.get_by_role("button", name="ภาษาไทย").click()
    page.wait_for_function("document.documentElement.lang === 'th'")


def test_a_wrong_password_is_explained_on_the_page(platform, page):
    log_in(page, platform, "cgd.finance", "not-the-password")
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "ไม่ถูกต้อง" in summary.inner_text()
    screenshot(page, "login-wrong-password")


def test_a_citizen_registers_after_fixing_a_wrong_national_id(platform, page):
    page.goto(f"{platform}/register/citizen/")
    page.get_by_label("เลขประจำตัวประชาชน").fill("1-2345-67890-12-0")
    page.get_by_label("ชื่อ (ภาษาไทย)").fill("ทดสอบ")
    page.get_by_label("นามสกุล (ภาษาไทย)").fill("ระบบ")
    page.get_by_label("รหัสผ่าน", exact=True).fill("long-enough-password")
    page.get_by_label("ยืนยันรหัสผ่าน").fill("long-enough-password")
    page.get_by_role("button", name="สร้างบัญชี").click()
    error = page.locator("#id_national_id-error")
    error.wait_for()
    screenshot(page, "register-citizen-error")

    page.get_by_label("เลขประจำตัวประชาชน").fill("1-2345-67890-12-1")
    page.get_by_label("รหัสผ่าน", exact=True).fill("long-enough-password")
    page.get_by_label("ยืนยันรหัสผ่าน").fill("long-enough-password")
    page.get_by_role("button", name="สร้างบัญชี").click()
    page.wait_for_url(f"{platform}/home/citizen/")
    assert "1-2345-xxxxx-xx-1" in page.content()


def test_an_auditor_verifies_the_audit_log_and_watches_it_live(platform, page):
    log_in(page, platform, "auditor")
    page.wait_for_url(f"{platform}/home/auditor/")
    page.get_by_role("button", name="ตรวจสอบทั้งสาย").click()
    page.wait_for_url(re.compile(r".*/jobs/[0-9a-f-]+/$"))
    result = page.locator("#verify-result")
    result.wait_for(timeout=30_000)
    assert "ไม่ถูกแก้ไข" in result.inner_text()
    screenshot(page, "audit-verify-done")
