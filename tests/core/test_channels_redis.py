"""With REDIS_URL, live updates cross processes: two channel layers share one group."""

from __future__ import annotations

import os
import socket

import pytest
from asgiref.sync import async_to_sync

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3")


def _redis_answers() -> bool:
    from urllib.parse import urlparse

    url = urlparse(REDIS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(
    not _redis_answers(), reason=f"no Redis answers at {REDIS_URL} (.ci/run starts one)"
)
def test_a_group_message_from_one_process_reaches_another():
    from channels_redis.core import RedisChannelLayer

    sender = RedisChannelLayer(hosts=[REDIS_URL], prefix="onestop-test")
    receiver = RedisChannelLayer(hosts=[REDIS_URL], prefix="onestop-test")

    async def scenario():
        channel = await receiver.new_channel()
        await receiver.group_add("job.test", channel)
        await sender.group_send("job.test", {"type": "job.update", "job": {"done": 3}})
        message = await receiver.receive(channel)
        await receiver.group_discard("job.test", channel)
        await sender.flush()
        return message

    assert async_to_sync(scenario)() == {"type": "job.update", "job": {"done": 3}}
