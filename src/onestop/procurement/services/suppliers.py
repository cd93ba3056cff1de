"""Supplier registration and review (P-01)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import audit
from onestop.core.errors import ConflictError, InputError, NotFoundError, choice_label
from onestop.identity.public import Principal, business_get, has_valid_check_digit
from onestop.procurement.domain import files
from onestop.procurement.models import BANKS, Category, Supplier, SupplierDocument
from onestop.procurement.policies import require_registrar, require_supplier_member

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
ALLOWED = (files.PDF, files.PNG, files.JPEG)
PHONE = re.compile(r"^0[0-9]{9}$")


@dataclass(frozen=True)
class Upload:
    kind: str
    file_name: str
    data: bytes


class SupplierNotFoundError(NotFoundError):
    code = "supplier_not_found"
    message = _("%(business)s has not applied to be a supplier.")


class AlreadyAppliedError(ConflictError):
    code = "already_applied"
    message = _("%(business)s is already a supplier or waiting for review (%(status)s).")


class ReasonRequiredError(InputError):
    code = "reason_required"
    message = _("Give the reason; the supplier sees it.")


class DocumentTypeError(InputError):
    code = "document_type"
    message = _(
        "%(name)s is not a PDF, PNG or JPEG file. Scan or save the document in one of those."
    )


class DocumentSizeError(InputError):
    code = "document_size"
    message = _("%(name)s is %(size)s MB; a document may be at most 5 MB.")


def _content_type(upload: Upload) -> str:
    if not upload.data:
        raise DocumentTypeError(field="documents", params={"name": upload.file_name})
    if len(upload.data) > MAX_DOCUMENT_BYTES:
        raise DocumentSizeError(
            field="documents",
            params={"name": upload.file_name, "size": f"{len(upload.data) / 1048576:.1f}"},
        )
    content_type = files.detect(upload.data)
    if content_type in ALLOWED:
        return content_type
    raise DocumentTypeError(field="documents", params={"name": upload.file_name})


def _store_documents(supplier: Supplier, uploads: Iterable[Upload]) -> list[SupplierDocument]:
    stored = []
    for upload in uploads:
        if upload.kind not in SupplierDocument.Kind.values:
            raise InputError(_("Choose the kind of each document."), field="documents")
        stored.append(
            SupplierDocument.objects.create(
                supplier=supplier,
                kind=upload.kind,
                file_name=upload.file_name[:200],
                content_type=_content_type(upload),
                size=len(upload.data),
                sha256=hashlib.sha256(upload.data).hexdigest(),
                data=upload.data,
            )
        )
    return stored


def _payout(
    method: str, promptpay_id: str, bank_code: str, account_number: str, account_name: str
) -> dict:
    if method == Supplier.PayoutMethod.PROMPTPAY:
        digits = re.sub(r"[\s-]", "", promptpay_id)
        if not (PHONE.match(digits) or has_valid_check_digit(digits)):
            raise InputError(
                _("A PromptPay ID is a 10-digit mobile number or a valid 13-digit tax ID."),
                field="promptpay_id",
            )
        return {
            "promptpay_id": digits,
            "bank_code": "",
            "bank_account_number": "",
            "bank_account_name": "",
        }
    if method == Supplier.PayoutMethod.BANK_ACCOUNT:
        number = re.sub(r"[\s-]", "", account_number)
        if bank_code not in dict(BANKS):
            raise InputError(_("Choose the bank from the list."), field="bank_code")
        if not number.isdigit() or not 10 <= len(number) <= 12:
            raise InputError(
                _("A bank account number has 10 to 12 digits."), field="bank_account_number"
            )
        if not account_name.strip():
            raise InputError(
                _("Enter the account name as the bank shows it."), field="bank_account_name"
            )
        return {
            "promptpay_id": "",
            "bank_code": bank_code,
            "bank_account_number": number,
            "bank_account_name": account_name.strip(),
        }
    raise InputError(
        _("Choose how you are paid: PromptPay or a bank account."), field="payout_method"
    )


def _categories(codes: Iterable[str]) -> list[Category]:
    codes = list(dict.fromkeys(codes))
    categories = list(Category.objects.filter(code__in=codes))
    if not codes or len(categories) != len(codes):
        raise InputError(_("Choose at least one category from the list."), field="categories")
    return categories


@transaction.atomic
def supplier_apply(
    *,
    actor: Principal,
    juristic_id: str,
    categories: Iterable[str],
    address: str,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    payout_method: str,
    promptpay_id: str = "",
    bank_code: str = "",
    bank_account_number: str = "",
    bank_account_name: str = "",
    documents: Iterable[Upload] = (),
) -> Supplier:
    """A business applies (or, after a rejection, applies again) to sell to government.

    The business's owner or staff applies; the company registration certificate is required.
    """
    business = business_get(juristic_id)
    require_supplier_member(actor, business.pk, business.name_th)
    existing = Supplier.objects.select_for_update().filter(business=business).first()
    if existing and existing.status != Supplier.Status.REJECTED:
        raise AlreadyAppliedError(
            params={"business": business.name_th, "status": choice_label(existing)}
        )
    for field, value, label in (
        ("address", address, _("the address")),
        ("contact_name", contact_name, _("the contact person")),
        ("contact_phone", contact_phone, _("the contact telephone")),
    ):
        if not value.strip():
            raise InputError(_("Enter %(label)s."), field=field, params={"label": label})
    if "@" not in contact_email:
        raise InputError(
            _("Enter a valid e-mail address, like name@example.co.th."), field="contact_email"
        )
    chosen = _categories(categories)
    payout = _payout(payout_method, promptpay_id, bank_code, bank_account_number, bank_account_name)
    uploads = list(documents)
    has_certificate = any(u.kind == SupplierDocument.Kind.COMPANY_CERTIFICATE for u in uploads) or (
        existing is not None
        and existing.documents.filter(kind=SupplierDocument.Kind.COMPANY_CERTIFICATE).exists()
    )
    if not has_certificate:
        raise InputError(
            _("Attach the company registration certificate (หนังสือรับรองบริษัท)."), field="documents"
        )
    fields = {
        "address": address.strip(),
        "contact_name": contact_name.strip(),
        "contact_phone": contact_phone.strip(),
        "contact_email": contact_email.strip(),
        "payout_method": payout_method,
        **payout,
        "status": Supplier.Status.PENDING,
        "applied_at": timezone.now(),
        "applied_by_id": actor.user_id,
        "reviewed_at": None,
        "reviewed_by": None,
        "decision_reason": "",
    }
    if existing:
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save()
        supplier = existing
    else:
        supplier = Supplier.objects.create(business=business, **fields)
    supplier.categories.set(chosen)
    _store_documents(supplier, uploads)
    audit.record(
        actor=actor,
        action="procurement.supplier.apply",
        obj=supplier,
        after={
            "juristic_id": business.juristic_id,
            "categories": [c.code for c in chosen],
            "payout_method": payout_method,
            "documents": [u.kind for u in uploads],
        },
    )
    return supplier


@transaction.atomic
def supplier_document_add(
    *, actor: Principal, juristic_id: str, upload: Upload
) -> SupplierDocument:
    supplier = _supplier(juristic_id, lock=True)
    require_supplier_member(actor, supplier.business_id, supplier.business.name_th)
    (document,) = _store_documents(supplier, [upload])
    audit.record(
        actor=actor,
        action="procurement.supplier.document_add",
        obj=document,
        object_label=str(supplier),
        after={"kind": upload.kind, "sha256": document.sha256},
    )
    return document


def _supplier(juristic_id: str, lock: bool = False) -> Supplier:
    suppliers = Supplier.objects.select_related("business")
    if lock:
        suppliers = suppliers.select_for_update()
    supplier = suppliers.filter(business__juristic_id=juristic_id).first()
    if supplier is None:
        raise SupplierNotFoundError(params={"business": juristic_id})
    return supplier


REVIEW_TRANSITIONS = {
    "approve": ({Supplier.Status.PENDING}, Supplier.Status.APPROVED),
    "reject": ({Supplier.Status.PENDING}, Supplier.Status.REJECTED),
    "suspend": ({Supplier.Status.APPROVED}, Supplier.Status.SUSPENDED),
    "reinstate": ({Supplier.Status.SUSPENDED}, Supplier.Status.APPROVED),
}


class ReviewNotAllowedError(ConflictError):
    code = "review_not_allowed"
    message = _("A supplier who is %(status)s cannot be given the decision '%(decision)s'.")


@transaction.atomic
def supplier_review(
    *, actor: Principal, juristic_id: str, decision: str, reason: str = ""
) -> Supplier:
    """The registrar approves, rejects (with a reason), suspends (with a reason) or reinstates.

    Suspending takes the supplier's items off sale; approving or reinstating puts them back.
    """
    from onestop.procurement.services.catalog import reindex_supplier_items

    require_registrar(actor)
    if decision not in REVIEW_TRANSITIONS:
        raise InputError(_("Choose approve, reject, suspend or reinstate."), field="decision")
    supplier = _supplier(juristic_id, lock=True)
    allowed, target = REVIEW_TRANSITIONS[decision]
    if supplier.status not in allowed:
        raise ReviewNotAllowedError(params={"status": choice_label(supplier), "decision": decision})
    if decision in ("reject", "suspend") and not reason.strip():
        raise ReasonRequiredError(field="reason")
    before = {"status": supplier.status}
    supplier.status = target
    supplier.reviewed_at = timezone.now()
    supplier.reviewed_by_id = actor.user_id
    supplier.decision_reason = reason.strip()
    supplier.save(update_fields=["status", "reviewed_at", "reviewed_by", "decision_reason"])
    reindex_supplier_items(supplier)
    audit.record(
        actor=actor,
        action=f"procurement.supplier.{decision}",
        obj=supplier,
        before=before,
        after={"status": target, "reason": supplier.decision_reason},
    )
    return supplier
