"""What every dashboard page shares: the signed-in staff member, one transaction, templates,
flash messages, security headers, and errors turned into responses."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import jinja2
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from bot.cases import Actor, Desk, DeskError, PermissionDenied
from bot.cases.status import STATUS_LABELS
from bot.staff import load_session
from bot.storage.models import Staff

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Case pages hold personal data: never kept by a browser or a proxy.
    "Cache-Control": "no-store",
}
SESSION_KEY = "sid"


class Deps(Protocol):
    """What the dashboard runs on; the server's runtime once it has started."""

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...

    @property
    def desk(self) -> Desk: ...


@dataclass
class Ctx:
    request: Request
    db: AsyncSession
    staff: Staff
    deps: Deps

    @property
    def actor(self) -> Actor:
        return Actor(self.staff.id, self.staff.role, self.staff.organisation)

    @property
    def desk(self) -> Desk:
        return self.deps.desk

    def url(self, path: str) -> str:
        return prefix(self.request) + path


Handler = Callable[[Ctx], Awaitable[Response]]


class NotFound(Exception):
    pass


def prefix(request: Request) -> str:
    return str(request.scope.get("root_path", ""))


def redirect(request: Request, path: str) -> RedirectResponse:
    return RedirectResponse(prefix(request) + path, status_code=303)


def flash(request: Request, text: str, kind: str = "info") -> None:
    request.session.setdefault("flash", []).append([kind, text])


class Pages:
    """Templates and the wrapper that every signed-in page goes through."""

    def __init__(self, provider: Callable[[], Deps]) -> None:
        self.provider = provider
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        versions = {p.name: _digest(p) for p in STATIC_DIR.iterdir() if p.is_file()}
        env.globals["asset"] = lambda request, name: (
            f"{prefix(request)}/static/{name}?v={versions[name]}"
        )
        env.globals["status_label"] = lambda s: STATUS_LABELS.get(s, s)
        env.filters["waited"] = waited
        env.filters["when"] = when
        self.templates = Jinja2Templates(env=env)

    def render(
        self, request: Request, name: str, context: dict[str, Any], status: int = 200
    ) -> Response:
        context = {
            "root": prefix(request),
            "csrf": _csrf(request),
            "flashes": request.session.pop("flash", []),
            "now": datetime.now(UTC),
            **context,
        }
        return self.templates.TemplateResponse(
            request, name, context, status_code=status, headers=HEADERS
        )

    def not_found(self, request: Request, staff: Staff | None) -> Response:
        # A case one may not see is answered as one that does not exist.
        return self.render(request, "error.html", {"staff": staff, "message": "Not found"}, 404)

    def staff(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            deps = self.provider()
            token = request.session.get(SESSION_KEY)
            async with deps.sessions() as db:
                staff = await load_session(db, token) if isinstance(token, str) else None
                if staff is None:
                    await db.commit()  # expired sessions are removed
                    request.session.pop(SESSION_KEY, None)
                    if request.method != "GET":
                        return HTMLResponse("Signed out", status_code=401, headers=HEADERS)
                    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                    return redirect(request, f"/login?next={quote(path)}")
                ctx = Ctx(request, db, staff, deps)
                try:
                    response = await handler(ctx)
                except PermissionDenied:
                    await db.commit()  # keeps the audit entry of the refusal
                    return self.not_found(request, staff)
                except NotFound:
                    await db.commit()  # raised before any change
                    return self.not_found(request, staff)
                except DeskError as error:
                    await db.rollback()
                    if _wants_json(request):
                        return Response(str(error), status_code=400, headers=HEADERS)
                    flash(request, str(error), "error")
                    # An action's URL is its page's URL plus one segment: back to the page.
                    return RedirectResponse(request.url.path.rsplit("/", 1)[0], status_code=303)
                await db.commit()
                return response

        return endpoint


def _wants_json(request: Request) -> bool:
    return request.headers.get("x-requested-with") == "fetch"


def _csrf(request: Request) -> str:
    get = request.scope.get("csrftoken")
    return str(get()) if callable(get) else ""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def waited(since: datetime | None, now: datetime | None = None) -> str:
    """'4 min', '2 h 5 min', '3 d 4 h': how long something has waited."""
    if since is None:
        return "—"
    seconds = max(0, int(((now or datetime.now(UTC)) - since).total_seconds()))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if days:
        return f"{days} d {hours % 24} h"
    if hours:
        return f"{hours} h {minutes % 60} min"
    return f"{minutes} min" if minutes else "under 1 min"


def when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "—"
