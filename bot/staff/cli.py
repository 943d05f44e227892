"""`helpline user add`: accounts from the command line, with a one-time password link."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer

from bot.cases.cli import open_store, settings_or_exit
from bot.staff.accounts import ROLES, AccountError, create_staff, password_link_token

user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)


@user_app.command("add")
def add(
    username: str,
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")] = "officer",
    organisation: Annotated[
        str | None, typer.Option(help="An id from flows/organisations.yml (officers, supervisors).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="The name colleagues see.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account. Prints a one-time link where the person sets their own password."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    settings = settings_or_exit()

    async def go() -> str | None:
        async with open_store(settings) as store, store.sessions.begin() as session:
            staff = await create_staff(
                session,
                username=username,
                display_name=name or username,
                role=role,
                organisation=organisation,
                known_organisations=set(store.directory.organisations),
                password=password,
            )
            return None if password else await password_link_token(session, staff)

    try:
        token = asyncio.run(go())
    except AccountError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"created {username} ({role}{', ' + organisation if organisation else ''})")
    if token:
        base = settings.public_url or f"http://{settings.host}:{settings.port}"
        typer.echo(
            f"one-time link to set the password (3 days): {base}/dashboard/password?token={token}"
        )
