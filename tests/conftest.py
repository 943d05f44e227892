"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

The schema is migrated once per run into a template (a SQLite file, a PostgreSQL database);
each test gets a copy of its own. tests/storage/test_migrations.py proves the migrations
themselves, up and down."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from cryptography.fernet import Fernet
from sqlalchemy import event

from bot.cases import Directory
from bot.content import Content
from bot.dialogue.flows import Flow, FlowLibrary, loader
from bot.dialogue.policy import Policy
from bot.engine import Engine
from bot.nlu.types import NluBackend
from bot.runtime import Runtime, build
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.crypto import Cipher
from tests.databases import PostgresServer, migrate_url, no_fsync_for_sqlite, run_async
from tests.fakes import ScriptedNlu, TinyContent

# Empty disables the PostgreSQL half (a laptop without it); CI and ./dev test always have it.
POSTGRES_URL = os.environ.get(
    "HELPLINE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
TEST_KEY = Fernet.generate_key().decode()


@pytest.fixture
def cipher() -> Cipher:
    return Cipher([TEST_KEY])


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashes() -> Iterator[None]:
    """argon2id with its smallest cost: the same code and hash format in a fraction of the time
    (the shipped cost is there to slow an attacker who stole the hashes, not the tests)."""
    from argon2 import PasswordHasher

    from bot.staff import passwords

    saved = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._dummy.cache_clear()  # the unknown user's hash is made with the quick hasher
    yield
    passwords._hasher = saved
    passwords._dummy.cache_clear()


@pytest.fixture(autouse=True, scope="session")
def quick_commits() -> Iterator[None]:
    event.listen(sqlalchemy.Engine, "connect", no_fsync_for_sqlite)
    yield
    event.remove(sqlalchemy.Engine, "connect", no_fsync_for_sqlite)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once for the whole run; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "helpline.db"
    run_async(migrate_url(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL server named by HELPLINE_TEST_POSTGRES_URL, with this run's template
    database migrated once; every database this run made is dropped at its end."""
    if not POSTGRES_URL:
        pytest.skip("HELPLINE_TEST_POSTGRES_URL is empty")
    server = PostgresServer(POSTGRES_URL)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _database(request: pytest.FixtureRequest, tmp_path: Path, *, migrated: bool) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "helpline.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create(migrated=migrated)
    try:
        yield server.url(name)
    finally:
        server.drop(name)


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own at the newest migration: a copy of the run's migrated template (a
    SQLite file, or a PostgreSQL database made with CREATE DATABASE ... TEMPLATE)."""
    yield from _database(request, tmp_path, migrated=True)


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own with no tables at all (never migrated)."""
    yield from _database(request, tmp_path, migrated=False)


@pytest.fixture(scope="session")
def trained_nlu(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[NluBackend, float]:
    """The embedded NLU trained once for the whole run, from the project's own nlu_data/.

    The trained model is kept in pytest's cache between runs, under a key of the training data
    and the NLU's code (as `helpline run` keeps it): a run retrains when either changed."""
    from bot.runtime import build_nlu
    from bot.settings import Settings

    cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    data_dir = cache.mkdir("helpline-nlu") if cache is not None else tmp_path_factory.mktemp("nlu")
    settings = Settings(data_dir=data_dir, encryption_keys=TEST_KEY)
    return build_nlu(settings)


@dataclass(frozen=True)
class Loaded:
    content: Content
    directory: Directory
    flows: list[Flow]


@pytest.fixture(scope="session")
def loaded() -> Loaded:
    """The project's content, case directory and flows, read once: reading YAML is slow."""
    return Loaded(
        Content.load(PROJECT_ROOT), Directory.load(PROJECT_ROOT), loader.load(PROJECT_ROOT).flows
    )


@pytest.fixture
def cached_content(loaded: Loaded, monkeypatch: pytest.MonkeyPatch) -> None:
    """build() wires everything as in production, from what `loaded` read already."""
    monkeypatch.setattr(Content, "load", classmethod(lambda cls, root, cache=None: loaded.content))
    monkeypatch.setattr(
        Directory, "load", classmethod(lambda cls, root, cache=None: loaded.directory)
    )
    monkeypatch.setattr(
        FlowLibrary, "load", classmethod(lambda cls, root, cache=None: cls(loaded.flows))
    )


@pytest.fixture
def nlu() -> ScriptedNlu:
    return ScriptedNlu()


@pytest.fixture(scope="session")
def flow_library() -> FlowLibrary:
    """The shipped complaint flows, read once per run (runtimes built by tests share them)."""
    return FlowLibrary.load(PROJECT_ROOT)


@pytest.fixture(scope="session")
def directory() -> Directory:
    """The shipped organisations, queues and routing, read once per run."""
    return Directory.load(PROJECT_ROOT)


@pytest.fixture
def runtime_settings(database_url: str, tmp_path: Path) -> Settings:
    """What `runtime` is built from; channel tests add their stubs' settings."""
    return Settings(database_url=database_url, data_dir=tmp_path)


@pytest.fixture
def build_options() -> dict[str, Any]:
    """More parts for `runtime` (channel tests: a clock, the outbox's backoff)."""
    return {}


@pytest.fixture
def policy() -> Policy:
    """The dialogue of `runtime`: the tiny content set, no complaint flows."""
    return Policy(TinyContent(), threshold=0.5)


@pytest.fixture
async def runtime(
    runtime_settings: Settings,
    build_options: dict[str, Any],
    cipher: Cipher,
    nlu: NluBackend,
    policy: Policy,
    flow_library: FlowLibrary,
    directory: Directory,
) -> AsyncIterator[Runtime]:
    """The runtime on a real database with a scripted NLU and a tiny content set."""
    built = await build(
        runtime_settings,
        cipher=cipher,
        nlu=(nlu, 0.5),
        policy=policy,
        flows=flow_library,
        directory=directory,
        detect_language=lambda text: "id",
        **build_options,
    )
    yield built
    await built.close()


@pytest.fixture
def engine(runtime: Runtime) -> Engine:
    return runtime.engine


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium for the browser tests of a module (tests/browser.py)."""
    from tests.browser import chromium

    with chromium() as launched:
        yield launched
