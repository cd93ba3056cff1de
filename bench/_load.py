"""A small HTTP/1.1 keep-alive load generator (asyncio), shared by the benchmarks."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0


class ConnectionClosedError(Exception):
    pass


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the connection stays open."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionClosedError
    status = int(status_line.split()[1])
    length = 0
    chunked = False
    keep_alive = True
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name.lower() == "connection" and "close" in value.lower():
            keep_alive = False
    if chunked:
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, keep_alive


async def _client(host: str, port: int, request: bytes, until: float, result: LoadResult) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(request)
            try:
                status, keep_alive = await _read_response(reader)
            except (ConnectionClosedError, ConnectionError):
                result.errors += 1
                keep_alive = False
            else:
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
                result.requests += 1
                if status >= 400:
                    result.errors += 1
            if not keep_alive:
                # Servers without keep-alive (gunicorn's sync workers) close after each
                # response; the new connection is part of the measured time.
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


def run_load(host: str, port: int, path: str, seconds: float, connections: int = 16) -> LoadResult:
    """Keep `connections` clients busy on GET `path` for `seconds`."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Language: th\r\n"
        "Connection: keep-alive\r\n\r\n"
    ).encode()
    result = LoadResult(0, 0, 0.0, [])

    async def main() -> None:
        until = time.perf_counter() + seconds
        started = time.perf_counter()
        await asyncio.gather(
            *(_client(host, port, request, until, result) for _ in range(connections))
        )
        result.seconds = time.perf_counter() - started

    asyncio.run(main())
    return result
