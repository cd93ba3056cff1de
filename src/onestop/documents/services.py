"""Every write of the documents app: the platform CA, certificates, signed documents and
statements."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from typing import Any

from cryptography import x509
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import audit
from onestop.core.errors import ConflictError, InputError, NotFoundError, required_text
from onestop.documents import keys, signing
from onestop.documents.domain import certificates, statements
from onestop.documents.models import (
    CertificateAuthority,
    Document,
    IssuedCertificate,
    SubjectKind,
)
from onestop.documents.policies import require_may_issue_documents
from onestop.documents.rendering import render_pdf
from onestop.documents.selectors import ca_get, certificate_current
from onestop.identity.public import Principal, agency_get, require_platform_admin

# A certificate this close to its end is replaced before signing, so fresh signatures stay
# verifiable for a while.
RENEW_BEFORE = dt.timedelta(days=30)
# The subject id of the platform's own certificate.
PLATFORM_SUBJECT_ID = "onestop"
DOCUMENT_KIND = re.compile(r"^[a-z][a-z0-9_]{1,49}$")


class DocumentExistsError(ConflictError):
    code = "document_exists"
    message = _("%(agency)s has already issued a %(kind)s document with the number %(reference)s.")


class CertificateNotFoundError(NotFoundError):
    code = "certificate_not_found"
    message = _("No certificate has the serial number %(serial)s.")


# The platform CA ---------------------------------------------------------------------------------


def ca_ensure(*, actor: audit.Actor = audit.SYSTEM) -> CertificateAuthority:
    """Create the platform root CA unless it exists, and return it.

    Safe to call concurrently: the code is unique, so a second creator's insert fails and it
    returns the first one's CA. Audited when it creates.
    """
    existing = ca_get()
    if existing is not None:
        return existing
    root = certificates.build_root(now=timezone.now())
    authority = CertificateAuthority(
        code=CertificateAuthority.ROOT,
        subject=certificates.subject_text(root.certificate.subject),
        serial=certificates.serial_hex(root.certificate),
        certificate_pem=certificates.certificate_pem(root.certificate),
        fingerprint=certificates.fingerprint(root.certificate),
        not_before=root.certificate.not_valid_before_utc,
        not_after=root.certificate.not_valid_after_utc,
    )
    authority.set_sealed_key(
        keys.seal(root.private_key, binding=keys.authority_binding(authority.code))
    )
    try:
        with transaction.atomic():
            authority.save(force_insert=True)
            audit.record(
                actor=actor,
                action="documents.ca.create",
                obj=authority,
                after={
                    "subject": authority.subject,
                    "fingerprint": authority.fingerprint,
                    "not_after": authority.not_after,
                },
            )
    except IntegrityError:
        return CertificateAuthority.objects.get(code=CertificateAuthority.ROOT)
    return authority


def _authority_key_and_certificate(
    authority: CertificateAuthority,
) -> certificates.KeyAndCertificate:
    return certificates.KeyAndCertificate(
        private_key=keys.unseal(
            authority.sealed_key,
            binding=keys.authority_binding(authority.code),
            subject=authority.subject,
        ),
        certificate=certificates.load_certificate(authority.certificate_pem),
    )


# Certificates --------------------------------------------------------------------------------


def _usable(certificate: IssuedCertificate | None) -> bool:
    return (
        certificate is not None
        and certificate.is_current
        and certificate.revoked_at is None
        and certificate.not_after - RENEW_BEFORE > timezone.now()
    )


def _certificate_issue(
    *,
    actor: audit.Actor,
    authority: CertificateAuthority,
    subject_kind: str,
    subject_id: str,
    agency_code: str,
    subject: x509.Name,
    replacing: IssuedCertificate | None,
) -> IssuedCertificate:
    """Issue and store a certificate. Raises IntegrityError when the subject got one meanwhile."""
    issued = certificates.build_end_entity(
        issuer=_authority_key_and_certificate(authority), subject=subject, now=timezone.now()
    )
    record = IssuedCertificate(
        authority=authority,
        serial=certificates.serial_hex(issued.certificate),
        subject_kind=subject_kind,
        subject_id=subject_id,
        agency_code=agency_code,
        subject=certificates.subject_text(issued.certificate.subject),
        certificate_pem=certificates.certificate_pem(issued.certificate),
        fingerprint=certificates.fingerprint(issued.certificate),
        not_before=issued.certificate.not_valid_before_utc,
        not_after=issued.certificate.not_valid_after_utc,
    )
    record.set_sealed_key(
        keys.seal(issued.private_key, binding=keys.certificate_binding(record.serial))
    )
    with transaction.atomic():
        if replacing is not None:
            IssuedCertificate.objects.filter(pk=replacing.pk).update(is_current=False)
        record.save(force_insert=True)
        audit.record(
            actor=actor,
            action="documents.certificate.issue",
            obj=record,
            object_label=record.subject,
            agency_code=agency_code,
            after={
                "subject_kind": subject_kind,
                "subject": record.subject,
                "serial": record.serial,
                "fingerprint": record.fingerprint,
                "not_after": record.not_after,
                "replaces": replacing.serial if replacing else None,
            },
        )
    return record


def _certificate_current_or_issue(
    *,
    actor: audit.Actor,
    subject_kind: str,
    subject_id: str,
    agency_code: str,
    subject: x509.Name,
) -> IssuedCertificate:
    """The subject's current certificate while usable, else a new one (replacing it).

    Creates the platform CA if needed. Safe to call concurrently: one current certificate per
    subject is a database constraint, so a second issuer's insert fails and it returns the
    first one's certificate.
    """
    current = certificate_current(subject_kind=subject_kind, subject_id=subject_id)
    if current is not None and _usable(current):
        return current
    authority = ca_ensure(actor=actor)
    try:
        return _certificate_issue(
            actor=actor,
            authority=authority,
            subject_kind=subject_kind,
            subject_id=subject_id,
            agency_code=agency_code,
            subject=subject,
            replacing=current,
        )
    except IntegrityError:
        winner = certificate_current(subject_kind=subject_kind, subject_id=subject_id)
        if winner is None:
            raise
        return winner


def agency_certificate(agency_code: str, *, actor: audit.Actor = audit.SYSTEM) -> IssuedCertificate:
    """The agency's current signing certificate; issued on first use and renewed near its end.

    Creates the platform CA if needed. Safe to call concurrently (one current certificate per
    subject is a database constraint). Raises AgencyNotFoundError.
    """
    agency = agency_get(agency_code)
    return _certificate_current_or_issue(
        actor=actor,
        subject_kind=SubjectKind.AGENCY,
        subject_id=agency.code,
        agency_code=agency.code,
        subject=certificates.agency_name(name_en=agency.name_en, code=agency.code),
    )


def platform_certificate(*, actor: audit.Actor = audit.SYSTEM) -> IssuedCertificate:
    """The platform's own signing certificate (for statements it signs, such as receipts);
    issued on first use and renewed near its end, like agency_certificate."""
    return _certificate_current_or_issue(
        actor=actor,
        subject_kind=SubjectKind.PLATFORM,
        subject_id=PLATFORM_SUBJECT_ID,
        agency_code="",
        subject=certificates.platform_name(),
    )


@transaction.atomic
def certificate_revoke(*, actor: Principal, serial: str, reason: str) -> IssuedCertificate:
    """Revoke a certificate (platform administrators). Signatures made with it stop verifying;
    the subject's next signature gets a new certificate."""
    require_platform_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InputError(_("Say why the certificate is revoked."), field="reason")
    record = (
        IssuedCertificate.objects.select_for_update().filter(serial=serial.strip().lower()).first()
    )
    if record is None:
        raise CertificateNotFoundError(field="serial", params={"serial": serial})
    if record.revoked_at is not None:
        return record
    record.revoked_at = timezone.now()
    record.revocation_reason = reason[:300]
    record.is_current = False
    record.save(update_fields=["revoked_at", "revocation_reason", "is_current"])
    audit.record(
        actor=actor,
        action="documents.certificate.revoke",
        obj=record,
        object_label=record.subject,
        agency_code=record.agency_code,
        after={"revoked_at": record.revoked_at, "reason": record.revocation_reason},
    )
    return record


# Signing and documents -----------------------------------------------------------------------


def sign_pdf(
    pdf: bytes,
    *,
    agency_code: str,
    reason: str,
    location: str = signing.DEFAULT_LOCATION,
    field_name: str = signing.DEFAULT_FIELD,
    actor: audit.Actor = audit.SYSTEM,
) -> bytes:
    """Sign a PDF (PAdES B-B) with the agency's key; issues its certificate on first use.

    No permission check: the caller has decided that the agency signs this PDF (prefer
    document_issue, which checks the actor and stores the document). Every signature is
    audited with the SHA-256 of the signed file.
    """
    certificate = agency_certificate(agency_code, actor=actor)
    signed = signing.sign_with_certificate(
        pdf, certificate, reason=reason, location=location, field_name=field_name
    )
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="documents.pdf.sign",
            object_type="documents.signedpdf",
            object_id=hashlib.sha256(signed).hexdigest(),
            object_label=reason[:300],
            agency_code=certificate.agency_code,
            after={"certificate": certificate.serial, "field": field_name, "size": len(signed)},
        )
    return signed


def sign_statement(data: bytes, *, actor: audit.Actor = audit.SYSTEM) -> statements.SignedStatement:
    """Sign a small statement (a receipt, say) with the platform's own certificate.

    The signature is detached: keep `data` byte for byte, and anyone can check it with
    verify_statement or against the root at /api/pki/root.pem. Issues the platform certificate
    on first use. The caller audits what the statement is about (a bid receipt is audited with
    the bid), so signing itself adds no entry.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("sign_statement() signs bytes")
    data = bytes(data)
    certificate = platform_certificate(actor=actor)
    private_key = keys.unseal(
        certificate.sealed_key,
        binding=keys.certificate_binding(certificate.serial),
        subject=certificate.subject,
    )
    return statements.SignedStatement(
        signature=statements.sign(private_key, data),
        certificate_pem=certificate.certificate_pem,
        fingerprint=certificate.fingerprint,
    )


def verify_url() -> str:
    """Where anyone can check a signed document (printed on every document)."""
    return settings.ONESTOP_PUBLIC_URL + reverse("documents:verify")


def _document_fields(kind: str, reference: str, title: str) -> tuple[str, str, str]:
    if not DOCUMENT_KIND.match(kind or ""):
        raise InputError(
            _("A document kind is 2 to 50 lowercase letters, digits or _, like purchase_order."),
            field="kind",
        )
    reference = required_text(
        reference, field="reference", label=_("the reference number"), max_length=100
    )
    title = required_text(title, field="title", label=_("the title"), max_length=300)
    return kind, reference, title


def _official_context(
    agency: Any, *, reference: str, title: str, issued_at: dt.datetime
) -> dict[str, Any]:
    """What every official document shows (see documents/pdf/base.html)."""
    return {
        "agency": {"code": agency.code, "name_th": agency.name_th, "name_en": agency.name_en},
        "document_number": reference,
        "document_title": title,
        "document_date": timezone.localdate(issued_at),
        "verify_url": verify_url(),
    }


def document_issue(
    *,
    actor: audit.Actor,
    kind: str,
    reference: str,
    title: str,
    agency_code: str,
    template_name: str,
    context: Mapping[str, Any],
) -> Document:
    """Render an official document, sign it with the agency's certificate, store and audit it.

    Officers of the agency (or the platform itself) only. The template gets `context` plus
    agency, document_number, document_title, document_date and verify_url. Rendering (the slow
    part) happens before the transaction; signing, storing and the audit entry commit together.
    Raises DocumentExistsError when the agency already issued this kind with this reference.
    """
    agency = agency_get(agency_code)
    require_may_issue_documents(actor, agency_id=agency.pk, agency_code=agency.code)
    kind, reference, title = _document_fields(kind, reference, title)
    exists = DocumentExistsError(
        field="reference", params={"agency": agency.code, "kind": kind, "reference": reference}
    )
    if Document.objects.filter(agency_code=agency.code, kind=kind, reference=reference).exists():
        raise exists
    issued_at = timezone.now()
    official = _official_context(agency, reference=reference, title=title, issued_at=issued_at)
    pdf = render_pdf(template_name, {**context, **official})
    with transaction.atomic():
        certificate = agency_certificate(agency.code, actor=actor)
        signed = signing.sign_with_certificate(pdf, certificate, reason=f"{title} ({reference})")
        document = Document(
            kind=kind,
            reference=reference,
            title=title,
            agency_code=agency.code,
            sha256=hashlib.sha256(signed).hexdigest(),
            size=len(signed),
            pdf=signed,
            signed=True,
            certificate=certificate,
            issued_by=actor.actor_id,
            created_at=issued_at,
        )
        try:
            with transaction.atomic():
                document.save(force_insert=True)
        except IntegrityError:
            raise exists from None
        audit.record(
            actor=actor,
            action="documents.document.issue",
            obj=document,
            object_label=str(document),
            agency_code=agency.code,
            after={
                "kind": kind,
                "reference": reference,
                "title": title,
                "sha256": document.sha256,
                "size": document.size,
                "certificate": certificate.serial,
            },
        )
    return document
