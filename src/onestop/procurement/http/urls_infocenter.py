"""The public procurement information center (P-21), under procurement/info/: no login needed
anywhere here. Included from `onestop.procurement.http.urls`, so its names (info_*) live in that
module's "procurement" namespace (no app_name here: it would nest a second one)."""

from django.urls import path

from onestop.procurement.http import views_infocenter as views

INFO = "procurement/info/"
urlpatterns = [
    path(INFO, views.home, name="info_home"),
    path(f"{INFO}tenders/", views.tenders, name="info_tenders"),
    path(f"{INFO}results/", views.results, name="info_results"),
    path(f"{INFO}contracts/", views.contracts, name="info_contracts"),
    path(f"{INFO}plans/", views.plans, name="info_plans"),
    path(f"{INFO}<str:kind>/download.<str:fmt>", views.download, name="info_download"),
    path(f"{INFO}tenders/<str:reference>/", views.tender, name="info_tender"),
    path(
        f"{INFO}tenders/<str:reference>/documents/<int:document_id>/",
        views.document,
        name="info_document",
    ),
]
