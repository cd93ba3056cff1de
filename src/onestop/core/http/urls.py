from django.urls import path

from onestop.core.http import views

app_name = "core"

urlpatterns = [
    path("", views.index, name="index"),
    path("transparency/", views.transparency, name="transparency"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job"),
    path("jobs/<uuid:job_id>/result/", views.job_result, name="job_result"),
]
