"""What other apps may use of documents: render, sign, issue and verify official PDFs, and sign
and verify statements with the platform's own certificate."""

from onestop.documents.domain.statements import SignedStatement
from onestop.documents.http.api import router as api_router
from onestop.documents.models import Document
from onestop.documents.rendering import render_pdf
from onestop.documents.selectors import (
    DocumentNotFoundError,
    document_find,
    document_get,
    document_pdf,
    root_certificate_pem,
)
from onestop.documents.services import (
    DocumentExistsError,
    agency_certificate,
    ca_ensure,
    certificate_revoke,
    document_issue,
    platform_certificate,
    sign_pdf,
    sign_statement,
    verify_url,
)
from onestop.documents.verification import VerificationResult, verify_pdf, verify_statement

__all__ = [
    "Document",
    "DocumentExistsError",
    "DocumentNotFoundError",
    "SignedStatement",
    "VerificationResult",
    "agency_certificate",
    "api_router",
    "ca_ensure",
    "certificate_revoke",
    "document_find",
    "document_get",
    "document_issue",
    "document_pdf",
    "platform_certificate",
    "render_pdf",
    "root_certificate_pem",
    "sign_pdf",
    "sign_statement",
    "verify_pdf",
    "verify_statement",
    "verify_url",
]
