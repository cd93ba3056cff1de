"""Forms of the identity pages. They check shape only; the services decide the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import ApplicationError
from onestop.core.http.forms import AccessibleForm
from onestop.identity.domain import thai_id
from onestop.identity.models import Agency, Business, Citizen, Language, Role


def _thai_id_field_clean(validator):
    def clean(value: str) -> str:
        try:
            return validator(value)
        except ApplicationError as error:
            raise forms.ValidationError(error.text(), code=error.code) from None

    return clean


class LoginForm(AccessibleForm):
    username = forms.CharField(
        label=_("National ID, username or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CitizenRegistrationForm(AccessibleForm):
    national_id = forms.CharField(
        label=_("National ID"),
        max_length=20,
        help_text=_(
            "The 13 digits on your ID card, e.g. 1-2345-67890-12-1. You will log in with it."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    title = forms.ChoiceField(label=_("Title"), choices=Citizen.Title.choices)
    first_name = forms.CharField(
        label=_("First name (Thai)"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name (Thai)"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    first_name_en = forms.CharField(label=_("First name (English)"), max_length=100, required=False)
    last_name_en = forms.CharField(label=_("Last name (English)"), max_length=100, required=False)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        help_text=_("Optional. Year in the Common Era on this form (e.g. 1990)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    email = forms.EmailField(
        label=_("E-mail"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 10 characters; not only digits; not like your name or ID."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_national_id(self) -> str:
        return _thai_id_field_clean(thai_id.validate_national_id)(self.cleaned_data["national_id"])

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error(
                "password_again",
                _("The two passwords are different. Type the same password twice."),
            )
        return data


class BusinessForm(AccessibleForm):
    juristic_id = forms.CharField(
        label=_("Juristic ID"),
        max_length=20,
        help_text=_("The 13 digits on the company registration certificate; starts with 0."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    name_th = forms.CharField(label=_("Business name (Thai)"), max_length=255)
    name_en = forms.CharField(label=_("Business name (English)"), max_length=255, required=False)
    kind = forms.ChoiceField(label=_("Kind of business"), choices=Business.Kind.choices)
    address = forms.CharField(
        label=_("Registered address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    business_phone = forms.CharField(label=_("Business telephone"), max_length=20, required=False)
    business_email = forms.EmailField(label=_("Business e-mail"), required=False)

    def clean_juristic_id(self) -> str:
        return _thai_id_field_clean(thai_id.validate_juristic_id)(self.cleaned_data["juristic_id"])

    def business_fields(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "juristic_id": data["juristic_id"],
            "name_th": data["name_th"],
            "name_en": data["name_en"],
            "kind": data["kind"],
            "address": data["address"],
            "phone": data["business_phone"],
            "email": data["business_email"],
        }


class ContactAccountForm(AccessibleForm):
    """The person who registers a business and will log in for it."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("3 to 150 letters, digits or . _ @ + -"),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    first_name = forms.CharField(label=_("Your first name"), max_length=150)
    last_name = forms.CharField(label=_("Your last name"), max_length=150)
    email = forms.EmailField(label=_("Your e-mail"))
    phone = forms.CharField(label=_("Your telephone"), max_length=20, required=False)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 10 characters; not only digits; not like your name."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def account_fields(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            key: data[key]
            for key in ("username", "first_name", "last_name", "email", "phone", "password")
        }


class BusinessMemberForm(AccessibleForm):
    user = forms.CharField(label=_("Username, e-mail or national ID of the person"), max_length=254)


class AccountForm(AccessibleForm):
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=20, required=False)
    preferred_language = forms.ChoiceField(label=_("Language"), choices=Language.choices)


class PasswordChangeForm(AccessibleForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ApiTokenForm(AccessibleForm):
    name = forms.CharField(
        label=_("Name of the token"),
        max_length=100,
        help_text=_("What will use it, e.g. 'agency ERP'."),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=90)


class TotpConfirmForm(AccessibleForm):
    code = forms.CharField(
        label=_("Code from your app"),
        max_length=20,
        help_text=_("6 digits. The code changes every 30 seconds."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"}
        ),
    )


class TotpResetForm(AccessibleForm):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        help_text=_("To move two-step verification to another phone, confirm it is you."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class AgencyForm(AccessibleForm):
    code = forms.CharField(
        label=_("Agency code"),
        max_length=20,
        help_text=_("Capital letters, digits or dashes, e.g. CGD."),
    )
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=255)
    name_en = forms.CharField(label=_("Name (English)"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=Agency.Kind.choices)
    parent = forms.ChoiceField(label=_("Ministry"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ministries = Agency.objects.filter(kind=Agency.Kind.MINISTRY).order_by("name_th")
        self.fields["parent"].choices = [("", _("(none: this is a ministry)"))] + [
            (ministry.code, f"{ministry.name_th} ({ministry.code})") for ministry in ministries
        ]


class PlatformFlagsForm(AccessibleForm):
    user = forms.CharField(label=_("Username, e-mail or national ID"), max_length=254)
    is_auditor = forms.BooleanField(label=_("Auditor"), required=False)
    is_platform_admin = forms.BooleanField(label=_("Platform administrator"), required=False)


class OfficerAppointForm(AccessibleForm):
    user = forms.CharField(
        label=_("Person to appoint"),
        max_length=254,
        help_text=_("Their username, e-mail or national ID. They need an account first."),
    )
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
