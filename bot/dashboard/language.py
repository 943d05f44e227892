"""The language switch in every page's header: kept in the session, and on the staff
member's account when signed in, so that it follows them to their next sign-in."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.dashboard.auth import next_path
from bot.dashboard.web import SESSION_KEY, redirect, state
from bot.intents import LANGUAGES
from bot.staff import load_session


async def choose_language(request: Request) -> Response:
    form = await request.form()
    lang = str(form.get("lang", ""))
    target = next_path(request, str(form.get("next", "")))
    if lang not in LANGUAGES:
        return redirect(request, target)
    request.session["lang"] = lang
    token = request.session.get(SESSION_KEY)
    if isinstance(token, str):
        async with state(request).deps.sessions() as db:
            staff = await load_session(db, token)
            if staff is not None:
                staff.language = lang
            await db.commit()
    return redirect(request, target)


routes: list[BaseRoute] = [Route("/language", choose_language, methods=["POST"])]
