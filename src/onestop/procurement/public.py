"""What other apps may use of procurement."""

from onestop.procurement.http.api import router as api_router

__all__ = ["api_router"]
