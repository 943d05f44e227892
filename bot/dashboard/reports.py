"""Reports: anonymised figures of an organisation's cases, or of the network's (bot/reports),
as a page with charts, as CSV and as JSON. Every view and export is audited.

    /reports?scope=organisation|network&from=YYYY-MM&to=YYYY-MM&country=MY&category=wages_unpaid
    /reports.csv?...   /reports.json?...   the same figures
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.cases import PermissionDenied
from bot.cases.audit import audit
from bot.cases.labels import CATEGORY_LABELS
from bot.cases.permissions import may_see_network_report, may_see_organisation_report
from bot.dashboard.charts import bar_chart
from bot.dashboard.web import HEADERS, Ctx, desk_language, signed_in, state
from bot.reports import (
    Dimension,
    Filters,
    Labels,
    Report,
    Scope,
    as_csv,
    as_json,
    build,
)
from bot.reports.figures import NO_CATEGORY, TIMED
from bot.reports.labels import TOPICS_TITLE


def opted_in(ctx: Ctx) -> list[str]:
    return sorted(o.id for o in ctx.desk.directory.organisations.values() if o.network_reports)


def scopes(ctx: Ctx) -> list[Scope]:
    """The reports this staff member may read, their own organisation's first."""
    found = []
    if may_see_organisation_report(ctx.actor):
        found.append(Scope.ORGANISATION)
    if may_see_network_report(ctx.actor, opted_in(ctx)):
        found.append(Scope.NETWORK)
    return found


async def _report(ctx: Ctx, export: str) -> tuple[Report, Labels]:
    allowed = scopes(ctx)
    asked = ctx.request.query_params.get("scope")
    scope = Scope(asked) if asked in set(Scope) else (allowed[0] if allowed else None)
    if scope is None or scope not in allowed:
        audit(ctx.db, "report_refused", staff_id=ctx.staff.id, scope=asked or "", export=export)
        raise PermissionDenied("reports")
    params = ctx.request.query_params
    today = ctx.desk.clock().astimezone(ctx.desk.directory.zone(ctx.staff.organisation)).date()
    filters = Filters.months(
        params.get("from"), params.get("to"), today, params.get("country"), params.get("category")
    )
    organisations = [ctx.staff.organisation or ""] if scope is Scope.ORGANISATION else opted_in(ctx)
    threshold = state(ctx.request).report_min_cell
    report = await build(ctx.db, ctx.desk.directory, scope, organisations, filters, threshold)
    audit(
        ctx.db,
        "report_viewed" if export == "page" else "report_exported",
        staff_id=ctx.staff.id,
        scope=str(scope),
        export=export,
        organisations=list(report.organisations),
        period=[filters.first_month, filters.last_month],
        country=filters.country,
        category=filters.category,
    )
    return report, Labels(desk_language(ctx.request), ctx.desk.directory)


def _query(report: Report) -> str:
    f = report.filters
    values = {"scope": str(report.scope), "from": f.first_month, "to": f.last_month}
    if f.country:
        values["country"] = f.country
    if f.category:
        values["category"] = f.category
    return urlencode(values)


def _file_name(report: Report, extension: str) -> str:
    who = report.organisations[0] if report.scope is Scope.ORGANISATION else "network"
    f = report.filters
    return f"helpline-report-{who}-{f.first_month}-{f.last_month}.{extension}"


@signed_in
async def page(ctx: Ctx) -> Response:
    report, labels = await _report(ctx, "page")
    t = report.threshold
    shown = [
        d for d in Dimension if report.scope is Scope.NETWORK or d is not Dimension.ORGANISATION
    ]
    charts = {
        d: bar_chart(
            labels.title(d),
            [(labels.key(d, c.key), c.count, labels.count(c, t)) for c in report.cases[d].cells],
        )
        for d in shown
    }
    topics = bar_chart(
        labels.gettext(TOPICS_TITLE),
        [(labels.topic(c.key), c.count, labels.count(c, t)) for c in report.topics.cells],
    )
    directory = ctx.desk.directory
    categories = sorted(
        (k for k in CATEGORY_LABELS if k not in ("complaint", "talk_to_human", "report_problem")),
        key=lambda k: labels.topic(k),
    )
    countries = sorted(
        {c.key for c in report.cases[Dimension.COUNTRY].cells if len(c.key) == 2}
        | ({report.filters.country} if report.filters.country else set()),
        key=lambda k: labels.key(Dimension.COUNTRY, k),
    )
    return ctx.render(
        "reports.html",
        {
            "report": report,
            "labels": labels,
            "dimensions": shown,
            "timed": [d for d in TIMED if d in shown],
            "charts": charts,
            "topics": topics,
            "scopes": scopes(ctx),
            "organisation": directory.organisation_name(
                ctx.staff.organisation or "", desk_language(ctx.request)
            ),
            "network_names": [
                directory.organisation_name(o, desk_language(ctx.request))
                for o in report.organisations
            ],
            "categories": [*categories, NO_CATEGORY],
            "countries": countries,
            "query": _query(report),
            "Scope": Scope,
        },
    )


@signed_in
async def export_csv(ctx: Ctx) -> Response:
    report, labels = await _report(ctx, "csv")
    return Response(
        as_csv(report, labels),
        media_type="text/csv; charset=utf-8",
        headers={
            **HEADERS,
            "Content-Disposition": f'attachment; filename="{_file_name(report, "csv")}"',
        },
    )


@signed_in
async def export_json(ctx: Ctx) -> Response:
    report, labels = await _report(ctx, "json")
    return JSONResponse(
        as_json(report, labels),
        headers={
            **HEADERS,
            "Content-Disposition": f'attachment; filename="{_file_name(report, "json")}"',
        },
    )


routes: list[BaseRoute] = [
    Route("/reports", page, methods=["GET"]),
    Route("/reports.csv", export_csv, methods=["GET"]),
    Route("/reports.json", export_json, methods=["GET"]),
]
