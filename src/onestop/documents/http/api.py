"""Documents API: the platform's root certificate and verification of signed PDFs (public)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Router
from ninja.files import UploadedFile

from onestop.core.http.api import ErrorOut
from onestop.documents import selectors, verification
from onestop.documents.http.schemas import VerificationOut

router = Router(tags=["documents"])

PEM_RESPONSE = {
    "responses": {
        "200": {
            "description": "The root certificate (PEM)",
            "content": {"application/x-pem-file": {"schema": {"type": "string"}}},
        }
    }
}


@router.get(
    "/pki/root.pem",
    auth=None,
    response={200: None, 404: ErrorOut},
    summary="The OneStop platform root certificate",
    openapi_extra=PEM_RESPONSE,
)
def root_certificate(request: HttpRequest) -> HttpResponse:
    """Install it as the only trust anchor to verify OneStop documents in any PDF validator."""
    response = HttpResponse(selectors.root_certificate_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="onestop-root-ca.pem"'
    return response


@router.post(
    "/documents/verify",
    auth=None,
    response={200: VerificationOut, 413: ErrorOut, 415: ErrorOut, 422: ErrorOut},
    summary="Verify a signed PDF document",
)
def document_verify(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Upload a PDF (multipart field `file`, at most 20 MB). The answer says whether it is
    intact, who signed it and when, and whether the certificate chains to the OneStop root."""
    return verification.verify_upload(file).as_dict()
