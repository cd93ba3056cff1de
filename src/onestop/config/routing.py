"""Every WebSocket route of the platform; each app contributes its own list."""

from onestop.core.routing import websocket_urlpatterns as core_websockets
from onestop.procurement.routing import websocket_urlpatterns as procurement_websockets

websocket_urlpatterns = [*core_websockets, *procurement_websockets]
