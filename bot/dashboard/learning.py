"""Editors' page of messages the bot did not understand: label each with an intent, or
dismiss it. `helpline nlu export-labelled` writes the labelled ones into nlu_data/."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot import intents
from bot.cases import PermissionDenied
from bot.cases.audit import audit
from bot.cases.permissions import may_check_content
from bot.dashboard.web import Ctx, flash, redirect, signed_in
from bot.i18n import N_
from bot.learning import store


@signed_in
async def learning_page(ctx: Ctx) -> Response:
    if not may_check_content(ctx.actor):
        raise PermissionDenied("learning")
    return ctx.render(
        "learning.html",
        {"groups": await store.waiting(ctx.db), "intents": sorted(intents.ALL)},
    )


@signed_in
async def learning_label(ctx: Ctx) -> Response:
    if not may_check_content(ctx.actor):
        raise PermissionDenied("learning")
    form = await ctx.request.form()
    fingerprint = ctx.request.path_params["fingerprint"]
    dismiss = form.get("dismiss") == "1"
    intent = str(form.get("intent") or "")
    if not dismiss and intent not in intents.ALL:
        flash(ctx.request, ctx.gettext(N_("Choose an intent, or dismiss the message.")), "error")
        return redirect(ctx.request, "/learning")
    changed = await store.label(ctx.db, fingerprint, None if dismiss else intent, ctx.staff.id)
    audit(
        ctx.db,
        "learning_dismissed" if dismiss else "learning_labelled",
        staff_id=ctx.staff.id,
        intent=None if dismiss else intent,
        messages=changed,
    )
    return redirect(ctx.request, "/learning")


routes: list[BaseRoute] = [
    Route("/learning", learning_page, methods=["GET"]),
    Route("/learning/{fingerprint:str}", learning_label, methods=["POST"]),
]
