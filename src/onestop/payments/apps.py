from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "onestop.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from onestop.core import navigation
        from onestop.core.audit import register_actions
        from onestop.payments.http.navigation import links

        navigation.register(links)

        register_actions(
            {
                "payments.order.create": _("Ordered a payment"),
                "payments.order.paid": _("The bank paid"),
                "payments.order.failed": _("The bank could not pay"),
                "payments.bill.create": _("Issued a bill"),
                "payments.bill.paid": _("A bill was paid"),
            }
        )
