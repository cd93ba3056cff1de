"""ASGI entry point: HTTP (Django, static files) and WebSockets (Channels) in one application."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.config.settings")

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application
from servestatic.asgi import ServeStaticASGI

django_application = get_asgi_application()

from onestop.config.routing import websocket_urlpatterns  # noqa: E402
from onestop.config.static import serve_static  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": serve_static(ServeStaticASGI, django_application),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
