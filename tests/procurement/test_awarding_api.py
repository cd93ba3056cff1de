"""The tender after its invitation, through the API alone: plan, documents, question and
published answer, bids with sealed proposal documents, evaluation, award, a complaint,
contract, track record, and the OCDS releases of the whole process."""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile

import pytest
from django.db import connection
from django.utils import timezone

from onestop.core.thai import fiscal_year
from onestop.procurement.models import ProposalDocument
from onestop.procurement.ocds import releases as ocds
from onestop.procurement.services import budget
from tests.conftest import ApiClient, assert_error_shape
from tests.procurement.conftest import juristic_of
from tests.procurement.test_ocds import assert_valid
from tests.procurement.test_tendering_api import (
    Clock,
    P,
    T,
    draft_body,
    opening_at,
    publish_body,
    release,
    sealed_for,
    supplier_id,
)

pytestmark = pytest.mark.django_db

PDF = "%PDF-1.7\n% ข้อเสนอทางเทคนิค\n%%EOF\n".encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def team(cgd, officer):
    members = [officer("CGD", "committee") for _ in range(3)]
    from onestop.procurement.services import tendering
    from tests.procurement.conftest import PASSPHRASE, enrol

    for member in members:
        tendering.vault_key_create(actor=member, passphrase=PASSPHRASE)
        enrol(member)
    admin = officer("CGD", "agency_admin")
    line = budget.budget_line_create(
        actor=admin,
        agency_code="CGD",
        fiscal_year=fiscal_year(timezone.now()),
        code="IT-01",
        name="ค่าพัฒนาระบบ",
        amount="3000000.00",
    )
    return {
        "buyer": officer("CGD", "buyer"),
        "approver": officer("CGD", "approver"),
        "committee": members,
        "budget_line": line,
    }


def test_the_whole_award_path_through_the_api(team, approved_supplier, monkeypatch):
    clock = Clock(monkeypatch)
    buyer, approver, committee = team["buyer"], team["approver"], team["committee"]
    year = fiscal_year(clock.now)

    # the annual plan, published
    month = clock.now.date().replace(day=1)
    plan = ApiClient(buyer).put(
        f"{P}/plans/{year}",
        {
            "fiscal_year": year,
            "items": [
                {
                    "title": "จ้างพัฒนาระบบสารสนเทศ",
                    "method": "e_bidding",
                    "budget": "1250000",
                    "expected_month": month.isoformat(),
                }
            ],
        },
    )
    assert plan.status_code == 200, plan.content
    assert ApiClient(buyer).post(f"{P}/plans/{year}/publish").status_code == 200
    public_plans = ApiClient().get(f"{P}/plans").json()
    assert public_plans[0]["items"][0]["title"] == "จ้างพัฒนาระบบสารสนเทศ"
    plan_item = public_plans[0]["items"][0]["id"]

    # a tender of that project, with its rules, documents, published
    body = draft_body(clock, plan_item_id=plan_item, qualification_rules=["มีผลงาน 1 สัญญา"])
    created = ApiClient(buyer).post(T, body)
    assert created.status_code == 201, created.content
    reference = created.json()["reference"]
    terms = ApiClient(buyer).post(
        f"{T}/{reference}/documents",
        {"kind": "terms", "file_name": "TOR.docx", "content_base64": b64(tor := docx())},
    )
    assert terms.status_code == 201, terms.content
    assert terms.json()["content_type"].endswith("wordprocessingml.document")
    refused = ApiClient(buyer).post(
        f"{T}/{reference}/documents",
        {"kind": "other", "file_name": "setup.exe", "content_base64": b64(b"MZ\x90\x00")},
    )
    assert assert_error_shape(refused, 422)["code"] == "document_type"
    too_big = ApiClient(buyer).post(
        f"{T}/{reference}/documents",
        {"kind": "other", "file_name": "big.pdf", "content_base64": b64(PDF + b"0" * 10_485_760)},
    )
    assert assert_error_shape(too_big, 422)["code"] == "document_size"
    tender = ApiClient(buyer).post(f"{T}/{reference}/publish", publish_body(committee)).json()
    assert [d["file_name"] for d in ApiClient().get(f"{T}/{reference}/documents").json()] == [
        "TOR.docx"
    ]
    download = ApiClient().get(f"{T}/{reference}/documents/{terms.json()['id']}")
    assert download.status_code == 200 and download.content == tor

    # a question, answered for everyone
    bidders = [approved_supplier() for _ in range(3)]
    asked = ApiClient(bidders[0]).post(
        f"{T}/{reference}/questions",
        {"supplier_id": supplier_id(bidders[0]), "question": "ต้องมีผลงานกี่สัญญา"},
    )
    assert asked.status_code == 201, asked.content
    assert ApiClient().get(f"{T}/{reference}/questions").json() == []
    ApiClient(buyer).post(
        f"{T}/{reference}/questions/{asked.json()['id']}/answer", {"answer": "อย่างน้อย 1 สัญญา"}
    )
    assert ApiClient().get(f"{T}/{reference}/questions").json()[0]["answer"] == "อย่างน้อย 1 สัญญา"

    # three sealed bids; the first with a proposal document sealed on arrival
    prices = ("1180000.00", "1095500.50", "1210000.00")
    for owner, price in zip(bidders, prices, strict=True):
        sealed = sealed_for(tender, supplier_id(owner), price)
        documents = (
            [{"file_name": "ข้อเสนอ.pdf", "content_base64": b64(PDF)}] if owner is bidders[1] else []
        )
        response = ApiClient(owner).post(
            f"{T}/{reference}/bids",
            {"supplier_id": supplier_id(owner), "sealed_bid": sealed, "documents": documents},
        )
        assert response.status_code == 201, response.content
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT sealed FROM {ProposalDocument._meta.db_table}")
        (stored,) = cursor.fetchone()
    assert b"%PDF" not in bytes(stored)
    assert ProposalDocument.objects.get().data is None

    # opening, evaluation, award
    clock.to(opening_at(tender))
    for member in committee[:2]:
        assert release(member, tender).status_code == 200
    document = ApiClient(buyer).get(f"{T}/{reference}/bids/2/documents/1")
    assert document.status_code == 200 and document.content == PDF
    assert ApiClient(bidders[0]).get(f"{T}/{reference}/bids/2/documents/1").status_code == 404
    for sequence in (1, 2, 3):
        evaluated = ApiClient(committee[0]).post(
            f"{T}/{reference}/bids/{sequence}/evaluation", {"qualified": True}
        )
        assert evaluated.status_code == 200, evaluated.content
    awarded = ApiClient(approver).post(f"{T}/{reference}/award", {"note": ""})
    assert awarded.status_code == 200, awarded.content
    assert awarded.json()["awarded_supplier"] == juristic_of(bidders[1])
    assert awarded.json()["awarded_price"] == "1095500.50"

    # a complaint during the standstill holds the contract until it is decided
    complaint = ApiClient(bidders[2]).post(
        f"{T}/{reference}/complaints",
        {"supplier_id": supplier_id(bidders[2]), "grounds": "ผู้ชนะเสนอราคาต่ำผิดปกติ"},
    )
    assert complaint.status_code == 201, complaint.content
    assert ApiClient().get(f"{T}/{reference}/complaints").json()[0]["grounds"] is None
    clock.advance(days=8)
    contract_body = {
        "budget_line_id": team["budget_line"].pk,
        "delivery_due": (timezone.localdate(clock.now) + dt.timedelta(days=90)).isoformat(),
        "delivery_address": "กรมบัญชีกลาง ถนนพระรามที่ 6",
    }
    held = ApiClient(approver).post(f"{T}/{reference}/contract", contract_body)
    assert assert_error_shape(held, 409)["code"] == "complaint_pending"
    ApiClient(approver).post(
        f"{T}/{reference}/complaints/{complaint.json()['id']}/decision",
        {"upheld": False, "decision": "ราคาทำได้จริงตามรายละเอียดต้นทุน"},
    )
    signed = ApiClient(approver).post(f"{T}/{reference}/contract", contract_body)
    assert signed.status_code == 201, signed.content
    assert signed.json()["amount"] == "1095500.50"
    assert ApiClient().get(f"{T}/{reference}/contract").json()["order"] == signed.json()["order"]

    # the winner's track record counts the contract
    record = ApiClient(buyer).get(f"{P}/suppliers/{supplier_id(bidders[1])}/track-record")
    assert record.status_code == 200 and record.json()["contracts"] == 1
    assert (
        ApiClient(bidders[0])
        .get(f"{P}/suppliers/{supplier_id(bidders[1])}/track-record")
        .status_code
        == 403
    )

    # and the OCDS releases of the process validate against the official schema
    process = ocds.tender_releases(ocds.tender_public(reference))
    assert [release["tag"] for release in process] == [
        ["planning", "tender"],
        ["tenderUpdate"],
        ["award"],
        ["contract"],
    ]
    assert_valid(ocds.release_package(process, uri="https://onestop.example/t"))


def test_a_question_after_the_deadline_gets_a_clear_409(team, approved_supplier, monkeypatch):
    clock = Clock(monkeypatch)
    created = ApiClient(team["buyer"]).post(T, draft_body(clock))
    reference = created.json()["reference"]
    ApiClient(team["buyer"]).post(f"{T}/{reference}/publish", publish_body(team["committee"]))
    owner = approved_supplier()
    clock.advance(days=3, seconds=1)
    late = ApiClient(owner).post(
        f"{T}/{reference}/questions", {"supplier_id": supplier_id(owner), "question": "ยังถามได้ไหม"}
    )
    body = assert_error_shape(late, 409)
    assert body["code"] == "clarification_closed" and "ปิด" not in body["message"]["en"]
