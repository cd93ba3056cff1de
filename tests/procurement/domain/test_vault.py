"""The tender vault's cryptography: sealing, opening, k-of-n shares, member keys, receipts."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.procurement.domain import vault

CONTEXT = "bid|EGP-2569-0042|0105551234567"
BID = json.dumps({"price": "1250000.50", "note": "ส่งมอบภายใน ๙๐ วัน"}, ensure_ascii=False).encode()
PASSPHRASE = "ช้างเผือก-correct-horse"

# One vault key for the property tests (key generation is cheap, but needless per example).
KEY = vault.generate()
POINT = vault.public_point(KEY)
SEALED = vault.seal(POINT, BID, CONTEXT)

expensive = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def envelope_with(**changes) -> bytes:
    data = json.loads(SEALED) | changes
    return json.dumps(data, separators=(",", ":")).encode()


# --- sealing and opening ------------------------------------------------------------------------


def test_a_sealed_bid_opens_with_its_key_and_context():
    assert vault.open_sealed(KEY, SEALED, CONTEXT) == BID


def test_the_envelope_has_the_documented_form():
    data = json.loads(SEALED)

    assert list(data) == ["v", "alg", "kid", "epk", "iv", "ct"]
    assert data["v"] == vault.VERSION == 1
    assert data["alg"] == "ECDH-ES-P256+HKDF-SHA256+A256GCM"
    assert data["kid"] == vault.fingerprint(POINT)
    assert json.dumps(data, separators=(",", ":")).encode() == SEALED
    parsed = vault.inspect(SEALED)
    assert (len(parsed.epk), len(parsed.iv)) == (vault.POINT_BYTES, vault.IV_BYTES)
    assert len(parsed.ct) == len(BID) + vault.TAG_BYTES
    assert "=" not in data["epk"] + data["iv"] + data["ct"]


def test_sealing_twice_gives_different_envelopes():
    assert vault.seal(POINT, BID, CONTEXT) != vault.seal(POINT, BID, CONTEXT)


def test_fingerprint_and_digest():
    assert vault.fingerprint(POINT) == hashlib.sha256(POINT).hexdigest()[:32]
    assert vault.digest(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


@expensive
@given(plaintext=st.binary(max_size=2048), context=st.text(min_size=1, max_size=80))
def test_any_plaintext_and_context_round_trip(plaintext, context):
    envelope = vault.seal(POINT, plaintext, context)

    assert vault.open_sealed(KEY, envelope, context) == plaintext


@expensive
@given(data=st.data())
def test_any_single_byte_flip_in_the_ciphertext_is_refused(data):
    parsed = vault.inspect(SEALED)
    index = data.draw(st.integers(0, len(parsed.ct) - 1), label="index")
    flip = data.draw(st.integers(1, 255), label="xor")
    ct = bytearray(parsed.ct)
    ct[index] ^= flip

    with pytest.raises(vault.TamperedError, match="altered, or sealed for another"):
        vault.open_sealed(KEY, envelope_with(ct=vault.b64url(bytes(ct))), CONTEXT)


@pytest.mark.parametrize("name", ["iv", "epk"])
def test_a_changed_iv_or_ephemeral_key_is_refused(name):
    other = vault.inspect(vault.seal(POINT, BID, CONTEXT))

    with pytest.raises(vault.TamperedError):
        vault.open_sealed(KEY, envelope_with(**{name: vault.b64url(getattr(other, name))}), CONTEXT)


@pytest.mark.parametrize(
    "context",
    ["bid|EGP-2569-0043|0105551234567", "bid|EGP-2569-0042|0105559999999", "", CONTEXT + " "],
    ids=["another-tender", "another-bidder", "empty", "trailing-space"],
)
def test_the_wrong_context_is_refused(context):
    with pytest.raises(vault.TamperedError, match="another tender or bidder"):
        vault.open_sealed(KEY, SEALED, context)


def test_another_vault_key_is_refused():
    with pytest.raises(vault.WrongKeyError, match="another vault key"):
        vault.open_sealed(vault.generate(), SEALED, CONTEXT)


def test_a_kid_that_lies_does_not_help():
    other = vault.generate()
    forged = envelope_with(kid=vault.fingerprint(vault.public_point(other)))

    with pytest.raises(vault.TamperedError):
        vault.open_sealed(other, forged, CONTEXT)


# --- malformed envelopes ------------------------------------------------------------------------

OFF_CURVE = b"\x04" + (1).to_bytes(32, "big") + (1).to_bytes(32, "big")


@pytest.mark.parametrize(
    ("envelope", "message"),
    [
        (b"not json", "not a vault envelope"),
        (b"\xff\xfe", "not a vault envelope"),
        (b"[1, 2]", "version 1 envelope"),
        (envelope_with(v=2), "version 1 envelope"),
        (envelope_with(alg="ECDH-ES+A128KW"), "version 1 envelope"),
        (envelope_with(ct="A" * 17), "base64url"),
        (envelope_with(iv=5), "base64url"),
        (json.dumps({"v": 1, "alg": vault.ALGORITHM}).encode(), "base64url"),
        (envelope_with(kid="abc"), "fingerprint"),
        (envelope_with(kid=None), "fingerprint"),
        (envelope_with(iv=vault.b64url(bytes(11))), "iv or ciphertext has the wrong length"),
        (envelope_with(ct=vault.b64url(bytes(15))), "iv or ciphertext has the wrong length"),
        (envelope_with(epk=vault.b64url(OFF_CURVE)), "not a point on P-256"),
        (envelope_with(epk=vault.b64url(bytes(33))), "65-byte uncompressed"),
        (b" " * (vault.MAX_ENVELOPE_BYTES + 1), "at most 2 MB"),
    ],
    ids=[
        "not-json",
        "not-utf8",
        "not-an-object",
        "wrong-version",
        "wrong-algorithm",
        "bad-base64",
        "iv-not-text",
        "missing-fields",
        "short-kid",
        "no-kid",
        "short-iv",
        "short-ct",
        "point-off-the-curve",
        "compressed-point",
        "too-large",
    ],
)
def test_malformed_envelopes_are_refused_with_a_reason(envelope, message):
    with pytest.raises(vault.MalformedEnvelopeError, match=message):
        vault.inspect(envelope)
    with pytest.raises(vault.MalformedEnvelopeError, match=message):
        vault.open_sealed(KEY, envelope, CONTEXT)


def test_characters_outside_base64url_are_refused():
    data = json.loads(SEALED)
    altered = envelope_with(ct="*" + data["ct"][:8] + "!." + data["ct"][8:])

    with pytest.raises(vault.MalformedEnvelopeError, match="base64url"):
        vault.inspect(altered)


def test_sealing_to_a_point_off_the_curve_is_refused():
    with pytest.raises(vault.MalformedEnvelopeError, match="not a point on P-256"):
        vault.seal(OFF_CURVE, BID, CONTEXT)
    with pytest.raises(vault.MalformedEnvelopeError, match="65-byte"):
        vault.seal(POINT[:33], BID, CONTEXT)


def test_malformed_errors_are_vault_errors_and_value_errors():
    for error in (
        vault.MalformedEnvelopeError,
        vault.WrongKeyError,
        vault.TamperedError,
        vault.ShareError,
        vault.PassphraseError,
    ):
        assert issubclass(error, vault.VaultError) and issubclass(error, ValueError)


# --- k-of-n shares -------------------------------------------------------------------------------


@st.composite
def committees(draw):
    count = draw(st.integers(2, 7), label="n")
    threshold = draw(st.integers(2, count), label="k")
    return threshold, count


@expensive
@given(committee=committees(), data=st.data())
def test_any_k_of_n_shares_rebuild_the_key_and_open_the_bid(committee, data):
    threshold, count = committee
    key = vault.generate()
    point = vault.public_point(key)
    sealed = vault.seal(point, BID, CONTEXT)
    shares = vault.split(key, threshold, count)
    assert sorted(share.index for share in shares) == list(range(1, count + 1))
    chosen = data.draw(st.lists(st.sampled_from(shares), min_size=threshold, unique=True))

    rebuilt = vault.combine(chosen, threshold, point)

    assert vault.private_scalar(rebuilt) == vault.private_scalar(key)
    assert vault.open_sealed(rebuilt, sealed, CONTEXT) == BID


@expensive
@given(committee=committees(), data=st.data())
def test_k_minus_one_shares_are_refused(committee, data):
    threshold, count = committee
    shares = vault.split(KEY, threshold, count)
    chosen = data.draw(
        st.lists(st.sampled_from(shares), min_size=0, max_size=threshold - 1, unique=True)
    )

    with pytest.raises(vault.ShareError, match=f"of {threshold} shares"):
        vault.combine(chosen, threshold, POINT)


@expensive
@given(committee=committees(), data=st.data())
def test_a_corrupted_share_is_refused(committee, data):
    threshold, count = committee
    shares = vault.split(KEY, threshold, count)
    chosen = data.draw(st.permutations(shares))[:threshold]
    victim = data.draw(st.integers(0, threshold - 1), label="victim")
    byte = data.draw(st.integers(0, 31), label="byte")
    secret = bytearray(chosen[victim].secret)
    secret[byte] ^= data.draw(st.integers(1, 255), label="xor")
    chosen[victim] = replace(chosen[victim], secret=bytes(secret))

    with pytest.raises(vault.ShareError, match="do not rebuild this vault's key"):
        vault.combine(chosen, threshold, POINT)


def test_a_share_of_another_vault_is_refused():
    other = vault.split(vault.generate(), 2, 3)
    ours = vault.split(KEY, 2, 3)

    with pytest.raises(vault.ShareError, match="do not rebuild this vault's key"):
        vault.combine([ours[0], other[1]], 2, POINT)


def test_duplicate_shares_count_once():
    shares = vault.split(KEY, 3, 5)

    with pytest.raises(vault.ShareError, match="2 of 3 shares"):
        vault.combine([shares[0], shares[0], shares[1], shares[1], shares[0]], 3, POINT)
    rebuilt = vault.combine([shares[4], shares[4], shares[1], shares[2]], 3, POINT)
    assert vault.public_point(rebuilt) == POINT


def test_a_share_of_the_wrong_length_is_refused():
    shares = vault.split(KEY, 2, 3)
    short = replace(shares[0], secret=shares[0].secret[:31])

    with pytest.raises(vault.ShareError, match="32 bytes"):
        vault.combine([short, shares[1]], 2, POINT)


def test_a_one_of_n_vault_gives_every_member_the_key():
    shares = vault.split(KEY, 1, 3)

    for share in shares:
        assert vault.public_point(vault.combine([share], 1, POINT)) == POINT


@pytest.mark.parametrize(("threshold", "count"), [(0, 3), (4, 3), (2, 256), (-1, 2)])
def test_impossible_thresholds_are_refused(threshold, count):
    with pytest.raises(vault.ShareError, match="threshold must be between"):
        vault.split(KEY, threshold, count)


def test_share_digests_commit_to_index_and_secret():
    first, second = vault.split(KEY, 2, 2)

    assert first.digest() != second.digest()
    assert replace(first, index=9).digest() != first.digest()
    assert len(first.digest()) == 64


@given(index=st.integers(0, 0xFFFF), secret=st.binary(min_size=32, max_size=32))
def test_share_bytes_round_trip(index, secret):
    share = vault.Share(index=index, secret=secret)

    data = vault.share_bytes(share)

    assert len(data) == 34
    assert vault.share_from_bytes(data) == share


@pytest.mark.parametrize("size", [0, 33, 35])
def test_share_bytes_of_the_wrong_length_are_refused(size):
    with pytest.raises(vault.ShareError, match="34 bytes"):
        vault.share_from_bytes(bytes(size))


def test_shares_through_bytes_still_rebuild_the_key():
    shares = [vault.share_from_bytes(vault.share_bytes(s)) for s in vault.split(KEY, 3, 5)]

    assert vault.open_sealed(vault.combine(shares[2:], 3, POINT), SEALED, CONTEXT) == BID


def test_a_scalar_out_of_range_is_a_share_error():
    with pytest.raises(vault.ShareError, match="valid key"):
        vault.private_from_scalar(bytes(32))


# --- member keys ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def member():
    return vault.member_key_create(PASSPHRASE)


def test_a_member_key_unlocks_with_its_passphrase(member):
    key = vault.member_key_unlock(member.encrypted_private, member.public, PASSPHRASE)

    assert vault.public_point(key) == member.public
    record = json.loads(member.encrypted_private)
    assert record["kdf"] == "scrypt" and record["n"] == vault.SCRYPT_N
    assert vault.b64url(vault.private_scalar(key)) not in member.encrypted_private.decode()


def test_a_member_key_wraps_a_vault_share(member):
    share = vault.split(KEY, 2, 3)[0]
    sealed_share = vault.seal(member.public, vault.share_bytes(share), "share|EGP-2569-0042|1")

    key = vault.member_key_unlock(member.encrypted_private, member.public, PASSPHRASE)

    opened = vault.open_sealed(key, sealed_share, "share|EGP-2569-0042|1")
    assert vault.share_from_bytes(opened) == share


def test_the_wrong_passphrase_is_refused(member):
    with pytest.raises(vault.PassphraseError, match="not right"):
        vault.member_key_unlock(member.encrypted_private, member.public, PASSPHRASE + "x")


def test_a_member_key_bound_to_another_public_key_is_refused(member):
    other = vault.public_point(vault.generate())

    with pytest.raises(vault.PassphraseError, match="not right"):
        vault.member_key_unlock(member.encrypted_private, other, PASSPHRASE)


@pytest.mark.parametrize(
    "record", [b"not json", b"{}", b'{"salt": "a", "iv": "b"}', b"[]", b'{"salt": 1, "iv": 2}']
)
def test_a_damaged_member_key_record_is_refused(record):
    with pytest.raises(vault.PassphraseError, match="damaged"):
        vault.member_key_unlock(record, POINT, PASSPHRASE)


@pytest.mark.parametrize("passphrase", ["", "short", "x" * (vault.MIN_PASSPHRASE - 1)])
def test_a_short_passphrase_is_refused(passphrase):
    with pytest.raises(vault.PassphraseError, match=f"at least {vault.MIN_PASSPHRASE}"):
        vault.member_key_create(passphrase)


# --- receipts ------------------------------------------------------------------------------------

RECEIPT = {
    "tender": "EGP-2569-0042",
    "bidder": "0105551234567",
    "submitted_at": "2026-11-25T10:15:00+07:00",
    "sha256": vault.digest(SEALED),
    "sequence": 7,
}


def test_the_receipt_payload_is_canonical():
    payload = vault.receipt_payload(**RECEIPT)

    assert payload == vault.receipt_payload(**RECEIPT)
    assert payload == vault.receipt_payload(**dict(reversed(list(RECEIPT.items()))))
    data = json.loads(payload)
    assert list(data) == sorted(data)
    assert data == RECEIPT | {"type": "onestop-vault-receipt", "v": 1}
    assert b" " not in payload


@given(order=st.permutations(sorted(RECEIPT)))
def test_the_receipt_payload_does_not_depend_on_argument_order(order):
    assert vault.receipt_payload(**{name: RECEIPT[name] for name in order}) == (
        vault.receipt_payload(**RECEIPT)
    )


@pytest.mark.parametrize(
    "change", [{"sequence": 8}, {"sha256": vault.digest(b"x")}, {"bidder": "0105550000000"}]
)
def test_the_receipt_payload_changes_with_every_field(change):
    assert vault.receipt_payload(**RECEIPT | change) != vault.receipt_payload(**RECEIPT)
