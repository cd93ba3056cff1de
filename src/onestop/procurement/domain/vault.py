"""The electronic vault's cryptography (P-13), pure and independent of Django.

* Each tender gets its own vault key pair (ECDH on P-256). Its private key is split at once
  with Shamir's k-of-n scheme among the bid-opening committee and then forgotten: every share is
  sealed to its member's own key, so the database holds nothing that opens a bid.
* A bid is sealed on the bidder's side (browser WebCrypto or the Python client) into an
  envelope: an ephemeral ECDH P-256 key agreement with the vault key, HKDF-SHA256, AES-256-GCM.
  The envelope's context (tender, bidder) is authenticated data, so a bid sealed for another
  tender or copied from another bidder does not open.
* At opening, k shares rebuild the private key in memory, and every envelope is opened.

Envelope (UTF-8 JSON; the SHA-256 of its exact bytes is what a receipt carries):

    {"v": 1, "alg": "ECDH-ES-P256+HKDF-SHA256+A256GCM", "kid": <fingerprint of the vault key>,
     "epk": <b64url 65-byte uncompressed ephemeral public point>, "iv": <b64url 12 bytes>,
     "ct": <b64url ciphertext and 16-byte tag>}

    z    = ECDH(ephemeral private, vault public)
    key  = HKDF-SHA256(z, salt = epk || vault public point, info = "onestop-vault-v1|" + context)
    ct   = AES-256-GCM(key, iv, plaintext, aad = context)

The fingerprint of a public key is the first 32 hex digits of SHA-256 of its uncompressed point.
Shamir's scheme is pycryptodome's (GF(2^128)): the 32-byte private scalar is split as two
16-byte halves with the same share indices, and a share is the two halves' shares joined.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass

from Crypto.Protocol.SecretSharing import Shamir
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

VERSION = 1
ALGORITHM = "ECDH-ES-P256+HKDF-SHA256+A256GCM"
CURVE = ec.SECP256R1()
POINT_BYTES = 65
IV_BYTES = 12
TAG_BYTES = 16
MAX_ENVELOPE_BYTES = 2 * 1024 * 1024
MIN_PASSPHRASE = 12
SCRYPT_N = 2**15
_INFO_PREFIX = b"onestop-vault-v1|"
_HALF = 16


class VaultError(ValueError):
    """Something about sealed data or shares is wrong; the message says what."""


class MalformedEnvelopeError(VaultError):
    pass


class WrongKeyError(VaultError):
    pass


class TamperedError(VaultError):
    pass


class ShareError(VaultError):
    pass


class PassphraseError(VaultError):
    pass


@dataclass(frozen=True)
class Share:
    index: int
    secret: bytes  # 32 bytes: the shares of both halves

    def digest(self) -> str:
        """Commitment kept on record, so a released share can be checked before use."""
        return hashlib.sha256(self.index.to_bytes(2, "big") + self.secret).hexdigest()


@dataclass(frozen=True)
class Envelope:
    kid: str
    epk: bytes
    iv: bytes
    ct: bytes


@dataclass(frozen=True)
class MemberKey:
    public: bytes  # uncompressed point
    encrypted_private: bytes  # JSON: scrypt parameters, salt, AES-GCM wrapped scalar


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """Strict base64url (no padding needed): any other character is an error, never skipped."""
    if not isinstance(text, str):
        raise binascii.Error("not text")
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def generate() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(CURVE)


def public_point(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> bytes:
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def fingerprint(point: bytes) -> str:
    return hashlib.sha256(point).hexdigest()[:32]


def digest(envelope: bytes) -> str:
    """The SHA-256 (hex) of a sealed bid's exact bytes: what its receipt and the public list carry."""
    return hashlib.sha256(envelope).hexdigest()


def load_point(point: bytes) -> ec.EllipticCurvePublicKey:
    if len(point) != POINT_BYTES:
        raise MalformedEnvelopeError("A public key must be a 65-byte uncompressed P-256 point.")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(CURVE, point)
    except ValueError as error:
        raise MalformedEnvelopeError("The public key is not a point on P-256.") from error


def private_scalar(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_numbers().private_value.to_bytes(32, "big")


def private_from_scalar(scalar: bytes) -> ec.EllipticCurvePrivateKey:
    try:
        return ec.derive_private_key(int.from_bytes(scalar, "big"), CURVE)
    except ValueError as error:
        raise ShareError("The shares do not rebuild a valid key.") from error


def _key(shared: bytes, epk: bytes, recipient: bytes, context: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=epk + recipient, info=_INFO_PREFIX + context
    ).derive(shared)


def seal(recipient: bytes, plaintext: bytes, context: str) -> bytes:
    """Seal plaintext to a public point (what the browser and the Python client do)."""
    public = load_point(recipient)
    ephemeral = generate()
    epk = public_point(ephemeral)
    key = _key(ephemeral.exchange(ec.ECDH(), public), epk, recipient, context.encode())
    iv = os.urandom(IV_BYTES)
    ct = AESGCM(key).encrypt(iv, plaintext, context.encode())
    return json.dumps(
        {
            "v": VERSION,
            "alg": ALGORITHM,
            "kid": fingerprint(recipient),
            "epk": b64url(epk),
            "iv": b64url(iv),
            "ct": b64url(ct),
        },
        separators=(",", ":"),
    ).encode()


def inspect(envelope: bytes) -> Envelope:
    """Check an envelope's form without opening it: what the server can know before opening."""
    if len(envelope) > MAX_ENVELOPE_BYTES:
        raise MalformedEnvelopeError("A sealed bid may be at most 2 MB.")
    try:
        data = json.loads(envelope)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedEnvelopeError("The sealed bid is not a vault envelope (JSON).") from error
    if not isinstance(data, dict) or data.get("v") != VERSION or data.get("alg") != ALGORITHM:
        raise MalformedEnvelopeError(
            f"The sealed bid must be a version {VERSION} envelope sealed with {ALGORITHM}."
        )
    try:
        epk, iv, ct = (unb64url(data[name]) for name in ("epk", "iv", "ct"))
    except (KeyError, binascii.Error, ValueError) as error:
        raise MalformedEnvelopeError("The envelope needs epk, iv and ct in base64url.") from error
    kid = data.get("kid")
    if not isinstance(kid, str) or len(kid) != 32:
        raise MalformedEnvelopeError("The envelope needs the fingerprint (kid) of its vault key.")
    if len(iv) != IV_BYTES or len(ct) < TAG_BYTES:
        raise MalformedEnvelopeError("The envelope's iv or ciphertext has the wrong length.")
    load_point(epk)
    return Envelope(kid=kid, epk=epk, iv=iv, ct=ct)


def open_sealed(key: ec.EllipticCurvePrivateKey, envelope: bytes, context: str) -> bytes:
    """Open an envelope with the vault's private key; refuse a foreign, altered or misplaced one."""
    parsed = inspect(envelope)
    recipient = public_point(key)
    if parsed.kid != fingerprint(recipient):
        raise WrongKeyError("The bid was sealed to another vault key.")
    shared = key.exchange(ec.ECDH(), load_point(parsed.epk))
    aes = AESGCM(_key(shared, parsed.epk, recipient, context.encode()))
    try:
        return aes.decrypt(parsed.iv, parsed.ct, context.encode())
    except InvalidTag as error:
        raise TamperedError(
            "The sealed bid does not open: it was altered, or sealed for another tender or bidder."
        ) from error


def split(key: ec.EllipticCurvePrivateKey, threshold: int, count: int) -> list[Share]:
    """Split a private key into `count` shares, any `threshold` of which rebuild it."""
    if not 1 <= threshold <= count <= 255:
        raise ShareError("The threshold must be between 1 and the number of members (at most 255).")
    scalar = private_scalar(key)
    if threshold == 1:
        return [Share(index=i, secret=scalar) for i in range(1, count + 1)]
    low = Shamir.split(threshold, count, scalar[:_HALF])
    high = Shamir.split(threshold, count, scalar[_HALF:])
    return [
        Share(index=index, secret=low_share + high_share)
        for (index, low_share), (_, high_share) in zip(low, high, strict=True)
    ]


def combine(
    shares: list[Share], threshold: int, expected_public: bytes
) -> ec.EllipticCurvePrivateKey:
    """Rebuild the private key from at least `threshold` distinct shares, or refuse."""
    distinct = {share.index: share for share in shares}
    if len(distinct) < threshold:
        raise ShareError(f"{len(distinct)} of {threshold} shares; the vault needs {threshold}.")
    chosen = sorted(distinct.values(), key=lambda share: share.index)[:threshold]
    if any(len(share.secret) != 2 * _HALF for share in chosen):
        raise ShareError("A share must be 32 bytes.")
    if threshold == 1:
        scalar = chosen[0].secret
    else:
        low = Shamir.combine([(s.index, s.secret[:_HALF]) for s in chosen])
        high = Shamir.combine([(s.index, s.secret[_HALF:]) for s in chosen])
        scalar = low + high
    key = private_from_scalar(scalar)
    if public_point(key) != expected_public:
        raise ShareError("The shares do not rebuild this vault's key.")
    return key


def share_bytes(share: Share) -> bytes:
    return share.index.to_bytes(2, "big") + share.secret


def share_from_bytes(data: bytes) -> Share:
    if len(data) != 2 + 2 * _HALF:
        raise ShareError("A share must be 34 bytes (index and secret).")
    return Share(index=int.from_bytes(data[:2], "big"), secret=data[2:])


def _passphrase_key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=8, p=1).derive(passphrase.encode())


def member_key_create(passphrase: str) -> MemberKey:
    """A committee member's own key pair; the private key is kept only wrapped under a key
    derived from the member's passphrase (scrypt), which the platform never stores."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise PassphraseError(f"The vault passphrase needs at least {MIN_PASSPHRASE} characters.")
    key = generate()
    salt, iv = os.urandom(16), os.urandom(IV_BYTES)
    public = public_point(key)
    wrapped = AESGCM(_passphrase_key(passphrase, salt)).encrypt(iv, private_scalar(key), public)
    record = {"kdf": "scrypt", "n": SCRYPT_N, "salt": b64url(salt), "iv": b64url(iv)}
    record["ct"] = b64url(wrapped)
    return MemberKey(public=public, encrypted_private=json.dumps(record).encode())


def member_key_unlock(
    encrypted_private: bytes, public: bytes, passphrase: str
) -> ec.EllipticCurvePrivateKey:
    """The member's private key, unwrapped in memory with the passphrase."""
    try:
        record = json.loads(encrypted_private)
        salt, iv, ct = (unb64url(record[name]) for name in ("salt", "iv", "ct"))
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise PassphraseError("The member key on record is damaged.") from error
    try:
        scalar = AESGCM(_passphrase_key(passphrase, salt)).decrypt(iv, ct, public)
    except InvalidTag as error:
        raise PassphraseError("The vault passphrase is not right.") from error
    return private_from_scalar(scalar)


def receipt_payload(
    *, tender: str, bidder: str, submitted_at: str, sha256: str, sequence: int
) -> bytes:
    """The canonical bytes of a submission receipt, which the platform signs (ECDSA P-256)."""
    return json.dumps(
        {
            "type": "onestop-vault-receipt",
            "v": VERSION,
            "tender": tender,
            "bidder": bidder,
            "submitted_at": submitted_at,
            "sha256": sha256,
            "sequence": sequence,
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
