"""Core use cases that pages, API and CLI share."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onestop.core.audit import Actor, AuditVisibility
from onestop.core.errors import PermissionDeniedError
from onestop.core.models import Job


class AuditorOnlyError(PermissionDeniedError):
    code = "auditors_only"
    message = _("Only auditors and platform administrators may verify the whole audit log.")


def audit_verification_start(*, actor: Actor, visibility: AuditVisibility) -> Job:
    """Start verifying the audit chain in the background; returns the job to watch."""
    from onestop.core.jobs import job_start
    from onestop.core.tasks import audit_verify_task

    if not visibility.everything:
        raise AuditorOnlyError()
    return job_start(
        kind="audit.verify",
        title=str(_("Verify the audit log")),
        actor=actor,
        task_object=audit_verify_task,
    )
