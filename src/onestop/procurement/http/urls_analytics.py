"""The analytics page (P-24). Included from `onestop.procurement.http.urls`, so its names live
in that module's "procurement" namespace (no app_name here: it would nest a second one)."""

from django.urls import path

from onestop.procurement.http import views_analytics

urlpatterns = [
    path("procurement/analytics/", views_analytics.analytics_page, name="analytics"),
]
