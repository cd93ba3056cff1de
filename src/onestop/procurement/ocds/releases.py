"""OCDS 1.1 releases, release packages and record packages of OneStop's public procurement data.

Read-only: pure builders (a model instance in, a JSON-ready dict out) and the queries that feed
them. What is published:

* a tender (`ocid = {prefix}-{tender.reference}`), only once published, never a draft: a
  `planning`+`tender` release at publication, and after the vault opens a `tenderUpdate` release
  naming the tenderers. Bidders stay secret until opening and bid prices are never published
  (the bids extension is not part of the core schema);
* a catalog purchase without tender (`ocid = {prefix}-{requisition.number}`): per purchase order
  an `award`+`contract` release when it is issued, then an `implementation` release with the
  payments (paid invoices) and a `contractTermination` when the order is closed or cancelled.

Amounts are JSON numbers with currency THB; dates are ISO 8601 with the time zone. The OCID
prefix comes from the setting ONESTOP_OCID_PREFIX (default "ocds-onestop").
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from onestop.core.errors import NotFoundError
from onestop.procurement.models import (
    Invoice,
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Requisition,
    Submission,
    Tender,
)
from onestop.procurement.services.tendering import TenderNotFoundError

DEFAULT_OCID_PREFIX = "ocds-onestop"
CURRENCY = "THB"
LANGUAGE = "th"
VERSION = "1.1"
PUBLISHER = {"name": "OneStop"}
# Organization identifier schemes: government agencies by their OneStop agency code, businesses
# by their 13-digit juristic ID from the Department of Business Development's register.
AGENCY_SCHEME = "TH-GOV"
BUSINESS_SCHEME = "TH-DBD"
ITEM_SCHEME = "UNSPSC"
CHUNK_SIZE = 200

METHODS = {  # Thai methods (Public Procurement Act B.E. 2560) to the OCDS `method` codelist
    Tender.Method.E_BIDDING: ("open", "ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)"),
    Tender.Method.E_MARKET: ("open", "ตลาดอิเล็กทรอนิกส์ (e-market)"),
    Tender.Method.SPECIFIC: ("limited", "วิธีเฉพาะเจาะจง"),
}
CATALOG_METHOD = ("direct", "ซื้อจากแคตตาล็อกอิเล็กทรอนิกส์ (e-catalog)")
ORDER_ENDED = (PurchaseOrder.Status.CLOSED, PurchaseOrder.Status.CANCELLED)


# Identifiers, values and dates -----------------------------------------------------------------


def ocid_prefix() -> str:
    return getattr(settings, "ONESTOP_OCID_PREFIX", DEFAULT_OCID_PREFIX)


def tender_ocid(tender: Tender) -> str:
    return f"{ocid_prefix()}-{tender.reference}"


def purchase_ocid(requisition: Requisition) -> str:
    return f"{ocid_prefix()}-{requisition.number}"


def when(value: dt.datetime) -> str:
    """ISO 8601 with the time zone (Bangkok time), to the second."""
    return timezone.localtime(value).isoformat(timespec="seconds")


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _end_of(day: dt.date) -> str:
    moment = dt.datetime.combine(day, dt.time(23, 59, 59))
    return when(timezone.make_aware(moment, timezone.get_default_timezone()))


def number(value: Decimal) -> int | float:
    """A JSON number: integral amounts as integers, others as floats (2-3 decimal places, far
    within a double's precision for 14 digits)."""
    return int(value) if value == value.to_integral_value() else float(value)


def money(amount: Decimal) -> dict[str, Any]:
    return {"amount": number(amount), "currency": CURRENCY}


def _release(
    ocid: str, moment: dt.datetime, tags: list[str], key: str = "", **sections: Any
) -> dict[str, Any]:
    release_id = "-".join(part for part in (ocid, key, tags[0], _stamp(moment)) if part)
    return {
        "ocid": ocid,
        "id": release_id,
        "date": when(moment),
        "tag": tags,
        "initiationType": "tender",
        "language": LANGUAGE,
        **sections,
    }


# Parties -----------------------------------------------------------------------------------------


def agency_party_id(agency) -> str:
    return f"{AGENCY_SCHEME}-{agency.code}"


def business_party_id(business) -> str:
    return f"{BUSINESS_SCHEME}-{business.juristic_id}"


def _agency_party(agency, roles: list[str]) -> dict[str, Any]:
    return {
        "id": agency_party_id(agency),
        "name": agency.name_th,
        "identifier": {"scheme": AGENCY_SCHEME, "id": agency.code, "legalName": agency.name_th},
        "roles": roles,
    }


def _business_party(business, roles: list[str]) -> dict[str, Any]:
    return {
        "id": business_party_id(business),
        "name": business.name_th,
        "identifier": {
            "scheme": BUSINESS_SCHEME,
            "id": business.juristic_id,
            "legalName": business.name_th,
        },
        "roles": roles,
    }


def reference(party: dict[str, Any]) -> dict[str, Any]:
    """The OrganizationReference of a party: the same id and name."""
    return {"id": party["id"], "name": party["name"]}


# Tenders -------------------------------------------------------------------------------------------


def _category(title: str) -> str | None:
    """Thai notices begin with ซื้อ (buy: goods) or จ้าง (hire: services; จ้างก่อสร้าง: works)."""
    title = title.strip()
    if title.startswith(("จ้างก่อสร้าง", "ก่อสร้าง")):
        return "works"
    if title.startswith("จ้าง"):
        return "services"
    if title.startswith("ซื้อ"):
        return "goods"
    return None


def _tender_lines(tender: Tender) -> list[dict[str, Any]]:
    return [
        {
            "id": str(line.position),
            "description": line.description,
            "quantity": number(line.quantity),
            "unit": {"name": line.unit, "value": money(line.unit_reference_price)},
        }
        for line in tender.lines.all()
    ]


def _bidders(tender: Tender) -> list[Any]:
    """The suppliers with a current bid, once opened (never before: they are secret)."""
    if tender.opened_at is None:
        return []
    submissions = getattr(tender, "ocds_bids", None)
    if submissions is None:
        submissions = list(_bid_query().filter(tender=tender))
    seen: dict[int, Any] = {}
    for submission in submissions:
        seen.setdefault(submission.supplier_id, submission.supplier.business)
    return list(seen.values())


def _tender_section(tender: Tender, procuring: dict[str, Any], status: str) -> dict[str, Any]:
    method, details = METHODS.get(tender.method, ("open", tender.method))
    section: dict[str, Any] = {
        "id": tender.reference,
        "title": tender.title,
        "status": status,
        "procuringEntity": procuring,
        "items": _tender_lines(tender),
        "value": money(tender.reference_price),
        "procurementMethod": method,
        "procurementMethodDetails": details,
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {
            "startDate": when(tender.published_at),
            "endDate": when(tender.submission_deadline),
        },
        "enquiryPeriod": {
            "startDate": when(tender.published_at),
            "endDate": when(tender.clarification_deadline),
        },
    }
    if tender.description:
        section["description"] = tender.description
    category = _category(tender.title)
    if category:
        section["mainProcurementCategory"] = category
    return section


def tender_releases(tender: Tender) -> list[dict[str, Any]]:
    """The releases of one tender, oldest first: invitation, opening, award, contract and its
    payments. None for a tender that was never published."""
    if tender.published_at is None:
        return []
    ocid = tender_ocid(tender)
    agency = _agency_party(tender.agency, ["buyer", "procuringEntity"])
    buyer = reference(agency)
    releases = [
        _release(
            ocid,
            tender.published_at,
            ["planning", "tender"],
            buyer=buyer,
            parties=[agency],
            planning={
                "budget": {
                    "id": f"FY{tender.fiscal_year}",
                    "description": f"งบประมาณปี พ.ศ. {tender.fiscal_year}",
                    "amount": money(tender.budget),
                }
            },
            tender=_tender_section(tender, buyer, "active"),
        )
    ]
    if tender.opened_at is not None:
        tenderers = [_business_party(business, ["tenderer"]) for business in _bidders(tender)]
        section = _tender_section(tender, buyer, "complete")
        section["numberOfTenderers"] = len(tenderers)
        section["tenderers"] = [reference(party) for party in tenderers]
        releases.append(
            _release(
                ocid,
                tender.opened_at,
                ["tenderUpdate"],
                buyer=buyer,
                parties=[agency, *tenderers],
                tender=section,
            )
        )
    releases.extend(_award_releases(tender, ocid, agency))
    return releases


def award_id(tender: Tender) -> str:
    return f"{tender.reference}-award"


def _award_releases(tender: Tender, ocid: str, agency: dict[str, Any]) -> list[dict[str, Any]]:
    winner = tender.awarded_submission if tender.awarded_submission_id else None
    if winner is None or tender.awarded_at is None:
        return []
    buyer = reference(agency)
    supplier = _business_party(winner.supplier.business, ["supplier"])
    seller = reference(supplier)
    releases = [
        _release(
            ocid,
            tender.awarded_at,
            ["award"],
            buyer=buyer,
            parties=[agency, supplier],
            awards=[
                {
                    "id": award_id(tender),
                    "status": "active",
                    "date": when(tender.awarded_at),
                    "value": money(winner.final_price),
                    "suppliers": [seller],
                    "contractPeriod": {
                        "startDate": when(tender.awarded_at),
                        "endDate": when(tender.standstill_until),
                    },
                }
            ],
        )
    ]
    contract = (
        getattr(tender, "contract", None) if tender.status == Tender.Status.CONTRACTED else None
    )
    if contract is None:
        return releases
    order = contract.order
    section: dict[str, Any] = {
        "id": contract.number,
        "awardID": award_id(tender),
        "status": "active",
        "dateSigned": when(contract.signed_at),
        "value": money(contract.amount),
        "items": _order_items(order),
        "period": {
            "startDate": when(contract.signed_at),
            "endDate": _end_of(contract.delivery_due),
        },
    }
    releases.append(
        _release(
            ocid,
            contract.signed_at,
            ["contract"],
            buyer=buyer,
            parties=[agency, supplier],
            contracts=[section],
        )
    )
    implementation = _implementation_release(ocid, order, contract.number, award_id(tender))
    if implementation:
        releases.append(implementation)
    return releases


# Catalog purchases -----------------------------------------------------------------------------


def _order_items(order: PurchaseOrder) -> list[dict[str, Any]]:
    items = []
    for line in order.lines.all():
        item: dict[str, Any] = {
            "id": str(line.pk),
            "description": line.description,
            "quantity": number(line.quantity),
            "unit": {"name": line.unit, "value": money(line.unit_price)},
        }
        if line.item_id:
            category = line.item.category
            item["classification"] = {
                "scheme": ITEM_SCHEME,
                "id": category.code,
                "description": category.name_th,
            }
        items.append(item)
    return items


def _paid_invoices(order: PurchaseOrder) -> list[Invoice]:
    paid = getattr(order, "ocds_paid", None)
    if paid is None:
        paid = list(_paid_query().filter(order=order))
    return [invoice for invoice in paid if invoice.paid_at is not None]


def _ended_at(order: PurchaseOrder) -> dt.datetime | None:
    if order.status not in ORDER_ENDED:
        return None
    ends = getattr(order, "ocds_ends", None)
    if ends is None:
        ends = list(_end_query().filter(order=order))
    moments = [event.at for event in ends if event.status == order.status]
    return max(moments) if moments else None


def order_releases(order: PurchaseOrder) -> list[dict[str, Any]]:
    """The releases of one purchase order from the catalog, oldest first."""
    requisition = order.requisition
    ocid = purchase_ocid(requisition)
    items = _order_items(order)
    agency = _agency_party(order.agency, ["buyer", "procuringEntity"])
    supplier = _business_party(order.supplier.business, ["supplier"])
    buyer, seller = reference(agency), reference(supplier)
    method, details = CATALOG_METHOD
    budget_line = requisition.budget_line
    contract: dict[str, Any] = {
        "id": order.number,
        "awardID": order.number,
        "status": "active",
        "dateSigned": when(order.issued_at),
        "value": money(order.total),
        "items": items,
    }
    if order.delivery_due:
        contract["period"] = {
            "startDate": when(order.issued_at),
            "endDate": _end_of(order.delivery_due),
        }
    releases = [
        _release(
            ocid,
            order.issued_at,
            ["award", "contract"],
            key=order.number,
            buyer=buyer,
            parties=[agency, supplier],
            planning={
                "budget": {
                    "id": f"FY{budget_line.fiscal_year}-{budget_line.code}",
                    "description": f"{budget_line.name} (งบประมาณปี พ.ศ. {budget_line.fiscal_year})",
                    "amount": money(requisition.total),
                }
            },
            tender={
                "id": requisition.number,
                "status": "complete",
                "procuringEntity": buyer,
                "procurementMethod": method,
                "procurementMethodDetails": details,
                "mainProcurementCategory": "goods",
            },
            awards=[
                {
                    "id": order.number,
                    "status": "active",
                    "date": when(order.issued_at),
                    "value": money(order.total),
                    "suppliers": [seller],
                    "items": items,
                }
            ],
            contracts=[contract],
        )
    ]
    implementation = _implementation_release(ocid, order, order.number, order.number)
    if implementation:
        releases.append(implementation)
    return releases


def _implementation_release(
    ocid: str, order: PurchaseOrder, contract_id: str, award: str
) -> dict[str, Any] | None:
    """Payments and the end of a contract's purchase order, as one release (or None yet)."""
    paid = _paid_invoices(order)
    ended = _ended_at(order)
    moments = [invoice.paid_at for invoice in paid] + ([ended] if ended else [])
    if not moments:
        return None
    agency = _agency_party(order.agency, ["buyer", "procuringEntity"])
    supplier = _business_party(order.supplier.business, ["supplier"])
    buyer, seller = reference(agency), reference(supplier)
    tags = (["implementation"] if paid else []) + (["contractTermination"] if ended else [])
    update: dict[str, Any] = {
        "id": contract_id,
        "awardID": award,
        "status": "terminated" if ended else "active",
    }
    parties = [agency, supplier]
    if paid:
        parties = [
            _agency_party(order.agency, ["buyer", "procuringEntity", "payer"]),
            _business_party(order.supplier.business, ["supplier", "payee"]),
        ]
        update["implementation"] = {
            "transactions": [
                {
                    "id": invoice.supplier_number,
                    "date": when(invoice.paid_at),
                    "value": money(invoice.total - invoice.penalty_deducted),
                    "payer": buyer,
                    "payee": seller,
                }
                for invoice in paid
            ]
        }
    return _release(
        ocid,
        max(moments),
        tags,
        key=contract_id,
        buyer=buyer,
        parties=parties,
        contracts=[update],
    )


# Queries (read-only) -----------------------------------------------------------------------------


def _bid_query() -> QuerySet[Submission]:
    # Only opened tenders' bids are ever read, and never their sealed content or price.
    return (
        Submission.objects.filter(tender__opened_at__isnull=False, superseded=False)
        .select_related("supplier__business")
        .only(
            "tender_id",
            "sequence",
            "supplier__business__juristic_id",
            "supplier__business__name_th",
        )
        .order_by("sequence")
    )


def _paid_query() -> QuerySet[Invoice]:
    return Invoice.objects.filter(status=Invoice.Status.PAID).order_by("paid_at", "pk")


def _end_query() -> QuerySet[PurchaseOrderEvent]:
    return PurchaseOrderEvent.objects.filter(status__in=ORDER_ENDED)


def public_tenders() -> QuerySet[Tender]:
    """Published and opened tenders, oldest publication first, with what the releases need."""
    return (
        Tender.objects.filter(published_at__isnull=False)
        .select_related(
            "agency",
            "awarded_submission__supplier__business",
            "contract__order__agency",
            "contract__order__supplier__business",
        )
        .defer("vault_public", "vault_private_revealed")
        .prefetch_related("lines", Prefetch("submissions", _bid_query(), to_attr="ocds_bids"))
        .order_by("published_at", "pk")
    )


def public_orders() -> QuerySet[PurchaseOrder]:
    """Catalog purchase orders, grouped by requisition (one contracting process each), oldest
    first. A contract's order is part of its tender's process."""
    return (
        PurchaseOrder.objects.filter(requisition__isnull=False)
        .select_related("agency", "supplier__business", "requisition__budget_line")
        .prefetch_related(
            Prefetch(
                "lines",
                PurchaseOrderLine.objects.select_related("item__category").order_by("pk"),
            ),
            Prefetch("invoices", _paid_query(), to_attr="ocds_paid"),
            Prefetch("events", _end_query(), to_attr="ocds_ends"),
        )
        .order_by("requisition__created_at", "requisition_id", "issued_at", "pk")
    )


def iter_releases(chunk_size: int = CHUNK_SIZE) -> Iterator[dict[str, Any]]:
    """Every public release, one process after another; the database is read in chunks."""
    for tender in public_tenders().iterator(chunk_size=chunk_size):
        yield from tender_releases(tender)
    for order in public_orders().iterator(chunk_size=chunk_size):
        yield from order_releases(order)


def iter_records(chunk_size: int = CHUNK_SIZE) -> Iterator[dict[str, Any]]:
    """Every contracting process as a record (releases and compiled release)."""
    for tender in public_tenders().iterator(chunk_size=chunk_size):
        releases = tender_releases(tender)
        if releases:
            yield record(tender_ocid(tender), releases)
    orders = public_orders().iterator(chunk_size=chunk_size)
    for _requisition, group in groupby(orders, key=lambda order: order.requisition_id):
        group = list(group)
        releases = [release for order in group for release in order_releases(order)]
        yield record(purchase_ocid(group[0].requisition), releases)


def tender_public(reference: str) -> Tender:
    tender = public_tenders().filter(reference=reference).first()
    if tender is None:
        raise TenderNotFoundError(params={"reference": reference})
    return tender


def releases_of(ocid: str) -> list[dict[str, Any]]:
    """Every release of one contracting process, oldest first; NotFoundError if none is public."""
    prefix = f"{ocid_prefix()}-"
    if not ocid.startswith(prefix):
        raise NotFoundError()
    key = ocid.removeprefix(prefix)
    tender = public_tenders().filter(reference=key).first()
    if tender is not None:
        return tender_releases(tender)
    releases = [
        release
        for order in public_orders().filter(requisition__number=key)
        for release in order_releases(order)
    ]
    if not releases:
        raise NotFoundError()
    return _by_date(releases)


# Records and the compiled release ----------------------------------------------------------------


def _by_date(releases: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(releases, key=lambda release: dt.datetime.fromisoformat(release["date"]))


def _identified(values: list[Any]) -> bool:
    return all(isinstance(value, dict) and "id" in value for value in values)


def _merge(into: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        current = into.get(key)
        if value is None:
            into.pop(key, None)
        elif isinstance(value, dict) and isinstance(current, dict):
            _merge(current, value)
        elif (
            isinstance(value, list)
            and isinstance(current, list)
            and value
            and _identified(value)
            and _identified(current)
        ):
            by_id = {str(item["id"]): item for item in current}
            for item in value:
                existing = by_id.get(str(item["id"]))
                if existing is None:
                    copied = copy.deepcopy(item)
                    current.append(copied)
                    by_id[str(item["id"])] = copied
                else:
                    _merge(existing, item)
        else:
            into[key] = copy.deepcopy(value)


def compile_releases(releases: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The compiled release: releases merged in date order, later values overriding earlier
    ones and arrays of objects with an `id` merged by id (the OCDS merge routine)."""
    ordered = _by_date(releases)
    if not ordered:
        raise ValueError("There is no release to compile.")
    compiled: dict[str, Any] = {}
    for release in ordered:
        _merge(compiled, {k: v for k, v in release.items() if k not in ("id", "date", "tag")})
    latest = ordered[-1]
    return {
        "ocid": latest["ocid"],
        "id": f"{latest['ocid']}-compiled-{_stamp(dt.datetime.fromisoformat(latest['date']))}",
        "date": latest["date"],
        "tag": ["compiled"],
        **{k: v for k, v in compiled.items() if k not in ("ocid",)},
    }


def record(ocid: str, releases: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A record with the releases embedded, oldest first, and the compiled release."""
    ordered = _by_date(releases)
    return {"ocid": ocid, "releases": ordered, "compiledRelease": compile_releases(ordered)}


# Packages ----------------------------------------------------------------------------------------


def _published(published_date: dt.datetime | None) -> str:
    return when(published_date or timezone.now())


def package_uri(path: str) -> str:
    return f"{settings.ONESTOP_PUBLIC_URL}/api/ocds/{path.lstrip('/')}"


def _package_head(uri: str, published_date: dt.datetime | None) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": _published(published_date),
        "publisher": dict(PUBLISHER),
    }


def release_package(
    releases: Iterable[dict[str, Any]], uri: str, published_date: dt.datetime | None = None
) -> dict[str, Any]:
    return {**_package_head(uri, published_date), "releases": list(releases)}


def record_package(
    ocid: str, uri: str | None = None, published_date: dt.datetime | None = None
) -> dict[str, Any]:
    """The record package of one contracting process; NotFoundError if it is not public."""
    releases = releases_of(ocid)
    return {
        **_package_head(uri or package_uri(f"records/{ocid}"), published_date),
        "records": [record(ocid, releases)],
    }


def tender_release_package(
    reference: str, uri: str | None = None, published_date: dt.datetime | None = None
) -> dict[str, Any]:
    releases = tender_releases(tender_public(reference))
    return release_package(
        releases, uri or package_uri(f"tenders/{reference}/releases"), published_date
    )


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def iter_package_json(
    head: dict[str, Any], key: str, items: Iterable[Any], progress: Callable[[], Any] | None = None
) -> Iterator[str]:
    """A package as JSON text in pieces: the header, then each item, then the closing brackets.
    `progress` is called after each item."""
    yield dumps(head)[:-1] + f",{dumps(key)}:["
    separator = ""
    for item in items:
        yield separator + dumps(item)
        separator = ","
        if progress is not None:
            progress()
    yield "]}"


def iter_release_package_json(
    uri: str | None = None,
    published_date: dt.datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
    releases: Iterable[dict[str, Any]] | None = None,
    progress: Callable[[], Any] | None = None,
) -> Iterator[str]:
    """The release package of all public data (or of `releases`), streamed: memory stays flat
    however many tenders and orders there are."""
    head = _package_head(uri or package_uri("releases"), published_date)
    items = iter_releases(chunk_size) if releases is None else releases
    return iter_package_json(head, "releases", items, progress)


def iter_record_package_json(
    uri: str | None = None,
    published_date: dt.datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[], Any] | None = None,
) -> Iterator[str]:
    """The record package of every public contracting process, streamed."""
    head = _package_head(uri or package_uri("records"), published_date)
    return iter_package_json(head, "records", iter_records(chunk_size), progress)
