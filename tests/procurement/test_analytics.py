"""Procurement analytics (P-24, first part): every figure checked exactly against tenders with
known prices, the page with its SVG charts and tables, the API, the permission matrix and the
empty state.

Tenders are drafted, published, bid on and opened through the services. The award service
was still being written (`awarding.tender_award`): `award()` below is a TEST FIXTURE that writes
the award fields on the models directly, so that each award comes an exact number of days after
publication and a contracted tender needs no contract. One test awards through the service, to
check that the analytics read what it records.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from decimal import Decimal

import pytest
from django.test import Client

from onestop.core.errors import InputError, NotAuthenticatedError, NotFoundError
from onestop.identity.models import User
from onestop.identity.public import ANONYMOUS
from onestop.procurement import analytics
from onestop.procurement.domain import vault
from onestop.procurement.http.views_analytics import Bar, Series, bar_chart, line_chart
from onestop.procurement.models import Submission, Tender
from onestop.procurement.policies import NotVisibleError, OfficersOnlyError
from onestop.procurement.services import awarding, tendering
from tests.conftest import assert_error_shape
from tests.procurement.conftest import PASSPHRASE, enrol, otp
from tests.procurement.test_tendering import bid, draft, published, supplier_id

BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")
URL = "/procurement/analytics/"
API = "/api/procurement/analytics"
D = Decimal


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=BANGKOK)


def logged_in(principal) -> Client:
    client = Client()
    if principal is not None:
        client.force_login(User.objects.get(pk=principal.user_id))
    return client


# Building tenders with known prices ------------------------------------------------------------


def bid_without_price(tender, owner):
    """A well-sealed bid whose content has no price: the vault marks it invalid at opening."""
    sealed = vault.seal(
        bytes(tender.vault_public),
        json.dumps({"note": "ลืมใส่ราคา"}, ensure_ascii=False).encode(),
        tendering.bid_context(tender.reference, supplier_id(owner)),
    )
    return tendering.bid_submit(
        actor=owner, reference=tender.reference, supplier_id=supplier_id(owner), sealed=sealed
    )


def opened_tender(buyer, committee, clock, start, bids=(), **overrides) -> Tender:
    """Published at `start`, with these (owner, price) bids (price None: no price inside),
    opened at the opening time by two of the three committee members."""
    clock.to(start)
    tender = published(buyer, committee, clock, **overrides)
    for owner, price in bids:
        if price is None:
            bid_without_price(tender, owner)
        else:
            bid(tender, owner, price)
    clock.to(tender.opening_at)
    for member in committee[:2]:
        tendering.share_release(
            actor=member, reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
        )
    tender.refresh_from_db()
    assert tender.status == Tender.Status.OPENED
    return tender


def award(tender: Tender, price: str, *, days: float, contracted: bool = False) -> Tender:
    """TEST FIXTURE, not a service: stands in for `awarding.tender_award` (in progress) by
    setting the award fields directly. The winner is the current bid at `price`; the award
    comes `days` after publication."""
    winner = Submission.objects.get(tender=tender, superseded=False, price=D(price))
    Tender.objects.filter(pk=tender.pk).update(
        status=Tender.Status.CONTRACTED if contracted else Tender.Status.AWARDED,
        awarded_submission=winner,
        awarded_at=tender.published_at + dt.timedelta(days=days),
    )
    tender.refresh_from_db()
    return tender


SMALL = {  # reference price 800 × 125.00 = 100,000.00
    "method": "e_market",
    "budget": "120000.00",
    "lines": [tendering.LineInput("กระดาษถ่ายเอกสาร A4", "800", "รีม", "125.00")],
}
PLATES = {  # DLT: reference price 1,000 × 600.00 = 600,000.00
    "title": "จัดซื้อแผ่นป้ายทะเบียนรถ",
    "budget": "700000.00",
    "lines": [tendering.LineInput("แผ่นป้ายทะเบียน", "1000", "คู่", "600.00")],
}


@pytest.fixture
def dlt_buyer(dlt, officer):
    return officer("DLT", "buyer")


@pytest.fixture
def dlt_committee(dlt, officer):
    members = [officer("DLT", "committee") for _ in range(3)]
    for member in members:
        tendering.vault_key_create(actor=member, passphrase=PASSPHRASE)
        enrol(member)
    return members


@pytest.fixture
def tenders(buyer, committee, dlt_buyer, dlt_committee, approved_supplier, clock):
    """CGD's tenders of fiscal year 2570 (T1 to T7), one of 2569 (T0) and one of DLT.

    CGD, 2570: reference price, bids (valid ones), award
      T1 e-bidding  1,200,000  3 bids (3)                        1,095,500.50 after 12.5 days
      T2 e-market     100,000  1 bid (1)                           90,000.00 after 20 days, contract
      T3 e-bidding  1,200,000  a superseded bid, one without price, 2 valid: opened, not awarded
      T4 e-bidding  1,200,000  no bid: opened
      T6 e-bidding  1,200,000  5 bids (5)                        1,250,000.00 after 40 days
      T5 specific: a draft; T7: published, not opened yet
    CGD, 2569: T0 e-bidding 1,200,000, 1 bid, awarded 1,000,000.00 after 30 days
    DLT, 2570: e-bidding 600,000, 1 bid, awarded 500,000.00 after 10 days
    """
    s = [approved_supplier() for _ in range(5)]
    t0 = opened_tender(buyer, committee, clock, at(2026, 6, 1, 9), [(s[0], "1000000.00")])
    award(t0, "1000000.00", days=30)
    t1 = opened_tender(
        buyer,
        committee,
        clock,
        at(2027, 1, 4, 9),
        [(s[0], "1180000.00"), (s[1], "1095500.50"), (s[2], "1210000.00")],
    )
    award(t1, "1095500.50", days=12.5)
    t2 = opened_tender(buyer, committee, clock, at(2027, 1, 20, 9), [(s[0], "90000.00")], **SMALL)
    award(t2, "90000.00", days=20, contracted=True)
    opened_tender(
        buyer,
        committee,
        clock,
        at(2027, 2, 1, 9),
        [(s[0], "1190000.00"), (s[0], "1150000.00"), (s[1], None), (s[2], "1170000.00")],
    )
    opened_tender(buyer, committee, clock, at(2027, 2, 10, 9))
    prices = ["1250000.00", "1260000.00", "1270000.00", "1280000.00", "1290000.00"]
    t6 = opened_tender(
        buyer, committee, clock, at(2027, 2, 20, 9), list(zip(s, prices, strict=True))
    )
    award(t6, "1250000.00", days=40)
    clock.to(at(2027, 3, 1, 9))
    draft(buyer, clock, method="specific")
    clock.to(at(2027, 3, 2, 9))
    published(buyer, committee, clock)
    plates = opened_tender(
        dlt_buyer, dlt_committee, clock, at(2027, 3, 5, 9), [(s[3], "500000.00")], **PLATES
    )
    award(plates, "500000.00", days=10)
    clock.to(at(2027, 6, 1, 9))
    assert {t.fiscal_year for t in (t1, t2, t6, plates)} == {2570} and t0.fiscal_year == 2569
    return {"t0": t0, "t1": t1, "t2": t2, "t6": t6, "plates": plates}


def savings_row(row: analytics.Savings) -> tuple:
    return (
        row.method,
        row.tenders,
        row.reference_total,
        row.awarded_total,
        row.savings,
        row.savings_percent,
    )


# Figures, exactly ------------------------------------------------------------------------------


def test_every_figure_of_an_agency_and_fiscal_year(tenders, buyer):
    report = analytics.procurement_analytics(principal=buyer, fiscal_year=2570)

    assert (report.fiscal_year, report.agency, report.tenders) == (2570, "CGD", 7)
    # savings: (1,200,000 − 1,095,500.50) + (100,000 − 90,000) + (1,200,000 − 1,250,000)
    assert savings_row(report.savings) == (
        None,
        3,
        D("2500000.00"),
        D("2435500.50"),
        D("64499.50"),
        D("2.58"),
    )
    assert [savings_row(row) for row in report.savings_by_method] == [
        ("e_bidding", 2, D("2400000.00"), D("2345500.50"), D("54499.50"), D("2.27")),
        ("e_market", 1, D("100000.00"), D("90000.00"), D("10000.00"), D("10.00")),
        ("specific", 0, D("0.00"), D("0.00"), D("0.00"), None),
    ]
    # competition: T1 3, T2 1, T3 2 (superseded and priceless bids do not count), T4 0, T6 5
    competition = report.competition
    assert (competition.opened_tenders, competition.bids, competition.average_bids) == (
        5,
        11,
        D("2.20"),
    )
    assert [(b.bids, b.tenders) for b in competition.histogram] == [
        ("0", 1),
        ("1", 1),
        ("2", 1),
        ("3", 1),
        ("4", 0),
        ("5+", 1),
    ]
    assert (competition.single_bidder_tenders, competition.single_bidder_percent) == (
        1,
        D("20.00"),
    )
    # time to award: 12.5, 20 and 40 days
    assert report.time_to_award == analytics.TimeToAward(3, D("20.0"), D("40.0"))
    assert [(row.status, row.tenders) for row in report.by_status] == [
        ("draft", 1),
        ("published", 1),
        ("opened", 2),
        ("awarded", 2),
        ("contracted", 1),
        ("cancelled", 0),
    ]
    # by month of award (Bangkok time); March had none
    assert [(m.month, m.tenders, m.reference_total, m.awarded_total) for m in report.monthly] == [
        (dt.date(2027, 1, 1), 1, D("1200000.00"), D("1095500.50")),
        (dt.date(2027, 2, 1), 1, D("100000.00"), D("90000.00")),
        (dt.date(2027, 3, 1), 0, D("0.00"), D("0.00")),
        (dt.date(2027, 4, 1), 1, D("1200000.00"), D("1250000.00")),
    ]


def test_an_award_through_the_service_counts(buyer, committee, approved_supplier, officer, clock):
    # given: an opened tender with two bids, evaluated by the committee
    bidders = [approved_supplier(), approved_supplier()]
    tender = opened_tender(
        buyer,
        committee,
        clock,
        at(2027, 1, 4, 9),
        [(bidders[0], "1150000.00"), (bidders[1], "1120000.00")],
    )
    for submission in Submission.objects.filter(tender=tender, superseded=False):
        awarding.submission_evaluate(
            actor=committee[0],
            reference=tender.reference,
            sequence=submission.sequence,
            qualified=True,
        )
    # when: the approver awards it 15 days after publication
    clock.to(tender.published_at + dt.timedelta(days=15))
    awarding.tender_award(actor=officer("CGD", "approver"), reference=tender.reference)

    # then
    report = analytics.procurement_analytics(principal=buyer, fiscal_year=2570)
    assert savings_row(report.savings) == (
        None,
        1,
        D("1200000.00"),
        D("1120000.00"),
        D("80000.00"),
        D("6.67"),
    )
    assert report.time_to_award == analytics.TimeToAward(1, D("15.0"), D("15.0"))
    assert [(m.month, m.awarded_total) for m in report.monthly] == [
        (dt.date(2027, 1, 1), D("1120000.00"))
    ]
    assert report.competition.histogram[2] == analytics.Bucket("2", 1)


def test_the_fiscal_year_filter(tenders, buyer):
    # the current fiscal year when none is given (the clock is in June 2027: 2570)
    assert analytics.parse_fiscal_year(None) == 2570
    assert analytics.parse_fiscal_year("") == 2570
    assert analytics.parse_fiscal_year("all") is None
    assert analytics.fiscal_years(principal=buyer) == [2570, 2569]
    assert analytics.fiscal_year_bounds(2570) == (dt.date(2026, 10, 1), dt.date(2027, 9, 30))

    earlier = analytics.procurement_analytics(principal=buyer, fiscal_year=2569)
    assert earlier.tenders == 1
    assert savings_row(earlier.savings) == (
        None,
        1,
        D("1200000.00"),
        D("1000000.00"),
        D("200000.00"),
        D("16.67"),
    )
    assert [m.month for m in earlier.monthly] == [dt.date(2026, 7, 1)]

    every = analytics.procurement_analytics(principal=buyer, fiscal_year=None)
    assert every.tenders == 8
    assert savings_row(every.savings) == (
        None,
        4,
        D("3700000.00"),
        D("3435500.50"),
        D("264499.50"),
        D("7.15"),
    )
    assert (every.competition.opened_tenders, every.competition.bids) == (6, 12)
    assert every.competition.average_bids == D("2.00")
    assert every.competition.single_bidder_percent == D("33.33")
    # 12.5, 20, 30, 40 days: the median between the middle two; 90% within the 4th
    assert every.time_to_award == analytics.TimeToAward(4, D("25.0"), D("40.0"))
    # July 2026 to April 2027, every month listed
    assert [m.month.month for m in every.monthly] == [7, 8, 9, 10, 11, 12, 1, 2, 3, 4]


@pytest.mark.parametrize("value", ["2027", "last year", "25700", "-2570", "2570²", "2569.5"])
def test_a_fiscal_year_must_be_buddhist_era(db, value):
    with pytest.raises(InputError) as refused:
        analytics.parse_fiscal_year(value)
    assert refused.value.field == "fiscal_year"
    assert "Buddhist Era" in refused.value.text("en")


def test_a_fiscal_year_in_thai_digits_is_read(db):
    assert analytics.parse_fiscal_year("๒๕๖๙") == 2569


def test_each_agency_sees_its_own_and_auditors_every_one(
    tenders,
    buyer,
    dlt_buyer,
    auditor,
    admin,
):
    cgd = analytics.procurement_analytics(principal=buyer, fiscal_year=2570)
    dlt = analytics.procurement_analytics(principal=dlt_buyer, fiscal_year=2570)
    assert (dlt.agency, dlt.tenders) == ("DLT", 1)
    assert savings_row(dlt.savings) == (
        None,
        1,
        D("600000.00"),
        D("500000.00"),
        D("100000.00"),
        D("16.67"),
    )
    for reader in (auditor, admin):
        everyone = analytics.procurement_analytics(principal=reader, fiscal_year=2570)
        assert (everyone.agency, everyone.tenders) == (None, 8)
        assert savings_row(everyone.savings) == (
            None,
            4,
            D("3100000.00"),
            D("2935500.50"),
            D("164499.50"),
            D("5.31"),
        )
        assert everyone.competition.opened_tenders == 6
        one = analytics.procurement_analytics(principal=reader, fiscal_year=2570, agency_code="dlt")
        assert one == dlt
        assert (
            analytics.procurement_analytics(principal=reader, fiscal_year=2570, agency_code="CGD")
            == cgd
        )
    # an officer may name their own agency, not another
    assert (
        analytics.procurement_analytics(principal=buyer, fiscal_year=2570, agency_code="CGD") == cgd
    )
    with pytest.raises(NotVisibleError):
        analytics.procurement_analytics(principal=buyer, fiscal_year=2570, agency_code="DLT")
    with pytest.raises(NotFoundError):
        analytics.procurement_analytics(principal=auditor, agency_code="NOPE")


def test_no_tenders_give_no_figures_not_a_division_by_zero(buyer):
    report = analytics.procurement_analytics(principal=buyer)
    assert not report.has_data
    assert savings_row(report.savings) == (None, 0, D("0.00"), D("0.00"), D("0.00"), None)
    assert report.competition == analytics.Competition(
        0, 0, None, [analytics.Bucket(b, 0) for b in ("0", "1", "2", "3", "4", "5+")], 0, None
    )
    assert report.time_to_award == analytics.TimeToAward(0, None, None)
    assert report.monthly == []


def test_drafts_only_give_counts_and_no_percentages(buyer, clock):
    draft(buyer, clock)
    report = analytics.procurement_analytics(principal=buyer)
    assert report.has_data and report.tenders == 1
    assert report.savings.savings_percent is None
    assert report.competition.average_bids is None
    assert report.competition.single_bidder_percent is None
    assert report.time_to_award.median_days is None


def test_nearest_rank_percentile():
    values = [D(n) for n in range(1, 11)]
    assert analytics.nearest_rank(values, 90) == D(9)
    assert analytics.nearest_rank(values[:1], 90) == D(1)
    assert analytics.nearest_rank(values[:3], 90) == D(3)


# The page --------------------------------------------------------------------------------------


def test_the_page_draws_the_figures_in_svg_with_tables(tenders, buyer):
    answer = logged_in(buyer).get(URL, {"fiscal_year": "2570"}, HTTP_ACCEPT_LANGUAGE="th")
    assert answer.status_code == 200
    html = answer.content.decode()
    charts = answer.context["charts"]
    assert set(charts) == {"savings", "bids", "status", "monthly"}
    for chart in charts.values():
        assert chart.startswith("<svg") and chart.endswith("</svg>")
        assert 'role="img"' in chart and "<title id=" in chart and "<desc id=" in chart
        assert chart in html
    # Thai labels inside the charts, and the numbers
    assert "ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)" in charts["savings"]
    assert "54,499.50" in charts["savings"] and "10,000.00" in charts["savings"]
    assert ">5+</text>" in charts["bids"]
    assert "ฉบับร่าง" in charts["status"]
    assert "ม.ค. 2570" in charts["monthly"] and "เม.ย. 2570" in charts["monthly"]
    assert "1,095,500.50" in charts["monthly"]
    # the same numbers in the tables and summary
    for figure in ("64,499.50 บาท", "2.58%", "2.20", "20.00%", "20.0", "40.0", "1,095,500.50 บาท"):
        assert figure in html, figure
    assert html.count("<table") == 4
    assert 'id="no-data"' not in html


def test_the_page_says_no_data_yet_when_there_is_none(buyer):
    answer = logged_in(buyer).get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'id="no-data"' in html and "No data yet" in html
    assert "<svg" not in html


def test_a_wrong_fiscal_year_on_the_page_is_explained(buyer):
    answer = logged_in(buyer).get(URL, {"fiscal_year": "2027"}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 422
    assert "Buddhist Era" in answer.content.decode()


def test_an_auditor_chooses_the_agency_on_the_page(tenders, auditor):
    client = logged_in(auditor)
    everyone = client.get(URL, {"fiscal_year": "2570"})
    assert everyone.context["report"].tenders == 8
    assert 'name="agency"' in everyone.content.decode()
    dlt = client.get(URL, {"fiscal_year": "2570", "agency": "DLT"})
    assert (dlt.context["report"].agency, dlt.context["report"].tenders) == ("DLT", 1)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("citizen", 403),
        ("supplier", 403),
        ("inspector", 403),
        ("committee", 403),
        ("finance", 403),
        ("other_buyer", 200),
        ("buyer", 200),
        ("approver", 200),
        ("agency_admin", 200),
        ("auditor", 200),
        ("admin", 200),
    ],
)
def test_who_may_open_the_page(
    who,
    status,
    cgd,
    dlt,
    officer,
    citizen,
    approved_supplier,
    auditor,
    admin,
    clock,
):
    # given: one draft at CGD and one at DLT
    cgd_buyer = officer("CGD", "buyer")
    dlt_buyer = officer("DLT", "buyer")
    draft(cgd_buyer, clock)
    draft(dlt_buyer, clock)
    people = {
        "anonymous": None,
        "citizen": citizen(),
        "supplier": approved_supplier(),
        "inspector": officer("CGD", "inspector"),
        "committee": officer("CGD", "committee"),
        "finance": officer("CGD", "finance"),
        "other_buyer": dlt_buyer,
        "buyer": cgd_buyer,
        "approver": officer("CGD", "approver"),
        "agency_admin": officer("CGD", "agency_admin"),
        "auditor": auditor,
        "admin": admin,
    }
    answer = logged_in(people[who]).get(URL)
    assert answer.status_code == status
    if status == 302:
        assert answer["Location"].startswith("/login/")
    if status == 200:
        report = answer.context["report"]
        expected = {"auditor": (None, 2), "admin": (None, 2), "other_buyer": ("DLT", 1)}
        assert (report.agency, report.tenders) == expected.get(who, ("CGD", 1))
        assert ('name="agency"' in answer.content.decode()) == (who in ("auditor", "admin"))


def test_a_buyer_cannot_ask_for_another_agency(buyer, dlt, clock):
    answer = logged_in(buyer).get(URL, {"agency": "DLT"})
    assert answer.status_code == 403


def test_refusals_name_the_roles(citizen, officer, cgd):
    with pytest.raises(NotAuthenticatedError):
        analytics.procurement_analytics(principal=ANONYMOUS)
    with pytest.raises(OfficersOnlyError) as refused:
        analytics.procurement_analytics(principal=officer("CGD", "inspector"))
    assert "Buyer" in refused.value.text("en") and "เจ้าหน้าที่พัสดุ" in refused.value.text("th")


# The API ---------------------------------------------------------------------------------------


def test_the_api_gives_the_same_figures(tenders, buyer, api):
    answer = api(buyer).get(f"{API}?fiscal_year=2570")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["fiscal_year"], body["agency"], body["tenders"]) == (2570, "CGD", 7)
    assert body["savings"] == {
        "method": None,
        "tenders": 3,
        "reference_total": "2500000.00",
        "awarded_total": "2435500.50",
        "savings": "64499.50",
        "savings_percent": "2.58",
    }
    assert [row["savings_percent"] for row in body["savings_by_method"]] == ["2.27", "10.00", None]
    assert body["competition"]["average_bids"] == "2.20"
    assert [b["tenders"] for b in body["competition"]["histogram"]] == [1, 1, 1, 1, 0, 1]
    assert body["competition"]["single_bidder_percent"] == "20.00"
    assert body["time_to_award"] == {
        "awarded_tenders": 3,
        "median_days": "20.0",
        "p90_days": "40.0",
    }
    assert body["by_status"][0] == {"status": "draft", "tenders": 1}
    assert [m["month"] for m in body["monthly"]] == [
        "2027-01-01",
        "2027-02-01",
        "2027-03-01",
        "2027-04-01",
    ]
    every = api(buyer).get(f"{API}?fiscal_year=all").json()
    assert (every["fiscal_year"], every["tenders"]) == (None, 8)


def test_the_api_without_data(buyer, api):
    body = api(buyer).get(API).json()
    assert body["tenders"] == 0
    assert body["savings"]["savings_percent"] is None
    assert body["competition"]["average_bids"] is None
    assert body["time_to_award"]["median_days"] is None
    assert body["monthly"] == []


def test_the_api_refuses_alike(api, approved_supplier, buyer, dlt, auditor):
    assert_error_shape(api().get(API), 401, "not_authenticated")
    assert_error_shape(api(approved_supplier()).get(API), 403, "officers_only")
    assert_error_shape(api(buyer).get(f"{API}?agency=DLT"), 403, "not_visible")
    assert_error_shape(api(buyer).get(f"{API}?fiscal_year=2027"), 422, "invalid_input")
    assert_error_shape(api(auditor).get(f"{API}?agency=NOPE"), 404)
    assert api(auditor).get(f"{API}?agency=DLT").json()["agency"] == "DLT"


# The charts ------------------------------------------------------------------------------------


def test_chart_text_is_escaped():
    label = '<script>alert("x")</script> & ราคากลาง'
    bars = bar_chart(
        chart_id='a"b', title="<t>", description="d & d", bars=[Bar(label, D("-5"), "−5")]
    )
    lines = line_chart(
        chart_id="c",
        title="t",
        description="d",
        labels=[label],
        series=[Series("<s>", [D("10")], "#000")],
    )
    for svg in (bars, lines):
        assert "<script>" not in svg and "&lt;script&gt;" in svg
        assert "ราคากลาง" in svg
    assert 'id="a&quot;b"' in bars and '<title id="a&quot;b-title">&lt;t&gt;</title>' in bars
    assert "&lt;s&gt;" in lines


def test_a_negative_bar_grows_left_of_zero():
    svg = bar_chart(
        chart_id="n",
        title="t",
        description="d",
        bars=[Bar("up", D("100"), "100"), Bar("down", D("-100"), "-100")],
    )
    assert svg.count("<rect") == 2 and "#a4161a" in svg
