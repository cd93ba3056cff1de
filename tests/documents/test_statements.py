"""Statements signed by the platform's own certificate (receipts and the like), and their check."""

from __future__ import annotations

import base64
import datetime as dt
import threading

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID
from django.db import connections
from django.utils import timezone

from onestop.core.models import AuditEntry
from onestop.documents import keys, selectors
from onestop.documents.domain import certificates, statements
from onestop.documents.models import IssuedCertificate, SubjectKind
from onestop.documents.public import (
    SignedStatement,
    agency_certificate,
    certificate_revoke,
    platform_certificate,
    sign_statement,
    verify_statement,
)

pytestmark = pytest.mark.django_db

RECEIPT = (
    '{"receipt":"EV-2569-000123","bidder":"บริษัท สยามเครื่องเขียน จำกัด",'
    '"received_at":"2026-11-25T10:15:00+07:00","sha256":"9f86d081884c7d659a2f"}'
).encode()
REAL = "<the real one>"  # in the malformed-input cases: keep the real signature or certificate


def _issued_key(issued: IssuedCertificate) -> ec.EllipticCurvePrivateKey:
    return keys.unseal(
        issued.sealed_key, binding=keys.certificate_binding(issued.serial), subject=issued.subject
    )


def test_a_signed_statement_verifies_and_chains_to_the_root():
    # when
    signed = sign_statement(RECEIPT)

    # then
    assert isinstance(signed, SignedStatement)
    assert verify_statement(RECEIPT, signed.signature, signed.certificate_pem) is True
    # the signature is standard base64 of a DER ECDSA signature that the certificate's key checks
    der = base64.b64decode(signed.signature, validate=True)
    assert all(decode_dss_signature(der))
    certificate = certificates.load_certificate(signed.certificate_pem)
    certificate.public_key().verify(der, RECEIPT, ec.ECDSA(hashes.SHA256()))
    certificate.verify_directly_issued_by(
        certificates.load_certificate(selectors.root_certificate_pem())
    )
    assert signed.fingerprint == certificates.fingerprint(certificate)
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "OneStop platform"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "OneStop"
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "TH"


def test_a_changed_byte_does_not_verify():
    # given
    signed = sign_statement(RECEIPT)
    changed = bytearray(RECEIPT)
    changed[10] ^= 0x01

    # when / then
    assert verify_statement(bytes(changed), signed.signature, signed.certificate_pem) is False
    assert verify_statement(RECEIPT + b" ", signed.signature, signed.certificate_pem) is False
    assert verify_statement(b"", signed.signature, signed.certificate_pem) is False


def test_a_signature_by_another_key_does_not_verify_under_the_platform_certificate(cgd):
    # given
    signed = sign_statement(RECEIPT)
    agency = agency_certificate("CGD")
    by_agency = statements.sign(_issued_key(agency), RECEIPT)
    by_stranger = statements.sign(certificates.new_private_key(), RECEIPT)

    # when / then
    assert verify_statement(RECEIPT, by_agency, signed.certificate_pem) is False
    assert verify_statement(RECEIPT, by_stranger, signed.certificate_pem) is False


def test_an_agency_certificate_is_not_the_platform(cgd):
    # given: a sound signature under a certificate of the platform CA, but an agency's
    sign_statement(RECEIPT)
    agency = agency_certificate("CGD")
    by_agency = statements.sign(_issued_key(agency), RECEIPT)

    # when / then
    assert verify_statement(RECEIPT, by_agency, agency.certificate_pem) is False


def test_a_certificate_from_a_foreign_ca_does_not_verify():
    # given: a look-alike root ('OneStop Platform Root CA' too) and a 'OneStop platform' signer
    sign_statement(RECEIPT)
    now = dt.datetime.now(dt.UTC)
    foreign_root = certificates.build_root(now=now)
    forger = certificates.build_end_entity(
        issuer=foreign_root, subject=certificates.platform_name(), now=now
    )
    signature = statements.sign(forger.private_key, RECEIPT)
    pem = certificates.certificate_pem(forger.certificate)

    # when / then
    assert statements.signature_valid(forger.certificate, RECEIPT, signature) is True
    assert verify_statement(RECEIPT, signature, pem) is False


def test_a_certificate_of_the_platform_ca_unknown_to_the_platform_does_not_verify():
    # given: issued with the real root's key, but never recorded (as if by a leaked CA key)
    sign_statement(RECEIPT)
    authority = selectors.ca_get()
    root = certificates.KeyAndCertificate(
        private_key=keys.unseal(
            authority.sealed_key,
            binding=keys.authority_binding(authority.code),
            subject=authority.subject,
        ),
        certificate=certificates.load_certificate(authority.certificate_pem),
    )
    stray = certificates.build_end_entity(
        issuer=root, subject=certificates.platform_name(), now=timezone.now()
    )
    signature = statements.sign(stray.private_key, RECEIPT)

    # when / then
    assert (
        verify_statement(RECEIPT, signature, certificates.certificate_pem(stray.certificate))
        is False
    )


def test_a_revoked_platform_certificate_does_not_verify_and_the_next_signature_gets_a_new_one(
    admin,
):
    # given
    signed = sign_statement(RECEIPT)
    issued = platform_certificate()

    # when
    certificate_revoke(actor=admin, serial=issued.serial, reason="Key compromised")

    # then
    assert verify_statement(RECEIPT, signed.signature, signed.certificate_pem) is False
    again = sign_statement(RECEIPT)
    assert again.fingerprint != signed.fingerprint
    assert verify_statement(RECEIPT, again.signature, again.certificate_pem) is True


def test_an_expired_platform_certificate_does_not_verify(monkeypatch):
    # given
    signed = sign_statement(RECEIPT)
    not_after = certificates.load_certificate(signed.certificate_pem).not_valid_after_utc

    # when: the clock has passed the certificate's end
    monkeypatch.setattr(timezone, "now", lambda: not_after + dt.timedelta(seconds=1))

    # then
    assert verify_statement(RECEIPT, signed.signature, signed.certificate_pem) is False


def test_a_renewed_platform_certificate_keeps_older_signatures_verifiable():
    # given
    old = sign_statement(RECEIPT)
    IssuedCertificate.objects.filter(fingerprint=old.fingerprint).update(
        not_after=timezone.now() + dt.timedelta(days=10)
    )

    # when
    new = sign_statement(RECEIPT)

    # then
    assert new.fingerprint != old.fingerprint
    assert verify_statement(RECEIPT, old.signature, old.certificate_pem) is True
    assert verify_statement(RECEIPT, new.signature, new.certificate_pem) is True


@pytest.mark.parametrize(
    ("data", "signature", "certificate_pem"),
    [
        (RECEIPT, "", REAL),
        (RECEIPT, "not base64 at all!", REAL),
        (RECEIPT, "c2lnbmF0dXJl", REAL),  # base64 of 'signature'
        (RECEIPT, "MEUCIQ==", REAL),  # a truncated DER sequence
        (RECEIPT, None, REAL),
        (RECEIPT, 12345, REAL),
        (RECEIPT, REAL, ""),
        (RECEIPT, REAL, "garbage"),
        (RECEIPT, REAL, "-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n"),
        (RECEIPT, REAL, "ใบรับรอง"),
        (RECEIPT, REAL, b"-----BEGIN CERTIFICATE-----"),
        (RECEIPT, REAL, None),
        (RECEIPT, REAL, 42),
        (RECEIPT.decode(), REAL, REAL),
        (None, REAL, REAL),
        (12345, REAL, REAL),
        (None, None, None),
    ],
)
def test_malformed_input_is_not_valid_and_never_raises(data, signature, certificate_pem):
    # given: a real signature and certificate, where the case does not replace them
    signed = sign_statement(RECEIPT)
    signature = signed.signature if signature is REAL else signature
    certificate_pem = signed.certificate_pem if certificate_pem is REAL else certificate_pem

    # when / then
    assert verify_statement(data, signature, certificate_pem) is False


def test_verifying_writes_nothing_and_needs_the_ca():
    # given: a signature by a foreign CA, before the platform has a CA
    now = dt.datetime.now(dt.UTC)
    foreign = certificates.build_end_entity(
        issuer=certificates.build_root(now=now), subject=certificates.platform_name(), now=now
    )
    signature = statements.sign(foreign.private_key, RECEIPT)

    # when
    verdict = verify_statement(
        RECEIPT, signature, certificates.certificate_pem(foreign.certificate)
    )

    # then
    assert verdict is False
    assert selectors.ca_get() is None
    assert not IssuedCertificate.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_platform_certificate_is_issued_once_reused_and_audited():
    # when
    first = platform_certificate()
    second = platform_certificate()
    signed = sign_statement(RECEIPT)

    # then
    assert second.serial == first.serial
    assert signed.fingerprint == first.fingerprint
    assert (first.subject_kind, first.subject_id, first.agency_code) == (
        SubjectKind.PLATFORM,
        "onestop",
        "",
    )
    entry = AuditEntry.objects.get(action="documents.certificate.issue")
    assert entry.after["serial"] == first.serial
    assert entry.after["subject_kind"] == "platform"
    assert entry.agency_code == ""
    assert AuditEntry.objects.filter(action="documents.ca.create").count() == 1


def test_signing_leaves_the_audit_to_the_caller():
    # given: the platform certificate exists
    platform_certificate()
    entries = AuditEntry.objects.count()

    # when
    signed = sign_statement(RECEIPT)

    # then: no entry of its own (the bid or whatever the statement is about is audited)
    assert AuditEntry.objects.count() == entries
    assert signed.fingerprint == platform_certificate().fingerprint


def test_only_bytes_are_signed():
    with pytest.raises(TypeError):
        sign_statement(RECEIPT.decode())


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_uses_issue_one_platform_certificate():
    # given
    barrier = threading.Barrier(4)
    results, errors = [], []

    def first_use() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(platform_certificate().pk)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then
    assert errors == []
    assert len(set(results)) == 1
    assert IssuedCertificate.objects.count() == 1
    assert AuditEntry.objects.filter(action="documents.certificate.issue").count() == 1
