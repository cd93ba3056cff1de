"""The one HTTP API of OneStop, under /api/ (OpenAPI at /api/openapi.json, docs at /api/docs)."""

from __future__ import annotations

from ninja import NinjaAPI

import onestop
from onestop.core.http.api import install_error_handlers
from onestop.core.http.api import router as core_router
from onestop.documents.public import api_router as documents_api_router
from onestop.identity.public import API_AUTH
from onestop.identity.public import api_router as identity_router
from onestop.payments.public import api_router as payments_router
from onestop.procurement.public import api_router as procurement_router

api = NinjaAPI(
    title="OneStop API",
    version=onestop.__version__,
    description=(
        "Every capability of the OneStop pages, for other systems. Authenticate with a session "
        "(browser, CSRF token required) or with `Authorization: Bearer <token>` from "
        "`POST /api/auth/tokens`. Every error has one shape: "
        '`{"code", "message": {"th", "en"}, "field", "errors": [...]}`.'
    ),
    urls_namespace="api",
    auth=API_AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/", core_router)
api.add_router("/", identity_router)
api.add_router("/", documents_api_router)
api.add_router("/", payments_router)
api.add_router("/", procurement_router)
