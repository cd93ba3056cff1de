"""PAdES signing and verification (C-04): valid, tampered, foreign CA, unsigned, revoked."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from onestop.core.errors import NotFoundError
from onestop.core.models import AuditEntry
from onestop.documents import selectors, services
from onestop.documents.domain import certificates
from onestop.documents.public import sign_pdf, verify_pdf
from onestop.documents.signing import AlreadySignedError, NotSignablePdfError, sign_with_key
from tests.documents.pdfs import byte_range, foreign_ca_signed, pdfsig, tamper

pytestmark = pytest.mark.django_db


def _root_context() -> ValidationContext:
    root = certificates.load_certificate(selectors.root_certificate_pem())
    return ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(certificates.certificate_der(root))],
        allow_fetching=False,
    )


def test_a_signed_pdf_validates_in_pyhanko_against_the_root(po_pdf, comptroller):
    # when
    signed = sign_pdf(po_pdf, agency_code="CGD", reason="อนุมัติใบสั่งซื้อ PO-2569/0001")

    # then: a standard validator, given only the root, accepts it
    embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert [signature.field_name for signature in embedded] == ["Signature1"]
    status = validate_pdf_signature(embedded[0], _root_context())
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.md_algorithm == "sha256"
    entry = AuditEntry.objects.get(action="documents.pdf.sign")
    assert entry.object_id == hashlib.sha256(signed).hexdigest()
    assert entry.agency_code == "CGD"
    assert embedded[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert embedded[0].sig_object["/Reason"] == "อนุมัติใบสั่งซื้อ PO-2569/0001"
    assert embedded[0].sig_object["/Location"] == "Thailand"
    # the chain is embedded: the signer's certificate and the root
    embedded_subjects = [
        choice.chosen.subject.human_friendly for choice in embedded[0].signed_data["certificates"]
    ]
    assert any("OneStop Platform Root CA" in subject for subject in embedded_subjects)
    assert any("Comptroller General" in subject for subject in embedded_subjects)
    # PAdES B-B: the signing certificate is bound in the signed attributes, and the time is in
    # the signature dictionary (/M), not in a CMS signing-time attribute
    signed_attributes = {
        attribute["type"].native for attribute in embedded[0].signer_info["signed_attrs"]
    }
    assert {"content_type", "message_digest", "signing_certificate_v2"} <= signed_attributes
    assert "signing_time" not in signed_attributes
    assert "/M" in embedded[0].sig_object
    # the signature covers the whole original file
    start, _length, second_start, second_length = byte_range(signed)
    assert start == 0 and second_start + second_length == len(signed)


def test_poppler_pdfsig_checks_the_signature_independently(po_pdf, comptroller):
    # given
    signed = sign_pdf(po_pdf, agency_code="CGD", reason="PO-2569/0001")

    # when
    report = pdfsig(signed)
    tampered_report = pdfsig(tamper(signed))

    # then: integrity and the signature hold; trust needs our root, which pdfsig does not have
    assert "Signature Validation: Signature is Valid." in report
    assert "Signing Hash Algorithm: SHA-256" in report
    assert "Signature Type: ETSI.CAdES.detached" in report
    assert "Total document signed" in report
    assert "serialNumber=CGD" in report
    assert "Signature is Valid." not in tampered_report


def test_verify_pdf_reports_a_valid_signature(po_pdf, comptroller):
    # given
    signed = sign_pdf(po_pdf, agency_code="CGD", reason="PO-2569/0001")

    # when
    result = verify_pdf(signed)

    # then
    assert result.status == "valid"
    assert result.valid and result.intact and result.trusted
    assert result.agency_code == "CGD"
    assert result.signer_subject == (
        "C=TH,serialNumber=CGD,O=OneStop agency,CN=The Comptroller General's Department"
    )
    assert result.signing_time is not None
    assert result.signer_name("th") == "กรมบัญชีกลาง"
    assert result.message["en"].startswith(
        "The document was signed by The Comptroller General's Department on "
    )
    assert result.message["th"]
    check = result.signatures[0]
    assert check.covers_whole_document
    assert check.serial == services.agency_certificate("CGD").serial


def test_a_byte_changed_inside_the_signed_range_makes_it_invalid(po_pdf, cgd):
    # given
    signed = sign_pdf(po_pdf, agency_code="CGD", reason="PO")

    # when
    result = verify_pdf(tamper(signed))

    # then
    assert result.status == "tampered"
    assert not result.valid and not result.intact
    assert "changed after it was signed" in result.message["en"]


def test_a_pdf_signed_by_another_ca_is_not_trusted(po_pdf, cgd):
    # given: the platform CA exists, but the signer's CA is a look-alike
    services.ca_ensure()
    forged = foreign_ca_signed(po_pdf)

    # when
    result = verify_pdf(forged)

    # then
    assert result.status == "untrusted"
    assert result.intact and not result.trusted and not result.valid
    assert result.agency_code == "CGD"  # as the certificate claims
    assert "was not issued by the OneStop platform" in result.message["en"]
    status = validate_pdf_signature(
        PdfFileReader(io.BytesIO(forged)).embedded_signatures[0], _root_context()
    )
    assert status.intact and status.valid and not status.trusted


def test_an_unsigned_pdf_has_no_signature(po_pdf, cgd):
    services.ca_ensure()
    result = verify_pdf(po_pdf)
    assert result.status == "no_signature"
    assert not result.valid and not result.signed
    assert result.message["en"] == "This PDF has no digital signature, so it cannot be verified."


def test_a_damaged_pdf_is_unreadable():
    result = verify_pdf(b"%PDF-1.7\n this is not really a PDF")
    assert result.status == "unreadable"
    assert not result.valid


def test_a_revoked_certificate_makes_its_signatures_invalid(po_pdf, admin, cgd):
    # given
    signed = sign_pdf(po_pdf, agency_code="CGD", reason="PO")
    serial = services.agency_certificate("CGD").serial

    # when
    services.certificate_revoke(actor=admin, serial=serial, reason="Key compromised")

    # then
    result = verify_pdf(signed)
    assert result.status == "revoked"
    assert result.intact and result.trusted and not result.valid
    assert "was revoked on" in result.message["en"]


def test_a_document_signed_before_the_ca_exists_cannot_be_verified_without_it(po_pdf, cgd):
    forged = foreign_ca_signed(po_pdf)
    assert verify_pdf(forged).status == "untrusted"


def test_signing_refuses_what_is_not_a_pdf_and_a_filled_field(po_pdf, cgd):
    with pytest.raises(NotSignablePdfError):
        sign_pdf(b"hello", agency_code="CGD", reason="x")
    signed = sign_pdf(po_pdf, agency_code="CGD", reason="x")
    with pytest.raises(AlreadySignedError):
        sign_pdf(signed, agency_code="CGD", reason="x")


def test_a_second_signature_in_another_field_keeps_both_valid(po_pdf, cgd, dlt):
    signed = sign_pdf(po_pdf, agency_code="CGD", reason="issued")
    countersigned = sign_pdf(signed, agency_code="DLT", reason="seen", field_name="Signature2")
    result = verify_pdf(countersigned)
    assert result.status == "valid"
    assert [check.agency_code for check in result.signatures] == ["CGD", "DLT"]
    assert [check.covers_whole_document for check in result.signatures] == [False, True]


def test_one_bad_signature_among_good_ones_makes_the_document_invalid(po_pdf, cgd):
    # given: a genuine signature, then a forged countersignature
    signed = sign_pdf(po_pdf, agency_code="CGD", reason="issued")
    now = dt.datetime.now(dt.UTC)
    root = certificates.build_root(now=now)
    forger = certificates.build_end_entity(
        issuer=root, subject=certificates.agency_name(name_en="Forger", code="FAKE"), now=now
    )
    forged = sign_with_key(
        signed,
        certificate=forger.certificate,
        private_key=forger.private_key,
        chain=[root.certificate],
        reason="forged",
        field_name="Signature2",
    )

    # when
    result = verify_pdf(forged)

    # then: the verdict names the failing signature
    assert [check.status for check in result.signatures] == ["valid", "untrusted"]
    assert result.status == "untrusted"
    assert result.agency_code == "FAKE"
    assert result.signer_name("en") == "Forger"


def test_signing_for_an_unknown_agency_is_refused(po_pdf, db):
    with pytest.raises(NotFoundError):
        sign_pdf(po_pdf, agency_code="NOPE", reason="x")
