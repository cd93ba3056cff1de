"""Verifying signed PDFs: pyHanko's validation with the platform root as the only trust anchor.

A document is valid when it has at least one signature and every signature is intact,
cryptographically sound, made with a certificate that chains to the OneStop root, not revoked,
and not followed by changes its signature forbids. The result says why when it is not, in Thai
and English.

verify_statement checks a detached signature over a small statement (see sign_statement) the same
way, as a plain yes or no.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass, field, replace
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from onestop.core import thai
from onestop.core.errors import LANGUAGES, ApplicationError, InputError
from onestop.documents.domain import certificates, statements
from onestop.documents.models import IssuedCertificate, SubjectKind
from onestop.documents.selectors import ca_get, certificate_find, document_find_by_sha256
from onestop.identity.public import agency_get

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PDF_MAGIC = b"%PDF-"

VALID = "valid"
REASONS: dict[str, Promise] = {
    VALID: _(
        "The document was signed by %(signer)s on %(time)s and has not been changed since. "
        "The signature was made with a certificate issued by the OneStop platform."
    ),
    "no_signature": _("This PDF has no digital signature, so it cannot be verified."),
    "unreadable": _("This file looks like a PDF but cannot be read. It may be damaged."),
    "tampered": _(
        "The document was changed after it was signed. Do not rely on it; ask the issuer for "
        "the original."
    ),
    "bad_signature": _(
        "The signature does not match the signer's certificate. Do not rely on this document."
    ),
    "untrusted": _(
        "The signature says it comes from %(signer)s, but its certificate was not issued by the "
        "OneStop platform. Do not rely on this document."
    ),
    "expired": _(
        "The certificate of %(signer)s expired on %(date)s, so its signature can no longer be "
        "confirmed. Ask the issuer for a newly signed copy."
    ),
    "revoked": _(
        "The certificate of %(signer)s was revoked on %(date)s. Do not rely on this document."
    ),
    "modified": _(
        "Changes that the signature does not allow were added after signing. Do not rely on "
        "this document."
    ),
    "unsupported_signature": _(
        "The signature in this PDF is damaged or of a kind that cannot be checked here."
    ),
    "unconfirmed": _("The signature could not be confirmed. Do not rely on this document."),
}


class FileTooLargeError(InputError):
    code = "file_too_large"
    status = 413
    message = _("The file is larger than %(max)s MB. Upload a PDF of at most %(max)s MB.")


class NotAPdfError(InputError):
    code = "not_a_pdf"
    status = 415
    message = _("This file is not a PDF. Upload the PDF document itself (a file ending in .pdf).")


class EmptyFileError(InputError):
    code = "empty_file"
    message = _("The file is empty. Choose the PDF document to check.")


@dataclass(frozen=True)
class SignatureCheck:
    """What one embedded signature showed."""

    field_name: str
    status: str
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    covers_whole_document: bool = False
    signer_subject: str = ""
    signer_common_name: str = ""
    agency_code: str = ""
    serial: str = ""
    fingerprint: str = ""
    signing_time: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    not_after: dt.datetime | None = None


@dataclass(frozen=True)
class VerificationResult:
    """The verdict on a PDF: `status` is 'valid' or the first reason it is not."""

    status: str
    signatures: tuple[SignatureCheck, ...] = ()
    sha256: str = ""
    document_reference: str = ""
    document_title: str = ""
    signer_names: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.status == VALID

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def intact(self) -> bool:
        return self.signed and all(check.intact for check in self.signatures)

    @property
    def trusted(self) -> bool:
        return self.signed and all(check.trusted for check in self.signatures)

    @property
    def primary(self) -> SignatureCheck | None:
        """The signature the verdict is about: the first that fails, else the first."""
        failing = (check for check in self.signatures if check.status != VALID)
        return next(failing, self.signatures[0] if self.signatures else None)

    @property
    def signer_subject(self) -> str:
        return self.primary.signer_subject if self.primary else ""

    @property
    def agency_code(self) -> str:
        return self.primary.agency_code if self.primary else ""

    @property
    def signing_time(self) -> dt.datetime | None:
        return self.primary.signing_time if self.primary else None

    def signer_name(self, language: str | None = None) -> str:
        language = language or translation.get_language() or "th"
        return self.signer_names.get("en" if language.startswith("en") else "th", "")

    def text(self, language: str | None = None) -> str:
        """The verdict in plain language (the active language when not given)."""
        language = (
            "en" if (language or translation.get_language() or "th").startswith("en") else "th"
        )
        check = self.primary
        when = None
        if check is not None:
            when = check.revoked_at if self.status == "revoked" else check.not_after
        params = {
            "signer": self.signer_name(language) or "-",
            "time": thai.format_datetime(check.signing_time, language) if check else "",
            "date": thai.format_date(when, language),
        }
        with translation.override(language):
            return str(REASONS[self.status]) % params

    @property
    def message(self) -> dict[str, str]:
        return {language: self.text(language) for language in LANGUAGES}

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "valid": self.valid,
            "intact": self.intact,
            "trusted": self.trusted,
            "signer_subject": self.signer_subject,
            "signer_name": {language: self.signer_name(language) for language in LANGUAGES},
            "agency_code": self.agency_code,
            "signing_time": self.signing_time,
            "sha256": self.sha256,
            "document_reference": self.document_reference,
            "document_title": self.document_title,
            "message": self.message,
            "signatures": [vars(check) for check in self.signatures],
        }


# Checking --------------------------------------------------------------------------------------


def _trust_roots() -> list[asn1_x509.Certificate]:
    authority = ca_get()
    if authority is None:
        return []
    return [
        asn1_x509.Certificate.load(
            certificates.certificate_der(certificates.load_certificate(authority.certificate_pem))
        )
    ]


def _status_code(
    status: PdfSignatureStatus, issued: IssuedCertificate | None, certificate: x509.Certificate
) -> str:
    if not status.intact:
        return "tampered"
    if not status.valid:
        return "bad_signature"
    if not status.trusted:
        if issued is not None and certificate.not_valid_after_utc < timezone.now():
            return "expired"
        return "untrusted"
    if issued is not None and issued.revoked_at is not None:
        return "revoked"
    if not (status.docmdp_ok or status.modification_level is None):
        return "modified"
    return VALID if status.bottom_line else "unconfirmed"


def _check_signature(embedded: Any, roots: list[asn1_x509.Certificate]) -> SignatureCheck:
    field_name = str(embedded.field_name or "")
    try:
        status = validate_pdf_signature(
            embedded, ValidationContext(trust_roots=roots, allow_fetching=False)
        )
        certificate = x509.load_der_x509_certificate(status.signing_cert.dump())
    except Exception:  # pyHanko raises many kinds for malformed signatures
        logger.info("A signature could not be validated", exc_info=True)
        return SignatureCheck(field_name=field_name, status="unsupported_signature")
    fingerprint = certificates.fingerprint(certificate)
    issued = IssuedCertificate.objects.filter(fingerprint=fingerprint).first()
    return SignatureCheck(
        field_name=field_name,
        status=_status_code(status, issued, certificate),
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_whole_document=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer_subject=certificates.subject_text(certificate.subject),
        signer_common_name=certificates.common_name(certificate.subject),
        agency_code=certificates.subject_serial_number(certificate.subject),
        serial=certificates.serial_hex(certificate),
        fingerprint=fingerprint,
        signing_time=status.signer_reported_dt,
        revoked_at=issued.revoked_at if issued else None,
        not_after=certificate.not_valid_after_utc,
    )


def _signer_names(check: SignatureCheck | None) -> dict[str, str]:
    """The agency's names when the certificate is ours, else the name the certificate claims."""
    if check is None:
        return {}
    names = {"th": check.signer_common_name, "en": check.signer_common_name}
    if check.trusted and check.agency_code:
        try:
            agency = agency_get(check.agency_code)
        except ApplicationError:
            return names
        names = {"th": agency.name_th, "en": agency.name_en or agency.name_th}
    return names


def verify_pdf(pdf: bytes) -> VerificationResult:
    """Check every signature of a PDF against the platform root certificate. Reads only."""
    sha256 = hashlib.sha256(pdf).hexdigest()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # a damaged file fails in many ways inside the PDF parser
        logger.info("A PDF could not be read for verification", exc_info=True)
        return VerificationResult(status="unreadable", sha256=sha256)
    if not embedded:
        return VerificationResult(status="no_signature", sha256=sha256)
    roots = _trust_roots()
    checks = tuple(_check_signature(signature, roots) for signature in embedded)
    result = VerificationResult(status=VALID, signatures=checks, sha256=sha256)
    status = result.primary.status
    document = document_find_by_sha256(sha256) if status == VALID else None
    return replace(
        result,
        status=status,
        document_reference=document.reference if document else "",
        document_title=document.title if document else "",
        signer_names=_signer_names(result.primary),
    )


def verify_upload(upload: UploadedFile) -> VerificationResult:
    """Verify an uploaded file: at most 20 MB, and a PDF by its first bytes (`%PDF-`).

    Raises FileTooLargeError, NotAPdfError or EmptyFileError, on the field 'file'.
    """
    too_large = FileTooLargeError(field="file", params={"max": MAX_UPLOAD_BYTES // (1024 * 1024)})
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise too_large
    data = bytearray()
    for chunk in upload.chunks():
        data += chunk
        if len(data) > MAX_UPLOAD_BYTES:
            raise too_large
    if not data:
        raise EmptyFileError(field="file")
    if not data.startswith(PDF_MAGIC):
        raise NotAPdfError(field="file")
    return verify_pdf(bytes(data))


# Statements ------------------------------------------------------------------------------------


def _load_certificate(certificate_pem: str) -> x509.Certificate | None:
    if not isinstance(certificate_pem, str):
        return None
    try:
        return certificates.load_certificate(certificate_pem)
    except (ValueError, UnsupportedAlgorithm):  # not PEM, not ASCII, not a certificate
        return None


def _within_validity(certificate: x509.Certificate, now: dt.datetime) -> bool:
    return certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc


def verify_statement(data: bytes, signature: str, certificate_pem: str) -> bool:
    """Whether `signature` (base64 DER ECDSA-SHA256) over `data` was made by the platform.

    True only when the signature matches the data under the certificate's key, and the
    certificate was issued by the platform root, is within its validity period (as is the root),
    is known to the platform, is not revoked and is the platform's own (not an agency's).
    Malformed input of any kind gives False. Reads only.
    """
    certificate = _load_certificate(certificate_pem)
    if certificate is None or not statements.signature_valid(certificate, data, signature):
        return False
    authority = ca_get()
    if authority is None:
        return False
    root = certificates.load_certificate(authority.certificate_pem)
    try:
        certificate.verify_directly_issued_by(root)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    now = timezone.now()
    if not (_within_validity(certificate, now) and _within_validity(root, now)):
        return False
    issued = certificate_find(fingerprint=certificates.fingerprint(certificate))
    return (
        issued is not None
        and issued.authority_id == authority.pk
        and issued.subject_kind == SubjectKind.PLATFORM
        and issued.revoked_at is None
    )
