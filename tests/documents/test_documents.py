"""Stored official documents: document_issue renders, signs, stores and audits in one go."""

from __future__ import annotations

import hashlib

import pytest

from onestop.core import audit
from onestop.core.errors import InputError, NotAuthenticatedError, PermissionDeniedError
from onestop.core.models import AuditEntry
from onestop.documents.models import Document, IssuedCertificate
from onestop.documents.public import (
    DocumentExistsError,
    DocumentNotFoundError,
    document_find,
    document_get,
    document_issue,
    document_pdf,
    verify_pdf,
)
from onestop.identity import public as identity
from tests.documents.conftest import PO_TEMPLATE, po_context
from tests.documents.pdfs import pdf_text

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return Document.objects.count(), IssuedCertificate.objects.count(), AuditEntry.objects.count()


def _issue(actor, **overrides):
    fields = {
        "actor": actor,
        "kind": "purchase_order",
        "reference": "PO-2569/0001",
        "title": "ใบสั่งซื้อ",
        "agency_code": "CGD",
        "template_name": PO_TEMPLATE,
        "context": po_context(),
    } | overrides
    return document_issue(**fields)


def test_an_officer_issues_a_signed_purchase_order(comptroller, officer, test_templates):
    # given
    buyer = officer("CGD", identity.Role.BUYER)

    # when
    document = _issue(buyer)

    # then
    stored = Document.objects.get()
    pdf = document_pdf(document_get(document.id))
    assert stored.pk == document.pk
    assert (stored.kind, stored.reference, stored.title, stored.agency_code) == (
        "purchase_order",
        "PO-2569/0001",
        "ใบสั่งซื้อ",
        "CGD",
    )
    assert stored.signed is True
    assert stored.sha256 == hashlib.sha256(pdf).hexdigest()
    assert stored.size == len(pdf)
    assert stored.issued_by == buyer.actor_id
    text = pdf_text(pdf)
    assert "กรมบัญชีกลาง" in text and "PO-2569/0001" in text
    assert "http://127.0.0.1:8000/documents/verify/" in text
    result = verify_pdf(pdf)
    assert result.status == "valid"
    assert result.document_reference == "PO-2569/0001"
    assert result.document_title == "ใบสั่งซื้อ"
    entry = AuditEntry.objects.filter(action="documents.document.issue").get()
    assert entry.object_id == str(document.pk)
    assert entry.agency_code == "CGD"
    assert entry.after["sha256"] == stored.sha256
    assert entry.after["certificate"] == stored.certificate.serial
    assert document_find(agency_code="CGD", kind="purchase_order", reference="PO-2569/0001") == (
        stored
    )


def test_the_platform_itself_may_issue(comptroller, test_templates):
    document = _issue(audit.SYSTEM)
    assert document.issued_by == "system"


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("anonymous", NotAuthenticatedError),
        ("citizen", PermissionDeniedError),
        ("other agency officer", PermissionDeniedError),
        ("platform admin", PermissionDeniedError),
    ],
)
def test_only_the_agencys_officers_issue_in_its_name(
    who, error, comptroller, dlt, officer, citizen, admin, test_templates
):
    # given
    actor = {
        "anonymous": identity.ANONYMOUS,
        "citizen": citizen(),
        "other agency officer": officer("DLT", identity.Role.BUYER),
        "platform admin": admin,
    }[who]
    before = _counts()

    # when / then
    with pytest.raises(error):
        _issue(actor)
    assert _counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "Purchase Order"}, "kind"),
        ({"reference": "  "}, "reference"),
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
    ],
)
def test_malformed_fields_are_refused(overrides, field, comptroller, officer, test_templates):
    buyer = officer("CGD", identity.Role.BUYER)
    before = _counts()
    with pytest.raises(InputError) as raised:
        _issue(buyer, **overrides)
    assert raised.value.field == field
    assert _counts() == before


def test_a_reference_is_issued_once_per_agency_and_kind(comptroller, officer, test_templates):
    # given
    buyer = officer("CGD", identity.Role.BUYER)
    _issue(buyer)
    before = _counts()

    # when / then
    with pytest.raises(DocumentExistsError) as raised:
        _issue(buyer)
    assert raised.value.field == "reference"
    assert _counts() == before
    # another kind with the same number is fine
    _issue(buyer, kind="receipt", title="ใบเสร็จรับเงิน")


def test_documents_are_found_by_id_only_when_they_exist(db):
    with pytest.raises(DocumentNotFoundError):
        document_get("7b0c3a8e-1234-4cde-9f00-000000000000")
    with pytest.raises(DocumentNotFoundError):
        document_get("not-a-uuid")
