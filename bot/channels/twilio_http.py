"""Twilio's client on httpx: one HTTP stack for the project, and no request bodies in the logs.

Twilio's own AsyncTwilioHttpClient logs every request's parameters (a worker's number and
message) at INFO; this one logs nothing. It also keeps the last response's Retry-After for the
task that made the request, which Twilio's exceptions do not carry.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

import httpx
from twilio.http import AsyncHttpClient
from twilio.http.response import Response

from bot.channels.tls import tls_context

last_retry_after: ContextVar[float | None] = ContextVar("twilio_retry_after", default=None)


class HttpxTwilioClient(AsyncHttpClient):  # type: ignore[misc]  # twilio is untyped
    def __init__(self, timeout: float = 15.0) -> None:
        super().__init__(logging.getLogger("bot.channels.twilio"), True, timeout)
        self.client = httpx.AsyncClient(timeout=timeout, verify=tls_context())

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (Twilio's interface)
        allow_redirects: bool = False,
    ) -> Response:
        kwargs: dict[str, Any] = {
            "params": params,
            "data": data,
            "headers": headers,
            "follow_redirects": allow_redirects,
            "timeout": timeout or self.timeout,
        }
        if auth is not None:
            kwargs["auth"] = auth
        response = await self.client.request(method, url, **kwargs)
        last_retry_after.set(_retry_after(response.headers.get("Retry-After")))
        return Response(response.status_code, response.text, dict(response.headers))

    async def close(self) -> None:
        await self.client.aclose()


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
