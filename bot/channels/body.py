"""Request bodies read up to a limit, before anything parses them: past it, 413 Payload Too Large.

A webhook's body is read into memory to be verified and parsed; without a limit one request
could take all of it. The declared Content-Length is refused at once, and a body sent without
one (chunked) is refused as soon as it passes the limit, so at most `limit` bytes are held.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Message


class TooLarge(Exception):
    """The body is longer than the limit."""


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, at most `limit` bytes; TooLarge past that."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge
    return bytes(body)


async def bounded(request: Request, limit: int) -> Request:
    """The same request with its body read (at most `limit` bytes): `.form()` and `.json()`
    then parse what was read, never more."""
    body = await read_body(request, limit)
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:  # the body was given once; what follows is the client going away
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, receive)
