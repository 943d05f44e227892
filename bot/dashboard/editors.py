"""The editors' pages: every content file with its translation coverage, due reviews and
problems; one file's texts side by side; a draft checked and chatted with in a sandbox
(bot/dashboard/preview.py), then published (bot/content/publishing.py)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.cases import PermissionDenied
from bot.cases.permissions import may_check_content, may_edit_content
from bot.content.inventory import ContentFile, content_paths, inspect, is_content_path
from bot.content.problems import Problem
from bot.content.publishing import (
    NOT_PUBLISHED,
    PublishError,
    check_content_files,
    draft_problems,
    errors,
    publications,
    publish,
)
from bot.dashboard.preview import Sandbox, SandboxRefused, open_sandbox
from bot.dashboard.web import Ctx, NotFound, flash, redirect, signed_in, state
from bot.i18n import N_

MAX_DRAFT = 200_000  # characters: the largest content file is a tenth of this
MAX_MESSAGE = 2000


@dataclass(frozen=True)
class Overview:
    files: list[ContentFile]
    problems: list[Problem]  # `helpline check` of flows/, every file


_cache: dict[Path, tuple[tuple[tuple[str, int, int], ...], Overview]] = {}


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    found = []
    for path in sorted((root / "flows").rglob("*")):
        if path.is_file():
            stat = path.stat()
            found.append((path.as_posix(), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def _overview(root: Path) -> Overview:
    """Reading and checking every file takes seconds: kept until a file under flows/ changes."""
    fingerprint = _fingerprint(root)
    cached = _cache.get(root)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    problems = check_content_files(root)
    overview = Overview(inspect(root, problems), problems)
    _cache[root] = (fingerprint, overview)
    return overview


async def overview(root: Path) -> Overview:
    return await asyncio.to_thread(_overview, root)


_checked: OrderedDict[tuple[Path, str, str], tuple[object, list[Problem]]] = OrderedDict()
_checked_lock = threading.Lock()  # the checks run in threads
CHECKED_KEPT = 32  # drafts whose problems are remembered: each message re-sends its draft


def _draft_problems(root: Path, rel: str, draft: str) -> list[Problem]:
    """The draft's problems (bot/content/publishing.py), remembered while flows/ is unchanged."""
    key = (root, rel, hashlib.sha256(draft.encode()).hexdigest())
    fingerprint = _fingerprint(root)
    with _checked_lock:
        found = _checked.get(key)
    if found is not None and found[0] == fingerprint:
        return found[1]
    problems = draft_problems(root, rel, draft, _overview(root).problems)
    with _checked_lock:
        _checked[key] = (fingerprint, problems)
        while len(_checked) > CHECKED_KEPT:
            _checked.popitem(last=False)
    return problems


def _root(ctx: Ctx) -> Path:
    return state(ctx.request).content_root


@signed_in
async def content(ctx: Ctx) -> Response:
    if not may_check_content(ctx.actor):
        raise PermissionDenied("content")
    found = await overview(_root(ctx))
    editing = state(ctx.request).editing
    today = ctx.desk.clock().date()
    return ctx.render(
        "content.html",
        {
            "files": found.files,
            "other": [p for p in found.problems if not is_content_path(p.path)],
            "today": today,
            "review_days": editing.review_days,
            "may_edit": may_edit_content(ctx.actor),
        },
    )


@signed_in
async def content_file(ctx: Ctx) -> Response:
    if not may_check_content(ctx.actor):
        raise PermissionDenied("content")
    rel = ctx.request.query_params.get("path", "")
    found = await overview(_root(ctx))
    entry = next((f for f in found.files if f.path.as_posix() == rel), None)
    if entry is None:
        raise NotFound
    editing = state(ctx.request).editing
    return ctx.render(
        "content_file.html",
        {
            "file": entry,
            "today": ctx.desk.clock().date(),
            "review_days": editing.review_days,
            "published": await publications(ctx.db, rel),
            "may_edit": may_edit_content(ctx.actor),
        },
    )


@signed_in
async def preview_page(ctx: Ctx) -> Response:
    if not may_edit_content(ctx.actor):
        raise PermissionDenied("preview")
    rel = ctx.request.query_params.get("path", "")
    root = _root(ctx)
    if rel and not is_content_path(rel):
        raise NotFound
    draft = (root / rel).read_text(encoding="utf-8") if rel and (root / rel).is_file() else ""
    return _preview(ctx, rel, draft)


@signed_in
async def preview_post(ctx: Ctx) -> Response:
    """Check the draft, and say `message` to it (`do=say`) or start its chat again."""
    if not may_edit_content(ctx.actor):
        raise PermissionDenied("preview")
    form = await ctx.request.form()
    rel, draft = str(form.get("path", "")).strip(), _draft(form.get("draft"))
    if not is_content_path(rel):
        return _preview(ctx, rel, draft, message=N_("Choose a file under flows/."), status=400)
    said = _said(str(form.get("said", "[]")))
    do = str(form.get("do", "check"))
    message = str(form.get("message", "")).strip()[:MAX_MESSAGE]
    dashboard = state(ctx.request)
    root = _root(ctx)
    problems = await asyncio.to_thread(_draft_problems, root, rel, draft)
    if do == "restart":
        await dashboard.sandboxes.drop(ctx.staff.id, rel, draft)
        said = []
    if errors(problems) or do not in ("say", "restart"):
        return _preview(ctx, rel, draft, problems=problems, said=said, checked=True)
    understanding = dashboard.editing.understanding
    if understanding is None:
        return _preview(
            ctx, rel, draft, problems=problems, message=N_("The preview chat is not available.")
        )
    sandbox = await dashboard.sandboxes.get(ctx.staff.id, rel, draft, said)
    if sandbox is None:
        from bot.nlu.language import detect_language

        try:
            sandbox = await open_sandbox(root, rel, draft, understanding(), detect_language)
        except SandboxRefused as refused:
            return _preview(ctx, rel, draft, problems=problems + refused.problems, checked=True)
        for earlier in said:  # a conversation begun in another process, or expired
            await sandbox.say(earlier)
        await dashboard.sandboxes.put(ctx.staff.id, rel, draft, sandbox)
    if do == "say" and message:
        await sandbox.say(message)
    return _preview(ctx, rel, draft, problems=problems, sandbox=sandbox, checked=True)


@signed_in
async def publish_post(ctx: Ctx) -> Response:
    if not may_edit_content(ctx.actor):
        raise PermissionDenied("publish")
    form = await ctx.request.form()
    rel, draft = str(form.get("path", "")).strip(), _draft(form.get("draft"))
    dashboard = state(ctx.request)
    if not dashboard.editing.publishing:
        flash(ctx.request, ctx.gettext(N_("Publishing from the dashboard is off here.")), "error")
        return _preview(ctx, rel, draft, status=400)
    if not is_content_path(rel) or rel in NOT_PUBLISHED:
        return _preview(
            ctx, rel, draft, message=N_("This file cannot be published from here."), status=400
        )
    root = _root(ctx)
    published = (await overview(root)).problems
    try:
        await publish(ctx.db, root, rel, draft, staff_id=ctx.staff.id, published=published)
    except PublishError as refused:
        return _preview(
            ctx,
            rel,
            draft,
            problems=refused.problems,
            message=N_("Not published: correct the errors first.")
            if refused.problems
            else N_("Not published: the file could not be written."),
            checked=bool(refused.problems),
            status=400,
        )
    await ctx.db.commit()  # the version other processes poll is visible from now on
    if dashboard.editing.reload is not None:
        await asyncio.to_thread(dashboard.editing.reload)
    flash(ctx.request, ctx.gettext(N_("Published. The helpline uses it now.")))
    return redirect(ctx.request, f"/content/file?path={rel}")


def _draft(value: object) -> str:
    """The textarea's text: browsers send its lines ending in CRLF; the files use LF."""
    return str(value or "")[:MAX_DRAFT].replace("\r\n", "\n")


def _said(raw: str) -> list[str]:
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    if not isinstance(value, list):
        return []
    return [str(item)[:MAX_MESSAGE] for item in value][:100]


def _preview(
    ctx: Ctx,
    rel: str,
    draft: str,
    *,
    problems: list[Problem] | None = None,
    sandbox: Sandbox | None = None,
    said: list[str] | None = None,
    message: str | None = None,
    checked: bool = False,
    status: int = 200,
) -> Response:
    editing = state(ctx.request).editing
    return ctx.render(
        "content_preview.html",
        {
            "path": rel,
            "draft": draft,
            "problems": problems or [],
            "has_errors": bool(errors(problems or [])),
            "checked": checked,
            "transcript": sandbox.transcript if sandbox else [],
            "said": json.dumps(sandbox.said if sandbox else said or [], ensure_ascii=False),
            "message": message,
            "paths": [p.as_posix() for p in content_paths(_root(ctx))],
            "publishing": editing.publishing and rel not in NOT_PUBLISHED,
            "can_chat": editing.understanding is not None,
        },
        status,
    )


routes: list[BaseRoute] = [
    Route("/content", content, methods=["GET"]),
    Route("/content/file", content_file, methods=["GET"]),
    Route("/content/preview", preview_page, methods=["GET"]),
    Route("/content/preview", preview_post, methods=["POST"]),
    Route("/content/publish", publish_post, methods=["POST"]),
]
