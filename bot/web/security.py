"""Headers added to every response of an app: HSTS in production, the dashboard's frame policy.

A middleware rather than each endpoint's headers, so that redirects, errors, static files and
event streams carry them too. A header an endpoint set itself is left as it is.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Browsers that once reached us over HTTPS use nothing else for a year: a network in between
# cannot downgrade an officer's or a worker's connection. Not includeSubDomains: the
# helpline's organisation may serve other sites under the same domain.
HSTS = {"Strict-Transport-Security": "max-age=31536000"}
# Case pages never show inside another site's frame (clickjacking an officer's clicks).
NO_FRAMES = {"X-Frame-Options": "DENY"}


class SecurityHeaders:
    def __init__(self, app: ASGIApp, headers: Mapping[str, str]) -> None:
        self.app = app
        self.headers = dict(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
