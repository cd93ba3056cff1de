from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog, set_language

from onestop.config.api import api
from onestop.core.http.errors import page_not_found

urlpatterns = [
    path("api/", api.urls),
    # Unknown API paths answer in the API's error shape, in DEBUG too.
    re_path(r"^api/", page_not_found),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/catalog.js", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("onestop.identity.http.urls")),
    path("", include("onestop.documents.http.urls")),
    path("", include("onestop.payments.http.urls")),
    path("", include("onestop.procurement.http.urls")),
    path("", include("onestop.core.http.urls")),
]

handler400 = "onestop.core.http.errors.bad_request"
handler403 = "onestop.core.http.errors.permission_denied"
handler404 = "onestop.core.http.errors.page_not_found"
handler500 = "onestop.core.http.errors.server_error"
