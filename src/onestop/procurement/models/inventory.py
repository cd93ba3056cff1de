"""Agency stores and stock (P-08): receipts increase stock, issues decrease it, and reaching
the reorder point starts a purchase automatically."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

QUANTITY = {"max_digits": 12, "decimal_places": 3}


class Store(models.Model):
    agency = models.ForeignKey("identity.Agency", on_delete=models.PROTECT, related_name="stores")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("delivery address"))
    keeper = models.ForeignKey(
        "identity.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("store keeper"),
    )
    budget_line = models.ForeignKey(
        "procurement.BudgetLine",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("budget for reorders"),
    )

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="store_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StockItem(models.Model):
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="stock")
    item = models.ForeignKey("procurement.CatalogItem", on_delete=models.PROTECT, related_name="+")
    on_hand = models.DecimalField(_("on hand"), default=0, **QUANTITY)
    reorder_point = models.DecimalField(_("reorder point"), default=0, **QUANTITY)
    reorder_quantity = models.DecimalField(_("reorder quantity"), default=0, **QUANTITY)

    class Meta:
        ordering = ["item__name_th"]
        constraints = [
            models.UniqueConstraint(fields=["store", "item"], name="stock_item_once"),
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="stock_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.store.code}: {self.item} ({self.on_hand})"


class StockMovement(models.Model):
    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Received")
        ISSUE = "issue", _("Issued")
        ADJUSTMENT = "adjustment", _("Counted")

    stock_item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=12, choices=Kind)
    quantity = models.DecimalField(**QUANTITY)  # positive in, negative out
    balance = models.DecimalField(**QUANTITY)
    reference = models.CharField(max_length=100, blank=True)
    actor_name = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.stock_item} {self.quantity:+}"
