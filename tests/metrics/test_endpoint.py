"""GET /metrics: this process's counters and the shared state from the database, protected."""

from __future__ import annotations

import json
import re

import httpx
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import select

from bot.cases import Actor
from bot.cases.status import Source
from bot.messages import Inbound
from bot.runtime import Runtime
from bot.server import create_server_app
from bot.settings import PROJECT_ROOT
from bot.storage.models import Worker
from tests.fakes import add_officer

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def _scrape(
    runtime: Runtime, *, client: tuple[str, int] = ("127.0.0.1", 4000), **headers: str
) -> httpx.Response:
    app = create_server_app(runtime, base_url="http://127.0.0.1:8000")
    transport = httpx.ASGITransport(app=app, client=client)
    async with httpx.AsyncClient(transport=transport, base_url="http://helpline.test") as http:
        return await http.get("/metrics", headers=headers)


async def test_messages_timings_outbox_queues_and_first_replies_are_reported(
    runtime: Runtime,
) -> None:
    await runtime.engine.handle(Inbound("telegram", "77", "halo", channel_message_id="1"))
    await runtime.engine.handle(Inbound("telegram", "77", "halo", channel_message_id="1"))
    await runtime.engine.handle(Inbound("web", "w-1", "halo"))
    async with runtime.sessions.begin() as session:
        staff = await add_officer(session)
        officer = Actor(staff.id, staff.role, staff.organisation)
        workers = (await session.scalars(select(Worker).order_by(Worker.id))).all()
        answered = await runtime.desk.open_case(session, workers[0].id, source=Source.TALK_TO_HUMAN)
        waiting = await runtime.desk.open_case(session, workers[1].id, source=Source.TALK_TO_HUMAN)
        await runtime.desk.claim(session, officer, answered)
        await runtime.desk.reply(session, officer, answered, "Halo, saya Ani.")

    response = await _scrape(runtime)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples = _samples(response.text)
    # Per process: the repeated Telegram delivery is counted once.
    assert _value(samples, "helpline_messages_received_total", channel="telegram") == 1
    assert _value(samples, "helpline_messages_received_total", channel="web") == 1
    assert _value(samples, "helpline_processing_seconds_count") == 2
    assert _value(samples, "helpline_nlu_seconds_count", outcome="ok") >= 2
    # Shared: the channels are not started here, so every reply waits in the outbox.
    assert _value(samples, "helpline_outbox_depth", channel="telegram") >= 2  # bot + officer
    assert _value(samples, "helpline_cases_open", queue=waiting.queue, status="new") == 1
    assert _value(samples, "helpline_cases_open", queue=answered.queue, status="in_progress") == 1
    assert _value(samples, "helpline_first_human_reply_seconds_gcount") == 1
    assert _value(samples, "helpline_first_human_reply_seconds_bucket", le="60.0") == 1


async def test_without_a_token_only_an_unproxied_local_scraper_may_read(
    runtime: Runtime,
) -> None:
    assert (await _scrape(runtime)).status_code == 200
    assert (await _scrape(runtime, client=("10.0.0.7", 4000))).status_code == 403
    # A proxy on this machine forwards visitors from the loopback: they are not local.
    forwarded = await _scrape(runtime, **{"X-Forwarded-For": "203.0.113.9"})
    assert forwarded.status_code == 403


async def test_with_a_token_any_address_may_read_with_it_and_none_without(
    runtime: Runtime,
) -> None:
    runtime.settings = runtime.settings.model_copy(
        update={"metrics_token": SecretStr("s3cret-token")}
    )
    remote = ("10.0.0.7", 4000)
    assert (await _scrape(runtime, client=remote)).status_code == 401
    assert (await _scrape(runtime)).status_code == 401  # the loopback needs it too
    wrong = await _scrape(runtime, client=remote, Authorization="Bearer nope")
    assert wrong.status_code == 401
    right = await _scrape(runtime, client=remote, Authorization="Bearer s3cret-token")
    assert right.status_code == 200
    assert "helpline_outbox_depth" in right.text


def test_the_grafana_dashboard_queries_only_metrics_that_exist(runtime: Runtime) -> None:
    dashboard = json.loads((PROJECT_ROOT / "deploy" / "grafana" / "helpline.json").read_text())
    families = list(runtime.metrics.registry.collect())  # before any scrape: no shared rows
    names = {f.name for f in families} | {s.name for f in families for s in f.samples}
    names |= {f"{f.name}_total" for f in families if f.type == "counter"}
    queried = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"helpline_[a-z_]+", target["expr"])
    }
    assert queried and queried <= names, queried - names
