"""Background jobs: retries, recovery from killed workers, live progress over WebSockets."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from onestop.core import jobs
from onestop.core.audit import SystemActor, user_actor_id
from onestop.core.jobs import JobReporter, background, job_task
from onestop.core.models import Job, WorkerHeartbeat
from onestop.core.routing import websocket_urlpatterns

ATTEMPTS: list[int] = []
ROOT = Path(__file__).resolve().parents[2]


@background(max_attempts=3, backoff_seconds=0)
def flaky(fail_times: int) -> str:
    ATTEMPTS.append(1)
    if len(ATTEMPTS) <= fail_times:
        raise ConnectionError(f"agency endpoint down (attempt {len(ATTEMPTS)})")
    return "delivered"


@job_task()
def counting(reporter: JobReporter, upto: int) -> dict:
    reporter.interval = 0
    for done in range(1, upto + 1):
        reporter.progress(done, upto)
    return {"counted": upto}


@background()
def slow_marker(seconds: float, marker: str) -> str:
    time.sleep(seconds)
    Path(marker).write_text("done")
    return marker


@pytest.fixture
def run_worker(run_tasks):
    return run_tasks


@pytest.fixture(autouse=True)
def _fresh_attempts():
    ATTEMPTS.clear()


@pytest.mark.django_db
def test_a_failing_task_is_retried_until_it_succeeds(run_worker):
    # given
    result = flaky.enqueue(fail_times=2)

    # when
    run_worker()

    # then
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == "delivered"
    assert len(row.worker_ids) == 3
    assert len(ATTEMPTS) == 3


@pytest.mark.django_db
def test_a_task_fails_for_good_after_its_last_attempt(run_worker):
    result = flaky.enqueue(fail_times=5)

    run_worker()

    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert "agency endpoint down (attempt 3)" in row.traceback
    assert len(ATTEMPTS) == 3


def test_backoff_doubles_and_is_capped():
    policy = jobs.RetryPolicy(max_attempts=20, backoff_seconds=10)
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
    assert policy.delay(19) == jobs.MAX_BACKOFF


@pytest.mark.django_db
def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs():
    with pytest.raises(RuntimeError), transaction.atomic():
        flaky.enqueue(fail_times=0)
        raise RuntimeError("the service failed")
    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db
def test_tasks_of_a_silent_worker_are_requeued_and_live_ones_kept():
    # given: one task held by a dead worker, one by a live worker
    dead = flaky.enqueue(fail_times=0)
    alive = flaky.enqueue(fail_times=0)
    DBTaskResult.objects.filter(id=dead.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["dead"]
    )
    DBTaskResult.objects.filter(id=alive.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["alive"]
    )
    jobs.worker_heartbeat("alive", timezone.now())
    WorkerHeartbeat.objects.create(
        worker_id="dead",
        hostname="h",
        pid=1,
        started_at=timezone.now(),
        last_seen=timezone.now() - dt.timedelta(minutes=5),
    )

    # when
    requeued = jobs.requeue_abandoned_tasks(dt.timedelta(seconds=30))

    # then
    assert requeued == 1
    assert DBTaskResult.objects.get(id=dead.id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(id=alive.id).status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_task_that_keeps_killing_its_worker_is_failed_not_looped():
    result = flaky.enqueue(fail_times=0)
    DBTaskResult.objects.filter(id=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["w1", "w2", "w3"]
    )
    assert jobs.requeue_abandoned_tasks(dt.timedelta(seconds=30)) == 0
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert "stopped 3 times" in row.traceback


@pytest.mark.django_db
def test_a_job_reports_progress_and_result(run_worker):
    actor = SystemActor(actor_id=user_actor_id(5), actor_name="tester")
    job = jobs.job_start(
        kind="test.count", title="Count", actor=actor, task_object=counting, upto=4
    )
    assert job.status == Job.Status.QUEUED

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == (Job.Status.SUCCEEDED, 4, 4, 100)
    assert job.result == {"counted": 4}
    assert jobs.job_get(job_id=job.id, actor=actor) == job
    assert jobs.job_get(job_id=job.id, actor=SystemActor(actor_id="user:6")) is None


class _WithUser:
    """Put a user into the WebSocket scope, as the session middleware would."""

    def __init__(self, app, user):
        self.app, self.user = app, user

    async def __call__(self, scope, receive, send):
        return await self.app({**scope, "user": self.user}, receive, send)


def _connect(user, job_id):
    app = _WithUser(URLRouter(websocket_urlpatterns), user)
    return WebsocketCommunicator(app, f"/ws/jobs/{job_id}/")


@pytest.mark.django_db(transaction=True)
def test_the_requester_follows_a_job_live(citizen):
    from django.contrib.auth import get_user_model

    person = citizen()
    user = get_user_model().objects.get(pk=person.user_id)
    job = Job.objects.create(kind="test", title="t", requested_by=person.actor_id)

    async def scenario():
        communicator = _connect(user, job.id)
        connected, _ = await communicator.connect()
        assert connected
        first = await communicator.receive_json_from(timeout=5)
        assert first["job"]["status"] == "queued"
        from asgiref.sync import sync_to_async

        reporter = JobReporter(str(job.id), interval=0)
        await sync_to_async(reporter.started)(total=10)
        await sync_to_async(reporter.progress)(5, 10)
        seen = []
        while not seen or seen[-1]["done"] != 5:
            seen.append((await communicator.receive_json_from(timeout=5))["job"])
        await communicator.disconnect()
        return seen

    updates = async_to_sync(scenario)()
    assert updates[-1]["status"] == "running" and updates[-1]["percent"] == 50


@pytest.mark.django_db(transaction=True)
def test_others_and_anonymous_cannot_follow_a_job(citizen):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    owner, other = citizen(), citizen()
    job = Job.objects.create(kind="test", title="t", requested_by=owner.actor_id)
    other_user = get_user_model().objects.get(pk=other.user_id)

    async def close_code(user):
        communicator = _connect(user, job.id)
        connected, code = await communicator.connect()
        return connected, code

    assert async_to_sync(close_code)(other_user) == (False, 4404)
    assert async_to_sync(close_code)(AnonymousUser()) == (False, 4401)


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}:{settings.get('PASSWORD') or ''}@{settings['HOST'] or '127.0.0.1'}"
        f":{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def _worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "onestop",
            "worker",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--verbosity",
            "0",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_job_survives_its_worker_being_killed(tmp_path):
    # given: a worker running a slow task
    marker = tmp_path / "marker"
    result = slow_marker.enqueue(seconds=2, marker=str(marker))
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "onestop.config.settings_test",
        "WORKER_HEARTBEAT_SECONDS": "1",
        "WORKER_STALE_AFTER_SECONDS": "3",
    }
    first = _worker(env)
    try:
        _wait_for(lambda: DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.RUNNING)

        # when: the worker is killed mid-task, and another worker runs
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert not marker.exists()
        second = _worker(env)
        try:
            _wait_for(
                lambda: DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL
            )
        finally:
            second.terminate()
            second.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()

    # then: the task ran to the end on the second worker
    row = DBTaskResult.objects.get(id=result.id)
    assert marker.read_text() == "done"
    assert len(row.worker_ids) == 2
