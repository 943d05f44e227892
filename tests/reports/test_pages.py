"""The reports page and its CSV and JSON: who sees which report, what they show, that no
export holds personal data or a figure below the threshold, and that each is audited."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import random
import re
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from bot.cases.status import Outcome
from bot.storage.models import AuditEntry
from tests.cases.conftest import World
from tests.dashboard.conftest import Client
from tests.reports import seed
from tests.reports.seed import SECRETS, Spec

NOVEMBER = "from=2026-11&to=2026-11"
EXPORTS = ("/dashboard/reports", "/dashboard/reports.csv", "/dashboard/reports.json")


def _specs() -> list[Spec]:
    specs = [
        Spec(first_reply=10.0 * (i + 1), closed=1440.0 * (i + 1) if i < 5 else None)
        for i in range(7)
    ]
    specs += [Spec(category="document_withheld", country="HK") for _ in range(6)]
    specs += [Spec(category="abuse_violence", country="SA") for _ in range(2)]
    specs += [Spec(organisation="sbmi", category="trafficking_scam") for _ in range(9)]
    specs += [Spec(organisation="jbmi", country="HK") for _ in range(5)]
    return specs


async def _seed(world: World, specs: list[Spec] | None = None) -> None:
    async with world.sessions.begin() as session:
        await seed.cases(session, specs if specs is not None else _specs())


def _opt_in(world: World, *organisations: str) -> None:
    """organisations.yml with `network_reports: true` for these (this test's desk only)."""
    directory = world.desk.directory
    world.desk.directory = dataclasses.replace(
        directory,
        organisations={
            k: dataclasses.replace(o, network_reports=k in organisations)
            for k, o in directory.organisations.items()
        },
    )


async def _audited(world: World) -> list[tuple[str, dict[str, object]]]:
    async with world.sessions() as session:
        rows = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    return [(r.action, r.data) for r in rows if r.action.startswith("report")]


async def test_a_supervisor_sees_their_organisations_report(world: World, client: Client) -> None:
    await _seed(world)
    await world.staff("sari", role="supervisor")
    c = await client("sari")
    page = await c.get(f"/dashboard/reports?{NOVEMBER}")
    assert page.status_code == 200
    html = page.text
    assert "Migrant CARE: reports" in html
    assert '<td>Wages unpaid or cut</td><td class="num">7</td>' in html
    assert '<td>Abuse or violence</td><td class="num">&lt;5</td>' in html
    # The one small category would be the total minus the rest: the next smallest is hidden.
    assert '<td>Documents withheld</td><td class="num">x</td>' in html
    assert "<td>Trafficking or scam</td>" not in html  # SBMI's cases
    assert (
        '<td>Wages unpaid or cut</td><td class="num">7</td><td class="num">40 minutes</td>' in html
    )
    assert (
        'href="/dashboard/reports.csv?scope=organisation&amp;from=2026-11&amp;to=2026-11"' in html
    )
    # A chart drawn on the server: a named SVG whose description reads the figures.
    assert '<svg class="chart" id="chart-category"' in html
    assert '<title id="chart-category-title">Cases by category</title>' in html
    assert "Wages unpaid or cut: 7; Abuse or violence: &lt;5; Documents withheld: x" in html
    data = (await c.get(f"/dashboard/reports.json?{NOVEMBER}")).json()
    assert data["scope"] == "organisation" and data["organisations"] == ["migrantcare"]
    assert {r["key"]: r["shown"] for r in data["cases"]["category"]["rows"]} == {
        "wages_unpaid": "7",
        "document_withheld": "x",
        "abuse_violence": "<5",
    }
    table = (await c.get(f"/dashboard/reports.csv?{NOVEMBER}")).text
    assert "cases.category,wages_unpaid,Wages unpaid or cut,7,," in table
    assert "first_reply.category,wages_unpaid,Wages unpaid or cut,7,2400,4200" in table
    audited = await _audited(world)
    assert [(a, d["export"]) for a, d in audited] == [
        ("report_viewed", "page"),
        ("report_exported", "json"),
        ("report_exported", "csv"),
    ]
    assert audited[0][1]["organisations"] == ["migrantcare"]
    assert audited[0][1]["period"] == ["2026-11", "2026-11"]


async def test_indonesian_by_default(world: World, client: Client) -> None:
    await _seed(world, [Spec(first_reply=90.0) for _ in range(1234 // 200)])
    await world.staff("sari", role="supervisor")
    c = await client("sari", lang="id")
    html = (await c.get(f"/dashboard/reports?{NOVEMBER}")).text
    assert "Migrant CARE: laporan" in html
    assert "Gaji tidak dibayar atau dipotong" in html
    assert "1 jam 30 menit" in html  # Babel's words for a median of 90 minutes
    assert "Nov 2026" in html


async def test_an_officer_sees_no_report(world: World, client: Client) -> None:
    await _seed(world)
    await world.staff("ani", role="officer")
    c = await client("ani")
    for path in EXPORTS:
        for scope in ("", "scope=organisation&", "scope=network&"):
            response = await c.get(f"{path}?{scope}{NOVEMBER}")
            assert response.status_code == 404, (path, scope)
            assert "Wages" not in response.text and "wages" not in response.text
    assert "/reports" not in (await c.get("/dashboard/")).text  # no link either
    audited = await _audited(world)
    assert len(audited) == 9 and {a for a, _ in audited} == {"report_refused"}


async def test_the_network_view_counts_only_organisations_that_opted_in(
    world: World, client: Client
) -> None:
    await _seed(world)
    await world.staff("sari", role="supervisor")
    await world.staff("joko", role="supervisor", organisation="sbmi")
    await world.staff("root", role="admin", organisation=None)
    _opt_in(world, "migrantcare", "jbmi")
    sari = await client("sari")
    data = (await sari.get(f"/dashboard/reports.json?scope=network&{NOVEMBER}")).json()
    assert data["organisations"] == ["jbmi", "migrantcare"]
    organisations = {r["key"]: r["shown"] for r in data["cases"]["organisation"]["rows"]}
    assert organisations == {"migrantcare": "15", "jbmi": "5"}  # not SBMI's nine
    html = (await sari.get(f"/dashboard/reports?scope=network&{NOVEMBER}")).text
    assert "Network report" in html and "<td>Trafficking or scam</td>" not in html
    # SBMI shares nothing: its supervisor sees its own report, not the network's.
    joko = await client("joko")
    assert (await joko.get(f"/dashboard/reports?scope=network&{NOVEMBER}")).status_code == 404
    own = (await joko.get(f"/dashboard/reports.json?{NOVEMBER}")).json()
    assert own["organisations"] == ["sbmi"]
    # An administrator of no organisation: the network's report.
    root = await client("root")
    assert (await root.get(f"/dashboard/reports.json?{NOVEMBER}")).json()["scope"] == "network"
    refused = await root.get(f"/dashboard/reports.json?scope=organisation&{NOVEMBER}")
    assert refused.status_code == 404


async def test_filters_narrow_every_figure(world: World, client: Client) -> None:
    await _seed(world)
    await world.staff("sari", role="supervisor")
    c = await client("sari")
    data = (await c.get(f"/dashboard/reports.json?{NOVEMBER}&country=HK")).json()
    assert data["filters"] == {"country": "HK", "category": None}
    assert {r["key"]: r["shown"] for r in data["cases"]["category"]["rows"]} == {
        "document_withheld": "6"
    }
    data = (await c.get(f"/dashboard/reports.json?{NOVEMBER}&category=wages_unpaid")).json()
    assert {r["key"]: r["shown"] for r in data["cases"]["country"]["rows"]} == {"MY": "7"}
    # Another period: nothing.
    empty = (await c.get("/dashboard/reports.json?from=2025-01&to=2025-03")).json()
    assert empty["cases"]["category"]["rows"] == [] and empty["period"]["to"] == "2025-03"


async def _every_export(c: httpx.AsyncClient, scope: str) -> dict[str, str]:
    found = {}
    for path in EXPORTS:
        response = await c.get(f"{path}?scope={scope}&{NOVEMBER}")
        assert response.status_code == 200, (path, scope)
        found[f"{path} {scope}"] = response.text
    return found


async def test_no_export_holds_personal_data(world: World, client: Client) -> None:
    await _seed(world)
    await world.staff("root", role="admin", organisation="migrantcare")
    _opt_in(world, "migrantcare", "jbmi", "sbmi")
    outputs: dict[str, str] = {}
    for lang in ("id", "en"):
        c = await client("root", lang=lang)
        for scope in ("organisation", "network"):
            outputs.update({f"{k} {lang}": v for k, v in (await _every_export(c, scope)).items()})
    assert len(outputs) == 12
    for name, text in outputs.items():
        for secret in SECRETS:
            assert secret.lower() not in text.lower(), (name, secret)
        assert "HL-T" not in text  # no case reference either
    async with world.sessions() as session:
        entries = (await session.scalars(select(AuditEntry))).all()
    logged = json.dumps([e.data for e in entries])
    assert not any(secret.lower() in logged.lower() for secret in SECRETS)


def _random_specs(rng: random.Random) -> list[Spec]:
    categories = ["wages_unpaid", "document_withheld", "abuse_violence", None, "repatriation"]
    countries = ["MY", "HK", "SA", "TW", None]
    specs = []
    for _ in range(rng.randint(0, 40)):
        closed = rng.random() < 0.4
        specs.append(
            Spec(
                organisation=rng.choice(["migrantcare", "migrantcare", "jbmi"]),
                category=rng.choice(categories),
                country=rng.choice(countries),
                opened=datetime(2026, rng.randint(9, 11), rng.randint(1, 28), 5, tzinfo=UTC),
                first_reply=rng.uniform(1, 600) if rng.random() < 0.7 else None,
                closed=rng.uniform(600, 20000) if closed else None,
                outcome=rng.choice(list(Outcome)),
                intents=tuple(
                    rng.choice(["wages_unpaid", "contact_info", "greet", None]) for _ in range(3)
                ),
            )
        )
    return specs


def _figures(data: object) -> list[tuple[object, object]]:
    """Every (count, shown) pair anywhere in an exported report."""
    found = []
    if isinstance(data, dict):
        if "shown" in data:
            found.append((data["count"], data["shown"]))
        if "total_shown" in data:
            found.append((data["total"], data["total_shown"]))
        for value in data.values():
            found += _figures(value)
    elif isinstance(data, list):
        for value in data:
            found += _figures(value)
    return found


@pytest.mark.parametrize(("seed_value", "threshold"), [(1, 5), (2, 3), (3, 6), (4, 4)])
async def test_no_exported_figure_is_below_the_threshold(
    world: World, client: Client, seed_value: int, threshold: int
) -> None:
    rng = random.Random(seed_value)
    await _seed(world, _random_specs(rng))
    await world.staff("root", role="admin", organisation="migrantcare")
    _opt_in(world, "migrantcare", "jbmi")
    c = await client("root")
    period = "from=2026-09&to=2026-11"
    for scope in ("organisation", "network"):
        data = (await c.get(f"/dashboard/reports.json?scope={scope}&{period}")).json()
        assert data["threshold"] == threshold
        figures = _figures(data)
        assert figures  # the totals at least
        for count, shown in figures:
            if count is None:
                assert shown in (f"<{threshold}", "x")
            else:
                assert count >= threshold and shown == str(count)
        table = (await c.get(f"/dashboard/reports.csv?scope={scope}&{period}")).text
        for row in csv.DictReader(io.StringIO(table)):
            if row["table"] != "report" and row["key"] != "withheld":
                shown = row["count"]
                assert shown in (f"<{threshold}", "x") or int(shown) >= threshold, row
        html = (await c.get(f"/dashboard/reports?scope={scope}&{period}")).text
        # Counts are the cells of digits alone (durations are words).
        for value in re.findall(r'class="num">([0-9.,]+)<', html):
            assert int(value.replace(",", "")) >= threshold, value
