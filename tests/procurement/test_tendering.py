"""Tenders and the electronic vault (P-10 to P-13), through the services: a whole sealed-bid
tender, and every refusal the issue lists."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection

from onestop.core.errors import ApplicationError
from onestop.identity import public as identity
from onestop.procurement import selectors
from onestop.procurement.domain import vault
from onestop.procurement.models import CommitteeSeat, Submission, Supplier, Tender
from onestop.procurement.services import suppliers, tendering, vaults
from tests.procurement.conftest import PASSPHRASE, Clock, enrol, juristic_of, otp  # noqa: F401

PRICES = ("1180000.00", "1095500.50", "1210000.00")


def draft(buyer, clock, **overrides):
    now = clock.now
    fields = {
        "title": "จ้างพัฒนาระบบสารสนเทศ 1 ระบบ",
        "method": "e_bidding",
        "budget": "1250000.00",
        "lines": [
            tendering.LineInput("พัฒนาระบบ", "1", "ระบบ", "1000000.00", "ราคาตลาด 3 ราย"),
            tendering.LineInput("ฝึกอบรมผู้ใช้", "2", "ครั้ง", "100000.00"),
        ],
        "clarification_deadline": now + dt.timedelta(days=3),
        "submission_deadline": now + dt.timedelta(days=7),
        "opening_at": now + dt.timedelta(days=7, hours=1),
    } | overrides
    return tendering.tender_create(actor=buyer, **fields)


def published(buyer, committee, clock, threshold=2, **overrides):
    tender = draft(buyer, clock, **overrides)
    return tendering.tender_publish(
        actor=buyer,
        reference=tender.reference,
        committee=[member.username for member in committee],
        threshold=threshold,
    )


def supplier_id(owner) -> int:
    return Supplier.objects.get(business__juristic_id=juristic_of(owner)).pk


def seal(tender, owner, price, **extra) -> bytes:
    plaintext = json.dumps({"price": price, **extra}, ensure_ascii=False).encode()
    return vault.seal(
        bytes(tender.vault_public),
        plaintext,
        tendering.bid_context(tender.reference, supplier_id(owner)),
    )


def bid(tender, owner, price, **extra):
    return tendering.bid_submit(
        actor=owner,
        reference=tender.reference,
        supplier_id=supplier_id(owner),
        sealed=seal(tender, owner, price, **extra),
    )


def every_stored_text() -> str:
    """Everything the vault tables hold, as the database owner reads it."""
    rows = []
    with connection.cursor() as cursor:
        for model in (Tender, Submission, CommitteeSeat):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    rows.append(str(value))
    return "\n".join(rows)


def test_a_whole_sealed_tender(buyer, committee, approved_supplier, clock):
    # given: a published tender and three suppliers' sealed bids
    tender = published(buyer, committee, clock)
    assert tender.reference_price == Decimal("1200000.00")
    bidders = [approved_supplier() for _ in PRICES]
    receipts = [bid(tender, owner, price) for owner, price in zip(bidders, PRICES, strict=True)]

    # then: each receipt is signed by the platform and the hashes are public
    for receipt in receipts:
        assert receipt.sha256 == vault.digest(bytes(receipt.sealed))
    public = [r.sha256 for r in selectors.tender_receipts(tender)]
    assert public == [r.sha256 for r in receipts]
    assert selectors.vault_verify(tender.reference).ok

    # and: the database holds no price, no private key and no plain share
    stored = every_stored_text()
    for price in PRICES:
        assert price not in stored and price.replace(".", "") not in stored
    assert all(seat.released_share is None for seat in CommitteeSeat.objects.all())

    # when: the opening time comes and two of three members release their shares
    clock.to(tender.opening_at)
    tendering.share_release(
        actor=committee[0], reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
    )
    assert Tender.objects.get(pk=tender.pk).status == Tender.Status.PUBLISHED
    tendering.share_release(
        actor=committee[2], reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
    )

    # then: every bid is open, the lowest first, and anyone can verify it
    tender.refresh_from_db()
    assert tender.status == Tender.Status.OPENED
    opened = selectors.opened_bids(tender)
    assert [b.price for b in opened] == sorted(Decimal(p) for p in PRICES)
    report = selectors.vault_verify(tender.reference)
    assert report.ok and report.key_matches and all(c.reopens for c in report.checks)
    assert all(seat.released_share is None for seat in CommitteeSeat.objects.all())


def test_fewer_than_k_shares_open_nothing(buyer, committee, approved_supplier, clock):
    tender = published(buyer, committee, clock, threshold=3)
    bid(tender, approved_supplier(), "1000000.00")
    clock.to(tender.opening_at)
    for member in committee[:2]:
        tendering.share_release(
            actor=member, reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
        )
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED
    assert Submission.objects.get().price is None
    assert tender.vault_private_revealed is None


def test_the_last_bid_counts_and_earlier_ones_stay_superseded(
    buyer, committee, approved_supplier, clock
):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    first = bid(tender, owner, "1190000.00")
    second = bid(tender, owner, "1150000.00")
    first.refresh_from_db()
    assert first.superseded and not second.superseded and second.sequence == 2
    clock.to(tender.opening_at)
    for member in committee[:2]:
        tendering.share_release(
            actor=member, reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
        )
    lowest = selectors.opened_bids(Tender.objects.get(pk=tender.pk))[0]
    assert lowest.pk == second.pk and lowest.price == Decimal("1150000.00")


def test_one_bid_only_when_the_tender_says_so(buyer, committee, approved_supplier, clock):
    tender = published(buyer, committee, clock, allow_resubmission=False)
    owner = approved_supplier()
    bid(tender, owner, "1190000.00")
    with pytest.raises(tendering.ResubmissionNotAllowedError):
        bid(tender, owner, "1100000.00")
    assert Submission.objects.count() == 1


def test_a_bid_one_second_late_is_refused(buyer, committee, approved_supplier, clock):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    sealed = seal(tender, owner, "1000000.00")
    clock.to(tender.submission_deadline + dt.timedelta(seconds=1))
    with pytest.raises(tendering.DeadlinePassedError) as refused:
        tendering.bid_submit(
            actor=owner, reference=tender.reference, supplier_id=supplier_id(owner), sealed=sealed
        )
    assert "too late" in refused.value.text("en")
    assert Submission.objects.count() == 0


def test_a_bid_sealed_to_another_tenders_key_is_refused(buyer, committee, approved_supplier, clock):
    tender = published(buyer, committee, clock)
    other = published(buyer, committee, clock)
    owner = approved_supplier()
    with pytest.raises(tendering.WrongVaultKeyError) as refused:
        tendering.bid_submit(
            actor=owner,
            reference=tender.reference,
            supplier_id=supplier_id(owner),
            sealed=seal(other, owner, "1000000.00"),
        )
    assert refused.value.field == "sealed_bid"
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    "sealed",
    [b"price=1000000", b'{"v": 2}', b'{"v":1,"alg":"ECDH-ES-P256+HKDF-SHA256+A256GCM"}'],
)
def test_something_that_is_not_an_envelope_is_refused(
    buyer, committee, approved_supplier, clock, sealed
):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    with pytest.raises(tendering.MalformedBidError):
        tendering.bid_submit(
            actor=owner, reference=tender.reference, supplier_id=supplier_id(owner), sealed=sealed
        )
    assert Submission.objects.count() == 0


def test_a_tampered_ciphertext_does_not_open_and_is_marked(
    buyer, committee, approved_supplier, clock
):
    # given: a bid altered in transit (a byte of its ciphertext changed before submission)
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    envelope = json.loads(seal(tender, owner, "1000000.00"))
    ct = bytearray(vault.unb64url(envelope["ct"]))
    ct[0] ^= 1
    envelope["ct"] = vault.b64url(bytes(ct))
    tendering.bid_submit(
        actor=owner,
        reference=tender.reference,
        supplier_id=supplier_id(owner),
        sealed=json.dumps(envelope).encode(),
    )
    honest = approved_supplier()
    bid(tender, honest, "1100000.00")

    # when
    clock.to(tender.opening_at)
    for member in committee[:2]:
        tendering.share_release(
            actor=member, reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
        )

    # then: the altered bid is refused at opening with the reason; the honest one opens
    altered = Submission.objects.get(supplier_id=supplier_id(owner))
    assert altered.outcome == Submission.Outcome.INVALID and altered.price is None
    assert "altered" in altered.problem
    assert Submission.objects.get(supplier_id=supplier_id(honest)).price == Decimal("1100000.00")


def test_a_bid_copied_from_another_bidder_does_not_open(buyer, committee, approved_supplier, clock):
    tender = published(buyer, committee, clock)
    honest, copier = approved_supplier(), approved_supplier()
    sealed = seal(tender, honest, "1000000.00")
    tendering.bid_submit(
        actor=copier, reference=tender.reference, supplier_id=supplier_id(copier), sealed=sealed
    )
    clock.to(tender.opening_at)
    for member in committee[:2]:
        tendering.share_release(
            actor=member, reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
        )
    assert Submission.objects.get().outcome == Submission.Outcome.INVALID


def test_database_tampering_after_the_receipt_is_detected(
    buyer, committee, approved_supplier, clock
):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    submission = bid(tender, owner, "1000000.00")
    Submission.objects.filter(pk=submission.pk).update(sealed=seal(tender, owner, "900000.00"))
    report = selectors.vault_verify(tender.reference)
    assert not report.ok and not report.checks[0].envelope_matches


def test_no_share_before_the_opening_time(buyer, committee, approved_supplier, clock):
    tender = published(buyer, committee, clock)
    clock.to(tender.opening_at - dt.timedelta(seconds=1))
    with pytest.raises(tendering.TooEarlyError):
        tendering.share_release(
            actor=committee[0],
            reference=tender.reference,
            passphrase=PASSPHRASE,
            second_factor=otp(),
        )
    assert not CommitteeSeat.objects.filter(released_at__isnull=False).exists()


def test_a_share_is_released_once(buyer, committee, clock):
    tender = published(buyer, committee, clock, threshold=3)
    clock.to(tender.opening_at)
    tendering.share_release(
        actor=committee[0], reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
    )
    with pytest.raises(tendering.AlreadyReleasedError):
        tendering.share_release(
            actor=committee[0],
            reference=tender.reference,
            passphrase=PASSPHRASE,
            second_factor=otp(),
        )


def test_only_the_committee_releases_shares(buyer, committee, officer, clock):
    tender = published(buyer, committee, clock)
    outsider = officer("CGD", "committee")
    tendering.vault_key_create(actor=outsider, passphrase=PASSPHRASE)
    enrol(outsider)
    clock.to(tender.opening_at)
    for actor in (outsider, buyer):
        with pytest.raises(tendering.NotCommitteeError):
            tendering.share_release(
                actor=actor, reference=tender.reference, passphrase=PASSPHRASE, second_factor=otp()
            )


def test_a_wrong_passphrase_releases_nothing(buyer, committee, clock):
    tender = published(buyer, committee, clock)
    clock.to(tender.opening_at)
    with pytest.raises(vaults.PassphraseWrongError):
        tendering.share_release(
            actor=committee[0],
            reference=tender.reference,
            passphrase="not the passphrase",
            second_factor=otp(),
        )
    assert not CommitteeSeat.objects.filter(released_at__isnull=False).exists()


def test_publishing_needs_every_member_to_hold_a_vault_key(buyer, committee, officer, clock):
    newcomer = officer("CGD", "committee")
    tender = draft(buyer, clock)
    with pytest.raises(vaults.VaultKeyMissingError):
        tendering.tender_publish(
            actor=buyer,
            reference=tender.reference,
            committee=[committee[0].username, committee[1].username, newcomer.username],
            threshold=2,
        )
    tender.refresh_from_db()
    assert tender.status == Tender.Status.DRAFT and tender.vault_public is None
    assert not CommitteeSeat.objects.exists()


@pytest.mark.parametrize("threshold", [1, 4])
def test_the_threshold_must_fit_the_committee(buyer, committee, clock, threshold):
    with pytest.raises(ApplicationError) as refused:
        published(buyer, committee, clock, threshold=threshold)
    assert refused.value.field == "threshold"


def test_a_committee_from_another_agency_is_refused(buyer, committee, dlt, officer, clock):
    foreign = officer("DLT", "committee")
    tendering.vault_key_create(actor=foreign, passphrase=PASSPHRASE)
    enrol(foreign)
    tender = draft(buyer, clock)
    with pytest.raises(ApplicationError) as refused:
        tendering.tender_publish(
            actor=buyer,
            reference=tender.reference,
            committee=[committee[0].username, committee[1].username, foreign.username],
            threshold=2,
        )
    assert refused.value.field == "committee"


def test_a_suspended_supplier_cannot_bid(buyer, committee, approved_supplier, admin, clock):
    tender = published(buyer, committee, clock)
    owner = approved_supplier()
    sealed = seal(tender, owner, "1000000.00")
    suppliers.supplier_review(
        actor=admin, juristic_id=juristic_of(owner), decision="suspend", reason="ทิ้งงาน"
    )
    with pytest.raises(tendering.SupplierNotApprovedError):
        tendering.bid_submit(
            actor=owner, reference=tender.reference, supplier_id=supplier_id(owner), sealed=sealed
        )


def test_bidding_for_another_business_is_refused(buyer, committee, approved_supplier, clock):
    tender = published(buyer, committee, clock)
    owner, other = approved_supplier(), approved_supplier()
    with pytest.raises(ApplicationError) as refused:
        tendering.bid_submit(
            actor=other,
            reference=tender.reference,
            supplier_id=supplier_id(owner),
            sealed=seal(tender, owner, "1.00"),
        )
    assert refused.value.status == 403


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"budget": "1000.00"}, "budget"),
        ({"budget": "1250000.005"}, "budget"),
        ({"lines": []}, "lines"),
        ({"lines": [tendering.LineInput("ระบบ", "-1", "ระบบ", "10.00")]}, "lines"),
        ({"method": "auction"}, "method"),
        ({"title": "  "}, "title"),
    ],
)
def test_a_bad_draft_is_refused(buyer, clock, overrides, field):
    with pytest.raises(ApplicationError) as refused:
        draft(buyer, clock, **overrides)
    assert refused.value.field == field
    assert not Tender.objects.exists()


def test_a_timeline_out_of_order_is_refused(buyer, clock):
    with pytest.raises(ApplicationError):
        draft(buyer, clock, opening_at=clock.now + dt.timedelta(days=1))
    assert not Tender.objects.exists()


def test_drafts_are_private_and_published_tenders_public(buyer, committee, clock):
    from onestop.identity.public import ANONYMOUS

    tender = draft(buyer, clock)
    with pytest.raises(tendering.TenderNotFoundError):
        selectors.tender_detail(principal=ANONYMOUS, reference=tender.reference)
    assert selectors.tender_detail(principal=buyer, reference=tender.reference) == tender
    tendering.tender_publish(
        actor=buyer,
        reference=tender.reference,
        committee=[member.username for member in committee],
        threshold=2,
    )
    assert selectors.tender_detail(principal=ANONYMOUS, reference=tender.reference) == tender


def test_a_share_release_needs_the_members_second_factor(
    buyer, committee, approved_supplier, clock, officer
):
    tender = published(buyer, committee, clock)
    clock.to(tender.opening_at)
    with pytest.raises(identity.SecondFactorWrongError):
        tendering.share_release(
            actor=committee[0],
            reference=tender.reference,
            passphrase=PASSPHRASE,
            second_factor="000000" if otp() != "000000" else "111111",
        )
    assert CommitteeSeat.objects.filter(released_at__isnull=False).count() == 0
    code = otp()
    tendering.share_release(
        actor=committee[0], reference=tender.reference, passphrase=PASSPHRASE, second_factor=code
    )
    assert CommitteeSeat.objects.filter(released_at__isnull=False).count() == 1


def test_a_member_without_an_authenticator_is_told_to_set_one_up(buyer, officer, clock):
    members = [officer("CGD", "committee") for _ in range(3)]
    for member in members:
        tendering.vault_key_create(actor=member, passphrase=PASSPHRASE)
    tender = published(buyer, members, clock)
    clock.to(tender.opening_at)
    with pytest.raises(identity.SecondFactorMissingError) as refused:
        tendering.share_release(
            actor=members[0], reference=tender.reference, passphrase=PASSPHRASE, second_factor="1"
        )
    assert "/account/security/" in refused.value.text("en")
