"""The `helpline` command: run, chat, parse, train, check, doctor, migrate, backup, restore,
report, rotate-keys; user, cases, parked and content (PO files for translators) as groups of
their own."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from dataclasses import asdict, is_dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import structlog
import typer

from bot import logs
from bot.cases.cli import cases_app
from bot.content.cli import content_app
from bot.learning.cli import nlu_app
from bot.messages import ChannelKind, Inbound
from bot.parked_cli import parked_app
from bot.reports.cli import report
from bot.settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from bot.staff.cli import user_app

if TYPE_CHECKING:
    from bot.storage.rotation import RotationReport

app = typer.Typer(
    help="Helpline for Indonesian migrant workers.", no_args_is_help=True, add_completion=False
)
app.add_typer(user_app, name="user")
app.add_typer(cases_app, name="cases")
app.add_typer(parked_app, name="parked")
app.command("report")(report)
app.add_typer(content_app, name="content")
app.add_typer(nlu_app, name="nlu")


def _settings(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


@app.command()
def run(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Run the web server: health endpoint, the /chat page and (later) webhooks and dashboard."""
    from bot.server import serve

    settings = _settings()
    logs.configure(settings.log_level, json=settings.env == "production")
    host = host or settings.host
    port = port or settings.port
    if settings.env == "production":  # one JSON object a line, for the log collector
        structlog.get_logger("bot.cli").info(
            "helpline.starting",
            host=host,
            port=port,
            telegram=settings.effective_telegram_mode if settings.telegram_enabled else None,
            whatsapp=settings.whatsapp_enabled,
        )
    else:
        typer.echo(
            f"Helpline starting. Chat with the bot at http://{host}:{port}/chat ; "
            f"officers' dashboard at http://{host}:{port}/dashboard/",
            err=True,
        )
        if settings.telegram_enabled:
            typer.echo(f"Telegram: {settings.effective_telegram_mode}", err=True)
        if settings.whatsapp_enabled:
            typer.echo(f"WhatsApp: webhook at {settings.public_url}/webhooks/twilio", err=True)
    asyncio.run(serve(settings, host=host, port=port))


@app.command()
def chat(
    user: Annotated[
        str | None, typer.Option("--user", help="The worker's id, to continue a conversation.")
    ] = None,
    flow: Annotated[
        str | None,
        typer.Option("--flow", help="Start this complaint flow (flows/complaints/NAME.yml)."),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Answer in this language from the start: id or en.")
    ] = None,
) -> None:
    """Talk to the bot in the terminal; with stdin not a terminal, one message per line."""
    settings = _settings()
    logs.configure("warning")
    if lang is not None and lang not in ("id", "en"):
        typer.echo("--lang must be id or en", err=True)
        raise typer.Exit(2)
    user = user or f"console-{uuid.uuid4().hex[:12]}"
    asyncio.run(_chat(settings, user, flow=flow, lang=lang))


async def _chat(
    settings: Settings, user: str, *, flow: str | None = None, lang: str | None = None
) -> None:
    from bot.channels.console import Console
    from bot.runtime import build

    runtime = await build(settings)
    interactive = sys.stdin.isatty()
    console = Console(
        runtime.channels.receiver,
        runtime.mailbox,
        user,
        write=_write,
        interactive=interactive,
        lang=lang or settings.default_language,
    )

    async def read_line() -> str | None:
        # In a thread, so that officers' messages are printed while the worker types.
        if interactive:
            return await asyncio.to_thread(input, "> ")
        line = await asyncio.to_thread(sys.stdin.readline)
        return line or None

    try:
        if interactive:
            typer.echo("Ketik pesan / type a message (Ctrl-D to quit).")
        if lang is not None:
            await runtime.channels.receiver.answer(
                Inbound(ChannelKind.CONSOLE, user, f"/lang:{lang}")
            )
        if flow is not None:
            if runtime.flows.get(flow) is None:
                names = ", ".join(f.id for f in runtime.flows.flows())
                typer.echo(f"no flow {flow!r}; the flows are: {names}", err=True)
                raise typer.Exit(2)
            await console.say(f"/flow:start:{flow}")
        await console.run(read_line)
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        await runtime.close()


def _write(text: str) -> None:
    typer.echo(text, nl=False)


@app.command()
def parse() -> None:
    """Read messages one per line; print one JSON object per line: intent, confidence, entities.

    The intent is the bot's reading, with the bot's threshold (HELPLINE_NLU_THRESHOLD):
    "out_of_scope" with "understood": false where the bot would answer "not understood"."""
    from bot.dialogue.policy import understood
    from bot.nlu.classifier import OUT_OF_SCOPE
    from bot.nlu.language import detect_language
    from bot.runtime import build_nlu

    settings = _settings()
    logs.configure("warning")
    nlu, threshold = build_nlu(settings)
    # The embedded NLU answers in this thread: one message at a time, a hop to a worker
    # thread and back (what the server does to keep its event loop free) only adds latency.
    parse_sync = getattr(nlu, "parse_sync", None)

    async def go() -> None:
        for line in sys.stdin:
            text = line.rstrip("\n")
            result = parse_sync(text) if parse_sync is not None else await nlu.parse(text)
            intent, confidence = understood(result, threshold)
            record = {
                "text": text,
                "intent": intent or OUT_OF_SCOPE,
                "understood": intent is not None,
                "confidence": round(confidence, 4),
                "language": detect_language(text),
                "entities": [_jsonable(e) for e in result.entities],
            }
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            sys.stdout.flush()

    asyncio.run(go())


@app.command()
def train() -> None:
    """Train the embedded NLU from nlu_data/ (run and chat also do this when the data changed)."""
    from bot.nlu.embedded import EmbeddedNlu

    settings = _settings()
    logs.configure("warning")
    nlu = EmbeddedNlu.train(settings.nlu_data_dir, settings.data_dir / "models")
    typer.echo(f"trained: {nlu.describe()}")


@app.command()
def check(
    root: Annotated[
        Path, typer.Argument(help="A checkout's root (holds flows/ and nlu_data/).")
    ] = PROJECT_ROOT,
) -> None:
    """Validate content, complaint flows and training data: every problem with file and line."""
    from bot.checks import check_all

    problems = check_all(root)
    for problem in problems:
        typer.echo(str(problem), err=problem.severity == "error")
    errors = [p for p in problems if p.severity == "error"]
    warnings = len(problems) - len(errors)
    typer.echo(f"{len(errors)} error(s), {warnings} warning(s)")
    raise typer.Exit(1 if errors else 0)


@app.command()
def doctor() -> None:
    """Check the configuration, and that the database, Telegram and Twilio answer."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        typer.echo(f"FAIL  {exc}")
        raise typer.Exit(1) from None
    from bot.doctor import diagnose

    logs.configure("error")
    findings = asyncio.run(diagnose(settings))
    for finding in findings:
        typer.echo(str(finding))
    failed = sum(f.level == "fail" for f in findings)
    typer.echo(f"{failed} problem(s)" if failed else "all good")
    raise typer.Exit(1 if failed else 0)


@app.command()
def migrate() -> None:
    """Bring the database's schema to this version and exit (Kubernetes runs it as a Job before
    a rollout; `helpline run` does it too, so this is never required)."""
    from bot.storage import db

    settings = _settings()
    logs.configure(settings.log_level, json=settings.env == "production")

    async def go() -> None:
        engine = db.create_engine(settings.effective_database_url)
        try:
            await db.migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(go())
    typer.echo("database at the newest schema")


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="The backup file to write (replaced if present).")],
) -> None:
    """Copy the whole database to a file, while the bot runs: pg_dump's custom format on
    PostgreSQL, SQLite's online backup. The data stays encrypted: keep the keys elsewhere."""
    from bot.storage.backup import BackupError
    from bot.storage.backup import backup as write_backup

    settings = _settings()
    try:
        write_backup(settings.effective_database_url, path)
    except BackupError as exc:
        typer.echo(f"backup failed: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"backup written: {path} ({path.stat().st_size} bytes)")
    if not settings.encryption_keys:
        typer.echo(
            f"note: the development key in {settings.data_dir / 'secret.key'} is not in the "
            "backup; without it the backup cannot be read",
            err=True,
        )


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="A file written by `helpline backup`.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask; replace the database's tables.")
    ] = False,
) -> None:
    """Replace the database's tables with a backup's. Stop every helpline process first; start
    them with the keys the backup was made with (or newer ones listed before them)."""
    from bot.storage.backup import BackupError
    from bot.storage.backup import restore as read_backup

    settings = _settings()
    if not yes:
        typer.confirm(
            "This replaces every table in the configured database with the backup's. Continue?",
            abort=True,
        )
    try:
        read_backup(settings.effective_database_url, path)
    except BackupError as exc:
        typer.echo(f"restore failed: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo("restored; `helpline run` migrates it to this version on start")


@app.command("rotate-keys")
def rotate_keys(
    check_only: Annotated[
        bool,
        typer.Option("--check", help="Change nothing; count the values older keys still hold."),
    ] = False,
    batch_size: Annotated[
        int, typer.Option(min=1, max=10_000, help="Rows re-encrypted per commit.")
    ] = 500,
) -> None:
    """Encrypt every stored value again with the newest key (the first of
    HELPLINE_ENCRYPTION_KEYS), in committed batches, while the bot runs. Every process must have
    the new key first before this runs. Safe to run again after a crash: it goes on where it
    stopped. Exits 1 while any value still needs an older key."""
    from bot.runtime import build_cipher
    from bot.storage import db
    from bot.storage.rotation import rotate_keys as rotate

    settings = _settings()
    logs.configure(settings.log_level, json=settings.env == "production")

    async def go() -> RotationReport:
        cipher = build_cipher(settings)
        engine = db.create_engine(settings.effective_database_url, cipher=cipher)
        try:
            return await rotate(engine, cipher, batch_size=batch_size, check_only=check_only)
        finally:
            await engine.dispose()

    report = asyncio.run(go())
    fields = ("scanned", "rotated", "current", "changed", "unreadable", "behind")
    typer.echo(f"{'column':<28}" + "".join(f"{f:>11}" for f in fields))
    for col in report.columns:
        counts = {**{f: getattr(col, f) for f in fields[:-1]}, "behind": col.behind}
        typer.echo(f"{col.column:<28}" + "".join(f"{counts[f]:>11}" for f in fields))
    if report.complete:
        typer.echo("every value opens with the newest key: older keys can be removed")
        return
    unreadable = report.total("unreadable")
    behind = sum(c.behind for c in report.columns)
    if unreadable:
        typer.echo(f"{unreadable} value(s) open with none of the configured keys", err=True)
    if behind:
        typer.echo(f"{behind} value(s) still need an older key: keep it", err=True)
    raise typer.Exit(1)


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def main() -> None:
    app()
