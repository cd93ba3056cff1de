from django.urls import path

from onestop.documents.http import views

app_name = "documents"

urlpatterns = [
    path("documents/verify/", views.verify, name="verify"),
]
