"""The figures of a report on seeded cases and conversations (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from bot.cases import Directory
from bot.reports import Dimension, Filters, Labels, Measure, Scope, as_csv, as_json, build
from bot.runtime import Runtime
from tests.reports import seed
from tests.reports.seed import Spec

NOVEMBER = Filters.months("2026-11", "2026-11", date(2026, 12, 2))


def _specs() -> list[Spec]:
    specs = []
    # Migrant CARE: 7 wages cases in Malaysia, answered after 10, 20, ... 70 minutes; five of
    # them closed after 1..5 days.
    for i in range(7):
        specs.append(
            Spec(
                first_reply=10.0 * (i + 1),
                closed=1440.0 * (i + 1) if i < 5 else None,
                intents=("greet", "wages_unpaid", "wages_unpaid", "contact_info"),
            )
        )
    # 6 passport cases in Hong Kong, 2 abuse cases in Saudi Arabia, never answered.
    specs += [Spec(category="document_withheld", country="HK") for _ in range(6)]
    specs += [Spec(category="abuse_violence", country="SA") for _ in range(2)]
    # Outside the period (October, in Jakarta's time: 31 Oct 20:00 UTC is 1 Nov 03:00 WIB).
    specs.append(Spec(opened=datetime(2026, 10, 31, 16, 0, tzinfo=UTC)))
    specs.append(Spec(opened=datetime(2026, 10, 31, 20, 0, tzinfo=UTC), category="repatriation"))
    # SBMI's cases, which Migrant CARE's report never counts.
    specs += [Spec(organisation="sbmi", category="trafficking_scam") for _ in range(9)]
    return specs


async def test_an_organisations_figures(runtime: Runtime, directory: Directory) -> None:
    async with runtime.sessions.begin() as session:
        await seed.cases(session, _specs())
        # Six workers without a case, who asked for contact numbers: the network's only.
        for _ in range(6):
            await seed.worker(session, ("contact_info",), datetime(2026, 11, 12, tzinfo=UTC), "MY")
    async with runtime.sessions() as session:
        report = await build(session, directory, Scope.ORGANISATION, ["migrantcare"], NOVEMBER, 5)
    shown = {d: {c.key: c.shown(5) for c in t.cells} for d, t in report.cases.items()}
    # 16 cases: 7 + 6 + 2 + the one of 1 November in Jakarta.
    assert report.cases[Dimension.CATEGORY].total == 16
    # Two small categories leave each in [1, 4] with a sum of 3: nothing more to hide.
    assert shown[Dimension.CATEGORY] == {
        "wages_unpaid": "7",
        "document_withheld": "6",
        "abuse_violence": "<5",
        "repatriation": "<5",
    }
    # One small country would be the total minus the others: Hong Kong's 6 is hidden with it.
    assert shown[Dimension.COUNTRY] == {"MY": "8", "HK": "x", "SA": "<5"}
    assert shown[Dimension.MONTH] == {"2026-11": "16"}
    assert shown[Dimension.ORGANISATION] == {"migrantcare": "16"}
    assert shown[Dimension.STATUS] == {"new": "11", "closed": "5"}
    assert shown[Dimension.OUTCOME] == {"resolved": "5"}
    replies = {t.key: t for t in report.timings[Measure.FIRST_REPLY][Dimension.CATEGORY]}
    assert replies["wages_unpaid"].cases.count == 7
    assert replies["wages_unpaid"].median == 40 * 60
    assert replies["wages_unpaid"].p90 == 70 * 60  # nearest rank: the 7th of 7
    closing = {t.key: t for t in report.timings[Measure.CLOSE][Dimension.COUNTRY]}
    assert closing["MY"].median == 3 * 86400 and closing["MY"].p90 == 5 * 86400
    # Conversations of Migrant CARE's workers: 7 asked about wages and contacts (greetings are
    # not topics); the six workers without a case are not Migrant CARE's.
    topics = {c.key: c.shown(5) for c in report.topics.cells}
    assert topics == {"wages_unpaid": "7", "contact_info": "7"}


async def test_filters_by_country_and_category(runtime: Runtime, directory: Directory) -> None:
    async with runtime.sessions.begin() as session:
        await seed.cases(session, _specs())
    by_country = dataclasses.replace(NOVEMBER, country="HK")
    by_category = dataclasses.replace(NOVEMBER, category="wages_unpaid")
    async with runtime.sessions() as session:
        hk = await build(session, directory, Scope.ORGANISATION, ["migrantcare"], by_country, 5)
        wages = await build(session, directory, Scope.ORGANISATION, ["migrantcare"], by_category, 5)
    assert {c.key: c.count for c in hk.cases[Dimension.CATEGORY].cells} == {"document_withheld": 6}
    assert {c.key: c.count for c in wages.cases[Dimension.COUNTRY].cells} == {"MY": 7}
    assert hk.topics.cells == ()  # Hong Kong's workers of these cases only greeted


async def test_the_network_counts_only_organisations_that_opted_in(
    runtime: Runtime, directory: Directory
) -> None:
    async with runtime.sessions.begin() as session:
        await seed.cases(session, _specs())
        await seed.cases(session, [Spec(organisation="jbmi", country="HK") for _ in range(5)])
        for _ in range(6):
            await seed.worker(session, ("contact_info",), datetime(2026, 11, 12, tzinfo=UTC), "MY")
    shared = {"migrantcare", "jbmi"}
    network = dataclasses.replace(
        directory,
        organisations={
            k: dataclasses.replace(o, network_reports=k in shared)
            for k, o in directory.organisations.items()
        },
    )
    opted = sorted(o.id for o in network.organisations.values() if o.network_reports)
    async with runtime.sessions() as session:
        report = await build(session, network, Scope.NETWORK, opted, NOVEMBER, 5)
    orgs = {c.key: c.shown(5) for c in report.cases[Dimension.ORGANISATION].cells}
    assert orgs == {"migrantcare": "16", "jbmi": "5"}  # SBMI's nine are not counted
    topics = {c.key: c.shown(5) for c in report.topics.cells}
    assert topics["contact_info"] == "13"  # every worker of the helpline who asked
    labels = Labels("en", network)
    assert as_json(report, labels)["cases"]["organisation"]["total"] == 21
    assert "cases.organisation,jbmi,JBMI (Hong Kong and Macau),5,," in as_csv(report, labels)


def test_a_period_is_read_in_months() -> None:
    today = date(2026, 12, 2)
    default = Filters.months(None, None, today)
    assert (default.first_month, default.last_month) == ("2026-01", "2026-12")
    assert Filters.months("2026-13", "junk", today) == default
    swapped = Filters.months("2026-05", "2026-02", today)
    assert (swapped.start, swapped.end) == (date(2026, 2, 1), date(2026, 6, 1))
    odd = Filters.months(None, None, today, country="my';--", category="<script>")
    assert odd.country is None and odd.category is None
    assert Filters.months(None, None, today, country="my").country == "MY"


async def test_a_hidden_count_hides_what_adds_up_to_it_elsewhere(
    runtime: Runtime, directory: Directory
) -> None:
    # 6 of 8 wages cases closed, 2 abuse cases open: "new" is 4, so "closed" (6) is hidden
    # beside it; the outcomes (6 resolved) and the times to close (6 cases) would say 6.
    specs = [Spec(first_reply=30.0, closed=3000.0 if i < 6 else None, intents=()) for i in range(8)]
    specs += [Spec(category="abuse_violence", country="SA", intents=()) for _ in range(2)]
    async with runtime.sessions.begin() as session:
        await seed.cases(session, specs)
    async with runtime.sessions() as session:
        report = await build(session, directory, Scope.ORGANISATION, ["migrantcare"], NOVEMBER, 5)
    assert {c.key: c.shown(5) for c in report.cases[Dimension.STATUS].cells} == {
        "closed": "x",
        "new": "<5",
    }
    outcomes = report.cases[Dimension.OUTCOME]
    assert outcomes.withheld and outcomes.cells == () and outcomes.total_shown(5) == "x"
    assert report.withheld == {Measure.CLOSE}
    assert all(t.withheld and t.rows == () for t in report.timings[Measure.CLOSE].values())
    # Wages (8) is hidden beside abuse (2): its 8 answered cases are hidden with it.
    assert {c.key: c.shown(5) for c in report.cases[Dimension.CATEGORY].cells} == {
        "abuse_violence": "<5",
        "wages_unpaid": "x",
    }
    replies = report.timings[Measure.FIRST_REPLY]
    assert all(row.median is None for row in replies[Dimension.CATEGORY])
    [organisation] = replies[Dimension.ORGANISATION]
    assert organisation.cases.count == 8 and organisation.median == 30 * 60
    text = as_csv(report, Labels("en", directory))
    assert "cases.outcome,total,,x,," in text and "close,withheld,,,," in text
    assert "resolved" not in text
