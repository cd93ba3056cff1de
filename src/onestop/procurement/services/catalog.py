"""The e-Catalog (P-02): suppliers manage their items; the search index follows every change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import audit, money
from onestop.core.errors import ConflictError, InputError, NotFoundError, choice_label
from onestop.identity.public import Principal
from onestop.procurement.models import CatalogItem, Category, Supplier
from onestop.procurement.policies import require_supplier_member
from onestop.search.public import SearchDocument
from onestop.search.public import index as search_index
from onestop.search.public import remove as search_remove

INDEX = "catalog"
SELLABLE = "sellable"
EDITABLE = (
    "category",
    "sku",
    "name_th",
    "name_en",
    "description",
    "specs",
    "unit",
    "price",
    "valid_from",
    "valid_until",
    "active",
)


class SupplierNotApprovedError(ConflictError):
    code = "supplier_not_approved"
    message = _("%(business)s may not sell: its supplier registration is %(status)s.")


class ItemNotFoundError(NotFoundError):
    code = "item_not_found"
    message = _("There is no catalog item %(id)s.")


class DuplicateSkuError(ConflictError):
    code = "duplicate_sku"
    message = _("You already have an item with the code %(sku)s.")


def is_sellable(item: CatalogItem, day: dt.date | None = None) -> bool:
    return (
        item.active and item.supplier.status == Supplier.Status.APPROVED and item.is_valid_on(day)
    )


def index_item(item: CatalogItem) -> None:
    """Put the item in the Thai search index, tagged for the filters buyers use."""
    specs = " ".join(f"{key} {value}" for key, value in (item.specs or {}).items())
    tags = [f"category:{item.category.code}", f"supplier:{item.supplier_id}"]
    if item.category.parent_id:
        tags.append(f"category:{item.category.parent.code}")
    if item.active and item.supplier.status == Supplier.Status.APPROVED:
        tags.append(SELLABLE)
    search_index(
        index=INDEX,
        document=SearchDocument(
            key=str(item.pk),
            title=f"{item.name_th} {item.name_en}".strip(),
            text=" ".join(
                filter(
                    None,
                    [
                        item.description,
                        specs,
                        item.sku,
                        item.unit,
                        item.supplier.business.name_th,
                        item.category.name_th,
                        item.category.name_en,
                    ],
                )
            ),
            tags=tuple(tags),
            amount=item.price,
        ),
    )


def reindex_supplier_items(supplier: Supplier) -> int:
    """After a supplier's status changes, its items' sellable tag follows."""
    items = CatalogItem.objects.filter(supplier=supplier).select_related(
        "category__parent", "supplier__business"
    )
    count = 0
    for item in items:
        index_item(item)
        count += 1
    return count


def _category(code: str) -> Category:
    category = Category.objects.select_related("parent").filter(code=code).first()
    if category is None:
        raise InputError(_("Choose a category from the list."), field="category")
    return category


def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InputError(
            _("Unknown field %(field)s."),
            field=sorted(unknown)[0],
            params={"field": ", ".join(sorted(unknown))},
        )
    cleaned = dict(fields)
    if "category" in cleaned:
        cleaned["category"] = _category(str(cleaned["category"]))
    for name, label in (
        ("name_th", _("the Thai name")),
        ("unit", _("the unit, e.g. รีม or box")),
        ("sku", _("your item code")),
    ):
        if name in cleaned and not str(cleaned[name]).strip():
            raise InputError(_("Enter %(label)s."), field=name, params={"label": label})
        if name in cleaned:
            cleaned[name] = str(cleaned[name]).strip()
    if "price" in cleaned:
        cleaned["price"] = money.amount(cleaned["price"], field="price")
    if "specs" in cleaned:
        specs = cleaned["specs"] or {}
        if not isinstance(specs, dict) or not all(isinstance(v, str | int) for v in specs.values()):
            raise InputError(
                _("Specifications are names with values, like ขนาด: A4."), field="specs"
            )
        cleaned["specs"] = {
            str(k).strip(): str(v).strip() for k, v in specs.items() if str(k).strip()
        }
    return cleaned


def _check_validity(item: CatalogItem) -> None:
    if item.valid_until and item.valid_until < item.valid_from:
        raise InputError(_("The price cannot end before it starts."), field="valid_until")


@transaction.atomic
def catalog_item_create(
    *, actor: Principal, juristic_id: str, fields: Mapping[str, Any]
) -> CatalogItem:
    """An approved supplier lists an item (price per unit, VAT included)."""
    supplier = (
        Supplier.objects.select_related("business")
        .filter(business__juristic_id=juristic_id)
        .first()
    )
    if supplier is None:
        raise NotFoundError(
            _("%(id)s is not a supplier yet; apply first."),
            field="juristic_id",
            params={"id": juristic_id},
        )
    require_supplier_member(actor, supplier.business_id, supplier.business.name_th)
    if supplier.status != Supplier.Status.APPROVED:
        raise SupplierNotApprovedError(
            params={"business": supplier.business.name_th, "status": choice_label(supplier)}
        )
    values = _clean(fields)
    missing = [
        name for name in ("category", "sku", "name_th", "unit", "price") if name not in values
    ]
    if missing:
        raise InputError(_("This field is required."), field=missing[0])
    values.setdefault("valid_from", timezone.localdate())
    item = CatalogItem(supplier=supplier, **values)
    _check_validity(item)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise DuplicateSkuError(field="sku", params={"sku": values["sku"]}) from None
    index_item(item)
    audit.record(
        actor=actor,
        action="procurement.item.create",
        obj=item,
        after=audit.snapshot(item, ["sku", "name_th", "price", "unit", "category"]),
    )
    return item


def _own_item(actor: Principal, item_id: int) -> CatalogItem:
    item = (
        CatalogItem.objects.select_for_update(of=("self",))
        .select_related("supplier__business", "category__parent")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise ItemNotFoundError(params={"id": item_id})
    require_supplier_member(actor, item.supplier.business_id, item.supplier.business.name_th)
    return item


@transaction.atomic
def catalog_item_update(
    *, actor: Principal, item_id: int, fields: Mapping[str, Any]
) -> CatalogItem:
    """The supplier changes an item; orders already placed keep the price they were made at."""
    item = _own_item(actor, item_id)
    values = _clean(fields)
    tracked = ["sku", "name_th", "name_en", "price", "unit", "active", "valid_until"]
    before = audit.snapshot(item, tracked)
    for name, value in values.items():
        setattr(item, name, value)
    _check_validity(item)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise DuplicateSkuError(field="sku", params={"sku": item.sku}) from None
    index_item(item)
    changed_before, changed_after = audit.changes(before, audit.snapshot(item, tracked))
    if changed_after:
        audit.record(
            actor=actor,
            action="procurement.item.update",
            obj=item,
            before=changed_before,
            after=changed_after,
        )
    return item


@transaction.atomic
def catalog_item_delete(*, actor: Principal, item_id: int) -> None:
    """Take an item off the catalog for good (it stays on past orders): it is deactivated."""
    item = _own_item(actor, item_id)
    item.active = False
    item.save(update_fields=["active", "updated_at"])
    search_remove(index=INDEX, key=str(item.pk))
    audit.record(actor=actor, action="procurement.item.withdraw", obj=item)


@transaction.atomic
def catalog_item_framework_set(*, actor: Principal, item_id: int, framework: bool) -> CatalogItem:
    """The registrar marks an item's price as agreed under a framework agreement (or not):
    stores may then reorder it without an approval chain."""
    from onestop.procurement.policies import require_registrar

    require_registrar(actor)
    item = (
        CatalogItem.objects.select_for_update(of=("self",))
        .select_related("supplier__business", "category__parent")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise ItemNotFoundError(params={"id": item_id})
    before = {"framework_agreement": item.framework_agreement}
    item.framework_agreement = framework
    item.save(update_fields=["framework_agreement", "updated_at"])
    index_item(item)
    audit.record(
        actor=actor,
        action="procurement.item.framework",
        obj=item,
        before=before,
        after={"framework_agreement": framework},
    )
    return item
