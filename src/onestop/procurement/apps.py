from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "onestop.procurement"
    label = "procurement"
    verbose_name = _("e-Procurement")

    def ready(self) -> None:
        from onestop.core import navigation
        from onestop.core.audit import register_actions
        from onestop.payments.public import register_settlement_handler
        from onestop.procurement.http.navigation import links
        from onestop.procurement.services.auctions import DEPOSIT_SOURCE, on_deposit_settled
        from onestop.procurement.services.invoicing import SOURCE, on_payment_settled

        register_settlement_handler(SOURCE, on_payment_settled)
        register_settlement_handler(DEPOSIT_SOURCE, on_deposit_settled)
        navigation.register(links)
        register_actions(
            {
                "procurement.supplier.apply": _("Applied to be a supplier"),
                "procurement.supplier.document_add": _("Added a supplier document"),
                "procurement.supplier.approve": _("Approved a supplier"),
                "procurement.supplier.reject": _("Rejected a supplier"),
                "procurement.supplier.suspend": _("Suspended a supplier"),
                "procurement.supplier.reinstate": _("Reinstated a supplier"),
                "procurement.item.create": _("Listed a catalog item"),
                "procurement.item.update": _("Changed a catalog item"),
                "procurement.item.withdraw": _("Withdrew a catalog item"),
                "procurement.item.framework": _("Set a framework price"),
                "procurement.stock.count": _("Counted stock"),
                "procurement.budget.create": _("Opened a budget line"),
                "procurement.approval_levels.set": _("Set the approval chain"),
                "procurement.requisition.submit": _("Submitted a requisition"),
                "procurement.requisition.approve": _("Approved a requisition"),
                "procurement.requisition.reject": _("Rejected a requisition"),
                "procurement.requisition.return": _("Returned a requisition for changes"),
                "procurement.requisition.resubmit": _("Resubmitted a requisition"),
                "procurement.requisition.cancel": _("Cancelled a requisition"),
                "procurement.order.issue": _("Issued a purchase order"),
                "procurement.order.acknowledge": _("Acknowledged a purchase order"),
                "procurement.order.ship": _("Shipped an order"),
                "procurement.order.cancel": _("Cancelled a purchase order"),
                "procurement.receipt.record": _("Recorded an inspection"),
                "procurement.invoice.submit": _("Sent an invoice"),
                "procurement.invoice.paid": _("An invoice was paid"),
                "procurement.invoice.payment_failed": _("An invoice's payment failed"),
                "procurement.invoice.payment_retry": _("Paid an invoice again"),
                "procurement.store.create": _("Opened a store"),
                "procurement.stock.configure": _("Set a reorder point"),
                "procurement.stock.issue": _("Issued goods from a store"),
                "procurement.stock.reorder": _("Reordered automatically"),
                "procurement.vault.member_key": _("Created a vault key"),
                "procurement.plan.save": _("Saved the procurement plan"),
                "procurement.plan.publish": _("Published the procurement plan"),
                "procurement.tender.create": _("Drafted a tender"),
                "procurement.tender.publish": _("Published a tender and sealed its vault"),
                "procurement.tender.document": _("Attached a tender document"),
                "procurement.tender.question": _("Asked about a tender"),
                "procurement.tender.answer": _("Published an answer"),
                "procurement.bid.submit": _("Submitted a sealed bid"),
                "procurement.vault.share_release": _("Released a vault share"),
                "procurement.vault.open": _("Opened the vault"),
                "procurement.bid.evaluate": _("Evaluated a bid"),
                "procurement.tender.award": _("Announced an award"),
                "procurement.tender.cancel": _("Cancelled a tender"),
                "procurement.complaint.file": _("Filed a complaint"),
                "procurement.complaint.decide": _("Decided a complaint"),
                "procurement.award.withdraw": _("Withdrew an award"),
                "procurement.contract.sign": _("Signed a contract"),
                "procurement.auction.create": _("Scheduled an auction"),
                "procurement.auction.register": _("Registered for an auction"),
                "procurement.auction.bid": _("Placed an auction bid"),
                "procurement.auction.close": _("Closed an auction"),
            }
        )
