"""WSGI entry point for serving pages and API with gunicorn (WebSockets need asgi.py)."""

import os

from django.core.wsgi import get_wsgi_application
from servestatic import ServeStatic

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.config.settings")

from onestop.config.static import serve_static

application = serve_static(ServeStatic, get_wsgi_application())
