"""Record logins in the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from onestop.identity.services import login_record


@receiver(user_logged_in, dispatch_uid="onestop.identity.login_audit")
def _record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    login_record(user=user)
