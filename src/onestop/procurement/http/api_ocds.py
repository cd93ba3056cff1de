"""Open data API (P-22): Open Contracting Data Standard 1.1 release and record packages of the
public tenders and catalog purchases, for anyone (no login). The full release package is
streamed, so it stays cheap however much data there is."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import Router

from onestop.core.http.api import ErrorOut
from onestop.procurement.ocds import releases as ocds

router = Router(tags=["open data (OCDS)"])
JSON = "application/json"
ERRORS = {404: ErrorOut}


def _package_doc(kind: str) -> dict:
    schema = f"https://standard.open-contracting.org/schema/1__1__5/{kind}-package-schema.json"
    return {
        "responses": {
            200: {
                "description": f"An OCDS 1.1 {kind} package (schema: {schema})",
                "content": {JSON: {"schema": {"type": "object"}}},
            }
        }
    }


def _json(package: dict) -> HttpResponse:
    return HttpResponse(ocds.dumps(package), content_type=JSON)


@router.get(
    "/ocds/releases",
    auth=None,
    summary="Release package of all public procurement data (streamed)",
    openapi_extra=_package_doc("release"),
)
def releases_all(request: HttpRequest):
    chunks = ocds.iter_release_package_json(uri=request.build_absolute_uri())
    return StreamingHttpResponse(chunks, content_type=JSON)


@router.get(
    "/ocds/tenders/{reference}/releases",
    auth=None,
    response=ERRORS,
    summary="Release package of one published tender",
    openapi_extra=_package_doc("release"),
)
def tender_releases(request: HttpRequest, reference: str):
    return _json(ocds.tender_release_package(reference, uri=request.build_absolute_uri()))


@router.get(
    "/ocds/records/{ocid}",
    auth=None,
    response=ERRORS,
    summary="Record package of one contracting process (releases and compiled release)",
    openapi_extra=_package_doc("record"),
)
def record(request: HttpRequest, ocid: str):
    return _json(ocds.record_package(ocid, uri=request.build_absolute_uri()))
