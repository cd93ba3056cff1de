"""Reads of the platform CA, issued certificates and stored documents."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext_lazy as _

from onestop.core.errors import NotFoundError
from onestop.documents.models import CertificateAuthority, Document, IssuedCertificate


class CertificateAuthorityMissingError(NotFoundError):
    code = "ca_not_initialised"
    message = _(
        "The platform has no certificate authority yet. An operator creates it with "
        "`onestop pki init`."
    )


class DocumentNotFoundError(NotFoundError):
    code = "document_not_found"
    message = _("There is no document with this id.")


def ca_get() -> CertificateAuthority | None:
    """The platform root CA, or None before `ca_ensure()` (or `onestop pki init`) ran."""
    return CertificateAuthority.objects.filter(code=CertificateAuthority.ROOT).first()


def root_certificate_pem() -> str:
    """The root certificate in PEM (public). Raises CertificateAuthorityMissingError."""
    authority = ca_get()
    if authority is None:
        raise CertificateAuthorityMissingError()
    return authority.certificate_pem


def certificate_current(*, subject_kind: str, subject_id: str) -> IssuedCertificate | None:
    """The subject's current certificate (it may have expired or be about to)."""
    return (
        IssuedCertificate.objects.select_related("authority")
        .filter(subject_kind=subject_kind, subject_id=subject_id, is_current=True)
        .first()
    )


def certificate_find(*, fingerprint: str) -> IssuedCertificate | None:
    """An issued certificate by its SHA-256 fingerprint (hex)."""
    return IssuedCertificate.objects.filter(fingerprint=fingerprint.lower()).first()


def certificates_count(*, current_only: bool = False) -> int:
    certificates = IssuedCertificate.objects.all()
    if current_only:
        certificates = certificates.filter(is_current=True, revoked_at__isnull=True)
    return certificates.count()


def document_get(document_id: uuid.UUID | str) -> Document:
    """A stored document without its PDF bytes (see document_pdf). Raises DocumentNotFoundError.

    No permission check: the document belongs to a record of the calling app, which decides
    who may see it.
    """
    try:
        key = uuid.UUID(str(document_id))
    except ValueError:
        raise DocumentNotFoundError(field="document") from None
    document = Document.objects.defer("pdf").filter(pk=key).first()
    if document is None:
        raise DocumentNotFoundError(field="document")
    return document


def document_find(*, agency_code: str, kind: str, reference: str) -> Document | None:
    """The document an agency issued with this kind and reference number, if any."""
    return (
        Document.objects.defer("pdf")
        .filter(agency_code=agency_code, kind=kind, reference=reference)
        .first()
    )


def document_find_by_sha256(sha256: str) -> Document | None:
    """The stored document whose PDF has exactly this SHA-256, if any."""
    return Document.objects.defer("pdf").filter(sha256=sha256.lower()).first()


def document_pdf(document: Document) -> bytes:
    """The signed PDF of a document, as stored."""
    return bytes(Document.objects.values_list("pdf", flat=True).get(pk=document.pk))
