from django.urls import include, path

from onestop.procurement.http import (
    views_admin,
    views_award,
    views_buying,
    views_orders,
    views_plans,
    views_supplier,
    views_tendering,
)

app_name = "procurement"

P = "procurement/"
T = f"{P}tenders/<str:reference>/"
urlpatterns = [
    path(f"{P}tenders/", views_tendering.tender_list, name="tenders"),
    path(f"{P}tenders/new/", views_tendering.tender_new, name="tender_new"),
    path(f"{P}tenders/<str:reference>/", views_tendering.tender_detail, name="tender"),
    path(
        f"{P}tenders/<str:reference>/publish/",
        views_tendering.tender_publish,
        name="tender_publish",
    ),
    path(f"{P}tenders/<str:reference>/bid/", views_tendering.bid_submit, name="bid_submit"),
    path(f"{P}tenders/<str:reference>/share/", views_tendering.share_release, name="share_release"),
    path(
        f"{P}tenders/<str:reference>/verify/", views_tendering.tender_verify, name="tender_verify"
    ),
    path(f"{P}vault-key/", views_tendering.vault_key, name="vault_key"),
    path(f"{T}documents/", views_award.document_add, name="tender_document_add"),
    path(f"{T}documents/<int:document_id>/", views_award.document_download, name="tender_document"),
    path(
        f"{T}bids/<int:sequence>/documents/<int:position>/",
        views_award.proposal_document,
        name="proposal_document",
    ),
    path(f"{T}questions/", views_award.question_ask, name="question_ask"),
    path(
        f"{T}questions/<int:question_id>/answer/",
        views_award.question_answer,
        name="question_answer",
    ),
    path(f"{T}bids/<int:sequence>/evaluation/", views_award.bid_evaluate, name="bid_evaluate"),
    path(f"{T}award/", views_award.tender_award, name="tender_award"),
    path(f"{T}cancel/", views_award.tender_cancel, name="tender_cancel"),
    path(f"{T}complaints/", views_award.complaint_file, name="complaint_file"),
    path(
        f"{T}complaints/<int:complaint_id>/decision/",
        views_award.complaint_decide,
        name="complaint_decide",
    ),
    path(f"{T}contract/", views_award.contract_sign, name="contract_sign"),
    path(f"{P}plans/", views_plans.plans, name="plans"),
    path(f"{P}catalog/", views_buying.catalog, name="catalog"),
    path(f"{P}catalog/compare/", views_buying.compare, name="compare"),
    path(f"{P}cart/", views_buying.cart, name="cart"),
    path(f"{P}cart/add/", views_buying.cart_add, name="cart_add"),
    path(f"{P}requisitions/", views_buying.requisition_list, name="requisitions"),
    path(f"{P}requisitions/<str:number>/", views_buying.requisition_detail, name="requisition"),
    path(f"{P}approvals/", views_buying.approvals, name="approvals"),
    path(f"{P}orders/", views_orders.order_list, name="orders"),
    path(f"{P}orders/<str:number>/", views_orders.order_detail, name="order"),
    path(f"{P}orders/<str:number>/pdf/", views_orders.order_pdf, name="order_pdf"),
    path(f"{P}inspections/", views_orders.inspections, name="inspections"),
    path(f"{P}invoices/", views_orders.invoice_list, name="invoices"),
    path(f"{P}settings/", views_admin.settings_page, name="settings"),
    path(f"{P}stores/", views_admin.stores_page, name="stores"),
    path(f"{P}suppliers/", views_supplier.registrar_list, name="registrar"),
    path(
        f"{P}suppliers/<str:juristic_id>/", views_supplier.registrar_detail, name="registrar_detail"
    ),
    path(f"{P}supplier/<str:juristic_id>/", views_supplier.supplier_home, name="supplier"),
    path(
        f"{P}supplier/<str:juristic_id>/items/new/",
        views_supplier.supplier_item_new,
        name="item_new",
    ),
    path(
        f"{P}supplier/<str:juristic_id>/items/<int:item_id>/",
        views_supplier.supplier_item_edit,
        name="item_edit",
    ),
    path(
        f"{P}supplier/<str:juristic_id>/documents/<int:document_id>/",
        views_supplier.supplier_document,
        name="supplier_document",
    ),
    path("", include("onestop.procurement.http.urls_analytics")),
    path("", include("onestop.procurement.http.urls_infocenter")),
    path("", include("onestop.procurement.http.urls_auctions")),
]
