"""`helpline nlu export-labelled`: editors' labels become training examples."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from bot.cases.audit import audit
from bot.cases.cli import open_store, settings_or_exit
from bot.learning.store import LEARNED, export_labelled

nlu_app = typer.Typer(help="Training data from use.", no_args_is_help=True)


@nlu_app.command("export-labelled")
def export(
    out: Annotated[
        Path | None,
        typer.Option(help="The nlu_data/ folder to write into (default: HELPLINE_NLU_DATA_DIR)."),
    ] = None,
) -> None:
    """Write messages editors labelled (dashboard, "Not understood") into
    nlu_data/<lang>/learned.yml, merged with what is there; each is exported once."""
    settings = settings_or_exit()
    target = out or settings.nlu_data_dir

    async def go() -> dict[str, int]:
        async with open_store(settings) as store, store.sessions.begin() as session:
            added = await export_labelled(session, target)
            audit(session, "learning_exported", staff_id=None, **added)
            return added

    added = asyncio.run(go())
    for lang in sorted(added):
        typer.echo(f"{target / lang / LEARNED}: {added[lang]} new example(s)")
    if not added:
        typer.echo("nothing labelled since the last export")
    else:
        typer.echo("retrain with `helpline train`; compare with `python bench/nlu.py`")
