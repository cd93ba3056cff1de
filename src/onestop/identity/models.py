"""People, businesses, agencies, officers and their roles (C-01)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from onestop.identity.domain import thai_id, totp


class Language(models.TextChoices):
    THAI = "th", "ไทย"
    ENGLISH = "en", "English"


class User(AbstractUser):
    """A login. What the person may do comes from what is attached to the account: a citizen
    record, business memberships, an officer membership with roles, or platform flags."""

    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=20, blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=2, choices=Language, default=Language.THAI
    )
    is_auditor = models.BooleanField(
        _("auditor"), default=False, help_text=_("Reads every record and the whole audit log.")
    )
    is_platform_admin = models.BooleanField(
        _("platform administrator"),
        default=False,
        help_text=_("Manages agencies, agency administrators and auditors."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="user_email_unique_when_set"
            )
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Citizen(models.Model):
    """A person identified by the 13-digit national ID (เลขประจำตัวประชาชน)."""

    class Title(models.TextChoices):
        MR = "mr", _("Mr (นาย)")
        MRS = "mrs", _("Mrs (นาง)")
        MISS = "miss", _("Miss (นางสาว)")
        BOY = "boy", _("Master (เด็กชาย)")
        GIRL = "girl", _("Miss, child (เด็กหญิง)")
        OTHER = "other", _("Other")

    user = models.OneToOneField("identity.User", on_delete=models.PROTECT, related_name="citizen")
    national_id = models.CharField(_("national ID"), max_length=13, unique=True)
    title = models.CharField(_("title"), max_length=8, choices=Title, default=Title.OTHER)
    first_name_en = models.CharField(_("first name (English)"), max_length=100, blank=True)
    last_name_en = models.CharField(_("last name (English)"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.TextField(_("address"), blank=True)
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(national_id__regex=r"^[1-8][0-9]{12}$"),
                name="citizen_national_id_format",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.display_name} ({thai_id.masked(self.national_id)})"

    @property
    def national_id_masked(self) -> str:
        return thai_id.masked(self.national_id)

    @property
    def national_id_formatted(self) -> str:
        return thai_id.formatted(self.national_id)


class Business(models.Model):
    """A juristic person identified by its 13-digit juristic ID (เลขทะเบียนนิติบุคคล)."""

    class Kind(models.TextChoices):
        LIMITED = "limited", _("Limited company (บริษัทจำกัด)")
        PUBLIC_LIMITED = "public_limited", _("Public limited company (บริษัทมหาชนจำกัด)")
        REGISTERED_PARTNERSHIP = (
            "registered_partnership",
            _("Registered partnership (ห้างหุ้นส่วนสามัญนิติบุคคล)"),
        )
        LIMITED_PARTNERSHIP = "limited_partnership", _("Limited partnership (ห้างหุ้นส่วนจำกัด)")
        OTHER = "other", _("Other juristic person")

    juristic_id = models.CharField(_("juristic ID"), max_length=13, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind, default=Kind.LIMITED)
    address = models.TextField(_("registered address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name_th"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(juristic_id__regex=r"^0[0-9]{12}$"),
                name="business_juristic_id_format",
            )
        ]

    def __str__(self) -> str:
        return self.name_th


class BusinessMember(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner (acts for the business)")
        STAFF = "staff", _("Staff")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        "identity.User", on_delete=models.CASCADE, related_name="business_memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.STAFF)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "user"], name="business_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.business}"


class Agency(models.Model):
    """A government agency (หน่วยงาน); departments and state bodies belong to a ministry."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry (กระทรวง)")
        DEPARTMENT = "department", _("Department (กรม)")
        STATE_ENTERPRISE = "state_enterprise", _("State enterprise (รัฐวิสาหกิจ)")
        PUBLIC_ORGANIZATION = "public_organization", _("Public organization (องค์การมหาชน)")
        PROVINCE = "province", _("Provincial administration (จังหวัด)")
        LOCAL = "local", _("Local government (องค์กรปกครองส่วนท้องถิ่น)")
        INDEPENDENT = "independent", _("Independent agency (องค์กรอิสระ)")

    code = models.CharField(_("agency code"), max_length=20, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("ministry"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="ministry") | models.Q(parent__isnull=True),
                name="agency_ministry_has_no_parent",
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z][A-Z0-9-]{1,19}$"), name="agency_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_th} ({self.code})"


class Role(models.TextChoices):
    """What an officer may do for their agency."""

    BUYER = "buyer", _("Buyer")
    APPROVER = "approver", _("Approver")
    COMMITTEE = "committee", _("Committee member")
    INSPECTOR = "inspector", _("Inspector")
    FINANCE = "finance", _("Finance officer")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")


ROLE_DESCRIPTIONS = {
    Role.BUYER: _("Buys for the agency: catalog orders, requisitions, tenders."),
    Role.APPROVER: _("Approves requisitions and orders within the agency's thresholds."),
    Role.COMMITTEE: _("Sits on procurement and bid-opening committees."),
    Role.INSPECTOR: _("Inspects deliveries and records goods receipt."),
    Role.FINANCE: _("Matches invoices and releases payments."),
    Role.AGENCY_ADMIN: _("Appoints the agency's officers and grants their roles."),
}


class OfficerMembership(models.Model):
    """A person works for one agency (one row per user: an officer acts for one agency only)."""

    user = models.OneToOneField("identity.User", on_delete=models.PROTECT, related_name="officer")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="officers")
    position = models.CharField(_("position"), max_length=200, blank=True)
    appointed_at = models.DateTimeField(auto_now_add=True)
    appointed_by = models.ForeignKey(
        "identity.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")

    def __str__(self) -> str:
        return f"{self.user.display_name} @ {self.agency.code}"


class OfficerRoleGrant(models.Model):
    membership = models.ForeignKey(
        OfficerMembership, on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        "identity.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "role"], name="officer_role_once")
        ]

    def __str__(self) -> str:
        return f"{self.membership} {self.role}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class TotpDevice(models.Model):
    """A person's authenticator app (two-step verification, RFC 6238 TOTP); one per account.

    The base32 secret is stored sealed (AES-256-GCM, see `domain.totp`), never in plain text.
    The device counts only once `confirmed_at` is set, when the person has typed a first code.
    `last_used_step` is the 30-second step of the last accepted code: a code is accepted only
    for a later step, so each works once.
    """

    user = models.OneToOneField(
        "identity.User", on_delete=models.CASCADE, related_name="totp_device"
    )
    secret_key_id = models.CharField(max_length=32)
    secret_nonce = models.BinaryField()
    secret_ciphertext = models.BinaryField()
    confirmed_at = models.DateTimeField(_("turned on"), null=True, blank=True)
    last_used_step = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("two-step verification device")
        verbose_name_plural = _("two-step verification devices")

    def __str__(self) -> str:
        return f"TOTP of user {self.user_id}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def _binding(self) -> str:
        return f"totp:user:{self.user_id}"

    def seal_secret(self, secret: str) -> None:
        """Store `secret` sealed under a key derived from settings.SECRET_KEY (not saved yet)."""
        sealed = totp.seal(secret, master_key=settings.SECRET_KEY, binding=self._binding())
        self.secret_key_id, self.secret_nonce, self.secret_ciphertext = (
            sealed.key_id,
            sealed.nonce,
            sealed.ciphertext,
        )

    def open_secret(self) -> str:
        """The base32 secret. Raises totp.SecretUnavailableError if it cannot be opened."""
        sealed = totp.SealedSecret(
            key_id=self.secret_key_id,
            nonce=bytes(self.secret_nonce),
            ciphertext=bytes(self.secret_ciphertext),
        )
        return totp.unseal(sealed, master_key=settings.SECRET_KEY, binding=self._binding())
