"""Tenders and the electronic vault (P-10 to P-13).

Publishing creates the tender's vault key, splits its private half k-of-n among the bid-opening
committee (each share sealed to the member's own key) and forgets it. Bids arrive sealed; each
gets a receipt signed by the platform. From the opening time, committee members release their
shares with their vault passphrase; the k-th release rebuilds the key in memory and opens every
bid, and the key is published so that anyone can check every opened bid against its receipt.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import audit, money
from onestop.core.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    choice_label,
    required_text,
)
from onestop.documents.public import sign_statement
from onestop.identity.public import Principal, Role
from onestop.procurement.domain import vault
from onestop.procurement.infocenter import TENDER_INDEX, tender_search_document
from onestop.procurement.models import (
    CommitteeSeat,
    ProposalDocument,
    Submission,
    Supplier,
    Tender,
    TenderLine,
    VaultMemberKey,
)
from onestop.procurement.numbering import next_number
from onestop.procurement.policies import require_own_role, require_supplier_member
from onestop.procurement.services.documents import DocumentUpload, checked_upload
from onestop.procurement.services.vaults import (
    committee_members,
    share_unlock,
    vault_seal,
)
from onestop.search.public import index as search_index


class TenderNotFoundError(NotFoundError):
    code = "tender_not_found"
    message = _("There is no tender %(reference)s.")


class TenderStateError(ConflictError):
    code = "tender_state"
    message = _("Tender %(reference)s is %(status)s; this step is not possible now.")


class DeadlinePassedError(ConflictError):
    code = "deadline_passed"
    message = _("Bids for %(reference)s closed at %(deadline)s; this bid came too late.")


class TooEarlyError(ConflictError):
    code = "vault_too_early"
    message = _(
        "The vault of %(reference)s cannot be opened before %(opening)s. No share is accepted "
        "before then."
    )


class NotCommitteeError(PermissionDeniedError):
    code = "not_committee"
    message = _("Only the bid-opening committee of %(reference)s may release a share.")


class AlreadyReleasedError(ConflictError):
    code = "share_already_released"
    message = _("You already released your share for %(reference)s.")


class WrongVaultKeyError(InputError):
    code = "wrong_vault_key"
    message = _(
        "This bid was sealed to another vault key, not to the key of %(reference)s. Seal it "
        "again with the key shown on the tender page."
    )


class MalformedBidError(InputError):
    code = "malformed_bid"
    message = _("The sealed bid is not a valid vault envelope: %(problem)s")


class ResubmissionNotAllowedError(ConflictError):
    code = "resubmission_not_allowed"
    message = _("Tender %(reference)s accepts one bid per supplier; yours is already sealed.")


class SupplierNotApprovedError(PermissionDeniedError):
    code = "supplier_not_approved"
    message = _("%(business)s is not an approved supplier and cannot bid.")


@dataclass(frozen=True)
class LineInput:
    description: str
    quantity: object
    unit: str
    unit_reference_price: object
    source: str = ""


@dataclass(frozen=True)
class TenderTerms:
    """How bids are judged and what follows: qualification rules, award criteria, standstill."""

    qualification_rules: Sequence[str] = ()
    award_criteria: str = Tender.AwardCriteria.LOWEST_PRICE
    price_weight: int = 100
    standstill_days: int = 7
    award_due: dt.date | None = None
    plan_item_id: int | None = None


def _checked_terms(terms: TenderTerms, agency, opening_at: dt.datetime) -> dict:
    from onestop.procurement.services.planning import plan_item_for_tender

    rules = [rule.strip()[:500] for rule in terms.qualification_rules if rule.strip()]
    if terms.award_criteria not in Tender.AwardCriteria.values:
        raise InputError(
            _("Choose the award criteria: %(choices)s."),
            field="award_criteria",
            params={"choices": ", ".join(Tender.AwardCriteria.values)},
        )
    weight = 100
    if terms.award_criteria == Tender.AwardCriteria.PRICE_PERFORMANCE:
        weight = int(terms.price_weight)
        if not 1 <= weight <= 99:
            raise InputError(
                _("With price and performance, price weighs between 1 and 99 percent."),
                field="price_weight",
            )
    if not 0 <= int(terms.standstill_days) <= 60:
        raise InputError(_("The standstill lasts 0 to 60 days."), field="standstill_days")
    if terms.award_due is not None and terms.award_due < timezone.localdate(opening_at):
        raise InputError(_("The award cannot be expected before the opening."), field="award_due")
    plan_item = None
    if terms.plan_item_id is not None:
        plan_item = plan_item_for_tender(terms.plan_item_id, agency)
    return {
        "qualification_rules": rules,
        "award_criteria": terms.award_criteria,
        "price_weight": weight,
        "standstill_days": int(terms.standstill_days),
        "award_due": terms.award_due,
        "plan_item": plan_item,
    }


def _tender(reference: str, *, lock: bool = False) -> Tender:
    query = Tender.objects.select_related("agency")
    if lock:
        query = query.select_for_update()
    tender = query.filter(reference=reference).first()
    if tender is None:
        raise TenderNotFoundError(params={"reference": reference})
    return tender


def _state_error(tender: Tender) -> TenderStateError:
    return TenderStateError(params={"reference": tender.reference, "status": choice_label(tender)})


@transaction.atomic
def vault_key_create(*, actor: Principal, passphrase: str) -> VaultMemberKey:
    """A committee member's own vault key, wrapped under a passphrase only they know."""
    require_own_role(actor, Role.COMMITTEE)
    try:
        member = vault.member_key_create(passphrase)
    except vault.PassphraseError as error:
        raise InputError(
            _("The vault passphrase needs at least %(min)s characters."),
            field="passphrase",
            params={"min": vault.MIN_PASSPHRASE},
        ) from error
    if VaultMemberKey.objects.filter(user_id=actor.user_id).exists():
        raise ConflictError(
            _("You already have a vault key; it opens the shares of tenders sealed to it.")
        )
    key = VaultMemberKey.objects.create(
        user_id=actor.user_id,
        public=member.public,
        encrypted_private=member.encrypted_private,
    )
    audit.record(
        actor=actor,
        action="procurement.vault.member_key",
        obj=key,
        object_label=actor.actor_name,
        agency_code=actor.agency_code or "",
        after={"fingerprint": vault.fingerprint(member.public)},
    )
    return key


@transaction.atomic
def tender_create(
    *,
    actor: Principal,
    title: str,
    method: str,
    budget: object,
    lines: Sequence[LineInput],
    clarification_deadline: dt.datetime,
    submission_deadline: dt.datetime,
    opening_at: dt.datetime,
    description: str = "",
    allow_resubmission: bool = True,
    terms: TenderTerms | None = None,
) -> Tender:
    """A draft tender with its lines and reference price (ราคากลาง), built from the lines."""
    agency = require_own_role(actor, Role.BUYER)
    title = required_text(title, field="title", label=_("title"), max_length=300)
    if method not in Tender.Method.values:
        raise InputError(
            _("Choose a method: %(methods)s."),
            field="method",
            params={"methods": ", ".join(Tender.Method.values)},
        )
    budget_amount = money.amount(budget, field="budget")
    if not lines:
        raise InputError(_("Add at least one line to buy."), field="lines")
    # Whole seconds: the API and pages show times to the second, and a deadline is read as such.
    clarification_deadline, submission_deadline, opening_at = (
        moment.replace(microsecond=0)
        for moment in (clarification_deadline, submission_deadline, opening_at)
    )
    now = timezone.now()
    if not now < clarification_deadline <= submission_deadline <= opening_at:
        raise InputError(
            _(
                "The timeline must run forward from now: questions until, then bids until, "
                "then opening."
            ),
            field="submission_deadline",
        )
    parsed = []
    for position, line in enumerate(lines, start=1):
        parsed.append(
            TenderLine(
                position=position,
                description=required_text(
                    line.description, field="lines", label=_("description"), max_length=300
                ),
                quantity=money.quantity(line.quantity, field="lines"),
                unit=required_text(line.unit, field="lines", label=_("unit"), max_length=30),
                unit_reference_price=money.amount(line.unit_reference_price, field="lines"),
                source=(line.source or "").strip()[:300],
            )
        )
    reference_price = sum((line.amount for line in parsed), Decimal("0"))
    if reference_price > budget_amount:
        raise InputError(
            _("The reference price %(price)s baht is above the budget %(budget)s baht."),
            field="budget",
            params={"price": f"{reference_price:,.2f}", "budget": f"{budget_amount:,.2f}"},
        )
    checked_terms = _checked_terms(terms or TenderTerms(), agency, opening_at)
    reference, year = next_number(agency, "TD")
    tender = Tender.objects.create(
        agency=agency,
        reference=reference,
        fiscal_year=year,
        title=title,
        description=(description or "").strip(),
        method=method,
        budget=budget_amount,
        reference_price=reference_price,
        allow_resubmission=allow_resubmission,
        clarification_deadline=clarification_deadline,
        submission_deadline=submission_deadline,
        opening_at=opening_at,
        created_by_id=actor.user_id,
        **checked_terms,
    )
    for line in parsed:
        line.tender = tender
    TenderLine.objects.bulk_create(parsed)
    audit.record(
        actor=actor,
        action="procurement.tender.create",
        obj=tender,
        object_label=tender.reference,
        agency_code=agency.code,
        after={
            "title": title,
            "method": method,
            "budget": budget_amount,
            "reference_price": reference_price,
            "lines": len(parsed),
            "award_criteria": checked_terms["award_criteria"],
            "plan_item": checked_terms["plan_item"].pk if checked_terms["plan_item"] else None,
        },
    )
    return tender


@transaction.atomic
def tender_publish(
    *, actor: Principal, reference: str, committee: Sequence[str], threshold: int
) -> Tender:
    """Publish the invitation and seal the vault: a new key pair, split k-of-n among the
    committee (each share sealed to the member's own key); the private key is then dropped."""
    agency = require_own_role(actor, Role.BUYER)
    tender = _tender(reference, lock=True)
    if tender.agency_id != agency.pk:
        raise PermissionDeniedError(_("This tender belongs to another agency."))
    if tender.status != Tender.Status.DRAFT:
        raise _state_error(tender)
    if timezone.now() >= tender.clarification_deadline:
        raise InputError(
            _("The timeline has already started; set new dates before publishing."),
            field="clarification_deadline",
        )
    usernames = list(dict.fromkeys(name.strip() for name in committee if name.strip()))
    members = committee_members(agency, usernames, threshold)
    sealed = vault_seal(members, threshold, lambda index: _share_context(tender, index))
    seats = [
        CommitteeSeat(
            tender=tender,
            user=seat.user,
            share_index=seat.share_index,
            share_digest=seat.share_digest,
            sealed_share=seat.sealed_share,
        )
        for seat in sealed.seats
    ]
    CommitteeSeat.objects.bulk_create(seats)
    tender.vault_public = sealed.public
    tender.vault_kid = sealed.kid
    tender.threshold = threshold
    tender.status = Tender.Status.PUBLISHED
    tender.published_at = timezone.now()
    tender.save(update_fields=["vault_public", "vault_kid", "threshold", "status", "published_at"])
    # Findable on the public information center from now on (same transaction).
    search_index(index=TENDER_INDEX, document=tender_search_document(tender))
    audit.record(
        actor=actor,
        action="procurement.tender.publish",
        obj=tender,
        object_label=tender.reference,
        agency_code=agency.code,
        after={
            "vault_kid": tender.vault_kid,
            "committee": usernames,
            "threshold": threshold,
            "submission_deadline": tender.submission_deadline,
            "opening_at": tender.opening_at,
        },
    )
    return tender


def _share_context(tender: Tender, index: int) -> str:
    return f"share|{tender.reference}|{index}"


def document_context(tender_reference: str, sequence: int, position: int) -> str:
    return f"onestop-proposal-document:{tender_reference}:{sequence}:{position}"


def bid_context(tender_reference: str, supplier_id: int) -> str:
    """What a bid envelope is bound to: this tender and this supplier."""
    return f"bid|{tender_reference}|{supplier_id}"


def _bidding_supplier(actor: Principal, supplier_id: int) -> Supplier:
    supplier = Supplier.objects.select_related("business").filter(pk=supplier_id).first()
    if supplier is None:
        raise NotFoundError(_("There is no supplier %(id)s."), params={"id": supplier_id})
    require_supplier_member(actor, supplier.business_id, supplier.business.name_th)
    if supplier.status != Supplier.Status.APPROVED:
        raise SupplierNotApprovedError(params={"business": supplier.business.name_th})
    return supplier


@transaction.atomic
def bid_submit(
    *,
    actor: Principal,
    reference: str,
    supplier_id: int,
    sealed: bytes,
    documents: Sequence[DocumentUpload] = (),
) -> Submission:
    """Store a sealed bid and give it a signed receipt. The platform never sees the price.

    Proposal documents are sealed to the same vault key as they arrive, so the database holds
    only their ciphertext until the opening."""
    now = timezone.now()
    checked_documents = [checked_upload(upload, field="documents") for upload in documents]
    supplier = _bidding_supplier(actor, supplier_id)
    tender = _tender(reference, lock=True)
    if tender.status != Tender.Status.PUBLISHED:
        raise _state_error(tender)
    if now >= tender.submission_deadline:
        raise DeadlinePassedError(
            params={
                "reference": tender.reference,
                "deadline": timezone.localtime(tender.submission_deadline).isoformat(),
            }
        )
    try:
        envelope = vault.inspect(sealed)
    except vault.VaultError as error:
        raise MalformedBidError(field="sealed_bid", params={"problem": str(error)}) from error
    if envelope.kid != tender.vault_kid:
        raise WrongVaultKeyError(field="sealed_bid", params={"reference": tender.reference})
    current = Submission.objects.filter(tender=tender, supplier=supplier, superseded=False)
    if current.exists():
        if not tender.allow_resubmission:
            raise ResubmissionNotAllowedError(params={"reference": tender.reference})
        current.update(superseded=True)
    sequence = (Submission.objects.filter(tender=tender).aggregate(m=Max("sequence"))["m"] or 0) + 1
    sha256 = vault.digest(sealed)
    receipt = vault.receipt_payload(
        tender=tender.reference,
        bidder=str(supplier.pk),
        submitted_at=now.isoformat(),
        sha256=sha256,
        sequence=sequence,
    )
    signed = sign_statement(receipt)
    submission = Submission.objects.create(
        tender=tender,
        supplier=supplier,
        sequence=sequence,
        submitted_by_id=actor.user_id,
        submitted_at=now,
        sealed=sealed,
        sha256=sha256,
        receipt=receipt,
        receipt_signature=signed.signature,
        receipt_certificate=signed.certificate_pem,
    )
    sealed_documents = ProposalDocument.objects.bulk_create(
        ProposalDocument(
            submission=submission,
            position=position,
            file_name=upload.file_name,
            content_type=content_type,
            size=len(upload.data),
            sealed=(
                envelope := vault.seal(
                    bytes(tender.vault_public),
                    upload.data,
                    document_context(tender.reference, submission.sequence, position),
                )
            ),
            sha256=vault.digest(envelope),
        )
        for position, (upload, content_type) in enumerate(checked_documents, start=1)
    )
    audit.record(
        actor=actor,
        action="procurement.bid.submit",
        obj=submission,
        object_label=f"{tender.reference} #{sequence}",
        agency_code=tender.agency.code,
        after={
            "tender": tender.reference,
            "supplier": supplier.pk,
            "sha256": sha256,
            "documents": [document.sha256 for document in sealed_documents],
        },
    )
    return submission


@transaction.atomic
def share_release(
    *, actor: Principal, reference: str, passphrase: str, second_factor: str
) -> Tender:
    """A committee member releases their share (after the opening time only), with their vault
    passphrase and a code from their authenticator app. The k-th release opens the vault."""
    tender = _tender(reference, lock=True)
    seat = CommitteeSeat.objects.filter(tender=tender, user_id=actor.user_id).first()
    if seat is None or not actor.is_authenticated:
        raise NotCommitteeError(params={"reference": tender.reference})
    if tender.status != Tender.Status.PUBLISHED:
        raise _state_error(tender)
    if timezone.now() < tender.opening_at:
        raise TooEarlyError(
            params={
                "reference": tender.reference,
                "opening": timezone.localtime(tender.opening_at).isoformat(),
            }
        )
    if seat.released_at is not None:
        raise AlreadyReleasedError(params={"reference": tender.reference})
    share = share_unlock(
        actor=actor,
        seat=seat,
        context=_share_context(tender, seat.share_index),
        reference=tender.reference,
        passphrase=passphrase,
        second_factor=second_factor,
    )
    seat.released_at = timezone.now()
    seat.released_share = vault.share_bytes(share)
    seat.save(update_fields=["released_at", "released_share"])
    released = CommitteeSeat.objects.filter(tender=tender, released_at__isnull=False).count()
    audit.record(
        actor=actor,
        action="procurement.vault.share_release",
        obj=tender,
        object_label=tender.reference,
        agency_code=tender.agency.code,
        after={"share_index": seat.share_index, "released": released, "needed": tender.threshold},
    )
    if released >= tender.threshold:
        _open(tender, actor)
    return tender


def _opened_price(content: bytes) -> Decimal:
    data = json.loads(content)
    if not isinstance(data, dict) or "price" not in data:
        raise ValueError("the bid has no price")
    return money.amount(data["price"], field="price")


def _open_documents(private, tender: Tender, submission: Submission) -> None:
    for document in submission.documents.all():
        try:
            document.data = vault.open_sealed(
                private,
                bytes(document.sealed),
                document_context(tender.reference, submission.sequence, document.position),
            )
        except vault.VaultError:
            continue
        document.save(update_fields=["data"])


def _open(tender: Tender, actor: Principal) -> None:
    seats = list(CommitteeSeat.objects.filter(tender=tender, released_at__isnull=False))
    shares = [vault.share_from_bytes(bytes(seat.released_share)) for seat in seats]
    private = vault.combine(shares, tender.threshold, bytes(tender.vault_public))
    opened = invalid = 0
    for submission in Submission.objects.filter(tender=tender).select_for_update():
        problem = ""
        content = b""
        price = None
        if vault.digest(bytes(submission.sealed)) != submission.sha256:
            problem = "The stored envelope does not match its receipt."
        else:
            try:
                content = vault.open_sealed(
                    private,
                    bytes(submission.sealed),
                    bid_context(tender.reference, submission.supplier_id),
                )
                price = _opened_price(content)
            except (vault.VaultError, ValueError, UnicodeDecodeError) as error:
                problem = str(error)[:300]
        submission.outcome = Submission.Outcome.INVALID if problem else Submission.Outcome.OPENED
        submission.problem = problem
        submission.opened_content = content.decode("utf-8", errors="replace")
        submission.price = price
        submission.save(update_fields=["outcome", "problem", "opened_content", "price"])
        _open_documents(private, tender, submission)
        if problem:
            invalid += 1
        else:
            opened += 1
    CommitteeSeat.objects.filter(tender=tender).update(released_share=None)
    tender.vault_private_revealed = vault.private_scalar(private)
    tender.status = Tender.Status.OPENED
    tender.opened_at = timezone.now()
    tender.save(update_fields=["vault_private_revealed", "status", "opened_at"])
    audit.record(
        actor=actor,
        action="procurement.vault.open",
        obj=tender,
        object_label=tender.reference,
        agency_code=tender.agency.code,
        after={"opened": opened, "invalid": invalid, "vault_kid": tender.vault_kid},
    )
