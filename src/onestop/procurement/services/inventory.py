"""Agency stores (P-08): stock in and out, and automatic reorders at the reorder point."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import audit, money
from onestop.core.errors import ApplicationError, ConflictError, InputError, NotFoundError
from onestop.core.thai import fiscal_year
from onestop.identity.public import Principal, Role, principal_for, user_find
from onestop.procurement.domain.approval import required_levels
from onestop.procurement.models import (
    BudgetLine,
    CatalogItem,
    PurchaseOrder,
    Requisition,
    RequisitionLine,
    StockItem,
    StockMovement,
    Store,
)
from onestop.procurement.numbering import next_number
from onestop.procurement.policies import own_agency, require_agency_role, require_own_role
from onestop.procurement.services import budget
from onestop.procurement.services.catalog import is_sellable

OPEN_REQUISITION = (
    Requisition.Status.DRAFT,
    Requisition.Status.SUBMITTED,
    Requisition.Status.APPROVED,
)
OPEN_ORDER = (
    PurchaseOrder.Status.ISSUED,
    PurchaseOrder.Status.ACKNOWLEDGED,
    PurchaseOrder.Status.SHIPPED,
    PurchaseOrder.Status.PARTIALLY_DELIVERED,
)


class InsufficientStockError(ConflictError):
    code = "insufficient_stock"
    message = _("The store has %(on_hand)s %(unit)s of %(item)s; you asked for %(asked)s.")


class StoreNotFoundError(NotFoundError):
    code = "store_not_found"
    message = _("Your agency has no store %(code)s.")


def _store(agency, code: str, lock: bool = False) -> Store:
    stores = Store.objects.select_related("agency", "budget_line", "keeper")
    store = (
        (stores.select_for_update() if lock else stores).filter(agency=agency, code=code).first()
    )
    if store is None:
        raise StoreNotFoundError(field="store", params={"code": code})
    return store


@transaction.atomic
def store_create(
    *, actor: Principal, code: str, name: str, address: str, keeper: str, budget_line_id: int
) -> Store:
    """An agency administrator opens a store with its keeper and the budget for reorders."""
    agency = require_own_role(actor, Role.AGENCY_ADMIN)
    keeper_principal = principal_for(user_find(keeper))
    if keeper_principal.agency_id != agency.pk:
        raise InputError(
            _("The store keeper must be an officer of %(agency)s."),
            field="keeper",
            params={"agency": agency.code},
        )
    line = BudgetLine.objects.filter(pk=budget_line_id, agency=agency).first()
    if line is None:
        raise budget.BudgetLineNotFoundError(field="budget_line", params={"id": budget_line_id})
    if not code.strip() or not name.strip() or not address.strip():
        raise InputError(_("Enter the store's code, name and address."), field="code")
    try:
        with transaction.atomic():
            store = Store.objects.create(
                agency=agency,
                code=code.strip().upper(),
                name=name.strip(),
                address=address.strip(),
                keeper_id=keeper_principal.user_id,
                budget_line=line,
            )
    except IntegrityError:
        raise ConflictError(
            _("The store code %(code)s is taken."), field="code", params={"code": code}
        ) from None
    audit.record(
        actor=actor,
        action="procurement.store.create",
        obj=store,
        agency_code=agency.code,
        after={"code": store.code, "keeper": keeper_principal.username},
    )
    return store


def _require_keeper_or_admin(actor: Principal, store: Store) -> None:
    if actor.user_id == store.keeper_id and actor.agency_id == store.agency_id:
        return
    require_agency_role(actor, Role.AGENCY_ADMIN, store.agency)


@transaction.atomic
def stock_item_set(
    *,
    actor: Principal,
    store_code: str,
    item_id: int,
    reorder_point: Decimal,
    reorder_quantity: Decimal,
) -> StockItem:
    """Keep an item in a store, with the level that triggers a reorder and how much to reorder."""
    agency = own_agency(actor, Role.AGENCY_ADMIN)
    store = _store(agency, store_code, lock=True)
    _require_keeper_or_admin(actor, store)
    item = CatalogItem.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFoundError(
            _("There is no catalog item %(id)s."), field="item", params={"id": item_id}
        )
    point = Decimal(str(reorder_point))
    if point < 0:
        raise InputError(_("The reorder point cannot be negative."), field="reorder_point")
    quantity = money.quantity(reorder_quantity, field="reorder_quantity")
    stock, _created = StockItem.objects.update_or_create(
        store=store, item=item, defaults={"reorder_point": point, "reorder_quantity": quantity}
    )
    audit.record(
        actor=actor,
        action="procurement.stock.configure",
        obj=stock,
        agency_code=store.agency.code,
        after={"item": item.name_th, "reorder_point": point, "reorder_quantity": quantity},
    )
    return stock


def _move(
    stock: StockItem, kind: str, quantity: Decimal, reference: str, actor_name: str
) -> StockMovement:
    StockItem.objects.filter(pk=stock.pk).update(on_hand=F("on_hand") + quantity)
    stock.refresh_from_db(fields=["on_hand"])
    return StockMovement.objects.create(
        stock_item=stock,
        kind=kind,
        quantity=quantity,
        balance=stock.on_hand,
        reference=reference[:100],
        actor_name=actor_name[:200],
    )


def stock_receive(
    *, store_id: int, item_id: int, quantity: Decimal, reference: str, actor_name: str
) -> None:
    """Accepted goods enter the store (called by goods receipt, inside its transaction)."""
    stock, _created = StockItem.objects.select_for_update().get_or_create(
        store_id=store_id, item_id=item_id
    )
    _move(stock, StockMovement.Kind.RECEIPT, quantity, reference, actor_name)


@transaction.atomic
def stock_issue(
    *, actor: Principal, store_code: str, item_id: int, quantity: Decimal, reference: str = ""
) -> StockMovement:
    """Take goods out of a store (the keeper or a buyer of the agency). Reaching the reorder
    point starts a reorder: a requisition, or a purchase order at once for a framework price."""
    agency = own_agency(actor, Role.BUYER)
    store = _store(agency, store_code)
    if actor.user_id != store.keeper_id:
        require_agency_role(actor, Role.BUYER, agency)
    quantity = money.quantity(quantity)
    stock = (
        StockItem.objects.select_for_update(of=("self",))
        .select_related("item")
        .filter(store=store, item_id=item_id)
        .first()
    )
    if stock is None or stock.on_hand < quantity:
        raise InsufficientStockError(
            field="quantity",
            params={
                "on_hand": stock.on_hand if stock else 0,
                "unit": stock.item.unit if stock else "",
                "item": stock.item.name_th if stock else item_id,
                "asked": quantity,
            },
        )
    movement = _move(stock, StockMovement.Kind.ISSUE, -quantity, reference, actor.actor_name)
    audit.record(
        actor=actor,
        action="procurement.stock.issue",
        obj=stock,
        agency_code=agency.code,
        after={"quantity": quantity, "balance": stock.on_hand, "reference": reference},
    )
    if stock.on_hand <= stock.reorder_point and stock.reorder_quantity > 0:
        reorder(stock=stock)
    return movement


def _open_reorder(stock: StockItem) -> bool:
    requisitions = Requisition.objects.filter(
        source=Requisition.Source.REORDER, store=stock.store, lines__item=stock.item
    )
    return (
        requisitions.filter(status__in=OPEN_REQUISITION).exists()
        or PurchaseOrder.objects.filter(
            requisition__in=requisitions, status__in=OPEN_ORDER
        ).exists()
    )


def reorder(*, stock: StockItem) -> Requisition | None:
    """Start a reorder for a stock item at its reorder point, on behalf of the store keeper.

    Framework-price items are ordered at once; others wait for approval. Without enough
    budget the requisition stays a draft for the keeper to resolve. Skipped when one is open.
    """
    from onestop.procurement.services.orders import issue_orders

    store = stock.store
    item = CatalogItem.objects.select_related("supplier__business").get(pk=stock.item_id)
    if _open_reorder(stock) or not is_sellable(item):
        return None
    keeper = principal_for(store.keeper)
    total = (stock.reorder_quantity * item.price).quantize(Decimal("0.01"))
    number, year = next_number(store.agency, "PR")
    requisition = Requisition.objects.create(
        number=number,
        agency=store.agency,
        fiscal_year=year,
        requester=store.keeper,
        budget_line=store.budget_line,
        source=Requisition.Source.REORDER,
        justification=f"สั่งซื้อเพิ่มอัตโนมัติ: {item.name_th} ถึงจุดสั่งซื้อ ({stock.on_hand} {item.unit})",
        total=total,
        store=store,
        delivery_address=store.address,
        required_levels=required_levels(total, budget.agency_levels(store.agency_id)),
    )
    RequisitionLine.objects.create(
        requisition=requisition,
        item=item,
        supplier=item.supplier,
        description=item.name_th,
        unit=item.unit,
        quantity=stock.reorder_quantity,
        unit_price=item.price,
        line_total=total,
    )
    try:
        with transaction.atomic():
            budget.reserve(store.budget_line_id, total)
    except ApplicationError as error:
        requisition.note = error.text("th")
        requisition.save(update_fields=["note"])
    else:
        requisition.submitted_at = timezone.now()
        if (
            item.framework_agreement
            and fiscal_year(timezone.now()) == store.budget_line.fiscal_year
        ):
            requisition.status = Requisition.Status.APPROVED
            requisition.decided_at = timezone.now()
            requisition.note = "ราคาตามสัญญาแบบเปิด (framework): สั่งซื้อโดยตรง"
            requisition.save()
            issue_orders(actor=keeper, requisition=requisition)
        else:
            requisition.status = Requisition.Status.SUBMITTED
            requisition.save()
    audit.record(
        actor=keeper,
        action="procurement.stock.reorder",
        obj=requisition,
        agency_code=store.agency.code,
        after={
            "item": item.name_th,
            "quantity": stock.reorder_quantity,
            "status": requisition.status,
        },
    )
    return requisition


@transaction.atomic
def stock_count(
    *, actor: Principal, store_code: str, item_id: int, counted: Decimal, note: str = ""
) -> StockMovement:
    """Record a physical count: the difference is booked as an adjustment."""
    agency = own_agency(actor, Role.AGENCY_ADMIN)
    store = _store(agency, store_code)
    _require_keeper_or_admin(actor, store)
    counted = Decimal(str(counted))
    if counted < 0:
        raise InputError(_("A count cannot be negative."), field="counted")
    stock = StockItem.objects.select_for_update().filter(store=store, item_id=item_id).first()
    if stock is None:
        raise NotFoundError(_("This item is not kept in the store."), field="item")
    movement = _move(
        stock,
        StockMovement.Kind.ADJUSTMENT,
        counted - stock.on_hand,
        note or "count",
        actor.actor_name,
    )
    audit.record(
        actor=actor,
        action="procurement.stock.count",
        obj=stock,
        agency_code=agency.code,
        after={"counted": counted, "adjustment": movement.quantity},
    )
    return movement
