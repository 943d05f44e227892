"""Server-sent events read straight from an ASGI app (httpx's ASGI transport waits for a
response to end, which an event stream never does)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp


@dataclass(frozen=True)
class Sse:
    name: str
    id: str | None
    data: str


async def read_stream(
    app: ASGIApp,
    path: str,
    cookie: str,
    want: int,
    seconds: float,
    headers: dict[str, str] | None = None,
) -> list[Sse]:
    """GET `path` with `cookie` until `want` named events came (within `seconds`)."""
    raw_path, _, query = path.partition("?")
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [
            (b"host", b"testserver"),
            (b"cookie", cookie.encode()),
            *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
        ],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 40000),
    }
    done = asyncio.Event()
    events: list[Sse] = []
    buffer = ""

    async def receive() -> dict[str, Any]:
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal buffer
        if message["type"] == "http.response.start":
            assert message["status"] == 200, message
        if message["type"] != "http.response.body":
            return
        buffer += message.get("body", b"").decode()
        while "\r\n\r\n" in buffer:
            block, buffer = buffer.split("\r\n\r\n", 1)
            lines = block.split("\r\n")
            name = next((line[7:] for line in lines if line.startswith("event: ")), None)
            event_id = next((line[4:] for line in lines if line.startswith("id: ")), None)
            payload = "\n".join(line[6:] for line in lines if line.startswith("data: "))
            if name is not None:
                events.append(Sse(name, event_id, payload))
        if len(events) >= want:
            done.set()

    await asyncio.wait_for(app(scope, receive, send), seconds)
    return events
