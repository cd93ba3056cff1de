"""The platform CA (C-05): one root, agency certificates that chain to it, keys sealed at rest."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.db import connection, connections
from django.utils import timezone

from onestop.core.errors import PermissionDeniedError
from onestop.core.models import AuditEntry
from onestop.documents import keys, selectors, services
from onestop.documents.domain import certificates
from onestop.documents.models import CertificateAuthority, IssuedCertificate, SubjectKind
from onestop.identity import public as identity

pytestmark = pytest.mark.django_db


def _root() -> x509.Certificate:
    return certificates.load_certificate(selectors.root_certificate_pem())


def test_the_root_ca_is_created_once_and_audited_once():
    # when
    first = services.ca_ensure()
    second = services.ca_ensure()

    # then
    assert first.pk == second.pk
    assert CertificateAuthority.objects.count() == 1
    assert AuditEntry.objects.filter(action="documents.ca.create").count() == 1
    root = _root()
    assert root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "OneStop Platform Root CA"
    )
    assert root.subject == root.issuer
    assert isinstance(root.public_key(), ec.EllipticCurvePublicKey)
    assert root.public_key().curve.name == "secp256r1"
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    usage = root.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign
    lifetime = root.not_valid_after_utc - root.not_valid_before_utc
    assert dt.timedelta(days=3650) <= lifetime <= dt.timedelta(days=3653)
    assert first.fingerprint == certificates.fingerprint(root)


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_uses_create_one_ca_and_one_agency_certificate(cgd):
    # given
    barrier = threading.Barrier(4)
    results, errors = [], []

    def first_use() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(services.agency_certificate("CGD").pk)
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
    assert CertificateAuthority.objects.count() == 1
    assert IssuedCertificate.objects.count() == 1
    assert AuditEntry.objects.filter(action="documents.ca.create").count() == 1
    assert AuditEntry.objects.filter(action="documents.certificate.issue").count() == 1


def test_an_agency_certificate_chains_to_the_root_and_names_the_agency(comptroller):
    # when
    issued = services.agency_certificate("cgd")

    # then
    certificate = certificates.load_certificate(issued.certificate_pem)
    certificate.verify_directly_issued_by(_root())
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "The Comptroller General's Department"
    )
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "OneStop agency"
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "CGD"
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "TH"
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert not usage.key_cert_sign
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert dt.timedelta(days=1094) <= lifetime <= dt.timedelta(days=1096)
    assert (issued.subject_kind, issued.subject_id, issued.agency_code) == ("agency", "CGD", "CGD")
    assert issued.serial == format(certificate.serial_number, "x")
    entry = AuditEntry.objects.get(action="documents.certificate.issue")
    assert entry.agency_code == "CGD"
    assert entry.after["serial"] == issued.serial


def test_the_current_certificate_is_reused_and_renewed_near_its_end(cgd):
    # given
    first = services.agency_certificate("CGD")

    # when
    again = services.agency_certificate("CGD")

    # then
    assert again.pk == first.pk

    # given: the certificate is about to expire
    IssuedCertificate.objects.filter(pk=first.pk).update(
        not_after=timezone.now() + dt.timedelta(days=10)
    )

    # when
    renewed = services.agency_certificate("CGD")

    # then
    assert renewed.pk != first.pk
    first.refresh_from_db()
    assert first.is_current is False
    assert IssuedCertificate.objects.filter(subject_id="CGD", is_current=True).get() == renewed
    assert AuditEntry.objects.filter(action="documents.certificate.issue").last().after[
        "replaces"
    ] == (first.serial)


def test_private_keys_are_never_stored_in_the_clear(cgd):
    # given
    issued = services.agency_certificate("CGD")
    authority = selectors.ca_get()
    secrets = [
        keys.unseal(authority.sealed_key, binding=keys.authority_binding("root"), subject="root"),
        keys.unseal(
            issued.sealed_key, binding=keys.certificate_binding(issued.serial), subject="CGD"
        ),
    ]

    # when: every byte of every row of both tables, as the database holds them
    stored = b""
    for table in ("documents_certificateauthority", "documents_issuedcertificate"):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes | bytearray):
                        stored += bytes(value)
                    elif value is not None:
                        stored += str(value).encode()

    # then
    assert len(stored) > 1000
    for private_key in secrets:
        forms = [
            certificates.private_key_der(private_key),
            private_key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            ),
            private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            private_key.private_numbers().private_value.to_bytes(32, "big"),
        ]
        for form in forms:
            assert form not in stored
        assert b"PRIVATE KEY" not in stored
    assert issued.key_id == keys.current_key_id()
    assert len(bytes(issued.key_nonce)) == 12


def test_a_changed_master_key_is_reported_not_misread(cgd, settings):
    # given
    issued = services.agency_certificate("CGD")
    settings.ONESTOP_PKI_MASTER_KEY = "another-master-key-0123456789abcdef"

    # when / then
    with pytest.raises(keys.KeyUnavailableError) as raised:
        keys.unseal(issued.sealed_key, binding=keys.certificate_binding(issued.serial), subject="x")
    assert "PKI master key" in raised.value.text("en")


def test_a_sealed_key_does_not_open_on_another_row(cgd):
    issued = services.agency_certificate("CGD")
    with pytest.raises(keys.KeyUnavailableError):
        keys.unseal(issued.sealed_key, binding=keys.certificate_binding("123"), subject="x")


def test_only_platform_admins_revoke_and_the_agency_then_gets_a_new_certificate(
    admin, cgd, officer
):
    # given
    issued = services.agency_certificate("CGD")
    before = AuditEntry.objects.count()

    # when: an agency administrator tries
    with pytest.raises(PermissionDeniedError):
        services.certificate_revoke(
            actor=officer("CGD", identity.Role.AGENCY_ADMIN), serial=issued.serial, reason="lost"
        )

    # then: nothing changed but the officer's own appointment
    issued.refresh_from_db()
    assert issued.revoked_at is None and issued.is_current
    assert not AuditEntry.objects.filter(seq__gt=before, action__startswith="documents.").exists()

    # when
    services.certificate_revoke(actor=admin, serial=issued.serial, reason="Key compromised")

    # then
    issued.refresh_from_db()
    assert issued.revoked_at is not None and not issued.is_current
    replacement = services.agency_certificate("CGD")
    assert replacement.pk != issued.pk
    assert replacement.subject_kind == SubjectKind.AGENCY
