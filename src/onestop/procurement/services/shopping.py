"""The officer's shopping list (P-03): items picked from the catalog before a requisition."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onestop.core import money
from onestop.core.errors import ConflictError
from onestop.identity.public import Principal, Role
from onestop.procurement.models import CatalogItem, ShoppingListLine
from onestop.procurement.policies import require_own_role
from onestop.procurement.services.catalog import ItemNotFoundError, is_sellable


class ItemNotOnSaleError(ConflictError):
    code = "item_not_on_sale"
    message = _("%(item)s is not on sale now (withdrawn, price expired, or supplier suspended).")


def _require_buyer(actor: Principal) -> None:
    require_own_role(actor, Role.BUYER)


def _sellable_item(item_id: int) -> CatalogItem:
    item = CatalogItem.objects.select_related("supplier__business").filter(pk=item_id).first()
    if item is None:
        raise ItemNotFoundError(params={"id": item_id}, field="item")
    if not is_sellable(item):
        raise ItemNotOnSaleError(field="item", params={"item": item.name_th})
    return item


@transaction.atomic
def shopping_list_add(*, actor: Principal, item_id: int, quantity: Decimal) -> ShoppingListLine:
    """Put an item on one's list, or add to its quantity."""
    _require_buyer(actor)
    quantity = money.quantity(quantity)
    item = _sellable_item(item_id)
    line, created = ShoppingListLine.objects.select_for_update().get_or_create(
        owner_id=actor.user_id, item=item, defaults={"quantity": quantity}
    )
    if not created:
        line.quantity = money.quantity(line.quantity + quantity)
        line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def shopping_list_set(*, actor: Principal, item_id: int, quantity: Decimal | int) -> None:
    """Change a line's quantity; zero removes it."""
    _require_buyer(actor)
    lines = ShoppingListLine.objects.filter(owner_id=actor.user_id, item_id=item_id)
    if str(quantity).strip() in ("0", "0.0", "0.00", "0.000"):
        lines.delete()
        return
    lines.update(quantity=money.quantity(quantity))


@transaction.atomic
def shopping_list_update(*, actor: Principal, quantities: dict[int, str]) -> None:
    """Set several quantities at once (zero removes a line); all or none."""
    for item_id, quantity in quantities.items():
        shopping_list_set(actor=actor, item_id=item_id, quantity=quantity or "0")


def shopping_list(actor: Principal) -> list[ShoppingListLine]:
    return list(
        ShoppingListLine.objects.filter(owner_id=actor.user_id)
        .select_related("item__supplier__business", "item__category")
        .order_by("item__supplier_id", "added_at")
    )
