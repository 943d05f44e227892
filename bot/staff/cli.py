"""`helpline user add`: accounts from the command line, with a one-time password link."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer

from bot.cases.cli import open_store, settings_or_exit
from bot.cases.permissions import CASE_ROLES
from bot.staff.accounts import ROLES, AccountError, create_staff, password_link_token

user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)


@user_app.command("add")
def add(
    username: str,
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")] = "officer",
    organisation: Annotated[
        str | None, typer.Option(help="An id from flows/organisations.yml (officers, supervisors).")
    ] = None,
    display_name: Annotated[
        str | None,
        typer.Option(
            "--display-name",
            "--name",
            help="The name workers and colleagues see, e.g. Rina (asked for when not given).",
        ),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account. Prints a one-time link where the person sets their own password."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if display_name is None and role not in CASE_ROLES:
        display_name = username  # editors and administrators never write to workers
    if display_name is None:
        if password_stdin:  # standard input holds the password: nothing to ask with
            typer.echo("error: give --display-name: the name workers see", err=True)
            raise typer.Exit(2)
        display_name = str(typer.prompt("Name workers see (e.g. Rina)"))
    if not display_name.strip():
        typer.echo("error: the display name is empty", err=True)
        raise typer.Exit(2)
    settings = settings_or_exit()

    async def go() -> str | None:
        async with open_store(settings) as store, store.sessions.begin() as session:
            staff = await create_staff(
                session,
                username=username,
                display_name=display_name,
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
    typer.echo(
        f"created {username} ({role}{', ' + organisation if organisation else ''}), "
        f"shown to workers as {display_name.strip()!r}"
    )
    if token:
        base = settings.public_url or f"http://{settings.host}:{settings.port}"
        typer.echo(
            f"one-time link to set the password (3 days): {base}/dashboard/password?token={token}"
        )
