"""WebSocket consumers of the core: live progress of a job its requester started."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from onestop.core.audit import user_actor_id
from onestop.core.jobs import job_group, job_payload
from onestop.core.models import Job

# Close codes (4000-4999 are the application's): the page shows a message and stops retrying.
CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
# The channel layer carries updates instantly when the worker shares it (Redis); the database
# is read as well so that progress also shows with the in-memory layer and a separate worker.
POLL_SECONDS = 1.0


class JobProgressConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        self.job_id = str(self.scope["url_route"]["kwargs"]["job_id"])
        self.actor_id = user_actor_id(user.pk)
        job = await self._load()
        if job is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = job_group(self.job_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.last_sent: dict[str, Any] | None = None
        await self._send(job_payload(job))
        self.poller = asyncio.create_task(self._poll())

    async def disconnect(self, code: int) -> None:
        poller = getattr(self, "poller", None)
        if poller:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def job_update(self, event: dict[str, Any]) -> None:
        await self._send(event["job"])

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Clients only listen; anything sent is ignored."""

    async def _send(self, payload: dict[str, Any]) -> None:
        if payload == self.last_sent:
            return
        self.last_sent = payload
        await self.send_json({"type": "job", "job": payload})

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            job = await self._load()
            if job is None:
                return
            await self._send(job_payload(job))
            if job.is_finished:
                return

    @database_sync_to_async
    def _load(self) -> Job | None:
        return Job.objects.filter(id=self.job_id, requested_by=self.actor_id).first()
