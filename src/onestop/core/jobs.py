"""Background work (C-10) on a queue in the database, which works on SQLite and PostgreSQL.

Tasks are django-tasks tasks (the API of Django's own `django.tasks`), stored by
django-tasks-db and run by `onestop worker`. This module adds what a platform needs on top:

* `background(max_attempts=..)`: a failed task is retried with exponential backoff;
* worker heartbeats: a task left RUNNING by a killed worker is put back on the queue;
* `Job` + `JobReporter`: long operations that a person started show live progress
  (database row for polling, channel-layer group `job.<id>` for WebSocket pages).

Enqueue inside the service's transaction: the queue row commits or rolls back with the change.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.signals import task_finished

from onestop.core.audit import Actor
from onestop.core.models import Job, WorkerHeartbeat

logger = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(hours=1)
# A task whose worker died is retried even without a retry policy, up to this many attempts.
ABANDONED_ATTEMPTS = 3


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 1
    backoff_seconds: float = 10.0

    def delay(self, attempt: int) -> dt.timedelta:
        return min(MAX_BACKOFF, dt.timedelta(seconds=self.backoff_seconds * 2 ** (attempt - 1)))


RETRY_POLICIES: dict[str, RetryPolicy] = {}


def background(
    *,
    queue_name: str = "default",
    priority: int = 0,
    max_attempts: int = 1,
    backoff_seconds: float = 10.0,
) -> Callable:
    """Declare a background task; failed runs are retried up to `max_attempts` in all."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def decorate(function: Callable) -> Any:
        task_object = task(queue_name=queue_name, priority=priority)(function)
        RETRY_POLICIES[task_object.module_path] = RetryPolicy(max_attempts, backoff_seconds)
        return task_object

    return decorate


def retry_policy(task_path: str) -> RetryPolicy:
    return RETRY_POLICIES.get(task_path, RetryPolicy())


def _retry_failed_task(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """Put a failed task back on the queue when its policy allows another attempt."""
    if task_result.status != TaskResultStatus.FAILED:
        return
    policy = retry_policy(task_result.task.module_path)
    if task_result.attempts >= policy.max_attempts:
        return
    from django_tasks_db.models import DBTaskResult

    run_after = timezone.now() + policy.delay(task_result.attempts)
    DBTaskResult.objects.filter(id=task_result.id, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=run_after, finished_at=None
    )
    logger.warning(
        "Task %s failed (attempt %s of %s); retrying after %s",
        task_result.task.module_path,
        task_result.attempts,
        policy.max_attempts,
        run_after,
    )


def connect_signals() -> None:
    task_finished.connect(_retry_failed_task, dispatch_uid="onestop.jobs.retry")


# Worker liveness -------------------------------------------------------------------------------


def worker_heartbeat(worker_id: str, started_at: dt.datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen": now,
        },
    )


def requeue_abandoned_tasks(stale_after: dt.timedelta | None = None) -> int:
    """Put RUNNING tasks whose worker stopped sending heartbeats back on the queue.

    A task that was abandoned too often is marked failed instead, so a task that kills its
    worker cannot loop forever.
    """
    from django_tasks_db.models import DBTaskResult, get_date_max

    stale_after = stale_after or dt.timedelta(seconds=settings.ONESTOP_WORKER_STALE_AFTER_SECONDS)
    cutoff = timezone.now() - stale_after
    alive = set(
        WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list("worker_id", flat=True)
    )
    requeued = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING
        )
        for result in running:
            if result.worker_ids and result.worker_ids[-1] in alive:
                continue
            limit = max(retry_policy(result.task_path).max_attempts, ABANDONED_ATTEMPTS)
            if len(result.worker_ids) >= limit:
                result.status = TaskResultStatus.FAILED
                result.finished_at = timezone.now()
                result.exception_class_path = "onestop.core.jobs.WorkerLost"
                result.traceback = f"The worker running this task stopped {limit} times."
                result.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                continue
            result.status = TaskResultStatus.READY
            result.run_after = get_date_max()
            result.save(update_fields=["status", "run_after"])
            requeued += 1
    WorkerHeartbeat.objects.filter(last_seen__lt=cutoff - dt.timedelta(hours=1)).delete()
    if requeued:
        logger.warning("Requeued %s task(s) abandoned by stopped workers", requeued)
    return requeued


class WorkerHousekeeping(threading.Thread):
    """Sends this worker's heartbeat and requeues abandoned tasks, every few seconds."""

    def __init__(self, worker_id: str, interval: float) -> None:
        super().__init__(name="onestop-worker-housekeeping", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                worker_heartbeat(self.worker_id, self.started_at)
                requeue_abandoned_tasks()
            except Exception:
                logger.exception("Worker housekeeping failed; trying again")
            finally:
                close_old_connections()
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()


# Jobs a person watches ---------------------------------------------------------------------------


def job_group(job_id: Any) -> str:
    return f"job.{job_id}"


def job_payload(job: Job) -> dict[str, Any]:
    return {
        "id": str(job.id),
        "kind": job.kind,
        "title": job.title,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "result": job.result,
        "finished": job.is_finished,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def broadcast(group: str, message: dict[str, Any]) -> None:
    """Send to a channel-layer group; a failure to broadcast never fails the caller."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.warning("Could not broadcast to %s", group, exc_info=True)


def job_start(*, kind: str, title: str, actor: Actor, task_object: Any, **kwargs: Any) -> Job:
    """Create a job and enqueue its task in the caller's transaction."""
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title[:200], requested_by=actor.actor_id)
        task_object.enqueue(job_id=str(job.id), **kwargs)
    return job


class JobReporter:
    """Used by a running task to report progress; writes at most every `interval` seconds."""

    def __init__(self, job_id: str, interval: float = 0.5) -> None:
        self.job_id = job_id
        self.interval = interval
        self._last_write = 0.0

    def _save(self, **fields: Any) -> None:
        Job.objects.filter(id=self.job_id).update(**fields)
        job = Job.objects.get(id=self.job_id)
        broadcast(job_group(self.job_id), {"type": "job.update", "job": job_payload(job)})
        self._last_write = time.monotonic()

    def started(self, total: int | None = None, message: str = "") -> None:
        self._save(
            status=Job.Status.RUNNING,
            started_at=timezone.now(),
            total=total,
            done=0,
            message=message[:300],
            finished_at=None,
        )

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        if time.monotonic() - self._last_write < self.interval:
            return
        fields: dict[str, Any] = {"done": done}
        if total is not None:
            fields["total"] = total
        if message:
            fields["message"] = message[:300]
        self._save(**fields)

    def succeeded(self, result: Any = None, message: str = "") -> None:
        job = Job.objects.get(id=self.job_id)
        self._save(
            status=Job.Status.SUCCEEDED,
            result=result,
            message=message[:300],
            finished_at=timezone.now(),
            done=job.total if job.total is not None else job.done,
        )

    def failed(self, message: str) -> None:
        self._save(status=Job.Status.FAILED, message=message[:300], finished_at=timezone.now())


def job_task(*, queue_name: str = "default", max_attempts: int = 1) -> Callable:
    """Declare the task behind a `Job`: `function(reporter, **kwargs)` returns the job's result.

    The job is marked running, then finished or failed; an exception fails the job (and the
    task, so the retry policy applies).
    """

    def decorate(function: Callable[..., Any]) -> Any:
        @functools.wraps(function)
        def run(job_id: str, **kwargs: Any) -> Any:
            reporter = JobReporter(job_id)
            reporter.started()
            try:
                result = function(reporter, **kwargs)
            except Exception as exc:
                reporter.failed(f"{type(exc).__name__}: {exc}")
                raise
            reporter.succeeded(result)
            return result

        return background(queue_name=queue_name, max_attempts=max_attempts)(run)

    return decorate


def job_get(*, job_id: Any, actor: Actor) -> Job | None:
    """A job, if this actor started it."""
    return Job.objects.filter(id=job_id, requested_by=actor.actor_id).first()
