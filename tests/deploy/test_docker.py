"""deploy/docker: the Dockerfile passes hadolint, compose configures the helpline through
HELPLINE_* variables only, and (HELPLINE_TEST_DOCKER=1, docker at hand) the image builds and
answers /health on the test PostgreSQL within seconds."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from ruamel.yaml import YAML

from bot.settings import PROJECT_ROOT, Settings
from tests.conftest import TEST_KEY
from tests.databases import PostgresServer
from tests.waiting import until

DOCKER = PROJECT_ROOT / "deploy" / "docker"
HADOLINT = Path(sys.executable).parent / "hadolint"
KNOWN = {f"HELPLINE_{name.upper()}" for name in Settings.model_fields}


def test_the_dockerfile_passes_hadolint() -> None:
    if not HADOLINT.exists():
        pytest.skip("hadolint is not installed (pip install -e '.[dev]')")
    done = subprocess.run(
        [str(HADOLINT), str(DOCKER / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_configures_the_helpline_with_helpline_settings_and_pinned_images() -> None:
    compose = YAML(typ="safe").load(DOCKER / "compose.yaml")
    services = compose["services"]
    assert {"helpline", "postgres"} <= set(services)
    assert services["rasa"]["profiles"] == ["rasa"]
    helpline = services["helpline"]
    assert set(helpline["environment"]) <= KNOWN
    assert helpline["env_file"] == ".env"
    assert helpline["read_only"] is True
    for name, service in services.items():
        if "image" in service and name != "helpline":
            tag = service["image"].rsplit(":", 1)[-1]
            assert tag != "latest" and any(c.isdigit() for c in tag), service["image"]
    example = (DOCKER / "helpline.env.example").read_text()
    names = {
        line.lstrip("# ").split("=", 1)[0]
        for line in example.splitlines()
        if "=" in line and line.lstrip("# ").startswith("HELPLINE_")
    }
    assert names and names <= KNOWN | {"HELPLINE_DB_PASSWORD"}, names - KNOWN


async def _docker(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run, ["docker", *args], capture_output=True, text=True, check=check
    )


@pytest.mark.slow
@pytest.mark.postgres
async def test_the_image_builds_and_answers_health_within_seconds(
    postgres_server: PostgresServer,
) -> None:
    if os.environ.get("HELPLINE_TEST_DOCKER") != "1":
        pytest.skip("set HELPLINE_TEST_DOCKER=1 to build the image (minutes)")
    if shutil.which("docker") is None:
        pytest.skip("docker is not installed")
    base = os.environ.get("HELPLINE_TEST_DOCKER_BASE", "helpline-base:bookworm")
    tag = "helpline:test"
    build = await _docker(
        *("build", "--network", "host", "--build-arg", f"BASE_IMAGE={base}"),
        *("-f", str(DOCKER / "Dockerfile"), "-t", tag, str(PROJECT_ROOT)),
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    database = postgres_server.create(migrated=False)  # the container migrates it
    port = 18000 + os.getpid() % 1000
    name = f"helpline-test-{uuid.uuid4().hex[:8]}"
    env = {
        "HELPLINE_DATABASE_URL": postgres_server.url(database),
        "HELPLINE_ENCRYPTION_KEYS": TEST_KEY,
        "HELPLINE_HOST": "127.0.0.1",
        "HELPLINE_PORT": str(port),
    }
    started = time.monotonic()
    await _docker(
        *("run", "-d", "--rm", "--name", name, "--network", "host", "--read-only"),
        *("--tmpfs", "/tmp"),
        *(arg for key, value in env.items() for arg in ("-e", f"{key}={value}")),
        tag,
        check=True,
    )
    try:
        answers: list[httpx.Response] = []

        async def answered() -> bool:
            try:
                async with httpx.AsyncClient() as client:
                    answers.append(await client.get(f"http://127.0.0.1:{port}/health", timeout=2))
            except httpx.TransportError:
                return False  # still starting
            return True

        await until(answered, seconds=60, what="the container to answer /health")
        ready = time.monotonic() - started
        health = answers[-1]
        logs = (await _docker("logs", name)).stderr
        assert health.status_code == 200, logs[-3000:]
        assert health.json()["database"] == "postgresql"
        # Production logs: every line one JSON object (uvicorn's and alembic's records too).
        lines = [line for line in logs.splitlines() if line.strip()]
        assert lines and all(json.loads(line)["event"] for line in lines), logs[-3000:]
        assert ready < 30, f"ready after {ready:.1f} s"
        assert (await _docker("exec", name, "id", "-u", check=True)).stdout.strip() == "10001"
        async with httpx.AsyncClient() as client:
            metrics = await client.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        assert metrics.status_code == 200 and "helpline_outbox_depth" in metrics.text
    finally:
        await _docker("rm", "-f", name)
        postgres_server.drop(database)
