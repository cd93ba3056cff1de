"""Open Contracting Data Standard 1.1 (P-22): release and record packages of public tenders and
catalog purchases, validated with `jsonschema` against the official OCDS 1.1.5 schema files
(shipped unchanged in onestop/procurement/ocds/schema; `$ref` URLs resolved locally)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from onestop.procurement.http import api_ocds
from onestop.procurement.models import Invoice, PurchaseOrder, Tender
from onestop.procurement.ocds import SCHEMA_DIR
from onestop.procurement.ocds import releases as ocds
from onestop.procurement.services import (
    invoicing,
    orders,
    receiving,
    requisitions,
    shopping,
    tendering,
)
from onestop.procurement.services.tendering import TenderNotFoundError
from tests.procurement.conftest import juristic_of
from tests.procurement.test_tendering import (
    PASSPHRASE,
    PRICES,
    Clock,
    bid,
    draft,
    enrol,
    otp,
    published,
)

pytestmark = pytest.mark.django_db

BASE = "https://standard.open-contracting.org/schema/1__1__5/"
OFFICIAL = {
    "release-package-schema.json": "Schema for an Open Contracting Release Package",
    "record-package-schema.json": "Schema for an Open Contracting Record package",
    "release-schema.json": "Schema for an Open Contracting Release",
    "versioned-release-validation-schema.json": (
        "Schema for a compiled, versioned Open Contracting Release."
    ),
}
URI = "https://onestop.example/api/ocds/releases"
PUBLISHED = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def committee(cgd, officer):
    members = [officer("CGD", "committee") for _ in range(3)]
    for member in members:
        tendering.vault_key_create(actor=member, passphrase=PASSPHRASE)
        enrol(member)
    return members


@pytest.fixture
def buyer(cgd, officer):
    return officer("CGD", "buyer")


def _schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def validator(name: str) -> Draft4Validator:
    registry = Registry().with_resources(
        (_schema(file)["id"], Resource.from_contents(_schema(file), default_specification=DRAFT4))
        for file in OFFICIAL
    )
    return Draft4Validator(
        _schema(name), registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
    )


def assert_valid(package: dict, kind: str = "release") -> None:
    errors = list(validator(f"{kind}-package-schema.json").iter_errors(package))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def text(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def opened(tender, committee):
    for member in committee[:2]:
        tendering.share_release(
            actor=member, reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
        )
    tender.refresh_from_db()
    assert tender.status == Tender.Status.OPENED
    return tender


def paid_order(owner, item, team, bank, run_tasks) -> PurchaseOrder:
    """A catalog purchase all the way to payment, as in test_buying_flow."""
    paper = item(owner)
    shopping.shopping_list_add(actor=team["buyer"], item_id=paper.pk, quantity=Decimal("10"))
    requisition = requisitions.requisition_submit(
        actor=team["buyer"],
        budget_line_id=team["budget"].pk,
        justification="ใช้ในงานสารบรรณ",
        delivery_address="กรมบัญชีกลาง ถนนพระราม 6",
    )
    requisitions.requisition_decide(
        actor=team["approver"], number=requisition.number, decision="approve"
    )
    order = PurchaseOrder.objects.get(requisition=requisition)
    orders.purchase_order_acknowledge(actor=owner, number=order.number)
    lines = list(order.lines.all())
    receiving.goods_receipt_record(
        actor=team["inspector"],
        number=order.number,
        lines=[receiving.ReceiptLineIn(line.pk, line.quantity, line.quantity) for line in lines],
    )
    invoicing.invoice_submit(
        actor=owner,
        number=order.number,
        supplier_number="INV-001",
        invoice_date=timezone.localdate(),
        total=order.total,
        lines=[invoicing.InvoiceLineIn(line.pk, line.quantity, line.unit_price) for line in lines],
    )
    run_tasks()
    bank.callback(bank.orders[-1])
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.CLOSED
    return order


def test_the_schema_files_are_the_official_ones():
    for name, title in OFFICIAL.items():
        schema = _schema(name)
        assert schema["id"] == BASE + name
        assert schema["title"] == title
        assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert (SCHEMA_DIR / "LICENSE").exists() and (SCHEMA_DIR / "README.md").exists()
    release_ref = _schema("release-package-schema.json")["properties"]["releases"]["items"]
    assert release_ref == {"$ref": BASE + "release-schema.json"}


def test_the_validator_catches_a_broken_release():
    broken = ocds.release_package(
        [{"ocid": "x", "id": "1", "date": "yesterday", "tag": ["bidding"]}], URI, PUBLISHED
    )
    messages = [e.message for e in validator("release-package-schema.json").iter_errors(broken)]
    assert any("initiationType" in m for m in messages)
    assert any("bidding" in m for m in messages)
    assert any("date-time" in m for m in messages)


def test_a_published_tender_without_bidders_or_prices(buyer, committee, approved_supplier, clock):
    tender = published(buyer, committee, clock)
    bidders = [approved_supplier() for _ in PRICES[:2]]
    for owner, price in zip(bidders, PRICES, strict=False):
        bid(tender, owner, price)

    package = ocds.tender_release_package(tender.reference, uri=URI, published_date=PUBLISHED)

    assert_valid(package)
    (release,) = package["releases"]
    assert release["ocid"] == f"ocds-onestop-{tender.reference}"
    assert release["tag"] == ["planning", "tender"]
    assert release["initiationType"] == "tender" and release["language"] == "th"
    assert release["date"].endswith("+07:00")
    section = release["tender"]
    assert section["status"] == "active" and section["procurementMethod"] == "open"
    assert section["mainProcurementCategory"] == "services"
    assert section["value"] == {"amount": 1200000, "currency": "THB"}
    assert release["planning"]["budget"]["amount"] == {"amount": 1250000, "currency": "THB"}
    assert [i["quantity"] for i in section["items"]] == [1, 2]
    assert section["items"][1]["unit"] == {
        "name": "ครั้ง",
        "value": {"amount": 100000, "currency": "THB"},
    }
    assert dt.datetime.fromisoformat(section["tenderPeriod"]["endDate"]) == (
        tender.submission_deadline.replace(microsecond=0)
    )
    assert dt.datetime.fromisoformat(section["enquiryPeriod"]["endDate"]) == (
        tender.clarification_deadline.replace(microsecond=0)
    )
    # bidders are secret until opening, and sealed prices are never published
    assert "tenderers" not in section and "numberOfTenderers" not in section
    assert [p["roles"] for p in release["parties"]] == [["buyer", "procuringEntity"]]
    assert release["buyer"]["id"] == section["procuringEntity"]["id"] == "TH-GOV-CGD"
    body = text(package)
    for owner in bidders:
        assert juristic_of(owner) not in body
    for price in PRICES:
        assert price not in body and str(int(Decimal(price))) not in body


def test_after_opening_the_tenderers_are_named(buyer, committee, approved_supplier, clock):
    tender = published(buyer, committee, clock)
    bidders = [approved_supplier() for _ in PRICES]
    for owner, price in zip(bidders, PRICES, strict=True):
        bid(tender, owner, price)
    bid(tender, bidders[0], "1170000.00")  # a second bid of the same supplier counts once
    clock.to(tender.opening_at)
    opened(tender, committee)

    package = ocds.tender_release_package(tender.reference, uri=URI, published_date=PUBLISHED)

    assert_valid(package)
    first, update = package["releases"]
    assert first["tender"]["status"] == "active" and "tenderers" not in first["tender"]
    assert update["tag"] == ["tenderUpdate"]
    assert update["tender"]["status"] == "complete"
    assert update["tender"]["numberOfTenderers"] == 3
    party_ids = {p["id"] for p in update["parties"] if "tenderer" in p["roles"]}
    assert party_ids == {f"TH-DBD-{juristic_of(owner)}" for owner in bidders}
    assert {t["id"] for t in update["tender"]["tenderers"]} == party_ids
    names = {p["id"]: p["name"] for p in update["parties"]}
    assert all(names[t["id"]] == t["name"] for t in update["tender"]["tenderers"])
    assert len({r["id"] for r in package["releases"]}) == 2
    body = text(package)
    for price in (*PRICES, "1170000.00"):
        assert price not in body


def test_a_record_package_compiles_the_releases(buyer, committee, approved_supplier, clock):
    tender = published(buyer, committee, clock)
    for owner, price in zip([approved_supplier() for _ in PRICES[:2]], PRICES, strict=False):
        bid(tender, owner, price)
    clock.to(tender.opening_at)
    opened(tender, committee)
    ocid = f"ocds-onestop-{tender.reference}"

    package = ocds.record_package(ocid, uri=URI, published_date=PUBLISHED)

    assert_valid(package, "record")
    (record,) = package["records"]
    assert record["ocid"] == ocid and len(record["releases"]) == 2
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["date"] == record["releases"][1]["date"]
    assert compiled["tender"]["status"] == "complete"
    assert compiled["tender"]["numberOfTenderers"] == 2
    assert compiled["planning"]["budget"]["amount"]["amount"] == 1250000  # kept from release 1
    roles = {p["id"]: p["roles"] for p in compiled["parties"]}
    assert roles["TH-GOV-CGD"] == ["buyer", "procuringEntity"] and len(roles) == 3
    assert not list(validator("release-schema.json").iter_errors(compiled))


def test_the_merge_overrides_and_merges_by_id():
    early = {
        "ocid": "o",
        "id": "1",
        "date": "2026-01-01T00:00:00+07:00",
        "tag": ["tender"],
        "tender": {"status": "active", "items": [{"id": "1", "quantity": 1, "description": "a"}]},
        "parties": [{"id": "A", "roles": ["buyer"]}],
    }
    late = {
        "ocid": "o",
        "id": "2",
        "date": "2026-01-02T00:00:00+07:00",
        "tag": ["tenderUpdate"],
        "tender": {"status": "complete", "items": [{"id": "1", "quantity": 2}, {"id": "2"}]},
        "parties": [{"id": "A", "roles": ["buyer", "payer"]}, {"id": "B", "roles": ["payee"]}],
    }
    compiled = ocds.compile_releases([late, early])
    assert compiled["tender"] == {
        "status": "complete",
        "items": [{"id": "1", "quantity": 2, "description": "a"}, {"id": "2"}],
    }
    assert compiled["parties"] == [
        {"id": "A", "roles": ["buyer", "payer"]},
        {"id": "B", "roles": ["payee"]},
    ]
    assert early["tender"]["items"] == [{"id": "1", "quantity": 1, "description": "a"}]


def test_drafts_and_cancelled_tenders_are_never_published(buyer, committee, clock):
    hidden = draft(buyer, clock, title="ซื้อครุภัณฑ์ลับ")
    shown = published(buyer, committee, clock)

    package = json.loads("".join(ocds.iter_release_package_json(URI, PUBLISHED)))

    assert {r["tender"]["id"] for r in package["releases"]} == {shown.reference}
    assert hidden.reference not in text(package) and "ครุภัณฑ์ลับ" not in text(package)
    with pytest.raises(TenderNotFoundError):
        ocds.tender_release_package(hidden.reference)
    with pytest.raises(ocds.NotFoundError):
        ocds.record_package(f"ocds-onestop-{hidden.reference}")
    with pytest.raises(ocds.NotFoundError):
        ocds.record_package(f"other-prefix-{shown.reference}")


def test_a_paid_catalog_purchase(approved_supplier, item, cgd_team, bank, run_tasks):
    owner = approved_supplier()
    order = paid_order(owner, item, cgd_team, bank, run_tasks)
    ocid = f"ocds-onestop-{order.requisition.number}"

    package = ocds.record_package(ocid, uri=URI, published_date=PUBLISHED)

    assert_valid(package, "record")
    (record,) = package["records"]
    award, implementation = record["releases"]
    assert award["tag"] == ["award", "contract"]
    assert implementation["tag"] == ["implementation", "contractTermination"]
    supplier_id = f"TH-DBD-{juristic_of(owner)}"
    (contract,) = award["contracts"]
    assert contract["value"] == {"amount": 1250, "currency": "THB"}
    assert contract["awardID"] == award["awards"][0]["id"] == order.number
    assert contract["items"][0]["classification"]["id"] == "14111500"
    assert award["awards"][0]["suppliers"] == [{"id": supplier_id, "name": owner_name(owner)}]
    (transaction,) = implementation["contracts"][0]["implementation"]["transactions"]
    invoice = Invoice.objects.get(order=order)
    assert transaction["value"] == {"amount": 1250, "currency": "THB"}
    assert transaction["payee"]["id"] == supplier_id
    assert transaction["payer"]["id"] == "TH-GOV-CGD"
    assert dt.datetime.fromisoformat(transaction["date"]) == invoice.paid_at.replace(microsecond=0)
    roles = {p["id"]: p["roles"] for p in implementation["parties"]}
    assert roles[supplier_id] == ["supplier", "payee"]
    compiled = record["compiledRelease"]["contracts"][0]
    assert compiled["status"] == "terminated" and compiled["value"]["amount"] == 1250
    assert len(compiled["implementation"]["transactions"]) == 1


def owner_name(owner) -> str:
    from onestop.identity.models import Business

    return Business.objects.get(juristic_id=juristic_of(owner)).name_th


@pytest.fixture
def everything(buyer, committee, approved_supplier, clock, item, cgd_team, bank, run_tasks):
    """Two published tenders (one opened), a draft, and a paid catalog purchase."""
    first = published(buyer, committee, clock)
    bid(first, approved_supplier(), PRICES[0])
    clock.advance(hours=1)
    second = published(buyer, committee, clock)
    bid(second, approved_supplier(), PRICES[1])
    clock.to(second.opening_at)
    opened(second, committee)
    draft(buyer, clock)
    clock.advance(hours=1)
    order = paid_order(approved_supplier(), item, cgd_team, bank, run_tasks)
    return first, second, order


def test_the_streamed_export_equals_the_package(everything):
    first, second, order = everything
    releases = list(ocds.iter_releases())
    expected = ocds.release_package(releases, URI, PUBLISHED)

    chunks = list(ocds.iter_release_package_json(URI, PUBLISHED, chunk_size=1))

    assert len(chunks) == len(releases) + 2  # header, one chunk per release, footer
    assert json.loads("".join(chunks)) == expected
    assert_valid(expected)
    assert [r["ocid"].removeprefix("ocds-onestop-") for r in releases] == [
        first.reference,
        second.reference,
        second.reference,
        order.requisition.number,
        order.requisition.number,
    ]
    assert len({r["id"] for r in releases}) == len(releases)
    records = json.loads("".join(ocds.iter_record_package_json(URI, PUBLISHED)))
    assert_valid(records, "record")
    assert [len(r["releases"]) for r in records["records"]] == [1, 2, 2]


def test_the_ocid_prefix_is_a_setting(buyer, committee, clock, settings):
    settings.ONESTOP_OCID_PREFIX = "ocds-abc123"
    tender = published(buyer, committee, clock)
    (release,) = ocds.tender_release_package(tender.reference)["releases"]
    assert release["ocid"] == f"ocds-abc123-{tender.reference}"
    assert ocds.record_package(release["ocid"])["records"][0]["ocid"] == release["ocid"]


def test_the_export_command_writes_valid_packages(everything, tmp_path):
    out = io.StringIO()
    call_command("ocds", "export", stdout=out)
    package = json.loads(out.getvalue())
    assert_valid(package)
    assert len(package["releases"]) == 5

    target = tmp_path / "records.json"
    err = io.StringIO()
    call_command("ocds", "export", "--kind", "records", "--output", str(target), stderr=err)
    assert_valid(json.loads(target.read_text(encoding="utf-8")), "record")
    assert "Wrote 3 records" in err.getvalue()

    out = io.StringIO()
    call_command("ocds", "validate", str(target), stdout=out)
    assert "valid OCDS 1.1 package" in out.getvalue()


def test_the_validate_command_reports_an_invalid_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "uri": URI,
                "version": "1.1",
                "publishedDate": "2026-05-01",
                "publisher": {"name": "OneStop"},
                "releases": [{"ocid": "x", "id": "1", "date": "2026-05-01T00:00:00Z"}],
            }
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"errors against the OCDS 1\.1\.5 schema"):
        call_command("ocds", "validate", str(bad), stdout=out)
    report = out.getvalue()
    assert "publishedDate" in report and "'tag' is a required property" in report
    assert "releases/0" in report

    notjson = tmp_path / "not.json"
    notjson.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("ocds", "validate", str(notjson))


def test_the_api_serves_packages(everything):
    _first, second, order = everything
    factory = RequestFactory()

    response = api_ocds.releases_all(factory.get("/api/ocds/releases"))
    assert response.streaming and response["Content-Type"] == "application/json"
    package = json.loads(b"".join(response.streaming_content))
    assert_valid(package)
    assert package["uri"] == "http://testserver/api/ocds/releases"
    assert len(package["releases"]) == 5

    path = f"/api/ocds/tenders/{second.reference}/releases"
    response = api_ocds.tender_releases(factory.get(path), second.reference)
    assert_valid(json.loads(response.content))

    ocid = f"ocds-onestop-{order.requisition.number}"
    response = api_ocds.record(factory.get(f"/api/ocds/records/{ocid}"), ocid)
    assert_valid(json.loads(response.content), "record")

    assert {path for path in api_ocds.router.path_operations} == {
        "/ocds/releases",
        "/ocds/tenders/{reference}/releases",
        "/ocds/records/{ocid}",
    }
    for operation in api_ocds.router.path_operations.values():
        assert all(op.auth_param is None for op in operation.operations)
