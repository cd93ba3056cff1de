"""Each role's home page, officer management and platform administration."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop.core import audit
from onestop.core.errors import ApplicationError, PermissionDeniedError
from onestop.core.http.errors import error_response
from onestop.core.http.forms import add_application_error
from onestop.identity import selectors, services
from onestop.identity.http.forms import (
    AgencyForm,
    BusinessMemberForm,
    OfficerAppointForm,
    PlatformFlagsForm,
)
from onestop.identity.models import ROLE_DESCRIPTIONS, Agency, Role
from onestop.identity.policies import Principal, may_manage_officers, require_officer_manager

RECENT = 15


def requires(check: Callable[[Principal], bool]):
    """A page for people who pass `check`; others get a 403 page that says why."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not check(request.principal):
                return error_response(
                    request,
                    PermissionDeniedError(
                        gettext_lazy(
                            "This page is for another kind of account. Use the menu to find your pages."
                        )
                    ),
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _recent_entries(principal: Principal, **filters) -> list:
    return audit.entries_list(visibility=principal.audit_visibility(), limit=RECENT, **filters)


@require_GET
@requires(lambda p: p.is_citizen)
def home_citizen(request: HttpRequest) -> HttpResponse:
    citizen = request.user.citizen
    return render(
        request,
        "identity/home_citizen.html",
        {
            "citizen": citizen,
            "entries": _recent_entries(request.principal, actor_id=request.principal.actor_id),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(lambda p: p.is_business)
def home_business(request: HttpRequest) -> HttpResponse:
    form = BusinessMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.business_member_add(
                actor=request.principal,
                juristic_id=request.POST.get("juristic_id", ""),
                user_identifier=form.cleaned_data["user"],
            )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("The person can now act for the business."))
            return redirect("identity:home_business")
    businesses = [
        {
            "business": business,
            "members": selectors.business_members(business=business),
            "is_owner": business.pk in request.principal.owned_business_ids,
        }
        for business in selectors.businesses_of(principal=request.principal)
    ]
    return render(request, "identity/home_business.html", {"businesses": businesses, "form": form})


@require_GET
@requires(lambda p: p.is_officer)
def home_officer(request: HttpRequest) -> HttpResponse:
    principal = request.principal
    agency = selectors.agency_get(principal.agency_code)
    my_roles = [
        {"role": role, "label": Role(role).label, "description": ROLE_DESCRIPTIONS[Role(role)]}
        for role in sorted(principal.roles)
    ]
    return render(
        request,
        "identity/home_officer.html",
        {
            "agency": agency,
            "my_roles": my_roles,
            "officers": selectors.officers_list(principal=principal, agency=agency),
            "can_manage": may_manage_officers(principal, agency.pk),
            "entries": _recent_entries(principal),
        },
    )


@require_GET
@requires(lambda p: p.is_auditor)
def home_auditor(request: HttpRequest) -> HttpResponse:
    head_seq, head_hash = audit.head()
    return render(
        request,
        "identity/home_auditor.html",
        {
            "head_seq": head_seq,
            "head_hash": head_hash,
            "entries": _recent_entries(request.principal),
            "agencies": selectors.agency_list(),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(lambda p: p.is_platform_admin)
def home_platform(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("form", "")
    agency_form = AgencyForm(request.POST if action == "agency" else None)
    flags_form = PlatformFlagsForm(request.POST if action == "flags" else None)
    form = {"agency": agency_form, "flags": flags_form}.get(action)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "agency":
                agency = services.agency_create(
                    actor=request.principal,
                    code=data["code"],
                    name_th=data["name_th"],
                    name_en=data["name_en"],
                    kind=data["kind"],
                    parent_code=data["parent"] or None,
                )
                messages.success(request, _("Agency %(code)s is created.") % {"code": agency.code})
            else:
                user = services.platform_flags_set(
                    actor=request.principal,
                    user_identifier=data["user"],
                    is_auditor=data["is_auditor"],
                    is_platform_admin=data["is_platform_admin"],
                )
                messages.success(
                    request, _("The rights of %(name)s are saved.") % {"name": user.display_name}
                )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            return redirect("identity:home_platform")
    agencies = selectors.agency_list().prefetch_related("officers")
    return render(
        request,
        "identity/home_platform.html",
        {
            "agencies": agencies,
            "agency_form": agency_form,
            "flags_form": flags_form,
            "entries": _recent_entries(request.principal),
        },
    )


def _manage_context(request: HttpRequest, agency: Agency, appoint_form=None) -> dict:
    officers = selectors.officers_list(principal=request.principal, agency=agency)
    rows = [
        {"membership": membership, "roles": {grant.role for grant in membership.role_grants.all()}}
        for membership in officers
    ]
    return {
        "agency": agency,
        "rows": rows,
        "appoint_form": appoint_form or OfficerAppointForm(),
        "role_choices": Role.choices,
    }


@require_http_methods(["GET", "POST"])
@login_required
def agency_officers(request: HttpRequest, code: str) -> HttpResponse:
    """Appoint officers of an agency and set their roles (its agency admins, platform admins)."""
    try:
        agency = selectors.agency_get(code)
        require_officer_manager(request.principal, agency_id=agency.pk, agency_code=agency.code)
    except ApplicationError as error:
        return error_response(request, error)
    form = OfficerAppointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.officer_appoint(
                actor=request.principal,
                agency_code=agency.code,
                user_identifier=form.cleaned_data["user"],
                position=form.cleaned_data["position"],
                roles=form.cleaned_data["roles"],
            )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now an officer of %(agency)s.")
                % {"name": membership.user.display_name, "agency": agency.code},
            )
            return redirect("identity:agency_officers", code=agency.code)
    return render(request, "identity/agency_officers.html", _manage_context(request, agency, form))


@require_POST
@login_required
def agency_officer_update(request: HttpRequest, code: str, username: str) -> HttpResponse:
    """Set roles, or release the officer; answers htmx with the refreshed table."""
    try:
        if request.POST.get("action") == "release":
            services.officer_release(actor=request.principal, agency_code=code, username=username)
            messages.success(
                request, _("%(user)s is no longer an officer here.") % {"user": username}
            )
        else:
            services.officer_roles_set(
                actor=request.principal,
                agency_code=code,
                username=username,
                roles=request.POST.getlist("roles"),
            )
            messages.success(request, _("The roles of %(user)s are saved.") % {"user": username})
    except ApplicationError as error:
        if error.status == 403:
            return error_response(request, error)
        messages.error(request, error.text())
    return redirect("identity:agency_officers", code=code)
