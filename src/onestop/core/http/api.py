"""Core API: health, the public audit head, audit entries, verification jobs."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import connection
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError

import onestop
from onestop.core import audit, jobs, services
from onestop.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from onestop.core.http.errors import (
    BadRequestError,
    CsrfFailedError,
    MalformedBodyError,
    json_error,
    not_authenticated,
    server_error,
    validation_error,
)

logger = logging.getLogger("onestop.api")
router = Router(tags=["core"])


class ErrorItem(Schema):
    code: str
    message: dict[str, str] = Field(..., examples=[{"th": "ข้อความ", "en": "Message"}])
    field: str | None = None


class ErrorOut(ErrorItem):
    """The one error shape of every endpoint."""

    errors: list[ErrorItem] = []


class HealthOut(Schema):
    status: str
    database: str
    version: str


class AuditHeadOut(Schema):
    seq: int
    hash: str


class AuditEntryOut(Schema):
    seq: int
    at: dt.datetime
    actor_id: str
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    agency_code: str
    request_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    prev_hash: str
    hash: str


class AuditPageOut(Schema):
    entries: list[AuditEntryOut]
    next_before_seq: int | None = Field(
        None, description="Pass as before_seq to get the next (older) page; null at the end."
    )


class AuditFilter(Schema):
    agency: str | None = None
    action: str | None = Field(None, description="Action prefix, e.g. 'identity.officer'")
    actor: str | None = Field(None, description="Actor id, e.g. 'user:42'")
    object_type: str | None = None
    object_id: str | None = None
    before_seq: int | None = Field(None, ge=1)
    limit: int = Field(50, ge=1, le=500)


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    status: str
    status_label: str
    done: int
    total: int | None
    percent: int | None
    message: str
    result: Any = None
    finished: bool
    created_at: dt.datetime
    finished_at: dt.datetime | None


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("/health", auth=None, response=HealthOut, summary="Is the platform up?")
def health(request: HttpRequest) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor, "version": onestop.__version__}


@router.get("/audit/head", auth=None, response=AuditHeadOut, summary="The audit chain's head")
def audit_head(request: HttpRequest) -> dict[str, Any]:
    """Public: note this hash; `onestop audit verify --expect SEQ:HASH` later proves no rewrite."""
    seq, head_hash = audit.head()
    return {"seq": seq, "hash": head_hash}


@router.get("/audit/entries", response={200: AuditPageOut, **ERRORS}, summary="Audit entries")
def audit_entries(request: HttpRequest, filters: Query[AuditFilter]) -> dict[str, Any]:
    """Newest first. Auditors see everything, agency admins their agency, everyone their own acts."""
    entries = audit.entries_list(
        visibility=request.principal.audit_visibility(),
        agency_code=filters.agency,
        action_prefix=filters.action,
        actor_id=filters.actor,
        object_type=filters.object_type,
        object_id=filters.object_id,
        before_seq=filters.before_seq,
        limit=filters.limit,
    )
    next_before = entries[-1].seq if len(entries) == filters.limit and entries[-1].seq > 1 else None
    return {"entries": entries, "next_before_seq": next_before}


@router.post(
    "/audit/verifications",
    response={202: JobOut, **ERRORS},
    summary="Verify the whole audit chain (background job)",
)
def audit_verification_start(request: HttpRequest) -> Status:
    job = services.audit_verification_start(
        actor=request.principal, visibility=request.principal.audit_visibility()
    )
    return Status(202, jobs.job_payload(job))


@router.get("/jobs/{job_id}", response={200: JobOut, **ERRORS}, summary="A job you started")
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    job = jobs.job_get(job_id=job_id, actor=request.principal)
    if job is None:
        raise NotFoundError()
    return jobs.job_payload(job)


class RequestTooLargeError(ApplicationError):
    code = "request_too_large"
    status = 413
    message = _(
        "The request is larger than the platform accepts. Send fewer or smaller files at once "
        "(each document at most 10 MB)."
    )


def install_error_handlers(api: Any) -> None:
    """Make every API error use the one shape (code, message th/en, field, errors)."""

    def on_application_error(request: HttpRequest, exc: ApplicationError):
        return json_error(exc)

    def on_validation_error(request: HttpRequest, exc: ValidationError):
        return json_error(validation_error(exc.errors))

    def on_authentication_error(request: HttpRequest, exc: AuthenticationError):
        return json_error(not_authenticated(request))

    def on_http_error(request: HttpRequest, exc: HttpError):
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return json_error(MalformedBodyError())
        if exc.status_code == 403 and "CSRF" in str(exc):
            return json_error(CsrfFailedError())
        if exc.status_code == 404:
            return json_error(NotFoundError())
        return json_error(BadRequestError(params={"detail": str(exc)}), status=exc.status_code)

    def on_not_found(request: HttpRequest, exc: Exception):
        return json_error(NotFoundError())

    def on_exception(request: HttpRequest, exc: Exception):
        if isinstance(exc, PermissionDenied):
            return json_error(PermissionDeniedError())
        if isinstance(exc, RequestDataTooBig):
            return json_error(RequestTooLargeError(), status=413)
        logger.exception("Unhandled error in %s", request.path)
        return server_error(request)

    api.add_exception_handler(ApplicationError, on_application_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(Exception, on_exception)
