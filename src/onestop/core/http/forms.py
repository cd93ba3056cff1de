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


class AccessibleForm(forms.Form):
    """A form whose inputs point screen readers at their hint and their error."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def full_clean(self) -> None:
        """Validate (never from __init__: subclasses may still set choices), then mark the
        fields in error for screen readers."""
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                hint = widget.attrs.get("aria-describedby", "")
                error = f"{self[name].auto_id}-error"
                widget.attrs["aria-describedby"] = f"{hint} {error}".strip()
