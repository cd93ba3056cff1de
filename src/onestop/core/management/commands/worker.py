"""`onestop worker`: run background jobs from the database queue.

The django-tasks-db worker, plus heartbeats so that tasks of a killed worker are picked up
again, and retries by each task's policy (see onestop.core.jobs).
"""

from __future__ import annotations

import os
import socket
from typing import Any

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands import db_worker

from onestop.core.jobs import WorkerHousekeeping


class Command(db_worker.Command):
    help = (
        "Run a background worker: takes jobs from the database queue (all queues by default), "
        "retries failed ones by their policy and recovers jobs of workers that were killed. "
        "Run several for more throughput."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.set_defaults(
            queue_name="*",
            reload=False,
            worker_id=f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reloading_parent = options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        housekeeping = None
        # A batch run drains the queue and stops: no heartbeat needed.
        if not reloading_parent and not options["batch"]:
            housekeeping = WorkerHousekeeping(
                options["worker_id"], settings.ONESTOP_WORKER_HEARTBEAT_SECONDS
            )
            housekeeping.start()
        try:
            super().handle(*args, **options)
        finally:
            if housekeeping:
                housekeeping.stop()
