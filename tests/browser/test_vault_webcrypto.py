"""The tender vault's browser side (vault-seal.js) in real Chromium, against the Python vault.

Bids sealed with WebCrypto must open with `vault.open_sealed`, and the progressive form must
post only the envelope. No platform server is needed: a small http.server in a thread serves the
script and the test pages on 127.0.0.1 and records what the forms post. (crypto.subtle exists only
in secure contexts; Playwright's about:blank is not one, 127.0.0.1 is.)
"""

from __future__ import annotations

import http.server
import json
import queue
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from onestop.procurement.domain import vault

# Also added to every test under tests/browser/ by tests/conftest.py, which runs them last.
pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "src/onestop/procurement/static/procurement/js/vault-seal.js"
SCRIPT_URL = "/static/procurement/js/vault-seal.js"
CONTEXT = "bid|EGP-2569-0042|0105551234567"
PRICE = "1250000.50"
NOTE = "ราคารวมภาษีมูลค่าเพิ่มแล้ว ส่งมอบภายใน ๙๐ วัน"
BLANK = (
    '<!doctype html><html lang="th"><head><meta charset="utf-8">'
    f'<script src="{SCRIPT_URL}" defer></script></head><body></body></html>'
)


@dataclass
class Site:
    """The local origin: pages by path, and the bodies posted to it."""

    base: str = ""
    pages: dict[str, str] = field(default_factory=dict)
    posts: queue.Queue = field(default_factory=queue.Queue)


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    site = Site(pages={"/": BLANK})

    class Handler(http.server.BaseHTTPRequestHandler):
        def _send(self, status: int, body: str, content_type: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path = urllib.parse.urlsplit(self.path).path
            if path == SCRIPT_URL:
                self._send(200, SCRIPT.read_text(encoding="utf-8"), "text/javascript")
            elif path in site.pages:
                self._send(200, site.pages[path], "text/html")
            else:
                self._send(404, "not found", "text/plain")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            site.posts.put((self.path, self.headers.get("Content-Type", ""), body))
            self._send(200, "<!doctype html><p>received</p>", "text/html")

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def tab(browser, site) -> Iterator:
    """A fresh page on the local origin with vault-seal.js loaded by a <script defer> tag."""
    while not site.posts.empty():
        site.posts.get_nowait()
    page = browser.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{site.base}/")
    page.wait_for_function("window.OneStopVault !== undefined")
    yield page
    page.close()


def seal_in_browser(page, recipient: bytes, plaintext: str, context: str) -> bytes:
    envelope = page.evaluate(
        "([key, text, context]) => OneStopVault.seal(key, text, context)",
        [vault.b64url(recipient), plaintext, context],
    )
    return envelope.encode()


def bid_text() -> str:
    return json.dumps({"note": NOTE, "price": PRICE}, ensure_ascii=False, sort_keys=True)


def test_the_page_is_a_secure_context_with_webcrypto(tab):
    assert tab.evaluate("[window.isSecureContext, typeof crypto.subtle.deriveKey]") == [
        True,
        "function",
    ]


def test_a_bid_sealed_in_the_browser_opens_in_python(tab):
    key = vault.generate()

    envelope = seal_in_browser(tab, vault.public_point(key), bid_text(), CONTEXT)

    opened = vault.open_sealed(key, envelope, CONTEXT)
    assert opened.decode() == bid_text()
    assert json.loads(opened) == {"note": NOTE, "price": PRICE}


def test_the_envelope_has_the_python_form_and_fingerprint(tab):
    key = vault.generate()
    point = vault.public_point(key)

    envelope = seal_in_browser(tab, point, bid_text(), CONTEXT)

    parsed = vault.inspect(envelope)
    assert parsed.kid == vault.fingerprint(point)
    assert len(parsed.epk) == vault.POINT_BYTES and parsed.epk[0] == 4
    assert len(parsed.iv) == vault.IV_BYTES
    assert len(parsed.ct) == len(bid_text().encode()) + vault.TAG_BYTES
    data = json.loads(envelope)
    assert list(data) == ["v", "alg", "kid", "epk", "iv", "ct"]
    assert data["v"] == 1 and data["alg"] == vault.ALGORITHM
    # Byte for byte what Python's json.dumps with compact separators writes.
    assert envelope == json.dumps(data, separators=(",", ":")).encode()


def test_every_envelope_has_its_own_ephemeral_key_and_iv(tab):
    point = vault.public_point(vault.generate())

    first, second = (seal_in_browser(tab, point, PRICE, CONTEXT) for _ in range(2))

    assert first != second
    assert vault.inspect(first).epk != vault.inspect(second).epk
    assert vault.inspect(first).iv != vault.inspect(second).iv


def test_a_browser_bid_does_not_open_for_another_tender_or_when_altered(tab):
    key = vault.generate()
    envelope = seal_in_browser(tab, vault.public_point(key), bid_text(), CONTEXT)

    with pytest.raises(vault.TamperedError):
        vault.open_sealed(key, envelope, "bid|EGP-2569-0043|0105551234567")

    data = json.loads(envelope)
    # The first character: it carries the high bits of the first byte (never padding bits).
    data["ct"] = ("B" if data["ct"][0] != "B" else "C") + data["ct"][1:]
    altered = json.dumps(data, separators=(",", ":")).encode()
    with pytest.raises(vault.TamperedError):
        vault.open_sealed(key, altered, CONTEXT)


def test_a_browser_bid_does_not_open_with_another_vault_key(tab):
    envelope = seal_in_browser(tab, vault.public_point(vault.generate()), PRICE, CONTEXT)

    with pytest.raises(vault.WrongKeyError):
        vault.open_sealed(vault.generate(), envelope, CONTEXT)


@pytest.mark.parametrize(
    "recipient",
    ["AAAA", vault.b64url(b"\x04" + bytes(64)), "not base64url!"],
    ids=["short", "not-on-the-curve", "not-base64url"],
)
def test_the_browser_refuses_a_bad_vault_key(tab, recipient):
    error = tab.evaluate(
        "([key, context]) => OneStopVault.seal(key, 'x', context).then(() => null, e => String(e))",
        [recipient, CONTEXT],
    )

    assert error


def test_sha256hex_matches_the_python_digest(tab):
    envelope = seal_in_browser(tab, vault.public_point(vault.generate()), bid_text(), CONTEXT)

    digest = tab.evaluate("(text) => OneStopVault.sha256Hex(text)", envelope.decode())

    assert digest == vault.digest(envelope)
    thai = NOTE.encode()
    assert tab.evaluate("(text) => OneStopVault.sha256Hex(text)", NOTE) == vault.digest(thai)


def form_page(recipient: bytes, target: str = "") -> str:
    target_attribute = f' target="{target}"' if target else ""
    frame = f'<iframe name="{target}"></iframe>' if target else ""
    return f"""<!doctype html><html lang="th"><head><meta charset="utf-8">
<script src="{SCRIPT_URL}" defer></script></head><body>
<form method="post" action="/submit"{target_attribute} data-vault-seal
      data-vault-key="{vault.b64url(recipient)}" data-vault-context="{CONTEXT}">
  <input type="hidden" name="csrfmiddlewaretoken" value="token-123">
  <label>ราคาที่เสนอ <input name="price" inputmode="decimal" required data-sealed></label>
  <label>หมายเหตุ <textarea name="note" data-sealed></textarea></label>
  <input type="hidden" name="sealed_bid">
  <p>SHA-256: <output data-vault-digest></output></p>
  <p role="alert" data-vault-error></p>
  <button type="submit">ยื่นซองเสนอราคา</button>
</form>{frame}</body></html>"""


def fill_and_submit(page) -> None:
    page.get_by_label("ราคาที่เสนอ").fill(PRICE)
    page.get_by_label("หมายเหตุ").fill(NOTE)
    page.get_by_role("button", name="ยื่นซองเสนอราคา").click()


def received(site: Site) -> tuple[str, str, bytes]:
    return site.posts.get(timeout=15)


def test_the_form_posts_only_the_sealed_bid(tab, site):
    key = vault.generate()
    site.pages["/bid"] = form_page(vault.public_point(key))
    tab.goto(f"{site.base}/bid")

    fill_and_submit(tab)

    path, content_type, body = received(site)
    assert path == "/submit"
    assert content_type == "application/x-www-form-urlencoded"
    fields = urllib.parse.parse_qs(body.decode("ascii"), keep_blank_values=True)
    assert set(fields) == {"csrfmiddlewaretoken", "sealed_bid"}
    envelope = fields["sealed_bid"][0].encode()
    assert json.loads(vault.open_sealed(key, envelope, CONTEXT)) == {"note": NOTE, "price": PRICE}
    # The plaintext is not in the request, in any encoding.
    for secret in (PRICE, "1250000", urllib.parse.quote_plus(NOTE), urllib.parse.quote(NOTE)):
        assert secret.encode() not in body
    tab.get_by_text("received").wait_for()


def test_the_form_shows_the_digest_and_clears_the_plaintext(tab, site):
    key = vault.generate()
    site.pages["/bid-framed"] = form_page(vault.public_point(key), target="sink")
    tab.goto(f"{site.base}/bid-framed")

    fill_and_submit(tab)

    _, _, body = received(site)
    envelope = urllib.parse.parse_qs(body.decode("ascii"))["sealed_bid"][0].encode()
    assert tab.locator("[data-vault-digest]").text_content() == vault.digest(envelope)
    assert tab.get_by_label("ราคาที่เสนอ").input_value() == ""
    assert tab.get_by_label("หมายเหตุ").input_value() == ""
    assert tab.locator("[data-vault-error]").text_content() == ""


def test_an_empty_required_price_is_not_sealed_or_sent(tab, site):
    site.pages["/bid-empty"] = form_page(vault.public_point(vault.generate()))
    tab.goto(f"{site.base}/bid-empty")

    tab.get_by_role("button", name="ยื่นซองเสนอราคา").click()

    with pytest.raises(queue.Empty):
        site.posts.get(timeout=1)
    assert tab.evaluate("document.querySelector('[name=sealed_bid]').value") == ""


def test_without_webcrypto_the_form_shows_an_error_and_sends_nothing(browser, site):
    site.pages["/bid-insecure"] = form_page(vault.public_point(vault.generate()))
    while not site.posts.empty():
        site.posts.get_nowait()
    page = browser.new_page()
    try:
        # As in a page that is not a secure context: no crypto.subtle.
        page.add_init_script("delete Crypto.prototype.subtle")
        page.goto(f"{site.base}/bid-insecure")
        error = page.locator("[data-vault-error]")
        assert "WebCrypto" in error.text_content()  # shown before any price is typed

        fill_and_submit(page)

        with pytest.raises(queue.Empty):
            site.posts.get(timeout=1)
        assert "WebCrypto" in error.text_content()
        assert page.url == f"{site.base}/bid-insecure"
        assert page.get_by_label("ราคาที่เสนอ").input_value() == PRICE
    finally:
        page.close()
