"""The public endpoints: the root certificate, the verify API and the verify page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onestop.documents import services
from onestop.documents.public import root_certificate_pem, sign_pdf
from onestop.documents.verification import MAX_UPLOAD_BYTES
from onestop.identity.models import User
from tests.conftest import assert_error_shape
from tests.documents.pdfs import foreign_ca_signed, tamper

pytestmark = pytest.mark.django_db

TOO_BIG = b"%PDF-1.7\n" + b"0" * MAX_UPLOAD_BYTES


def _upload(content: bytes, name: str = "document.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def signed(po_pdf, cgd) -> bytes:
    return sign_pdf(po_pdf, agency_code="CGD", reason="PO-2569/0001")


def _clients(admin, citizen, officer) -> dict[str, Client]:
    """Anonymous and logged-in visitors: the verify endpoints answer all of them alike."""
    clients = {"anonymous": Client()}
    for name, principal in {
        "citizen": citizen(),
        "officer": officer("CGD"),
        "platform admin": admin,
    }.items():
        client = Client()
        client.force_login(User.objects.get(pk=principal.user_id))
        clients[name] = client
    return clients


# Root certificate ------------------------------------------------------------------------------


def test_the_root_certificate_is_public(cgd):
    # given
    services.ca_ensure()

    # when
    response = Client().get("/api/pki/root.pem")

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-pem-file"
    assert 'filename="onestop-root-ca.pem"' in response["Content-Disposition"]
    assert response.content.decode() == root_certificate_pem()
    assert response.content.startswith(b"-----BEGIN CERTIFICATE-----")


def test_everyone_gets_the_root_certificate(cgd, admin, citizen, officer):
    services.ca_ensure()
    for who, client in _clients(admin, citizen, officer).items():
        response = client.get("/api/pki/root.pem")
        assert response.status_code == 200, who
        assert response.content.decode() == root_certificate_pem()


def test_the_root_certificate_is_not_found_before_the_ca_exists(db):
    response = Client().get("/api/pki/root.pem")
    body = assert_error_shape(response, 404, "ca_not_initialised")
    assert "onestop pki init" in body["message"]["en"]


# Verify API ------------------------------------------------------------------------------------


def test_the_api_verifies_a_signed_pdf_for_everyone(signed, admin, citizen, officer):
    for who, client in _clients(admin, citizen, officer).items():
        # when
        response = client.post("/api/documents/verify", {"file": _upload(signed)})

        # then
        assert response.status_code == 200, (who, response.content)
        body = response.json()
        assert body["status"] == "valid"
        assert body["valid"] and body["intact"] and body["trusted"]
        assert body["agency_code"] == "CGD"
        assert body["signer_name"] == {"th": "กรม CGD", "en": "Department CGD"}
        assert body["signing_time"]
        assert set(body["message"]) == {"th", "en"}
        assert body["signatures"][0]["field_name"] == "Signature1"


@pytest.mark.parametrize(
    ("variant", "status"),
    [("tampered", "tampered"), ("foreign", "untrusted"), ("unsigned", "no_signature")],
)
def test_the_api_says_why_a_pdf_is_not_valid(variant, status, signed, po_pdf):
    pdf = {
        "tampered": lambda: tamper(signed),
        "foreign": lambda: foreign_ca_signed(po_pdf),
        "unsigned": lambda: po_pdf,
    }[variant]()
    response = Client().post("/api/documents/verify", {"file": _upload(pdf)})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == status
    assert body["valid"] is False
    assert body["message"]["en"] and body["message"]["th"]


def test_the_api_refuses_what_is_not_a_pdf(db):
    response = Client().post(
        "/api/documents/verify",
        {"file": _upload(b"PK\x03\x04 a zip file", name="document.pdf")},
    )
    body = assert_error_shape(response, 415, "not_a_pdf")
    assert body["field"] == "file"
    assert body["errors"][0]["field"] == "file"


def test_the_api_refuses_files_over_20_mb(db):
    response = Client().post("/api/documents/verify", {"file": _upload(TOO_BIG)})
    body = assert_error_shape(response, 413, "file_too_large")
    assert "20 MB" in body["message"]["en"]


def test_the_api_refuses_an_empty_file_and_a_missing_one(db):
    assert_error_shape(
        Client().post("/api/documents/verify", {"file": _upload(b"")}), 422, "empty_file"
    )
    assert_error_shape(Client().post("/api/documents/verify", {}), 422)


def test_the_api_needs_no_csrf_token_because_it_changes_nothing(signed, admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(pk=admin.user_id))
    response = client.post("/api/documents/verify", {"file": _upload(signed)})
    assert response.status_code == 200


# Verify page -----------------------------------------------------------------------------------


def test_the_page_offers_an_upload_form(db):
    response = Client().get("/documents/verify/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html and 'name="file"' in html
    assert 'href="/api/pki/root.pem"' in html
    assert 'id="result"' not in html


def test_the_page_says_a_good_pdf_is_valid(signed, admin, citizen, officer):
    for who, client in _clients(admin, citizen, officer).items():
        response = client.post("/documents/verify/", {"file": _upload(signed)})
        assert response.status_code == 200, who
        html = response.content.decode()
        assert 'id="result"' in html
        assert "notice success" in html
        assert "กรม CGD" in html  # the agency's Thai name: pages are Thai by default
        assert "error-summary" not in html


def test_the_page_in_english(signed):
    client = Client()
    client.cookies["onestop_language"] = "en"
    html = client.post("/documents/verify/", {"file": _upload(signed)}).content.decode()
    assert "The signature is valid" in html
    assert "The document was signed by Department CGD on" in html


def test_the_page_warns_about_a_tampered_pdf(signed):
    client = Client()
    client.cookies["onestop_language"] = "en"
    html = client.post("/documents/verify/", {"file": _upload(tamper(signed))}).content.decode()
    assert "notice error" in html
    assert "Do not rely on this document" in html
    assert "The document was changed after it was signed" in html


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"GIF89a not a pdf", "This file is not a PDF"),
        (TOO_BIG, "The file is larger than 20 MB"),
    ],
)
def test_the_page_shows_upload_errors_next_to_the_field(content, fragment, db):
    client = Client()
    client.cookies["onestop_language"] = "en"
    response = client.post("/documents/verify/", {"file": _upload(content)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html
    assert 'class="field has-error"' in html
    assert fragment in html
    assert 'id="result"' not in html


def test_the_page_asks_for_a_file(db):
    client = Client()
    client.cookies["onestop_language"] = "en"
    html = client.post("/documents/verify/", {}).content.decode()
    assert "Choose the PDF document to check." in html
