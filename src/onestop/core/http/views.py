"""Core pages: the portal's front page, transparency, the audit log and job progress."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from onestop.core import audit, jobs, services
from onestop.core.errors import ApplicationError
from onestop.core.http.errors import error_response

AUDIT_PAGE_SIZE = 50


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "core/index.html", {"docs_url": reverse("api:openapi-view")})


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    head_seq, head_hash = audit.head()
    return render(
        request,
        "core/transparency.html",
        {"head_seq": head_seq, "head_hash": head_hash, "now": timezone.now()},
    )


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    visibility = request.principal.audit_visibility()
    filters = {
        "action": request.GET.get("action", "").strip(),
        "agency": request.GET.get("agency", "").strip().upper(),
    }
    try:
        before_seq = int(request.GET.get("before", "")) or None
    except ValueError:
        before_seq = None
    entries = audit.entries_list(
        visibility=visibility,
        action_prefix=filters["action"] or None,
        agency_code=filters["agency"] or None,
        before_seq=before_seq,
        limit=AUDIT_PAGE_SIZE,
    )
    next_before = entries[-1].seq if len(entries) == AUDIT_PAGE_SIZE else None
    next_query = urlencode({**{k: v for k, v in filters.items() if v}, "before": next_before})
    return render(
        request,
        "core/audit_log.html",
        {
            "entries": entries,
            "visibility": visibility,
            "filters": filters,
            "head_seq": audit.head()[0],
            "next_before_seq": next_before,
            "next_query": next_query,
        },
    )


@login_required
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    try:
        job = services.audit_verification_start(
            actor=request.principal, visibility=request.principal.audit_visibility()
        )
    except ApplicationError as error:
        return error_response(request, error)
    return redirect("core:job", job_id=job.id)


def _own_job(request: HttpRequest, job_id: str):
    job = jobs.job_get(job_id=job_id, actor=request.principal)
    if job is None:
        raise Http404
    return job


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    return render(request, "core/job.html", {"job": _own_job(request, job_id)})


@login_required
@require_GET
def job_result(request: HttpRequest, job_id: str) -> HttpResponse:
    """The finished job's result, rendered in the page's language (for htmx and scripts)."""
    return render(request, "core/_job_result.html", {"job": _own_job(request, job_id)})
