"""Shapes of the documents API."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class SignatureOut(Schema):
    field_name: str
    status: str = Field(..., description="'valid', or why this signature is not")
    intact: bool = Field(..., description="The signed bytes are unchanged")
    valid: bool = Field(..., description="The signature matches the signer's certificate")
    trusted: bool = Field(..., description="The certificate chains to the OneStop root")
    covers_whole_document: bool
    signer_subject: str
    signer_common_name: str
    agency_code: str
    serial: str
    fingerprint: str
    signing_time: dt.datetime | None = Field(None, description="As stated by the signer")
    revoked_at: dt.datetime | None
    not_after: dt.datetime | None


class VerificationOut(Schema):
    status: str = Field(
        ...,
        description=(
            "valid, no_signature, unreadable, tampered, bad_signature, untrusted, expired, "
            "revoked, modified, unsupported_signature or unconfirmed"
        ),
    )
    valid: bool
    intact: bool
    trusted: bool
    signer_subject: str
    signer_name: dict[str, str] = Field(..., examples=[{"th": "กรมบัญชีกลาง", "en": "CGD"}])
    agency_code: str
    signing_time: dt.datetime | None
    sha256: str
    document_reference: str = Field(..., description="Set when OneStop stores this exact file")
    document_title: str
    message: dict[str, str] = Field(..., examples=[{"th": "ข้อความ", "en": "Message"}])
    signatures: list[SignatureOut]
