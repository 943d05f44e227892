"""GET /health: liveness plus whatever the configured check reports (e.g. the database)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# Returns details to show; a "status" other than "ok" among them marks the service unhealthy.
HealthCheck = Callable[[], Awaitable[dict[str, object]]]

TIMEOUT_SECONDS = 5.0
_NO_STORE = {"Cache-Control": "no-store"}

logger = logging.getLogger(__name__)


def health_route(check: HealthCheck | None) -> Route:
    async def health(request: Request) -> Response:
        details: dict[str, object] = {}
        if check is not None:
            try:
                async with asyncio.timeout(TIMEOUT_SECONDS):
                    details = await check()
            except Exception:
                logger.exception("health check failed")
                return JSONResponse({"status": "error"}, status_code=503, headers=_NO_STORE)
        if details.get("status", "ok") != "ok":
            return JSONResponse({**details, "status": "error"}, status_code=503, headers=_NO_STORE)
        return JSONResponse({**details, "status": "ok"}, headers=_NO_STORE)

    return Route("/health", health, methods=["GET"], name="health")
