"""Signing in and out, the first administrator's setup link, and setting a password by link."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.cases import Role
from bot.cases.audit import audit
from bot.dashboard.web import (
    SESSION_KEY,
    Ctx,
    desk_language,
    flash,
    redirect,
    render,
    signed_in,
    state,
)
from bot.i18n import N_, translator
from bot.intents import LANGUAGES
from bot.staff import (
    AccountError,
    authenticate,
    create_staff,
    end_session,
    needs_setup,
    peek_token,
    set_password,
    start_session,
    use_token,
)
from bot.storage.models import Staff


async def login_page(request: Request) -> Response:
    return render(request, "login.html", {"staff": None, "next": next_path(request)})


async def login(request: Request) -> Response:
    dashboard = state(request)
    sessions = dashboard.deps.sessions
    form = await request.form()
    username = str(form.get("username", "")).strip().lower()[:64]
    password = str(form.get("password", ""))[:1024]
    target = next_path(request, str(form.get("next", "")))
    context = {"staff": None, "next": target}
    address = request.client.host if request.client else "unknown"
    # Counted before the password is checked, in the database all processes share.
    admission = await dashboard.throttle.admit(
        sessions, username=username, address=address, now=dashboard.deps.desk.clock()
    )
    if not admission.allowed:
        wait = round(admission.wait)
        flash(
            request,
            translated(
                request, N_("Too many failed attempts. Try again in {wait} seconds.")
            ).format(wait=wait),
            "error",
        )
        response = render(request, "login.html", context, 429)
        response.headers["Retry-After"] = str(wait)
        return response
    async with sessions() as db:
        staff = await authenticate(db, username, password)
        if staff is None:
            await db.commit()
            flash(request, translated(request, N_("Wrong username or password.")), "error")
            return render(request, "login.html", context, 401)
        token = await start_session(db, staff)
        chosen = request.session.get("lang")  # switched on the sign-in page, maybe
        if staff.language is None and chosen in LANGUAGES:
            staff.language = chosen  # their first choice is remembered
        language = staff.language or chosen
        await db.commit()
    await dashboard.throttle.succeeded(sessions, username=username, address=address)
    request.session.clear()
    request.session[SESSION_KEY] = token
    if language in LANGUAGES:
        request.session["lang"] = language
    return redirect(request, target)


@signed_in
async def logout(ctx: Ctx) -> Response:
    token = ctx.request.session.get(SESSION_KEY)
    if isinstance(token, str):
        await end_session(ctx.db, token)
    audit(ctx.db, "logout", staff_id=ctx.staff.id)
    ctx.request.session.clear()
    return redirect(ctx.request, "/login")


async def setup_page(request: Request) -> Response:
    token = request.query_params.get("token", "")
    async with state(request).deps.sessions() as db:
        valid = await needs_setup(db) and await peek_token(db, token, "setup") is not None
    if not valid:
        return render(request, "error.html", _expired(), 404)
    return render(request, "setup.html", {"staff": None, "token": token})


async def setup(request: Request) -> Response:
    deps = state(request).deps
    form = await request.form()
    token = str(form.get("token", ""))
    async with deps.sessions() as db:
        # Used up first, in the transaction that creates the account: of several posts of
        # the link at once, one creates the administrator; a refused form gives it back.
        if await use_token(db, token, "setup") is None or not await needs_setup(db):
            await db.rollback()
            return render(request, "error.html", _expired(), 404)
        if form.get("password") != form.get("password2"):
            await db.rollback()
            flash(request, translated(request, N_("The two passwords differ.")), "error")
            return render(request, "setup.html", {"staff": None, "token": token}, 400)
        try:
            staff = await create_staff(
                db,
                username=str(form.get("username", "")),
                display_name=str(form.get("display_name", "")),
                role=Role.ADMIN,
                organisation=None,
                known_organisations=set(deps.desk.directory.organisations),
                password=str(form.get("password", "")),
            )
        except AccountError as error:
            await db.rollback()
            flash(request, error.text(desk_language(request)), "error")
            return render(request, "setup.html", {"staff": None, "token": token}, 400)
        session_token = await start_session(db, staff)
        await db.commit()
    request.session.clear()
    request.session[SESSION_KEY] = session_token
    flash(request, translated(request, N_("Welcome. Add the organisations' staff under Staff.")))
    return redirect(request, "/")


async def password_page(request: Request) -> Response:
    token = request.query_params.get("token", "")
    async with state(request).deps.sessions() as db:
        staff = await _password_token_staff(db, token)
    if staff is None:
        return render(request, "error.html", _expired(), 404)
    context = {"staff": None, "token": token, "username": staff.username}
    return render(request, "password.html", context)


async def password(request: Request) -> Response:
    form = await request.form()
    token = str(form.get("token", ""))
    async with state(request).deps.sessions() as db:
        # Used up first: of two posts of the link at once, one sets the password.
        used = await use_token(db, token, "password")
        staff = await db.get(Staff, used.staff_id) if used and used.staff_id else None
        if staff is None:
            await db.rollback()
            return render(request, "error.html", _expired(), 404)
        context = {"staff": None, "token": token, "username": staff.username}
        if form.get("password") != form.get("password2"):
            await db.rollback()  # the link stays valid
            flash(request, translated(request, N_("The two passwords differ.")), "error")
            return render(request, "password.html", context, 400)
        try:
            await set_password(db, staff, str(form.get("password", "")))
        except AccountError as error:
            await db.rollback()
            flash(request, error.text(desk_language(request)), "error")
            return render(request, "password.html", context, 400)
        await db.commit()
    flash(request, translated(request, N_("Your password is set. Sign in with it.")))
    return redirect(request, "/login")


routes: list[BaseRoute] = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/setup", setup_page, methods=["GET"]),
    Route("/setup", setup, methods=["POST"]),
    Route("/password", password_page, methods=["GET"]),
    Route("/password", password, methods=["POST"]),
]


async def _password_token_staff(db: AsyncSession, token: str) -> Staff | None:
    """The account a still-valid password link is for (the link is used only on success)."""
    row = await peek_token(db, token, "password")
    return await db.get(Staff, row.staff_id) if row and row.staff_id else None


def next_path(request: Request, given: str | None = None) -> str:
    """Where to go after signing in: a path inside the dashboard, never another site."""
    target = given if given is not None else request.query_params.get("next", "")
    root = str(request.scope.get("root_path", ""))
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith(root + "/") or "//" in target:
        return "/"
    return target[len(root) :] or "/"


def _expired() -> dict[str, object]:
    return {"staff": None, "message": N_("This link has expired or was used already.")}


def translated(request: Request, message: str) -> str:
    """A message in the language of the page it is shown on."""
    return translator(desk_language(request)).gettext(message)
