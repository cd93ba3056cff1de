"""The platform CA, the certificates it issued, and signed official documents (C-04, C-05)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.documents.keys import SealedKey


class SealedKeyFields(models.Model):
    """A private key, stored only encrypted (see keys.py): key id, nonce, ciphertext."""

    key_id = models.CharField(_("encryption key id"), max_length=32)
    key_nonce = models.BinaryField(_("nonce"))
    key_ciphertext = models.BinaryField(_("encrypted private key"))

    class Meta:
        abstract = True

    @property
    def sealed_key(self) -> SealedKey:
        return SealedKey(
            key_id=self.key_id,
            nonce=bytes(self.key_nonce),
            ciphertext=bytes(self.key_ciphertext),
        )

    def set_sealed_key(self, sealed: SealedKey) -> None:
        self.key_id, self.key_nonce, self.key_ciphertext = (
            sealed.key_id,
            sealed.nonce,
            sealed.ciphertext,
        )


class CertificateAuthority(SealedKeyFields):
    """The platform's root CA (one row, code 'root'); it signs every issued certificate."""

    ROOT = "root"

    code = models.CharField(_("code"), max_length=20, unique=True)
    subject = models.CharField(_("subject"), max_length=500)
    serial = models.CharField(_("serial number"), max_length=40)
    certificate_pem = models.TextField(_("certificate (PEM)"))
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("certificate authority")
        verbose_name_plural = _("certificate authorities")

    def __str__(self) -> str:
        return self.subject


class SubjectKind(models.TextChoices):
    """Who a certificate is for. Only agencies and the platform itself get certificates for now."""

    AGENCY = "agency", _("Agency")
    OFFICER = "officer", _("Officer")
    BUSINESS = "business", _("Business")
    PLATFORM = "platform", _("Platform")


class IssuedCertificate(SealedKeyFields):
    """A signing certificate issued by the platform CA, with its (encrypted) private key.

    A subject has at most one current certificate; renewal and revocation retire it.
    `subject_id` is the agency code, the officer's username, the business's juristic ID, or
    'onestop' for the platform's own certificate.
    """

    authority = models.ForeignKey(
        CertificateAuthority, on_delete=models.PROTECT, related_name="issued"
    )
    serial = models.CharField(_("serial number"), max_length=40)
    subject_kind = models.CharField(_("subject kind"), max_length=16, choices=SubjectKind)
    subject_id = models.CharField(_("subject id"), max_length=64)
    agency_code = models.CharField(_("agency"), max_length=20, blank=True)
    subject = models.CharField(_("subject"), max_length=500)
    certificate_pem = models.TextField(_("certificate (PEM)"))
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    is_current = models.BooleanField(_("current"), default=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("issued"), default=timezone.now)

    class Meta:
        verbose_name = _("issued certificate")
        verbose_name_plural = _("issued certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "serial"], name="documents_certificate_serial_unique"
            ),
            # Issuing on first use from two requests at once: the second insert fails here.
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id"],
                condition=models.Q(is_current=True),
                name="documents_one_current_certificate",
            ),
        ]
        indexes = [models.Index(fields=["agency_code", "created_at"], name="documents_cert_agency")]

    def __str__(self) -> str:
        return f"{self.subject} #{self.serial}"


class Document(models.Model):
    """An official document as issued: the signed PDF itself, with what identifies it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=50)
    reference = models.CharField(_("reference number"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    agency_code = models.CharField(_("agency"), max_length=20)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    pdf = models.BinaryField(_("PDF"))
    signed = models.BooleanField(_("signed"), default=False)
    certificate = models.ForeignKey(
        IssuedCertificate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    issued_by = models.CharField(_("issued by"), max_length=64)
    created_at = models.DateTimeField(_("issued"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["agency_code", "kind", "reference"], name="documents_reference_unique"
            )
        ]
        indexes = [
            models.Index(fields=["agency_code", "kind", "created_at"], name="documents_list")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.reference})"
