"""Background tasks of the core: audit-chain verification."""

from __future__ import annotations

from typing import Any

from onestop.core import audit
from onestop.core.jobs import JobReporter, job_task


@job_task(queue_name="audit")
def audit_verify_task(
    reporter: JobReporter, expect: dict[str, str] | None = None
) -> dict[str, Any]:
    """Verify the whole audit chain, reporting progress; the result is the verify report."""
    anchors = {int(seq): value for seq, value in (expect or {}).items()}
    report = audit.verify(
        expect=anchors, progress=lambda done, total: reporter.progress(done, total)
    )
    return report.as_dict()
