"""A publication reaches every process: each polls the content's version and reloads."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import shutil
from pathlib import Path

import pytest

from bot.content import publishing
from bot.content.publishing import PublishError, content_version, publish
from bot.runtime import Runtime, build, watch_publications
from bot.settings import PROJECT_ROOT, Settings
from bot.staff import create_staff
from bot.storage.crypto import Cipher
from tests.fakes import ScriptedNlu
from tests.waiting import eventually

WAGES = "flows/answers/wages_unpaid.yml"
MARKER = "DITERBITKAN-42"


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "flows", root / "flows")
    return root


@pytest.fixture
def runtime_settings(database_url: str, tmp_path: Path, content_root: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path, content_dir=content_root)


async def test_a_publication_in_one_process_reloads_another(
    runtime: Runtime, runtime_settings: Settings, cipher: Cipher, content_root: Path
) -> None:
    # A second process on the same database and content folder.
    other = await build(
        runtime_settings,
        migrate=False,
        cipher=cipher,
        nlu=(ScriptedNlu(), 0.5),
        flows=runtime.flows,
        directory=runtime.desk.directory,
    )
    watching = asyncio.create_task(watch_publications(other, interval=0.05))
    try:
        before = other.engine.policy.content
        assert MARKER not in before.answer("wages_unpaid", "id", None).text
        draft = (content_root / WAGES).read_text().replace("Simpan bukti", f"{MARKER} Simpan")
        async with runtime.sessions.begin() as session:
            editor = await create_staff(
                session,
                username="eka",
                display_name="Eka",
                role="editor",
                organisation=None,
                known_organisations=set(),
            )
            await publish(session, content_root, WAGES, draft, staff_id=editor.id)
        async with runtime.sessions() as session:
            assert await content_version(session) == 1
        await eventually(
            lambda: MARKER in other.engine.policy.content.answer("wages_unpaid", "id", None).text,
            seconds=30,
            what="the other process to reload",
        )
        assert other.engine.policy.content is not before
    finally:
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watching
        await other.close()


async def test_a_reload_that_finds_errors_keeps_the_content(
    runtime: Runtime, content_root: Path
) -> None:
    serving = runtime.engine.policy.content
    (content_root / WAGES).write_text("intent: [broken\n")
    problems = runtime.reload_content()
    assert problems and problems[0].path.as_posix() == WAGES
    assert runtime.engine.policy.content is serving


async def test_a_read_only_folder_refuses_and_records_nothing(
    runtime: Runtime, content_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(target: Path, text: str) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(publishing, "write_file", read_only)
    published = (content_root / WAGES).read_text()
    async with runtime.sessions() as session:
        with pytest.raises(PublishError, match="could not be written: Read-only") as refused:
            await publish(session, content_root, WAGES, published + "# x\n", staff_id=1)
        assert refused.value.problems == []
        assert await content_version(session) == 0
    assert (content_root / WAGES).read_text() == published


async def test_files_that_shape_the_case_desk_are_not_published(
    runtime: Runtime, content_root: Path
) -> None:
    text = (content_root / "flows/routing.yml").read_text()
    async with runtime.sessions() as session:
        with pytest.raises(PublishError, match="edit it in git"):
            await publish(session, content_root, "flows/routing.yml", text, staff_id=1)
        with pytest.raises(PublishError, match="not a content file"):
            await publish(session, content_root, "flows/../bot/cli.py", text, staff_id=1)
