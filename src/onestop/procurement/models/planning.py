"""The agency's annual procurement plan (P-09): what it means to buy in a fiscal year, how and
when, published before the first tender so that suppliers can prepare."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.procurement.models.purchasing import MONEY
from onestop.procurement.models.tendering import Tender


class ProcurementPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    agency = models.ForeignKey("identity.Agency", on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-fiscal_year", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "fiscal_year"], name="plan_once_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} plan {self.fiscal_year}"


class PlanItem(models.Model):
    """One project of the plan: the tender that carries it out links back to it."""

    plan = models.ForeignKey(ProcurementPlan, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("project"), max_length=300)
    method = models.CharField(_("method"), max_length=16, choices=Tender.Method.choices)
    budget = models.DecimalField(_("budget"), **MONEY)
    expected_month = models.DateField(_("expected announcement (month)"))

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="plan_item_once"),
            models.CheckConstraint(condition=models.Q(budget__gt=0), name="plan_item_budget"),
        ]

    def __str__(self) -> str:
        return self.title
