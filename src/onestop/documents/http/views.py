"""Documents pages: anyone can check a signed PDF."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from onestop.core.errors import ApplicationError
from onestop.core.http.forms import add_application_error
from onestop.documents import verification
from onestop.documents.http.forms import VerifyForm


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = verification.verify_upload(form.cleaned_data["file"])
        except ApplicationError as error:
            add_application_error(form, error)
    return render(
        request,
        "documents/verify.html",
        {"form": form, "result": result, "root_certificate_url": reverse("api:root_certificate")},
    )
