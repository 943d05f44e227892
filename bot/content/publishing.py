"""Drafts of content files checked as `helpline check` would, and published from the dashboard.

A draft is checked in a copy of flows/ with the draft in its place: its own problems (with
line numbers) and any error it would cause in another file. Publishing writes the file (only a
draft without errors), records who and when (content_publications and the audit log); the new
publication's id is the content's version, which every process polls to reload
(bot/server.py `watch_publications`).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.inventory import FLOWS, is_content_path
from bot.content.problems import Problem
from bot.storage.models import AuditEntry, ContentPublication, utcnow

# What the dashboard may publish: files the running content reloads without a restart.
# organisations.yml, routing.yml and offices.yml shape the case desk itself: edited in git.
NOT_PUBLISHED = frozenset({"flows/organisations.yml", "flows/routing.yml", "flows/offices.yml"})


class PublishError(Exception):
    """The draft was not published; `problems` says why (empty: see the message)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)


def check_content_files(root: Path) -> list[Problem]:
    """`helpline check` of flows/: the content, the case desk's files, the complaint flows."""
    from bot.checks import check_flows_dir  # above this package: it checks every part

    return check_flows_dir(root)


@contextmanager
def draft_root(root: Path, rel: str, text: str) -> Iterator[Path]:
    """A temporary checkout root holding a copy of root/flows/ with the draft in its place."""
    if not is_content_path(rel):
        raise PublishError(f"{rel} is not a content file")
    with tempfile.TemporaryDirectory(prefix="helpline-draft-") as tmp:
        copy = Path(tmp)
        shutil.copytree(root / FLOWS, copy / FLOWS)
        target = copy / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        yield copy


def draft_problems(
    root: Path, rel: str, text: str, published: list[Problem] | None = None
) -> list[Problem]:
    """The draft's problems, and the errors it causes elsewhere (those not in `published`,
    the check of the published files)."""
    with draft_root(root, rel, text) as copy:
        found = check_content_files(copy)
    before = set(published if published is not None else check_content_files(root))
    return [
        p for p in found if p.path.as_posix() == rel or (p.severity == "error" and p not in before)
    ]


def write_file(target: Path, text: str) -> None:
    """Written beside the file, then renamed over it: a reader sees the old file or the new."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def publish(
    session: AsyncSession,
    root: Path,
    rel: str,
    text: str,
    *,
    staff_id: int,
    published: list[Problem] | None = None,
) -> ContentPublication:
    """Check the draft, write root/rel, record the publication and its audit entry.

    Raises PublishError (nothing written) if the draft has errors or is not publishable."""
    if rel in NOT_PUBLISHED:
        raise PublishError(f"{rel} shapes the case desk: edit it in git and restart")
    if not text.endswith("\n"):
        text += "\n"
    found = errors(await asyncio.to_thread(draft_problems, root, rel, text, published))
    if found:
        raise PublishError(f"{rel} has errors", found)
    try:
        write_file(root / rel, text)
    except OSError as error:  # a read-only folder: HELPLINE_CONTENT_PUBLISHING=off belongs there
        raise PublishError(f"{rel} could not be written: {error.strerror}") from error
    publication = ContentPublication(
        path=rel, sha256=digest(text), text=text, published_by=staff_id, published_at=utcnow()
    )
    session.add(publication)
    await session.flush()
    session.add(
        AuditEntry(
            at=publication.published_at,
            staff_id=staff_id,
            action="content_published",
            data={"path": rel, "sha256": publication.sha256, "version": publication.id},
        )
    )
    return publication


async def content_version(session: AsyncSession) -> int:
    """The newest publication's id (0: nothing published from the dashboard yet)."""
    return int(await session.scalar(select(func.coalesce(func.max(ContentPublication.id), 0))) or 0)


async def publications(
    session: AsyncSession, rel: str, limit: int = 10
) -> list[ContentPublication]:
    rows = await session.scalars(
        select(ContentPublication)
        .where(ContentPublication.path == rel)
        .order_by(ContentPublication.id.desc())
        .limit(limit)
    )
    return list(rows)
