"""What every dashboard page shares: the dashboard's state on the app, the signed-in staff
member and one transaction (`signed_in`), templates, flash messages, security headers, and
errors turned into responses.

Endpoints are module-level functions. A public page takes the request and finds what it needs
with `state(request)`; a signed-in page is decorated with `signed_in` and takes a `Ctx`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import jinja2
from jinja2.runtime import Context
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from bot.cases import Action, Actor, Desk, DeskError, PermissionDenied, Role
from bot.cases.permissions import CASE_ROLES
from bot.cases.status import Priority, Status
from bot.content.inventory import DEFAULT_REVIEW_DAYS
from bot.dashboard.formatting import DeskFormat
from bot.dashboard.preview import Sandboxes
from bot.dashboard.throttle import Throttle
from bot.dialogue.flows import FlowLibrary
from bot.i18n import N_, translator
from bot.intents import LANGUAGES
from bot.nlu.types import NluBackend
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
# Officers work in Indonesian unless they choose English (the switch in every page's header).
DESK_DEFAULT_LANGUAGE = "id"


class Deps(Protocol):
    """What the dashboard runs on; the server's runtime once it has started."""

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...

    @property
    def desk(self) -> Desk: ...

    @property
    def flows(self) -> FlowLibrary | None: ...  # complaint flows: labels of the answers


class Pages:
    """The templates, rendered with what every page shows (root, CSRF token, flashes)."""

    def __init__(self) -> None:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        versions = {p.name: _digest(p) for p in STATIC_DIR.iterdir() if p.is_file()}
        env.globals["asset"] = lambda request, name: (
            f"{prefix(request)}/static/{name}?v={versions[name]}"
        )
        # The enums, so that templates compare with names, not strings.
        env.globals.update(
            Action=Action, Role=Role, Status=Status, Priority=Priority, case_roles=CASE_ROLES
        )
        env.filters["waited"] = waited
        env.filters["when"] = when
        self.templates = Jinja2Templates(env=env)

    def render(
        self, request: Request, name: str, context: dict[str, Any], status: int = 200
    ) -> Response:
        lang = desk_language(request)
        fmt = desk_format(request, context.get("staff"))
        context = {
            "root": prefix(request),
            "lang": lang,
            # Templates write {{ _("Claim") }}; `pybabel extract` reads them (babel.cfg).
            "_": translator(lang).gettext,
            "ngettext": translator(lang).ngettext,
            "fmt": fmt,
            "status_label": fmt.status,
            "csrf": _csrf(request),
            "flashes": request.session.pop("flash", []),
            "now": fmt.now,
            "here": request.url.path[len(prefix(request)) :]
            + (f"?{request.url.query}" if request.url.query else ""),
            **context,
        }
        return self.templates.TemplateResponse(
            request, name, context, status_code=status, headers=HEADERS
        )

    def not_found(self, request: Request, staff: Staff | None) -> Response:
        # A case one may not see is answered as one that does not exist.
        return self.render(request, "error.html", {"staff": staff, "message": N_("Not found")}, 404)


@dataclass(frozen=True)
class Editing:
    """What the editors' pages may do (bot/dashboard/editors.py)."""

    publishing: bool = True  # publishing writes content_root/flows/ (off: read-only files)
    review_days: int = DEFAULT_REVIEW_DAYS  # a `reviewed` date older than this is due
    # The preview chat's NLU and threshold (the runtime's); None: drafts are checked only.
    understanding: Callable[[], tuple[NluBackend, float]] | None = None
    # Called in this process right after a publication (other processes poll the version).
    reload: Callable[[], object] | None = None


@dataclass(frozen=True)
class DashboardState:
    """Everything the endpoints share, kept on the dashboard app as `app.state.dashboard`."""

    provider: Callable[[], Deps]  # the runtime, once the server has started
    pages: Pages
    content_root: Path  # where content checks look when the directory names no root
    throttle: Throttle  # sign-in attempts (counted in the database)
    report_min_cell: int = 5  # reports hide smaller figures (HELPLINE_REPORT_MIN_CELL)
    editing: Editing = field(default_factory=Editing)
    sandboxes: Sandboxes = field(default_factory=Sandboxes)  # editors' preview chats

    @property
    def deps(self) -> Deps:
        return self.provider()


def state(request: Request) -> DashboardState:
    found = getattr(request.app.state, "dashboard", None)
    if not isinstance(found, DashboardState):
        raise RuntimeError("the dashboard's state is missing from its app")
    return found


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return state(request).pages.render(request, name, context, status)


@dataclass
class Ctx:
    """A signed-in request: the staff member and the request's one transaction."""

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

    def gettext(self, message: str) -> str:
        return translator(desk_language(self.request)).gettext(message)

    def url(self, path: str) -> str:
        return prefix(self.request) + path

    def render(self, name: str, context: dict[str, Any], status: int = 200) -> Response:
        """A page with the staff member's header."""
        return render(self.request, name, {"staff": self.staff, **context}, status)


Handler = Callable[[Ctx], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


class NotFound(Exception):
    pass


def signed_in(handler: Handler) -> Endpoint:
    """The endpoint for a page that needs a signed-in staff member.

    Signed out: GET goes to the sign-in page, anything else gets 401. The handler runs in one
    transaction, committed when it returns. PermissionDenied and NotFound answer 404 (the
    refusal's audit entry is kept); DeskError rolls back and flashes the message.
    """

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        dashboard = state(request)
        deps = dashboard.deps
        token = request.session.get(SESSION_KEY)
        async with deps.sessions() as db:
            staff = await load_session(db, token) if isinstance(token, str) else None
            if staff is not None and staff.language in LANGUAGES:
                request.session["lang"] = staff.language  # chosen in another browser, maybe
            if staff is None:
                await db.commit()  # expired sessions are removed
                request.session.pop(SESSION_KEY, None)
                if request.method != "GET":
                    return HTMLResponse("Signed out", status_code=401, headers=HEADERS)
                path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return redirect(request, f"/login?next={quote(path)}")
            try:
                response = await handler(Ctx(request, db, staff, deps))
            except PermissionDenied:
                await db.commit()  # keeps the audit entry of the refusal
                return dashboard.pages.not_found(request, staff)
            except NotFound:
                await db.commit()  # raised before any change
                return dashboard.pages.not_found(request, staff)
            except DeskError as error:
                await db.rollback()
                text = error.text(desk_language(request))
                if wants_json(request):
                    return Response(text, status_code=400, headers=HEADERS)
                flash(request, text, "error")
                # An action's URL is its page's URL plus one segment: back to the page.
                return RedirectResponse(request.url.path.rsplit("/", 1)[0], status_code=303)
            await db.commit()
            return response

    return endpoint


def desk_language(request: Request) -> str:
    """The language the dashboard is shown in: the officer's choice kept in the session."""
    chosen = request.session.get("lang")
    return chosen if chosen in LANGUAGES else DESK_DEFAULT_LANGUAGE


def prefix(request: Request) -> str:
    return str(request.scope.get("root_path", ""))


def redirect(request: Request, path: str) -> RedirectResponse:
    return RedirectResponse(prefix(request) + path, status_code=303)


def flash(request: Request, text: str, kind: str = "info") -> None:
    request.session.setdefault("flash", []).append([kind, text])


def wants_json(request: Request) -> bool:
    """The page's script sent the form and reads the answer."""
    return request.headers.get("x-requested-with") == "fetch"


def _csrf(request: Request) -> str:
    get = request.scope.get("csrftoken")
    return str(get()) if callable(get) else ""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def desk_format(request: Request, staff: Staff | None) -> DeskFormat:
    """How this page writes times, names and amounts: the officer's language and zone."""
    deps = state(request).deps
    flows = deps.flows
    return DeskFormat(
        lang=desk_language(request),
        zone=deps.desk.directory.zone(staff.organisation if staff else None),
        now=deps.desk.clock(),
        flows=flows.get if flows is not None else None,
    )


def ctx_format(ctx: Ctx) -> DeskFormat:
    return desk_format(ctx.request, ctx.staff)


@jinja2.pass_context
def waited(context: Context, since: datetime | None, now: datetime | None = None) -> str:
    """`{{ case.queued_at|waited }}`: '2 jam 5 menit', how long something has waited."""
    fmt: DeskFormat = context["fmt"]
    if now is not None and now != fmt.now:
        fmt = dataclasses.replace(fmt, now=now)
    return fmt.waited(since)


@jinja2.pass_context
def when(context: Context, value: datetime | None) -> str:
    """`{{ note.created_at|when }}`: '23 Nov 2026 10.00 WIB', in the officer's zone."""
    fmt: DeskFormat = context["fmt"]
    return fmt.when(value)
