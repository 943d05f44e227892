"""`helpline report [--json]`: the anonymised figures of the dashboard's reports page, from the
same code (bot/reports), for an organisation or for the network of those that opted in."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

from bot.cases.audit import audit
from bot.cases.cli import open_store, settings_or_exit
from bot.i18n import normalise_language
from bot.reports.export import as_json, as_text
from bot.reports.figures import Filters, Scope, build
from bot.reports.labels import Labels
from bot.storage.models import utcnow


def report(
    organisation: Annotated[
        str | None,
        typer.Option("--organisation", "-o", help="This organisation's report (an id)."),
    ] = None,
    first: Annotated[
        str | None, typer.Option("--from", help="First month, YYYY-MM (default: 11 months ago).")
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last month, YYYY-MM (default: this month).")
    ] = None,
    country: Annotated[str | None, typer.Option(help="Only cases in this country (ISO).")] = None,
    category: Annotated[str | None, typer.Option(help="Only cases of this category.")] = None,
    lang: Annotated[str, typer.Option(help="Labels in id or en.")] = "id",
    as_json_: Annotated[bool, typer.Option("--json", help="As one JSON object.")] = False,
) -> None:
    """Anonymised figures of cases and conversations; without --organisation, the network's
    (the organisations whose organisations.yml entry says `network_reports: true`)."""
    settings = settings_or_exit()

    async def go() -> str:
        async with open_store(settings) as store, store.sessions.begin() as session:
            directory = store.directory
            if organisation is not None and organisation not in directory.organisations:
                typer.echo(f"unknown organisation {organisation!r}", err=True)
                raise typer.Exit(2)
            scope = Scope.NETWORK if organisation is None else Scope.ORGANISATION
            orgs = (
                [organisation]
                if organisation is not None
                else sorted(o.id for o in directory.organisations.values() if o.network_reports)
            )
            now = utcnow().astimezone(directory.zone(organisation))
            filters = Filters.months(first, last, now.date(), country, category)
            found = await build(session, directory, scope, orgs, filters, settings.report_min_cell)
            audit(
                session,
                "report_exported",
                staff_id=None,
                scope=str(scope),
                export="cli-json" if as_json_ else "cli",
                organisations=list(found.organisations),
                period=[filters.first_month, filters.last_month],
                country=filters.country,
                category=filters.category,
            )
            labels = Labels(normalise_language(lang), directory)
            if as_json_:
                return json.dumps(as_json(found, labels), ensure_ascii=False, indent=2) + "\n"
            return as_text(found, labels)

    typer.echo(asyncio.run(go()), nl=False)
