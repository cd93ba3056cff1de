"""Documents of a tender (invitation, TOR, reference price breakdown) and of a proposal: the
type is read from the file's own bytes, the size is capped, nothing else is accepted."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onestop.core import audit
from onestop.core.errors import InputError, PermissionDeniedError
from onestop.identity.public import Principal, Role
from onestop.procurement.domain import files
from onestop.procurement.models import Tender, TenderDocument
from onestop.procurement.models.tendering import MAX_DOCUMENT_MB
from onestop.procurement.policies import require_own_role

MAX_BYTES = MAX_DOCUMENT_MB * 1024 * 1024
ALLOWED = (files.PDF, files.DOCX, files.XLSX, files.PNG, files.JPEG)


@dataclass(frozen=True)
class DocumentUpload:
    file_name: str
    data: bytes
    kind: str = TenderDocument.Kind.OTHER


class DocumentTypeError(InputError):
    code = "document_type"
    message = _(
        "%(name)s is not a PDF, Word (DOCX), Excel (XLSX), PNG or JPEG file. Save it in one of "
        "those formats and upload it again."
    )


class DocumentSizeError(InputError):
    code = "document_size"
    message = _("%(name)s is %(size)s MB; a document may be at most %(max)s MB.")


def checked_upload(upload: DocumentUpload, *, field: str) -> tuple[DocumentUpload, str]:
    """The upload with its name tidied and its real content type, or a clear refusal."""
    name = (upload.file_name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    name = name or _("unnamed file")
    if len(upload.data) > MAX_BYTES:
        raise DocumentSizeError(
            field=field,
            params={
                "name": name,
                "size": f"{len(upload.data) / 1048576:.1f}",
                "max": MAX_DOCUMENT_MB,
            },
        )
    content_type = files.detect(upload.data)
    if content_type not in ALLOWED:
        raise DocumentTypeError(field=field, params={"name": name})
    return DocumentUpload(file_name=str(name), data=upload.data, kind=upload.kind), content_type


@transaction.atomic
def tender_document_add(
    *, actor: Principal, reference: str, upload: DocumentUpload
) -> TenderDocument:
    """Attach a document to the agency's own tender (public once the tender is published)."""
    agency = require_own_role(actor, Role.BUYER)
    tender = Tender.objects.select_for_update().filter(reference=reference).first()
    if tender is None or tender.agency_id != agency.pk:
        raise PermissionDeniedError(_("This tender belongs to another agency."))
    if tender.status in (Tender.Status.CONTRACTED, Tender.Status.CANCELLED):
        raise InputError(_("This tender is closed; no document can be added."), field="document")
    if upload.kind not in TenderDocument.Kind.values:
        raise InputError(_("Choose the kind of the document."), field="kind")
    checked, content_type = checked_upload(upload, field="document")
    document = TenderDocument.objects.create(
        tender=tender,
        kind=checked.kind,
        file_name=checked.file_name,
        content_type=content_type,
        size=len(checked.data),
        sha256=hashlib.sha256(checked.data).hexdigest(),
        data=checked.data,
        uploaded_by_id=actor.user_id,
    )
    audit.record(
        actor=actor,
        action="procurement.tender.document",
        obj=document,
        object_label=f"{tender.reference}: {document.file_name}",
        agency_code=agency.code,
        after={"kind": document.kind, "sha256": document.sha256, "size": document.size},
    )
    return document
