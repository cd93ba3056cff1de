"""Tenders and the electronic vault through the HTTP API alone: the whole sealed-bid path (one
bidder with the Python client, `onestop.procurement.client`), who may call each endpoint, and
the refusals."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from onestop.procurement.client import TenderClient, TenderClientError
from onestop.procurement.domain import vault
from onestop.procurement.models import Supplier
from tests.conftest import PASSWORD, ApiClient, assert_error_shape
from tests.procurement.conftest import juristic_of
from tests.procurement.test_tendering import PASSPHRASE, PRICES, Clock, enrol, otp

pytestmark = pytest.mark.django_db
P = "/api/procurement"
T = f"{P}/tenders"


@pytest.fixture
def clock(monkeypatch):
    """The platform's clock, on a whole second: the API gives times to the millisecond."""
    clock = Clock(monkeypatch)
    clock.to(clock.now.replace(microsecond=0))
    return clock


@pytest.fixture
def committee(cgd, officer):
    """Three CGD committee members, each with a vault key made through the API."""
    members = [officer("CGD", "committee") for _ in range(3)]
    for member in members:
        created = ApiClient(member).post(f"{P}/vault-key", {"passphrase": PASSPHRASE})
        assert created.status_code == 201, created.content
        assert len(created.json()["fingerprint"]) == 32
        enrol(member)
    return members


@pytest.fixture
def buyer(cgd, officer):
    return officer("CGD", "buyer")


def token_for(principal) -> str:
    created = ApiClient(csrf=False).post(
        "/api/auth/tokens",
        {"username": principal.username, "password": PASSWORD, "name": "tenders"},
    )
    assert created.status_code == 201, created.content
    return created.json()["token"]


def supplier_id(owner) -> int:
    return Supplier.objects.get(business__juristic_id=juristic_of(owner)).pk


def draft_body(clock, **overrides) -> dict:
    now = clock.now
    return {
        "title": "จ้างพัฒนาระบบสารสนเทศ 1 ระบบ",
        "method": "e_bidding",
        "budget": "1250000.00",
        "lines": [
            {
                "description": "พัฒนาระบบ",
                "quantity": "1",
                "unit": "ระบบ",
                "unit_reference_price": "1000000.00",
                "source": "ราคาตลาด 3 ราย",
            },
            {
                "description": "ฝึกอบรมผู้ใช้",
                "quantity": "2",
                "unit": "ครั้ง",
                "unit_reference_price": "100000.00",
            },
        ],
        "clarification_deadline": (now + dt.timedelta(days=3)).isoformat(),
        "submission_deadline": (now + dt.timedelta(days=7)).isoformat(),
        "opening_at": (now + dt.timedelta(days=7, hours=1)).isoformat(),
    } | overrides


def draft(buyer, clock, **overrides) -> str:
    created = ApiClient(buyer).post(T, draft_body(clock, **overrides))
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft"
    return created.json()["reference"]


def publish_body(committee, threshold: int = 2) -> dict:
    return {"committee": [member.username for member in committee], "threshold": threshold}


def published(buyer, committee, clock, threshold: int = 2, **overrides) -> dict:
    reference = draft(buyer, clock, **overrides)
    response = ApiClient(buyer).post(f"{T}/{reference}/publish", publish_body(committee, threshold))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    return response.json()


def opening_at(tender: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(tender["opening_at"])


def sealed_for(tender: dict, supplier: int, price: str, **extra) -> str:
    """Seal as a bidder would: to the public key shown on the tender, bound to tender and bidder."""
    return vault.seal(
        vault.unb64url(tender["vault_public_key"]),
        json.dumps({"price": price, **extra}).encode(),
        f"bid|{tender['reference']}|{supplier}",
    ).decode()


def post_bid(owner, tender: dict, sealed: str, supplier: int | None = None):
    supplier = supplier_id(owner) if supplier is None else supplier
    return ApiClient(owner).post(
        f"{T}/{tender['reference']}/bids", {"supplier_id": supplier, "sealed_bid": sealed}
    )


def release(member, tender: dict, passphrase: str = PASSPHRASE):
    return ApiClient(member).post(
        f"{T}/{tender['reference']}/shares", {"passphrase": passphrase, "second_factor": otp()}
    )


def test_a_whole_sealed_tender_through_the_api(
    buyer, committee, approved_supplier, clock, wsgi_http
):
    anyone = ApiClient(csrf=False)

    # given: the buyer drafts a tender; a draft is not public
    reference = draft(buyer, clock)
    assert_error_shape(anyone.get(f"{T}/{reference}"), 404, "tender_not_found")
    assert ApiClient(buyer).get(f"{T}/{reference}").json()["vault_public_key"] is None

    # when: it is published with a 2-of-3 committee
    published_now = ApiClient(buyer).post(f"{T}/{reference}/publish", publish_body(committee))
    assert published_now.status_code == 200, published_now.content

    # then: anyone reads it, with its vault key, reference price and lines
    public = anyone.get(f"{T}/{reference}")
    assert public.status_code == 200, public.content
    tender = public.json()
    assert tender["status"] == "published" and tender["threshold"] == 2
    assert Decimal(tender["reference_price"]) == Decimal("1200000.00")
    assert [(line["position"], Decimal(line["amount"])) for line in tender["lines"]] == [
        (1, Decimal("1000000.00")),
        (2, Decimal("200000.00")),
    ]
    key = vault.unb64url(tender["vault_public_key"])
    assert len(key) == vault.POINT_BYTES and vault.fingerprint(key) == tender["vault_kid"]
    assert reference in [t["reference"] for t in anyone.get(T).json()]
    assert anyone.get(f"{T}/{reference}/bids").json() == []

    # and: three suppliers bid; the first with the Python client over an API token
    bidders = [approved_supplier() for _ in PRICES]
    client = TenderClient("http://testserver", token_for(bidders[0]), http=wsgi_http)
    assert client.vault_key(reference) == key
    receipts = [client.submit_bid(reference, supplier_id(bidders[0]), PRICES[0], note="ยืนราคา")]
    for owner, price in zip(bidders[1:], PRICES[1:], strict=True):
        response = post_bid(owner, tender, sealed_for(tender, supplier_id(owner), price))
        assert response.status_code == 201, response.content
        receipts.append(response.json())
    assert [r["sequence"] for r in receipts] == [1, 2, 3]
    assert client.verify_receipt(receipts[0])
    assert not client.verify_receipt(receipts[1])  # not a bid this client sent
    forged = receipts[0] | {"sha256": receipts[1]["sha256"]}
    assert not client.verify_receipt(forged)
    statement = json.loads(receipts[0]["receipt"])
    assert statement["tender"] == reference and statement["sha256"] == receipts[0]["sha256"]

    # then: the receipt list is public and names no bidder
    listed = anyone.get(f"{T}/{reference}/receipts")
    assert listed.status_code == 200
    assert [r["sha256"] for r in listed.json()] == [r["sha256"] for r in receipts]
    assert all(
        set(r) == {"sequence", "submitted_at", "sha256", "superseded"} for r in listed.json()
    )
    for owner in bidders:
        assert juristic_of(owner) not in listed.content.decode()
        assert Supplier.objects.get(pk=supplier_id(owner)).business.name_th not in (
            listed.content.decode()
        )
    assert anyone.get(f"{T}/{reference}/bids").json() == []
    before = anyone.get(f"{T}/{reference}/verify").json()
    assert before["ok"] and not before["opened"] and before["vault_private_key"] is None

    # when: a member tries a second before the opening time
    clock.to(opening_at(tender) - dt.timedelta(seconds=1))
    body = assert_error_shape(release(committee[0], tender), 409, "vault_too_early")
    assert reference in body["message"]["en"] and reference in body["message"]["th"]

    # when: the opening time comes and two of three members release their shares
    clock.to(opening_at(tender))
    first = release(committee[0], tender)
    assert first.status_code == 200 and first.json()["status"] == "published"
    assert ApiClient(csrf=False).get(f"{T}/{reference}/bids").json() == []
    second = release(committee[2], tender)
    assert second.status_code == 200 and second.json()["status"] == "opened"

    # then: the bids are public, lowest price first
    opened = ApiClient(csrf=False).get(f"{T}/{reference}/bids").json()
    assert [Decimal(b["price"]) for b in opened] == sorted(Decimal(p) for p in PRICES)
    assert all(b["outcome"] == "opened" and b["problem"] == "" for b in opened)
    assert {b["supplier_id"] for b in opened} == {supplier_id(owner) for owner in bidders}

    # and: anyone verifies the vault with the published key
    verified = ApiClient(csrf=False).get(f"{T}/{reference}/verify").json()
    assert verified["ok"] and verified["opened"] and verified["key_matches"]
    assert all(check["reopens"] and check["ok"] for check in verified["checks"])
    private = vault.private_from_scalar(vault.unb64url(verified["vault_private_key"]))
    assert vault.public_point(private) == key
    for receipt, price in zip(receipts, PRICES, strict=True):
        submission = next(b for b in opened if b["sha256"] == receipt["sha256"])
        assert Decimal(submission["price"]) == Decimal(price)


def test_the_client_raises_the_platforms_bilingual_error(
    buyer, committee, approved_supplier, clock, wsgi_http
):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    client = TenderClient("http://testserver", token_for(owner), http=wsgi_http)
    clock.to(dt.datetime.fromisoformat(tender["submission_deadline"]))
    with pytest.raises(TenderClientError) as refused:
        client.submit_bid(tender["reference"], supplier_id(owner), "1000000.00")
    assert refused.value.status == 409 and refused.value.code == "deadline_passed"
    assert refused.value.message["th"] and "too late" in refused.value.message["en"]
    assert client.submitted == {}
    with pytest.raises(TenderClientError) as missing:
        client.vault_key("CGD-TD-0000-99999")
    assert missing.value.status == 404 and missing.value.code == "tender_not_found"


def test_the_client_seals_prices_with_two_decimals(
    buyer, committee, approved_supplier, clock, wsgi_http
):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    client = TenderClient("http://testserver/", token_for(owner), http=wsgi_http)
    with pytest.raises(ValueError):
        client.seal_bid(tender["reference"], supplier_id(owner), "1000000.005")
    client.submit_bid(tender["reference"], supplier_id(owner), Decimal("999999.5"))
    clock.to(opening_at(tender))
    for member in committee[:2]:
        assert release(member, tender).status_code == 200
    (opened,) = ApiClient(csrf=False).get(f"{T}/{tender['reference']}/bids").json()
    assert Decimal(opened["price"]) == Decimal("999999.50")


def test_an_api_token_reads_its_own_agencys_draft(buyer, clock, wsgi_http):
    reference = draft(buyer, clock)
    bearer = {"Authorization": f"Bearer {token_for(buyer)}"}
    response = wsgi_http.get(f"{T}/{reference}", headers=bearer)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "draft"
    assert wsgi_http.get(f"{T}/{reference}").status_code == 404


# Who may call each endpoint ---------------------------------------------------------------------

ACTORS = ["anonymous", "supplier", "cgd_buyer", "dlt_buyer", "committee", "auditor"]


@pytest.fixture
def scene(buyer, committee, approved_supplier, dlt, officer, auditor):
    return {
        "anonymous": None,
        "supplier": approved_supplier(),
        "cgd_buyer": buyer,
        "dlt_buyer": officer("DLT", "buyer"),
        "committee": committee[0],
        "auditor": auditor,
        "members": committee,
    }


def _expected(actor: str, allowed: set[str], ok: int) -> int:
    if actor in allowed:
        return ok
    return 401 if actor == "anonymous" else 403


def _check(response, status: int) -> None:
    if status >= 400:
        assert_error_shape(response, status)
    else:
        assert response.status_code == status, response.content


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_draft_a_tender(scene, clock, actor):
    response = ApiClient(scene[actor]).post(T, draft_body(clock))
    _check(response, _expected(actor, {"cgd_buyer", "dlt_buyer"}, 201))
    if response.status_code == 201:
        assert response.json()["agency"] == scene[actor].agency_code


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_publish_a_cgd_tender(scene, clock, actor):
    reference = draft(scene["cgd_buyer"], clock)
    response = ApiClient(scene[actor]).post(
        f"{T}/{reference}/publish", publish_body(scene["members"])
    )
    _check(response, _expected(actor, {"cgd_buyer"}, 200))
    status = ApiClient(scene["cgd_buyer"]).get(f"{T}/{reference}").json()["status"]
    assert status == ("published" if actor == "cgd_buyer" else "draft")


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_bid_for_the_supplier(scene, clock, actor):
    tender = published(scene["cgd_buyer"], scene["members"], clock)
    supplier = supplier_id(scene["supplier"])
    response = ApiClient(scene[actor]).post(
        f"{T}/{tender['reference']}/bids",
        {"supplier_id": supplier, "sealed_bid": sealed_for(tender, supplier, "1000000.00")},
    )
    _check(response, _expected(actor, {"supplier"}, 201))
    receipts = ApiClient(csrf=False).get(f"{T}/{tender['reference']}/receipts").json()
    assert len(receipts) == (1 if actor == "supplier" else 0)


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_release_a_share(scene, clock, actor):
    tender = published(scene["cgd_buyer"], scene["members"], clock)
    clock.to(opening_at(tender))
    response = ApiClient(scene[actor]).post(
        f"{T}/{tender['reference']}/shares", {"passphrase": PASSPHRASE, "second_factor": otp()}
    )
    _check(response, _expected(actor, {"committee"}, 200))


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_read_a_draft(scene, clock, actor):
    reference = draft(scene["cgd_buyer"], clock)
    response = ApiClient(scene[actor]).get(f"{T}/{reference}")
    # officers of the agency, and auditors (who read every agency's purchasing)
    readers = {"cgd_buyer", "committee", "auditor"}
    if actor in readers:
        assert response.status_code == 200, response.content
        assert response.json()["reference"] == reference
    else:
        assert_error_shape(response, 404, "tender_not_found")


# Refusals --------------------------------------------------------------------------------------


def test_a_late_bid_is_refused(buyer, committee, approved_supplier, clock):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    sealed = sealed_for(tender, supplier_id(owner), "1000000.00")
    clock.to(dt.datetime.fromisoformat(tender["submission_deadline"]) + dt.timedelta(seconds=1))
    body = assert_error_shape(post_bid(owner, tender, sealed), 409, "deadline_passed")
    assert "too late" in body["message"]["en"]
    assert ApiClient(csrf=False).get(f"{T}/{tender['reference']}/receipts").json() == []


def test_a_bid_sealed_to_another_tenders_key_is_refused(buyer, committee, approved_supplier, clock):
    tender = published(buyer, committee, clock)
    other = published(buyer, committee, clock)
    owner = approved_supplier()
    sealed = sealed_for(other, supplier_id(owner), "1000000.00")
    body = assert_error_shape(post_bid(owner, tender, sealed), 422, "wrong_vault_key")
    assert body["field"] == "sealed_bid"


def _envelope(tender: dict, owner, **changes) -> str:
    envelope = json.loads(sealed_for(tender, supplier_id(owner), "1000000.00"))
    return json.dumps({**envelope, **changes})


@pytest.mark.parametrize(
    "make",
    [
        lambda tender, owner: "price=1000000",
        lambda tender, owner: '{"v": 2}',
        lambda tender, owner: '{"v":1,"alg":"ECDH-ES-P256+HKDF-SHA256+A256GCM"}',
        lambda tender, owner: _envelope(tender, owner, epk=vault.b64url(b"\x04" + b"\x01" * 64)),
        lambda tender, owner: _envelope(tender, owner, iv="not base64url!"),
        lambda tender, owner: _envelope(tender, owner, ct=vault.b64url(b"short")),
        lambda tender, owner: _envelope(tender, owner, kid="abc"),
    ],
    ids=["text", "version", "fields", "epk", "iv", "ct", "kid"],
)
def test_something_that_is_not_an_envelope_is_refused(
    buyer, committee, approved_supplier, clock, make
):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    body = assert_error_shape(post_bid(owner, tender, make(tender, owner)), 422, "malformed_bid")
    assert body["field"] == "sealed_bid"
    assert ApiClient(csrf=False).get(f"{T}/{tender['reference']}/receipts").json() == []


def test_a_sealed_bid_must_be_text(buyer, committee, approved_supplier, clock):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    response = ApiClient(owner).post(
        f"{T}/{tender['reference']}/bids",
        {"supplier_id": supplier_id(owner), "sealed_bid": {"v": 1}},
    )
    assert assert_error_shape(response, 422)["field"] == "sealed_bid"


def test_a_tampered_ciphertext_is_received_but_does_not_open(
    buyer, committee, approved_supplier, clock
):
    # given: a well-formed envelope whose ciphertext was altered in transit (the platform
    # cannot tell before opening: it takes the bid and gives a receipt)
    tender = published(buyer, committee, clock)
    owner, honest = approved_supplier(), approved_supplier()
    envelope = json.loads(sealed_for(tender, supplier_id(owner), "1000000.00"))
    ct = bytearray(vault.unb64url(envelope["ct"]))
    ct[0] ^= 1
    tampered = json.dumps({**envelope, "ct": vault.b64url(bytes(ct))})
    assert post_bid(owner, tender, tampered).status_code == 201
    assert (
        post_bid(honest, tender, sealed_for(tender, supplier_id(honest), "1100000.00")).status_code
        == 201
    )

    # when
    clock.to(opening_at(tender))
    for member in committee[:2]:
        assert release(member, tender).status_code == 200

    # then: the altered bid is marked invalid, with the reason, after the valid one
    opened = ApiClient(csrf=False).get(f"{T}/{tender['reference']}/bids").json()
    assert [(b["supplier_id"], b["outcome"]) for b in opened] == [
        (supplier_id(honest), "opened"),
        (supplier_id(owner), "invalid"),
    ]
    assert opened[1]["price"] is None and "altered" in opened[1]["problem"]
    assert ApiClient(csrf=False).get(f"{T}/{tender['reference']}/verify").json()["ok"]


def test_a_share_is_released_once(buyer, committee, clock):
    tender = published(buyer, committee, clock, threshold=3)
    clock.to(opening_at(tender))
    assert release(committee[0], tender).status_code == 200
    assert_error_shape(release(committee[0], tender), 409, "share_already_released")


def test_a_wrong_passphrase_releases_nothing(buyer, committee, clock):
    tender = published(buyer, committee, clock)
    clock.to(opening_at(tender))
    body = assert_error_shape(
        release(committee[0], tender, "not the passphrase"), 403, "vault_passphrase"
    )
    assert body["field"] == "passphrase"
    # the member may still release with the right passphrase
    assert release(committee[0], tender).status_code == 200


def test_a_committee_member_outside_this_tender_releases_nothing(buyer, committee, officer, clock):
    tender = published(buyer, committee, clock)
    outsider = officer("CGD", "committee")
    assert ApiClient(outsider).post(f"{P}/vault-key", {"passphrase": PASSPHRASE}).status_code == 201
    clock.to(opening_at(tender))
    assert_error_shape(release(outsider, tender), 403, "not_committee")


def test_only_committee_members_make_vault_keys(cgd, officer):
    buyer = officer("CGD", "buyer")
    response = ApiClient(buyer).post(f"{P}/vault-key", {"passphrase": PASSPHRASE})
    assert_error_shape(response, 403)
    member = officer("CGD", "committee")
    short = ApiClient(member).post(f"{P}/vault-key", {"passphrase": "short"})
    assert assert_error_shape(short, 422)["field"] == "passphrase"


def test_publishing_needs_every_member_to_hold_a_vault_key(buyer, committee, officer, clock):
    newcomer = officer("CGD", "committee")
    reference = draft(buyer, clock)
    response = ApiClient(buyer).post(
        f"{T}/{reference}/publish", publish_body([*committee[:2], newcomer])
    )
    assert assert_error_shape(response, 422, "vault_key_missing")["field"] == "committee"
    assert ApiClient(buyer).get(f"{T}/{reference}").json()["status"] == "draft"
