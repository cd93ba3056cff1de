"""Forms of the procurement pages: shape only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.http.forms import AccessibleForm
from onestop.procurement.models import BANKS, Category, Supplier, SupplierDocument


def _category_choices():
    return [(c.code, f"{c.code} {c.name_th}") for c in Category.objects.order_by("code")]


class SupplierApplyForm(AccessibleForm):
    categories = forms.MultipleChoiceField(
        label=_("What you sell"), widget=forms.CheckboxSelectMultiple
    )
    address = forms.CharField(
        label=_("Address for orders and deliveries"), widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_phone = forms.CharField(label=_("Contact telephone"), max_length=20)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    payout_method = forms.ChoiceField(
        label=_("How you are paid"), choices=Supplier.PayoutMethod.choices, widget=forms.RadioSelect
    )
    promptpay_id = forms.CharField(
        label=_("PromptPay ID"),
        max_length=20,
        required=False,
        help_text=_("Mobile number or the 13-digit tax ID registered with PromptPay."),
    )
    bank_code = forms.ChoiceField(label=_("Bank"), choices=[("", "—"), *BANKS], required=False)
    bank_account_number = forms.CharField(label=_("Account number"), max_length=20, required=False)
    bank_account_name = forms.CharField(label=_("Account name"), max_length=200, required=False)
    company_certificate = forms.FileField(
        label=_("Company registration certificate (หนังสือรับรองบริษัท)"),
        required=False,
        help_text=_("PDF, PNG or JPEG, at most 5 MB. Required unless already sent."),
    )
    vat_registration = forms.FileField(label=_("VAT registration (ภ.พ.20)"), required=False)
    bank_book = forms.FileField(label=_("Bank book page"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = _category_choices()


class ReviewForm(AccessibleForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("reject", _("Reject")),
            ("suspend", _("Suspend")),
            ("reinstate", _("Reinstate")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason (the supplier sees it)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ItemForm(AccessibleForm):
    category = forms.ChoiceField(label=_("Category"))
    sku = forms.CharField(label=_("Your item code"), max_length=50)
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=255)
    name_en = forms.CharField(label=_("Name (English)"), max_length=255, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    specs = forms.CharField(
        label=_("Specifications"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name: value, e.g. ขนาด: A4"),
    )
    unit = forms.CharField(label=_("Unit"), max_length=30, help_text=_("e.g. รีม, กล่อง, ชิ้น, เครื่อง"))
    price = forms.CharField(label=_("Price per unit, VAT included (baht)"), max_length=20)
    valid_until = forms.DateField(
        label=_("Price valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _category_choices()

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        specs = {}
        for line in (data.pop("specs") or "").splitlines():
            name, _sep, value = line.partition(":")
            if name.strip() and value.strip():
                specs[name.strip()] = value.strip()
        data["specs"] = specs
        if not data.get("valid_until"):
            data.pop("valid_until", None)
        return data


class RequisitionForm(AccessibleForm):
    budget_line = forms.ChoiceField(label=_("Budget line"))
    justification = forms.CharField(
        label=_("Why the agency needs this"), widget=forms.Textarea(attrs={"rows": 3})
    )
    needed_by = forms.DateField(
        label=_("Needed by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    store = forms.ChoiceField(label=_("Deliver to store"), required=False)
    delivery_address = forms.CharField(
        label=_("Or deliver to this address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, budget_lines=(), stores=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].choices = [
            (line.pk, f"{line.code} {line.name} — {line.available:,.2f}") for line in budget_lines
        ]
        self.fields["store"].choices = [("", "—")] + [
            (store.code, f"{store.code} {store.name}") for store in stores
        ]


class DecisionForm(AccessibleForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("return", _("Return for changes")),
            ("reject", _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you return or reject."),
    )


UPLOAD_KINDS = {
    "company_certificate": SupplierDocument.Kind.COMPANY_CERTIFICATE,
    "vat_registration": SupplierDocument.Kind.VAT_REGISTRATION,
    "bank_book": SupplierDocument.Kind.BANK_BOOK,
}
