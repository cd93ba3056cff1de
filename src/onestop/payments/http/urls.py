from django.urls import path

from onestop.payments.http import views

app_name = "payments"

urlpatterns = [
    path("payments/bills/<uuid:bill_id>/", views.bill_detail, name="bill"),
    path("payments/orders/", views.payment_orders, name="orders"),
    path("payments/reconciliation/", views.reconciliation, name="reconciliation"),
]
