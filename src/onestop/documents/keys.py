"""Private keys at rest: AES-256-GCM under a key derived from settings.ONESTOP_PKI_MASTER_KEY.

The encryption key is HKDF-SHA256 of the master key. A key id (derived the same way, with another
label) is stored next to every sealed key, so a changed master key is reported as such instead
of as a corrupt row. The associated data binds each ciphertext to its row (the CA's code or the
certificate's serial), so a sealed key copied onto another row does not open.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import ApplicationError
from onestop.documents.domain import certificates

ENCRYPTION_LABEL = b"onestop/documents/private-key-encryption/v1"
KEY_ID_LABEL = b"onestop/documents/private-key-encryption/key-id/v1"
SALT = b"onestop-pki"
NONCE_BYTES = 12


class KeyUnavailableError(ApplicationError):
    code = "pki_key_unavailable"
    status = 503
    message = _(
        "The private key of %(subject)s cannot be opened: the PKI master key is not the one "
        "it was stored with. Restore PKI_MASTER_KEY."
    )


@dataclass(frozen=True)
class SealedKey:
    key_id: str
    nonce: bytes
    ciphertext: bytes


def certificate_binding(serial: str) -> str:
    """What an issued certificate's sealed key is bound to."""
    return f"certificate:{serial}"


def authority_binding(code: str) -> str:
    """What a CA's sealed key is bound to."""
    return f"authority:{code}"


def _hkdf(master_key: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=label).derive(
        master_key.encode("utf-8")
    )


@functools.lru_cache(maxsize=4)
def _derived(master_key: str) -> tuple[bytes, str]:
    if not master_key:
        raise RuntimeError("settings.ONESTOP_PKI_MASTER_KEY is empty; set PKI_MASTER_KEY.")
    return _hkdf(master_key, ENCRYPTION_LABEL), "v1:" + _hkdf(master_key, KEY_ID_LABEL)[:8].hex()


def current_key_id() -> str:
    return _derived(settings.ONESTOP_PKI_MASTER_KEY)[1]


def seal(private_key: ec.EllipticCurvePrivateKey, *, binding: str) -> SealedKey:
    """Encrypt a private key for storage; `binding` names the row it belongs to."""
    key, key_id = _derived(settings.ONESTOP_PKI_MASTER_KEY)
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(
        nonce, certificates.private_key_der(private_key), binding.encode("utf-8")
    )
    return SealedKey(key_id=key_id, nonce=nonce, ciphertext=ciphertext)


def unseal(sealed: SealedKey, *, binding: str, subject: str) -> ec.EllipticCurvePrivateKey:
    """Decrypt a stored private key. Raises KeyUnavailableError with the wrong master key."""
    key, key_id = _derived(settings.ONESTOP_PKI_MASTER_KEY)
    if sealed.key_id != key_id:
        raise KeyUnavailableError(params={"subject": subject})
    try:
        der = AESGCM(key).decrypt(
            bytes(sealed.nonce), bytes(sealed.ciphertext), binding.encode("utf-8")
        )
    except InvalidTag:
        raise KeyUnavailableError(
            _("The stored private key of %(subject)s is damaged or belongs to another record."),
            params={"subject": subject},
        ) from None
    return certificates.load_private_key_der(der)
