from onestop.procurement.models.auctions import Auction, AuctionBid, AuctionBidder, AuctionSeat
from onestop.procurement.models.catalog import CatalogItem, Category, ShoppingListLine
from onestop.procurement.models.inventory import StockItem, StockMovement, Store
from onestop.procurement.models.purchasing import (
    ApprovalLevel,
    BudgetLine,
    DocumentCounter,
    GoodsReceipt,
    GoodsReceiptLine,
    Invoice,
    InvoiceLine,
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Requisition,
    RequisitionDecision,
    RequisitionLine,
)
from onestop.procurement.models.suppliers import BANKS, Supplier, SupplierDocument

__all__ = [
    "BANKS",
    "ApprovalLevel",
    "Auction",
    "AuctionBid",
    "AuctionBidder",
    "AuctionSeat",
    "BudgetLine",
    "CatalogItem",
    "Category",
    "DocumentCounter",
    "GoodsReceipt",
    "GoodsReceiptLine",
    "Invoice",
    "InvoiceLine",
    "PurchaseOrder",
    "PurchaseOrderEvent",
    "PurchaseOrderLine",
    "Requisition",
    "RequisitionDecision",
    "RequisitionLine",
    "ShoppingListLine",
    "StockItem",
    "StockMovement",
    "Store",
    "Supplier",
    "SupplierDocument",
]
from onestop.procurement.models.planning import PlanItem, ProcurementPlan
from onestop.procurement.models.tendering import (
    Clarification,
    CommitteeSeat,
    Complaint,
    Contract,
    ProposalDocument,
    Submission,
    Tender,
    TenderDocument,
    TenderLine,
    VaultMemberKey,
)

__all__ += [
    "Clarification",
    "CommitteeSeat",
    "Complaint",
    "Contract",
    "PlanItem",
    "ProcurementPlan",
    "ProposalDocument",
    "Submission",
    "Tender",
    "TenderDocument",
    "TenderLine",
    "VaultMemberKey",
]
