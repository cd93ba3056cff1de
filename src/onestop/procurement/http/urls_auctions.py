"""The live e-Auction pages (P-17 to P-20). Included from `onestop.procurement.http.urls`, so
their names live in that module's "procurement" namespace (no app_name here: it would nest a
second one)."""

from django.urls import path

from onestop.procurement.http import views_auctions

A = "procurement/auctions/"
urlpatterns = [
    path(A, views_auctions.auction_list, name="auction_list"),
    path(f"{A}new/", views_auctions.auction_new, name="auction_new"),
    path(f"{A}<str:reference>/", views_auctions.auction_detail, name="auction_detail"),
    path(f"{A}<str:reference>/register/", views_auctions.auction_register, name="auction_register"),
    path(
        f"{A}<str:reference>/sealed-bid/",
        views_auctions.auction_sealed_bid,
        name="auction_sealed_bid",
    ),
    path(
        f"{A}<str:reference>/share/",
        views_auctions.auction_share_release,
        name="auction_share_release",
    ),
    path(
        f"{A}<str:reference>/result.pdf",
        views_auctions.auction_result_pdf,
        name="auction_result_pdf",
    ),
]
