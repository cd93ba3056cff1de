"""WebSocket routes of e-Procurement: live auctions."""

from django.urls import path

from onestop.procurement.consumers import AuctionConsumer

websocket_urlpatterns = [
    path("ws/auctions/<str:reference>/", AuctionConsumer.as_asgi()),
]
