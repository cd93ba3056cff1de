"""Who may have official documents issued in an agency's name."""

from __future__ import annotations

from onestop.core.audit import SYSTEM, Actor
from onestop.core.errors import PermissionDeniedError
from onestop.identity.public import Principal, require_officer_of


def require_may_issue_documents(actor: Actor, *, agency_id: int, agency_code: str) -> None:
    """Officers of the agency, or the platform itself (tasks and commands acting as SYSTEM).

    Which officer may issue which kind of document (an approver, a buyer) is the calling app's
    rule; it checks that before asking for the document.
    """
    if isinstance(actor, Principal):
        require_officer_of(actor, agency_id=agency_id, agency_code=agency_code)
        return
    if actor.actor_id != SYSTEM.actor_id:
        raise PermissionDeniedError()
