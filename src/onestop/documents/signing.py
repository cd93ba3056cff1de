"""PAdES signatures with pyHanko: baseline B-B, SHA-256, the certificate chain embedded.

The signature is invisible (the document's own closing text says it is signed and where to
verify it); the signing time is the /M entry of the signature dictionary, as PAdES requires.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from onestop.core.errors import ConflictError, InputError
from onestop.documents import keys
from onestop.documents.domain import certificates
from onestop.documents.models import IssuedCertificate

DIGEST = "sha256"
DEFAULT_LOCATION = "Thailand"
DEFAULT_FIELD = "Signature1"


class NotSignablePdfError(InputError):
    code = "not_signable_pdf"
    message = _("This is not a PDF that can be signed: %(detail)s")


class AlreadySignedError(ConflictError):
    code = "already_signed"
    message = _("The PDF already has a signature in the field %(field)s.")


def as_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificates.certificate_der(certificate))


def sign_with_key(
    pdf: bytes,
    *,
    certificate: x509.Certificate,
    private_key: ec.EllipticCurvePrivateKey,
    chain: Sequence[x509.Certificate],
    reason: str,
    location: str = DEFAULT_LOCATION,
    field_name: str = DEFAULT_FIELD,
) -> bytes:
    """Sign a PDF with a key and certificate; `chain` (issuers up to the root) is embedded."""
    signer = signers.SimpleSigner(
        signing_cert=as_asn1(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(certificates.private_key_der(private_key)),
        cert_registry=SimpleCertificateStore.from_certs([as_asn1(item) for item in chain]),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        name=certificates.common_name(certificate.subject),
        md_algorithm=DIGEST,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        output = signers.sign_pdf(writer, metadata, signer=signer)
    except SigningError as error:
        if "already" in str(error).lower() or "filled" in str(error).lower():
            raise AlreadySignedError(params={"field": field_name}) from None
        raise NotSignablePdfError(params={"detail": str(error)}) from None
    except (PdfError, ValueError, KeyError, IndexError) as error:
        raise NotSignablePdfError(params={"detail": str(error) or type(error).__name__}) from None
    return output.getvalue()


def sign_with_certificate(
    pdf: bytes,
    certificate: IssuedCertificate,
    *,
    reason: str,
    location: str = DEFAULT_LOCATION,
    field_name: str = DEFAULT_FIELD,
) -> bytes:
    """Sign with an issued certificate: opens its stored key, embeds it and the root."""
    private_key = keys.unseal(
        certificate.sealed_key,
        binding=keys.certificate_binding(certificate.serial),
        subject=certificate.subject,
    )
    return sign_with_key(
        pdf,
        certificate=certificates.load_certificate(certificate.certificate_pem),
        private_key=private_key,
        chain=[certificates.load_certificate(certificate.authority.certificate_pem)],
        reason=reason,
        location=location,
        field_name=field_name,
    )
