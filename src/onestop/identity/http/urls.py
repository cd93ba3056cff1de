from django.urls import path

from onestop.identity.http import homes, views

app_name = "identity"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/citizen/", views.register_citizen, name="register_citizen"),
    path("register/business/", views.register_business, name="register_business"),
    path("account/", views.account, name="account"),
    path("account/security/", views.account_security, name="account_security"),
    path("account/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("home/", views.home, name="home"),
    path("home/citizen/", homes.home_citizen, name="home_citizen"),
    path("home/business/", homes.home_business, name="home_business"),
    path("home/agency/", homes.home_officer, name="home_officer"),
    path("home/auditor/", homes.home_auditor, name="home_auditor"),
    path("home/platform/", homes.home_platform, name="home_platform"),
    path("agencies/<str:code>/officers/", homes.agency_officers, name="agency_officers"),
    path(
        "agencies/<str:code>/officers/<str:username>/",
        homes.agency_officer_update,
        name="agency_officer_update",
    ),
]
