"""Editors' awareness messages (flows/awareness/<id>.yml): read, validated and checked.

    notices, problems = load(root)     # every valid message; problems with file and line

A message is due from `send_after` until `expires`, for workers in its countries (or all).
On WhatsApp it goes only as an approved Twilio content template (ContentSid) for the
worker's language; without one it is not sent there (bot/awareness/job.py records that).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.content.loading import is_country_code
from bot.content.model import Source
from bot.content.parse import as_date, sources
from bot.content.problems import Problem, warning
from bot.content.schema import load_validators
from bot.content.yamlfile import Document, plain, read
from bot.i18n import normalise_language

AWARENESS = Path("flows/awareness")
SCHEMA = Path("flows/schema/awareness.schema.json")
HINT = "../schema/awareness.schema.json"
DEFAULT_ZONE = "Asia/Jakarta"  # editors write times in WIB unless they say otherwise
MAX_AGE_DAYS = 365
MAX_ID = 64  # awareness_deliveries.awareness_id
# WhatsApp template variables: Twilio refuses a value longer than this.
MAX_VARIABLE = 1024


@dataclass(frozen=True)
class Template:
    """An approved Twilio content template: what goes to Twilio as ContentSid/ContentVariables."""

    content_sid: str
    variables: dict[str, str] = field(default_factory=dict)

    def stored(self) -> dict[str, Any]:
        return {"sid": self.content_sid, "variables": dict(self.variables)}


@dataclass(frozen=True)
class Notice:
    """One awareness message."""

    id: str  # the file name without .yml
    path: Path
    text: dict[str, str]  # by language
    countries: frozenset[str] | None  # None: all
    send_after: datetime  # UTC
    expires: datetime  # UTC
    reviewed: date
    sources: tuple[Source, ...]
    whatsapp: dict[str, Template]  # by language

    def due(self, now: datetime) -> bool:
        return self.send_after <= now < self.expires

    def for_country(self, country: str | None) -> bool:
        return self.countries is None or (country is not None and country in self.countries)

    def text_for(self, lang: str) -> str:
        return self.text[normalise_language(lang)]

    def template_for(self, lang: str) -> Template | None:
        return self.whatsapp.get(normalise_language(lang))


def load(root: Path, today: date | None = None) -> tuple[list[Notice], list[Problem]]:
    """Every valid message under root/flows/awareness/, in id order, and every problem."""
    validators, problems = load_validators(root, {"awareness": SCHEMA}, check_formats=True)
    validator = validators.get("awareness")
    notices: list[Notice] = []
    folder = root / AWARENESS
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else ():
        rel = path.relative_to(root)
        doc, found = read(root, rel)
        problems += found
        if doc is None:
            continue
        if doc.schema_hint() != HINT:
            problems.append(
                warning(rel, 1, f"first line should be `# yaml-language-server: $schema={HINT}`")
            )
        if validator is not None:
            errors = sorted(
                validator.iter_errors(plain(doc.data)), key=lambda e: str(e.absolute_path)
            )
            if errors:
                for error in errors:
                    keys = list(error.absolute_path)
                    where = ".".join(str(k) for k in keys)
                    problems.append(Problem(rel, doc.line(keys), f"{where}: {error.message}"))
                continue
        notice, found = _notice(doc)
        problems += found
        if notice is not None:
            problems += list(_checks(notice, doc, today or date.today()))
            notices.append(notice)
    return notices, problems


def check(root: Path, today: date | None = None) -> list[Problem]:
    return load(root, today)[1]


def _notice(doc: Document) -> tuple[Notice | None, list[Problem]]:
    data = doc.data
    ident = doc.path.stem
    problems: list[Problem] = []
    if len(ident) > MAX_ID or not ident.replace("-", "").replace("_", "").isalnum():
        problems.append(
            Problem(doc.path, 1, f"file name {ident!r}: letters, digits, - and _ only (≤{MAX_ID})")
        )
    zone_name = str(data.get("timezone") or DEFAULT_ZONE)
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(Problem(doc.path, doc.line(["timezone"]), f"unknown zone {zone_name!r}"))
        return None, problems
    send_after = when(plain(data["send_after"]), zone, end_of_day=False)
    expires = when(plain(data["expires"]), zone, end_of_day=True)
    if expires <= send_after:
        problems.append(Problem(doc.path, doc.line(["expires"]), "expires before send_after"))
    countries = None
    if data["countries"] != "all":
        countries = frozenset(str(c) for c in data["countries"])
        for code in sorted(countries):
            if not is_country_code(code):
                problems.append(
                    Problem(doc.path, doc.line(["countries"]), f"unknown country code {code!r}")
                )
    templates: dict[str, Template] = {}
    for lang, spec in (data.get("whatsapp") or {}).items():
        variables = {str(k): str(v) for k, v in (spec.get("variables") or {}).items()}
        for key, value in variables.items():
            if len(value) > MAX_VARIABLE:
                problems.append(
                    Problem(
                        doc.path,
                        doc.line(["whatsapp", lang, "variables", key]),
                        f"whatsapp.{lang}.variables.{key}: longer than {MAX_VARIABLE} characters",
                    )
                )
        templates[str(lang)] = Template(str(spec["content_sid"]), variables)
    if problems:
        return None, problems
    notice = Notice(
        id=ident,
        path=doc.path,
        text={lang: str(data["text"][lang]).strip() for lang in ("id", "en")},
        countries=countries,
        send_after=send_after,
        expires=expires,
        reviewed=as_date(data["reviewed"]),
        sources=sources(data["sources"]),
        whatsapp=templates,
    )
    return notice, []


def when(value: str, zone: ZoneInfo, *, end_of_day: bool) -> datetime:
    """A schema-checked date or date-time as UTC; a date alone starts (or ends) that day."""
    if len(value) == 10:
        day = date.fromisoformat(value)
        at = datetime.combine(day, time(), tzinfo=zone)
        return (at + timedelta(days=1) if end_of_day else at).astimezone(UTC)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def _checks(notice: Notice, doc: Document, today: date) -> Iterator[Problem]:
    line = doc.line(["reviewed"])
    if (today - notice.reviewed).days > MAX_AGE_DAYS:
        yield warning(notice.path, line, f"reviewed {notice.reviewed}, more than 12 months ago")
    elif notice.reviewed > today:
        yield warning(notice.path, line, f"reviewed date {notice.reviewed} is in the future")
    missing = [lang for lang in ("id", "en") if lang not in notice.whatsapp]
    if missing:
        # Not an error: Telegram workers still get it. But nobody on WhatsApp in that language.
        yield warning(
            notice.path,
            doc.line(["whatsapp"]) if "whatsapp" in doc.data else 1,
            f"no approved WhatsApp template for {', '.join(missing)}: WhatsApp workers "
            "in that language will not get this message",
        )
