"""GET /metrics in Prometheus' text format, for Prometheus only.

With HELPLINE_METRICS_TOKEN set, a scrape must send `Authorization: Bearer <token>` (from any
address: Kubernetes and compose scrape over the network). Without it, only a scraper on this
machine may read it: a request from the loopback that no proxy forwarded (a proxy on the same
machine adds X-Forwarded-For or Forwarded, and would otherwise make every visitor local).
The numbers hold no personal data, but queue names and volumes are nobody else's business.
"""

from __future__ import annotations

import hmac
import ipaddress

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.metrics.database import DatabaseCollector
from bot.metrics.instruments import Metrics

PATH = "/metrics"
_PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def metrics_route(metrics: Metrics, database: DatabaseCollector, *, token: str | None) -> Route:
    """`database` must be registered in `metrics.registry` (the runtime does that)."""

    async def endpoint(request: Request) -> Response:
        if not allowed(request, token):
            return PlainTextResponse(
                "metrics need the bearer token (HELPLINE_METRICS_TOKEN)\n",
                status_code=401 if token else 403,
                headers={"WWW-Authenticate": "Bearer"} if token else None,
            )
        await database.refresh()
        return Response(
            generate_latest(metrics.registry),
            media_type=CONTENT_TYPE_LATEST,
            headers={"Cache-Control": "no-store"},
        )

    return Route(PATH, endpoint, methods=["GET"], name="metrics")


def allowed(request: Request, token: str | None) -> bool:
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        )
    if any(name in request.headers for name in _PROXY_HEADERS):
        return False
    return _loopback(request.client.host if request.client else None)


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
