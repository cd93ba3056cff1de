"""The e-Catalog (P-02) and the officers' shopping lists (P-03)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A product or service category, coded like UNSPSC (8 digits)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name_th}"


class CatalogItem(models.Model):
    supplier = models.ForeignKey(
        "procurement.Supplier", on_delete=models.PROTECT, related_name="items"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items")
    sku = models.CharField(_("supplier's item code"), max_length=50)
    name_th = models.CharField(_("name (Thai)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    specs = models.JSONField(_("specifications"), default=dict, blank=True)
    unit = models.CharField(_("unit"), max_length=30)
    price = models.DecimalField(_("price per unit, VAT included"), max_digits=14, decimal_places=2)
    valid_from = models.DateField(_("price valid from"))
    valid_until = models.DateField(_("price valid until"), null=True, blank=True)
    framework_agreement = models.BooleanField(
        _("framework price"),
        default=False,
        help_text=_("Price agreed under a framework agreement: stores may reorder it directly."),
    )
    active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_th"]
        verbose_name = _("catalog item")
        verbose_name_plural = _("catalog items")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "sku"], name="catalog_sku_per_supplier"),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="catalog_price_positive"),
        ]
        indexes = [models.Index(fields=["category", "price"], name="catalog_category_price")]

    def __str__(self) -> str:
        return self.name_th

    def is_valid_on(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class ShoppingListLine(models.Model):
    """An item an officer picked from the catalog, before it becomes a requisition."""

    owner = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="+")
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "item"], name="shopping_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item}"
