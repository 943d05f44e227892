"""Editing flows while the bot runs: reloads, refused broken edits, conversations on old versions."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cases import Directory
from bot.content import Content, Problem
from bot.dialogue.flows import FlowLibrary, watch_flows
from bot.nlu.types import NluBackend
from bot.runtime import build
from bot.settings import PROJECT_ROOT, Settings
from tests.conftest import TEST_KEY
from tests.flows.conftest import Chat, Loaded, World, record_of, until
from tests.waiting import eventually

WAGES = Path("flows/complaints/wages_unpaid.yml")
OLD_CITY = "Di kota atau daerah mana?"
NEW_CITY = "Kota tempat Anda bekerja?"


def _checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    shutil.copytree(PROJECT_ROOT / "flows", root / "flows")
    return root


def _edit(root: Path, old: str, new: str, path: Path = WAGES) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def _ask_city_differently(root: Path) -> None:
    # The shared city question gets new words, and a new question comes before it.
    _edit(
        root,
        '"Di kota atau daerah mana? Contoh:',
        f'"{NEW_CITY} Contoh:',
        Path("flows/complaints/common.yml"),
    )
    _edit(
        root,
        "  - use: city\n",
        "  - id: sector\n    type: text\n    skip: true\n"
        "    label: {id: Bidang, en: Sector}\n"
        "    question: {id: Anda bekerja di bidang apa?, en: What work do you do?}\n"
        "  - use: city\n",
    )


def test_a_broken_edit_is_refused_and_the_last_good_flows_keep_serving(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    library = FlowLibrary.load(root)
    before = library.get("wages_unpaid")
    _edit(root, "  - use: employer\n", "  - use: employer\n  - use: no_such_step\n")
    errors = library.reload(root)
    assert [str(e) for e in errors] == [
        "flows/complaints/wages_unpaid.yml:15: unknown shared step 'no_such_step' "
        "(not in flows/complaints/common.yml)"
    ]
    assert library.get("wages_unpaid") is before


def test_a_good_edit_is_a_new_version_and_the_old_one_stays_known(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    library = FlowLibrary.load(root)
    old = library.get("wages_unpaid")
    assert old is not None
    _ask_city_differently(root)
    assert library.reload(root) == []
    new = library.get("wages_unpaid")
    assert new is not None and new.version != old.version and new.step("sector")
    assert library.get("wages_unpaid", old.version) is old
    # A flow that uses the edited shared step changes too; one that does not, does not.
    shipped = FlowLibrary.load(PROJECT_ROOT)
    for flow_id, changed in (("legal_status", True), ("trafficking_scam", False)):
        now, before = library.get(flow_id), shipped.get(flow_id)
        assert now is not None and before is not None
        assert (now.version != before.version) is changed


async def test_editing_a_flow_on_disk_reloads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _checkout(tmp_path)
    library = FlowLibrary.load(root)
    old = library.get("wages_unpaid")
    reloads: list[list[Problem]] = []  # what each reload the watcher started returned
    reload = library.reload

    def noted(root: Path) -> list[Problem]:
        reloads.append(reload(root))
        return reloads[-1]

    monkeypatch.setattr(library, "reload", noted)
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_flows(root, library, stop=stop, debounce_ms=50))
    good = (root / WAGES).read_text(encoding="utf-8")
    broken = good.replace("  - use: employer\n", "  - use: employer\n  - use: nope\n", 1)
    assert broken != good

    def refused() -> bool:
        # Written again until the watcher has read it: it may not be listening yet.
        (root / WAGES).write_text(broken, encoding="utf-8")
        return any(reloads)

    try:
        await eventually(refused, every=0.1, what="the watcher to read the broken edit")
        assert library.get("wages_unpaid") is old  # refused
        _edit(root, "  - use: nope\n", "")
        _ask_city_differently(root)
        await eventually(
            lambda: library.get("wages_unpaid").version != old.version,  # type: ignore[union-attr]
            what="the good edit to be loaded",
        )
        assert library.get("wages_unpaid").step("sector")  # type: ignore[union-attr]
    finally:
        stop.set()
        await asyncio.wait_for(watcher, 5)


@pytest.fixture
async def edited_world(
    database_url: str,
    tmp_path: Path,
    trained_nlu: tuple[NluBackend, float],
    loaded: Loaded,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[World]:
    """A world whose flows are read from a copy that the test edits."""
    monkeypatch.setattr(Content, "load", classmethod(lambda cls, root, cache=None: loaded.content))
    monkeypatch.setattr(
        Directory, "load", classmethod(lambda cls, root, cache=None: loaded.directory)
    )
    root = _checkout(tmp_path)
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, content_dir=root, encryption_keys=TEST_KEY
    )
    world = World(settings, trained_nlu, await build(settings, nlu=trained_nlu))
    world.runtime.desk.clock = lambda: world.now
    yield world
    await world.runtime.close()


async def test_a_conversation_finishes_on_its_version_then_migrates_after_a_restart(
    edited_world: World,
) -> None:
    world = edited_world
    root = world.settings.content_dir
    chat = Chat(world, "ani")
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "country", "id")
    started = (await chat.progress()).version  # type: ignore[union-attr]

    _ask_city_differently(root)
    assert world.library.reload(root) == []
    await chat.say("Malaysia")
    assert OLD_CITY in chat.text  # this process still knows the version it began on
    assert (await chat.progress()).version == started  # type: ignore[union-attr]

    await world.restart()  # the new process knows only the edited flows
    await chat.say("Penang")
    progress = await chat.progress()
    assert progress is not None and progress.version != started
    assert progress.slots["country"] == "MY" and progress.slots["city"] == "Penang"
    assert "Anda bekerja di bidang apa" in chat.text  # the new question, asked once
    reference = await chat.finish("id")
    record = record_of(await world.case(reference))
    assert record["flow_version"] == progress.version and record["city"] == "Penang"
    assert record["sector"] == "Ani Susanti dari Kowloon"
