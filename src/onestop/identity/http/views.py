"""Login, logout, registration and account pages."""

from __future__ import annotations

import qrcode
import qrcode.constants
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from onestop.core.errors import ApplicationError
from onestop.core.http.forms import add_application_error
from onestop.identity import selectors, services
from onestop.identity.http.forms import (
    AccountForm,
    ApiTokenForm,
    BusinessForm,
    CitizenRegistrationForm,
    ContactAccountForm,
    LoginForm,
    PasswordChangeForm,
    TotpConfirmForm,
    TotpResetForm,
)
from onestop.identity.models import User
from onestop.identity.selectors import principal_for


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _log_in(request: HttpRequest, user: User) -> HttpResponse:
    """Start the session, switch to the person's language, go home (or where they were going)."""
    login(request, user, backend="onestop.identity.auth.LoginIdentifierBackend")
    request.principal = principal_for(user)
    response = redirect(_safe_next(request) or request.principal.home_url)
    translation.activate(user.preferred_language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        user.preferred_language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def render_login(
    request: HttpRequest, form: LoginForm | None = None, locked_message: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "identity/login.html",
        {
            "form": form or LoginForm(),
            "locked_message": locked_message,
            "next": _safe_next(request) or "",
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(request.principal.home_url)
    if request.method == "GET":
        return render_login(request)
    form = LoginForm(request.POST)
    if not form.is_valid():
        return render_login(request, form)
    user = authenticate(
        request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
    )
    if user is None:
        # A locked-out attempt is answered by django-axes' middleware (HTTP 429).
        form.add_error(
            None,
            _(
                "The national ID, username or e-mail, or the password, is not correct. "
                "After %(limit)s failed attempts, logging in is paused for %(minutes)s minutes."
            )
            % {
                "limit": settings.AXES_FAILURE_LIMIT,
                "minutes": round(settings.AXES_COOLOFF_TIME * 60),
            },
        )
        return render_login(request, form)
    return _log_in(request, user)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You have logged out."))
    return redirect("core:index")


@require_http_methods(["GET", "POST"])
def register_citizen(request: HttpRequest) -> HttpResponse:
    form = CitizenRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.citizen_register(
                national_id=data["national_id"],
                title=data["title"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                first_name_en=data["first_name_en"],
                last_name_en=data["last_name_en"],
                birth_date=data["birth_date"],
                email=data["email"],
                phone=data["phone"],
                password=data["password"],
                preferred_language=translation.get_language() or "th",
            )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("Your account is ready. Welcome to OneStop."))
            return _log_in(request, user)
    return render(request, "identity/register_citizen.html", {"form": form})


@require_http_methods(["GET", "POST"])
def register_business(request: HttpRequest) -> HttpResponse:
    logged_in = request.user.is_authenticated
    business_form = BusinessForm(request.POST or None, prefix="business")
    account_form = None if logged_in else ContactAccountForm(request.POST or None, prefix="account")
    forms_valid = business_form.is_valid() and (account_form is None or account_form.is_valid())
    if request.method == "POST" and forms_valid:
        try:
            if logged_in:
                services.business_register(
                    owner=request.principal, **business_form.business_fields()
                )
                user = request.user
            else:
                user, _business = services.business_register_with_account(
                    account=account_form.account_fields(),
                    business=business_form.business_fields(),
                )
        except ApplicationError as error:
            target = business_form
            if account_form is not None and error.field in account_form.fields:
                target = account_form
            add_application_error(target, error)
        else:
            messages.success(
                request, _("The business is registered and you act for it as its owner.")
            )
            if logged_in:
                return redirect("identity:home_business")
            return _log_in(request, user)
    return render(
        request,
        "identity/register_business.html",
        {"business_form": business_form, "account_form": account_form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    account_form = AccountForm(
        request.POST if request.POST.get("form") == "account" else None,
        initial={
            "email": user.email,
            "phone": user.phone,
            "preferred_language": user.preferred_language,
        },
    )
    password_form = PasswordChangeForm(
        request.POST if request.POST.get("form") == "password" else None
    )
    token_form = ApiTokenForm(request.POST if request.POST.get("form") == "token" else None)
    new_token = None
    if request.method == "POST":
        form = {"account": account_form, "password": password_form, "token": token_form}.get(
            request.POST.get("form", "")
        )
        if form is not None and form.is_valid():
            try:
                result = _account_action(request, request.POST["form"], form.cleaned_data)
            except ApplicationError as error:
                add_application_error(form, error)
            else:
                if request.POST["form"] == "token":
                    new_token = result
                else:
                    return result
    return render(
        request,
        "identity/account.html",
        {
            "account_form": account_form,
            "password_form": password_form,
            "token_form": token_form,
            "new_token": new_token,
            "tokens": selectors.api_tokens_of(principal=request.principal),
            "citizen": getattr(user, "citizen", None),
            "second_factor": selectors.has_second_factor(user.pk),
        },
    )


def _account_action(request: HttpRequest, action: str, data: dict):
    principal = request.principal
    if action == "account":
        user = services.account_update(
            actor=principal,
            email=data["email"],
            phone=data["phone"],
            preferred_language=data["preferred_language"],
        )
        messages.success(request, _("Your details are saved."))
        response = redirect("identity:account")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.preferred_language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        return response
    if action == "password":
        user = services.password_change(
            actor=principal, old_password=data["old_password"], new_password=data["new_password"]
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password is changed."))
        return redirect("identity:account")
    token, _record = services.api_token_create(
        actor=principal, name=data["name"], days=data["days"]
    )
    return token


def _qr_svg(payload: str) -> SafeString:
    """An inline `<svg>` of the payload's QR code (path data only: no text of the payload)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(payload)
    code.make(fit=True)
    svg = code.make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")
    return mark_safe(svg)  # noqa: S308 - built by qrcode from our own URI, no user markup


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_security(request: HttpRequest) -> HttpResponse:
    """Two-step verification: set up an authenticator app, confirm it, or move it to a new phone."""
    action = request.POST.get("form", "")
    confirm_form = TotpConfirmForm(request.POST if action == "confirm" else None)
    reset_form = TotpResetForm(request.POST if action == "reset" else None)
    form = {"confirm": confirm_form, "reset": reset_form}.get(action)
    if request.method == "POST" and (action == "enroll" or (form is not None and form.is_valid())):
        try:
            _security_action(request, action, form.cleaned_data if form else {})
        except ApplicationError as error:
            if form is None:
                messages.error(request, error.text())
            else:
                add_application_error(form, error)
        else:
            return redirect("identity:account_security")
    status = selectors.totp_status(principal=request.principal)
    return render(
        request,
        "identity/account_security.html",
        {
            "status": status,
            "qr": _qr_svg(status.provisioning_uri) if status and status.provisioning_uri else "",
            "confirm_form": confirm_form,
            "reset_form": reset_form,
        },
    )


def _security_action(request: HttpRequest, action: str, data: dict) -> None:
    if action == "enroll":
        services.totp_enroll(actor=request.principal)
    elif action == "confirm":
        services.totp_confirm(actor=request.principal, code=data["code"])
        messages.success(request, _("Two-step verification is on."))
    else:
        services.totp_enroll(actor=request.principal, reset=True, password=data["password"])
        messages.success(
            request,
            _(
                "Two-step verification is off until you scan the new QR code and enter a code "
                "from your app."
            ),
        )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.api_token_revoke(actor=request.principal, token_id=token_id)
    except ApplicationError as error:
        messages.error(request, error.text())
    else:
        messages.success(request, _("The token is revoked; it no longer works."))
    return redirect(reverse("identity:account") + "#tokens")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(request.principal.home_url)
