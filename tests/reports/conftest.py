"""The dashboard's test world (SQLite and PostgreSQL), with HELPLINE_REPORT_MIN_CELL at
`threshold` (5 unless a test parametrizes it)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from bot.dashboard import dashboard
from tests.cases.conftest import World
from tests.dashboard import conftest as dashboard_fixtures

world = dashboard_fixtures.world
nlu = dashboard_fixtures.nlu
clock = dashboard_fixtures.clock
build_options = dashboard_fixtures.build_options
client = dashboard_fixtures.client


@pytest.fixture
def threshold() -> int:
    return 5


@pytest.fixture
def app(world: World, threshold: int) -> Starlette:
    deps = dashboard_fixtures.Deps(world.sessions, world.desk, world.flows)
    mount = dashboard(
        lambda: deps,
        session_secret="s" * 32,
        csrf_secret="c" * 32,
        report_min_cell=threshold,
    )
    return Starlette(routes=[mount])
