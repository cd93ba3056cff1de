"""The procurement links each person sees on their home page and in the menu."""

from __future__ import annotations

from contextlib import suppress

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from onestop.core.navigation import PUBLIC, Link
from onestop.identity.public import Role, businesses_of
from onestop.procurement.policies import is_registrar


def links(principal) -> list[Link]:
    result: list[Link] = []
    roles = set(principal.roles)

    def add(label, name, description, section="officer", args=()):
        result.append(Link(label, reverse(f"procurement:{name}", args=args), description, section))

    # Everyone, logged in or not: the public procurement information center (P-21); if its
    # URLs are not mounted, no link rather than a broken menu on every page.
    with suppress(NoReverseMatch):
        add(
            _("Procurement information"),
            "info_tenders",
            _("Every tender, result, contract and plan, with downloads. No login needed."),
            PUBLIC,
        )

    if principal.is_officer:
        if Role.BUYER in roles:
            add(
                _("e-Catalog"),
                "catalog",
                _("Search items in Thai or English and add them to your list."),
            )
            add(_("Shopping list"), "cart", _("Turn your list into a requisition."))
            add(_("Stores"), "stores", _("Stock, issues and automatic reorders."))
        add(_("Requisitions"), "requisitions", _("Your agency's requisitions and their approvals."))
        if Role.APPROVER in roles:
            add(_("Approvals"), "approvals", _("Requisitions waiting for your decision."))
        add(_("Purchase orders"), "orders", _("Orders, deliveries and their tracking."))
        add(_("Tenders"), "tenders", _("Invitations, sealed bids and their opening."))
        add(
            _("e-Auctions"),
            "auction_list",
            _("Live reverse auctions among qualified bidders, and sales of surplus assets."),
        )
        if Role.BUYER in roles:
            add(
                _("Procurement plans"),
                "plans",
                _("The agency's annual plan, published before its tenders."),
            )
        if roles & {Role.BUYER, Role.APPROVER, Role.AGENCY_ADMIN}:
            add(
                _("Procurement analytics"),
                "analytics",
                _("Savings against the reference price, bids per tender, time to award."),
            )
        if Role.COMMITTEE in roles:
            add(
                _("My vault key"),
                "vault_key",
                _("The key that holds your shares of bid-opening committees."),
            )
        if Role.INSPECTOR in roles:
            add(
                _("Inspections"),
                "inspections",
                _("Deliveries waiting for the inspection committee."),
            )
        if Role.FINANCE in roles:
            add(_("Invoices"), "invoices", _("Three-way match and payments to suppliers."))
        if Role.AGENCY_ADMIN in roles:
            add(_("Purchasing set-up"), "settings", _("Budget lines, approval chain, stores."))
        result.append(Link(_("Procurement"), reverse("procurement:orders"), "", "nav"))
    if is_registrar(principal):
        add(
            _("Supplier registrations"),
            "registrar",
            _("Approve, reject or suspend suppliers."),
            "registrar",
        )
    if principal.is_auditor:
        add(_("Purchase orders"), "orders", _("Every agency's orders."), "auditor")
        add(_("Invoices"), "invoices", _("Every invoice and its match."), "auditor")
        add(
            _("Procurement analytics"),
            "analytics",
            _("Savings, competition and time to award in every agency."),
            "auditor",
        )
    if principal.business_ids:
        add(
            _("Tenders"),
            "tenders",
            _("Invitations to bid; seal your bid in this browser."),
            "supplier",
        )
        add(
            _("e-Auctions"),
            "auction_list",
            _("Bid live in the auctions you are admitted to; register for asset sales."),
            "supplier",
        )
        for business in businesses_of(principal=principal):
            add(
                _("Sell to government"),
                "supplier",
                _("Supplier registration, catalog items and orders of %(name)s.")
                % {"name": business.name_th},
                "supplier",
                args=[business.juristic_id],
            )
    return result
