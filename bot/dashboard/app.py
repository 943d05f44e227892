"""The officers' dashboard as one mountable app: `Mount("/dashboard", ...)` in the web app.

Sessions: Starlette's SessionMiddleware (a cookie signed with itsdangerous) carries a random
token whose hash is a row of staff_sessions. CSRF: asgi-csrf's double-submit cookie, checked
against a hidden form field or the x-csrftoken header on every POST.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from asgi_csrf import asgi_csrf
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from bot.dashboard import admin, auth, cases, editors, language, learning, reports, stream
from bot.dashboard.throttle import Throttle
from bot.dashboard.web import STATIC_DIR, DashboardState, Deps, Editing, Pages
from bot.settings import PROJECT_ROOT
from bot.staff.sessions import LIFETIME
from bot.web.security import NO_FRAMES, SecurityHeaders

PATH = "/dashboard"


def routes() -> list[BaseRoute]:
    """Every page and action of the dashboard (tests/dashboard/test_permission_matrix.py lists
    who may use each: a route added here must be added there)."""
    return [
        *auth.routes,
        *language.routes,
        *cases.routes,
        *stream.routes,
        *admin.routes,
        *reports.routes,
        *editors.routes,
        *learning.routes,
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]


def dashboard(
    provider: Callable[[], Deps],
    *,
    session_secret: str,
    csrf_secret: str,
    https_only: bool = False,
    path: str = PATH,
    content_root: Path = PROJECT_ROOT,
    report_min_cell: int = 5,
    editing: Editing | None = None,
) -> Mount:
    """The dashboard under `path`; `provider` returns the runtime once the server has started."""
    app = Starlette(
        routes=routes(),
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=session_secret,
                session_cookie="helpline_staff",
                max_age=int(LIFETIME.total_seconds()),
                path=path,
                same_site="lax",
                https_only=https_only,
            )
        ],
    )
    # What every endpoint reads through `web.state(request)`.
    app.state.dashboard = DashboardState(
        provider,
        Pages(),
        content_root,
        Throttle(session_secret),
        report_min_cell,
        editing or Editing(),
    )
    protected = asgi_csrf(
        app,
        signing_secret=csrf_secret,
        cookie_name="helpline_csrf",
        cookie_path=path,
        cookie_secure=https_only,
        # Signing in has no session cookie yet, and must be protected all the same.
        always_protect={f"{path}/login", f"{path}/setup", f"{path}/password", f"{path}/language"},
    )
    return Mount(path, app=SecurityHeaders(protected, NO_FRAMES), name="dashboard")
