"""What other apps may use of payments."""

from onestop.payments.domain.promptpay import bill_payment_payload, promptpay_payload
from onestop.payments.domain.qr import qr_png, qr_svg
from onestop.payments.http.api import router as api_router
from onestop.payments.models import Bill, PaymentOrder
from onestop.payments.services import (
    Payee,
    Settlement,
    bill_create,
    bill_payload,
    payment_order_create,
    register_settlement_handler,
)

__all__ = [
    "Bill",
    "Payee",
    "PaymentOrder",
    "Settlement",
    "api_router",
    "bill_create",
    "bill_payload",
    "bill_payment_payload",
    "payment_order_create",
    "promptpay_payload",
    "qr_png",
    "qr_svg",
    "register_settlement_handler",
]
