"""Form helpers shared by every app's pages."""

from __future__ import annotations

from django import forms

from onestop.core.errors import ApplicationError


def add_application_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal next to the field it names (or at the top of the form)."""
    items = error.errors or [error]
    for item in items:
        field = item.field if item.field in form.fields else None
        form.add_error(field, item.text())


class BootstrapLessForm(forms.Form):
    """A form whose inputs describe their hint and error for screen readers."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            described = []
            if field.help_text:
                described.append(f"id_{name}-hint")
            if self.is_bound and name in self.errors:
                described.append(f"id_{name}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
