"""Forms of the documents pages. They check shape only; verification decides the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.http.forms import AccessibleForm


class VerifyForm(AccessibleForm):
    file = forms.FileField(
        label=_("PDF document"),
        help_text=_("A PDF file of at most 20 MB, as you received it."),
        error_messages={"required": _("Choose the PDF document to check.")},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
