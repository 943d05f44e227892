"""`helpline content`: PO files for translators (bot/content/po.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.settings import PROJECT_ROOT

content_app = typer.Typer(
    help="Translations of the content: PO files out and back in.", no_args_is_help=True
)

Root = Annotated[Path, typer.Option("--root", help="The checkout root that holds flows/.")]


@content_app.command("export-po")
def export_po(
    out: Annotated[Path, typer.Argument(help="The PO file to write.")],
    lang: Annotated[str, typer.Option("--lang", help="The language translated into.")] = "en",
    root: Root = PROJECT_ROOT,
) -> None:
    """Every worker-facing text: msgctxt file:key, msgid Indonesian, msgstr the current English."""
    from bot.content import po

    try:
        catalog = po.export_po(root, lang)
    except po.PoError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    po.write(catalog, out)
    missing = sum(1 for m in catalog if m.id and not m.string)
    typer.echo(f"{len(catalog)} text(s) written to {out}; {missing} without a translation")


@content_app.command("import-po")
def import_po(
    file: Annotated[Path, typer.Argument(help="A PO file made by export-po, translated.")],
    root: Root = PROJECT_ROOT,
) -> None:
    """Write the translations back into flows/ and locales/; refuses changed sources."""
    from bot.content import po

    try:
        report = po.import_po(root, file)
    except po.PoError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    for context in report.refused:
        typer.echo(f"refused, the Indonesian changed since the export: {context}", err=True)
    for context in report.missing:
        typer.echo(f"not found: {context}", err=True)
    for written in report.files:
        typer.echo(f"written: {written}")
    typer.echo(report.summary())
    typer.echo("Run `helpline check` before committing.")
