"""A live reverse auction in Chromium against the real platform: the buyer schedules it on the
page among three demo suppliers, each bids down in their own browser, a refused bid shows the
server's message, a bid in the last seconds extends the end for everyone, and at the close the
buyer's page shows the winner and the savings against the reference price. Every WebSocket
frame a bidder's browser received is kept: none names another bidder while the auction runs."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from zoneinfo import ZoneInfo

from onestop.demo.data import SUPPLIERS
from tests.browser.conftest import screenshot
from tests.browser.test_purchasing import as_user

BANGKOK = ZoneInfo("Asia/Bangkok")
NAMES = {login: name_th for login, _f, _l, _e, _j, name_th, *_rest in SUPPLIERS}
LOGINS = ["supplier.siampaper", "supplier.thaioffice", "supplier.bkkit"]
OPENS_IN = 8  # seconds after the buyer's form is filled
RUNS_FOR = 40
WINDOW = 20


def local(moment: dt.datetime) -> str:
    return moment.astimezone(BANGKOK).strftime("%Y-%m-%dT%H:%M:%S")


def record_frames(page) -> list[str]:
    """Every WebSocket frame the page receives, as text."""
    frames: list[str] = []

    def on_socket(socket) -> None:
        socket.on(
            "framereceived",
            lambda payload: frames.append(
                payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            ),
        )

    page.on("websocket", on_socket)
    return frames


class Relay:
    """Routes a page's auction WebSocket through the test: keeps every frame each way, and can
    drop the connection and refuse new ones for a while (a network outage)."""

    def __init__(self, page) -> None:
        self.frames: list[str] = []
        self.sent: list[str] = []
        self.blocked = False
        self.open: list = []
        page.route_web_socket(re.compile(r".*/ws/auctions/.*"), self._route)

    def _route(self, socket) -> None:
        if self.blocked:
            socket.close(code=1012, reason="network down")
            return
        server = socket.connect_to_server()

        def down(message) -> None:
            self.frames.append(message if isinstance(message, str) else message.decode())
            socket.send(message)

        def up(message) -> None:
            self.sent.append(message if isinstance(message, str) else message.decode())
            server.send(message)

        server.on_message(down)
        socket.on_message(up)
        self.open.append((socket, server))

    def drop(self) -> None:
        self.blocked = True
        for socket, server in self.open:
            socket.close(code=1012, reason="network down")
            server.close()
        self.open.clear()


def bid(page, amount: str) -> str:
    """Place a bid on the page; returns the acknowledgement or the refusal shown."""
    before = page.locator("#bid-ack").get_attribute("data-sequence")
    page.fill("#amount", amount)
    page.click("#bid-submit")
    page.wait_for_function(
        """(before) => {
            const ack = document.getElementById('bid-ack');
            const error = document.getElementById('bid-error');
            return (!ack.hidden && ack.dataset.sequence !== before) || !error.hidden;
        }""",
        arg=before,
    )
    error = page.locator("#bid-error")
    return error.inner_text() if error.is_visible() else page.locator("#bid-ack").inner_text()


def ends_at(page) -> dt.datetime:
    return dt.datetime.fromisoformat(page.locator("#ends-at").get_attribute("data-ends-at"))


def test_a_live_reverse_auction_among_three_bidders(platform, browser):
    buyer = as_user(browser, platform, "cgd.buyer")
    bidders = {login: as_user(browser, platform, login) for login in LOGINS}
    frames = {login: record_frames(bidders[login]) for login in LOGINS[:2]}
    relay = Relay(bidders["supplier.bkkit"])  # its connection will drop for a while
    frames["supplier.bkkit"] = relay.frames

    # the buyer schedules a reverse auction among the three suppliers
    buyer.goto(f"{platform}/procurement/auctions/new/")
    buyer.select_option("#kind", "reverse")
    buyer.fill("#title", "ประมูลซื้อกระดาษถ่ายเอกสาร A4 จำนวน 2,000 รีม")
    for login in LOGINS:
        buyer.get_by_label(NAMES[login]).check()
    buyer.fill("#reference_price", "500000")
    buyer.fill("#start_price", "480000")
    buyer.fill("#step_amount", "1000")
    opens = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=OPENS_IN)
    buyer.fill("#opens_at", local(opens))
    buyer.fill("#ends_at", local(opens + dt.timedelta(seconds=RUNS_FOR)))
    buyer.fill("#extension_window", str(WINDOW))
    buyer.fill("#extension", str(WINDOW))
    buyer.locator("#auction-form button[type=submit]").click()
    buyer.wait_for_url(re.compile(r".*/procurement/auctions/CGD-AU-.*"))
    auction_url = buyer.url
    assert "500,000.00" in buyer.locator("#reference-price").inner_text()
    planned_end = ends_at(buyer)

    for page in bidders.values():
        page.goto(auction_url)
        page.locator("#connection[data-state=live]").wait_for()
        assert page.locator("#auction-live").get_attribute("data-viewer") == "bidder"
    buyer.locator("#connection[data-state=live]").wait_for()

    # the auction opens on the server's clock; the bidders bid down
    siam, office, bkk = (bidders[login] for login in LOGINS)
    siam.locator("#bid-submit:not([disabled])").wait_for(timeout=(OPENS_IN + 10) * 1000)
    assert "#1" in bid(siam, "479000")
    assert "#2" in bid(office, "470000")
    assert "#3" in bid(bkk, "465000")
    refused = bid(office, "466000")  # not better than the best
    assert "465,000.00" in refused and office.locator("#bid-error").is_visible()
    assert "#4" in bid(siam, "460000")
    for page in (siam, bkk):
        page.wait_for_function("document.getElementById('bids-count').textContent === '4'")
    assert bkk.locator("#my-standing .my-rank").inner_text() == "2"
    assert siam.locator("#my-standing .my-rank").inner_text() == "1"
    assert "460,000.00" in bkk.locator("#best-amount").inner_text()
    screenshot(siam, "auction-1-bidder-running")

    # bkk's connection drops: its page says so and retries; two bids are placed meanwhile
    relay.drop()
    bkk.locator("#connection[data-state=reconnecting]").wait_for()
    assert "#5" in bid(office, "458000")
    assert "#6" in bid(siam, "457000")
    time.sleep(1)
    assert bkk.locator("#bids-count").inner_text() == "4"
    screenshot(bkk, "auction-2-bidder-reconnecting")
    relay.blocked = False
    bkk.locator("#connection[data-state=live]").wait_for(timeout=20_000)
    bkk.wait_for_function("document.getElementById('bids-count').textContent === '6'")
    assert bkk.locator("#history tbody tr").count() == 6
    assert bkk.locator("#my-standing .my-rank").inner_text() == "3"
    catch_ups = [json.loads(message) for message in relay.sent]
    assert {"type": "catch_up", "after": 4} in catch_ups
    caught = [json.loads(frame) for frame in relay.frames if '"type":"bids"' in frame]
    assert [bid["sequence"] for bid in caught[-1]["bids"]] == [5, 6]

    # a bid in the last 20 seconds moves the end for everyone
    wait = (planned_end - dt.datetime.now(dt.UTC)).total_seconds() - (WINDOW - 5)
    time.sleep(max(0.0, wait))
    assert "#7" in bid(office, "455000")
    buyer.wait_for_function(
        "(planned) => document.getElementById('ends-at').dataset.endsAt !== planned",
        arg=planned_end.isoformat(),
    )
    extended = ends_at(buyer)
    assert extended > planned_end
    bkk.wait_for_function(
        "(end) => document.getElementById('ends-at').dataset.endsAt === end",
        arg=extended.isoformat(),
    )
    assert buyer.locator("#extensions").inner_text() == "1"
    assert NAMES["supplier.thaioffice"] in buyer.locator("#standings").inner_text()
    screenshot(buyer, "auction-3-buyer-extended")

    # at the (extended) end the auction closes by itself; the buyer sees winner and savings
    closing = (extended - dt.datetime.now(dt.UTC)).total_seconds() + 15
    buyer.locator("#auction-status[data-status=closed]").wait_for(timeout=closing * 1000)
    assert buyer.locator("#auction-result").is_visible()
    assert NAMES["supplier.thaioffice"] in buyer.locator("#winner").inner_text()
    assert "455,000.00" in buyer.locator("#winning-amount").inner_text()
    assert "45,000.00" in buyer.locator("#savings").inner_text()
    assert buyer.locator("#savings-percent").inner_text() == "9.00"
    screenshot(buyer, "auction-4-buyer-result")

    # the same result after a reload (rendered by the server)
    buyer.reload()
    assert "455,000.00" in buyer.locator("#winning-amount").inner_text()
    assert buyer.locator("#savings-percent").inner_text() == "9.00"
    office.locator("#auction-status[data-status=closed]").wait_for()
    assert NAMES["supplier.thaioffice"] in office.locator("#winner").inner_text()

    # no bidder's browser ever received another bidder's name while the auction ran
    for login, received in frames.items():
        assert len(received) >= 6, (login, received)
        others = [NAMES[other] for other in LOGINS if other != login]
        running = []
        for frame in received:
            message = json.loads(frame)
            if message.get("type") == "state" and message["state"]["status"] != "scheduled":
                continue  # after the close the history is public, with names
            running.append(frame + json.dumps(message, ensure_ascii=False))
        assert running, login
        leaked = [name for name in others for text in running if name in text]
        assert leaked == [], (login, leaked)
        closed = [
            json.loads(frame)["state"]
            for frame in received
            if json.loads(frame).get("type") == "state"
            and json.loads(frame)["state"]["status"] == "closed"
        ]
        assert closed and closed[-1]["best_amount"] == "455000.00"
