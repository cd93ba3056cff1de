"""X.509 building blocks of the platform CA (pure: no Django, no database).

The root is an EC P-256 self-signed CA that signs end-entity certificates only. End-entity
certificates carry digitalSignature and nonRepudiation, which PDF validators (pyHanko, Adobe)
expect of a document signer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT_COMMON_NAME = "OneStop Platform Root CA"
ROOT_ORGANIZATION = "OneStop"
AGENCY_ORGANIZATION = "OneStop agency"
PLATFORM_COMMON_NAME = "OneStop platform"
COUNTRY = "TH"
ROOT_VALIDITY = dt.timedelta(days=3652)  # 10 years
END_ENTITY_VALIDITY = dt.timedelta(days=1095)  # 3 years
# Tolerates clocks of relying parties that run a little behind.
BACKDATE = dt.timedelta(minutes=5)
COMMON_NAME_MAX = 64  # ub-common-name (RFC 5280)


@dataclass(frozen=True)
class KeyAndCertificate:
    private_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


def new_private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def root_name(common_name: str = ROOT_COMMON_NAME) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ROOT_ORGANIZATION),
            x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY),
        ]
    )


def agency_name(*, name_en: str, code: str) -> x509.Name:
    """CN = the agency's English name, O = OneStop agency, serialNumber = agency code, C = TH."""
    common_name = (name_en.strip() or code)[:COMMON_NAME_MAX]
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, AGENCY_ORGANIZATION),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, code),
            x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY),
        ]
    )


def platform_name() -> x509.Name:
    """The platform's own signing certificate: CN = OneStop platform, O = OneStop, C = TH."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, PLATFORM_COMMON_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ROOT_ORGANIZATION),
            x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY),
        ]
    )


def _key_usage(*, signer: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signer,
        content_commitment=signer,  # nonRepudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signer,
        crl_sign=not signer,
        encipher_only=False,
        decipher_only=False,
    )


def build_root(
    *, now: dt.datetime, common_name: str = ROOT_COMMON_NAME, serial_number: int | None = None
) -> KeyAndCertificate:
    """A new self-signed root CA, valid for ten years from `now`."""
    key = new_private_key()
    name = root_name(common_name)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial_number or x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + ROOT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signer=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return KeyAndCertificate(key, certificate)


def build_end_entity(
    *,
    issuer: KeyAndCertificate,
    subject: x509.Name,
    now: dt.datetime,
    serial_number: int | None = None,
    validity: dt.timedelta = END_ENTITY_VALIDITY,
) -> KeyAndCertificate:
    """A new key pair and a signing certificate for it, issued by `issuer`."""
    key = new_private_key()
    not_after = min(now + validity, issuer.certificate.not_valid_after_utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(serial_number or x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signer=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.private_key.public_key()),
            critical=False,
        )
        .sign(issuer.private_key, hashes.SHA256())
    )
    return KeyAndCertificate(key, certificate)


# Encodings -----------------------------------------------------------------------------------


def certificate_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def certificate_der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def load_certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def private_key_der(key: ec.EllipticCurvePrivateKey) -> bytes:
    """PKCS#8 DER, unencrypted: only ever handed to the key sealing, never stored as is."""
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key_der(der: bytes) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("Only EC private keys are used by the platform CA")
    return key


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, lowercase hex (64 characters)."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def fingerprint_display(hex_digest: str) -> str:
    """'ab12…' -> 'AB:12:…', as certificate viewers show it."""
    upper = hex_digest.upper()
    return ":".join(upper[index : index + 2] for index in range(0, len(upper), 2))


def serial_hex(certificate: x509.Certificate) -> str:
    return format(certificate.serial_number, "x")


def name_attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    value = values[0].value if values else ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def subject_text(name: x509.Name) -> str:
    """RFC 4514 text of a name, with serialNumber spelled out (not as 2.5.4.5)."""
    return name.rfc4514_string({NameOID.SERIAL_NUMBER: "serialNumber"})


def common_name(name: x509.Name) -> str:
    return name_attribute(name, NameOID.COMMON_NAME)


def subject_serial_number(name: x509.Name) -> str:
    """The subject's serialNumber attribute: the agency code in agency certificates."""
    return name_attribute(name, NameOID.SERIAL_NUMBER)
