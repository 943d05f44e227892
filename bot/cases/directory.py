"""Organisations, their queues, the routing rules and canned replies, read from flows/.

    directory = Directory.load(root)        # raises DirectoryError listing every problem
    problems = check_directory(root)        # for `helpline check`: file and line for each

The files are content that editors own: flows/organisations.yml, flows/routing.yml and
flows/canned_replies.yml, each validated against its JSON Schema in flows/schema/.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from bot import intents, loadcache
from bot.content import Problem
from bot.content.schema import load_validators
from bot.content.yamlfile import line_of
from bot.i18n import country_zone
from bot.nlu.entities.province import PROVINCES

FLOWS = Path("flows")
ORGANISATIONS = FLOWS / "organisations.yml"
ROUTING = FLOWS / "routing.yml"
OFFICES = FLOWS / "offices.yml"
CANNED = FLOWS / "canned_replies.yml"
SCHEMAS = FLOWS / "schema"
OFFICE_KINDS = ("bp3mi", "disnakertrans")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A request to talk to a person that named no problem has no category; rules call it "none".
NO_CATEGORY = "none"
HOME_ZONE = "Asia/Jakarta"
CATEGORIES = frozenset(intents.ALL) | {NO_CATEGORY}
_COUNTRIES = frozenset(str(c) for c in Locale("en").territories if len(str(c)) == 2)


class DirectoryError(Exception):
    """flows/ cannot serve the case desk; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Hours:
    timezone: str
    days: tuple[str, ...]
    open: time
    close: time

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(ZoneInfo(self.timezone))
        return DAYS[local.weekday()] in self.days and self.open <= local.time() < self.close

    def closes(self, now: datetime) -> datetime | None:
        """When officers stop work today, if they are at work now."""
        if not self.is_open(now):
            return None
        zone = ZoneInfo(self.timezone)
        return datetime.combine(now.astimezone(zone).date(), self.close, tzinfo=zone)

    def next_open(self, now: datetime) -> datetime:
        """When officers are next at work: `now` itself if they are."""
        if self.is_open(now):
            return now
        zone = ZoneInfo(self.timezone)
        local = now.astimezone(zone)
        for ahead in range(8):
            day = local.date() + timedelta(days=ahead)
            start = datetime.combine(day, self.open, tzinfo=zone)
            if DAYS[day.weekday()] in self.days and start > local:
                return start
        raise AssertionError("hours name at least one day")  # the schema requires one


@dataclass(frozen=True)
class Queue:
    id: str
    name: str  # in English, or the one name it has
    organisation: str
    time_limit: timedelta
    hours: Hours | None = None  # None: around the clock
    names: Mapping[str, str] = field(default_factory=dict)  # by language, when it has several


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    kind: str
    country: str | None
    staff_chat: str | None
    queues: tuple[Queue, ...]
    timezone: str | None = None  # where its officers work, when organisations.yml says
    names: Mapping[str, str] = field(default_factory=dict)  # by language, when it has several
    digest_hour: int | None = None  # local hour of the daily digest; None: the setting's
    # Its anonymised statistics count in the network's report (bot/reports), which its own
    # supervisors may then read too.
    network_reports: bool = False

    @property
    def zone(self) -> ZoneInfo:
        """The officers' time zone: as written, else the mission's country, else their
        queues' office hours, else WIB (Jakarta)."""
        if self.timezone:
            return ZoneInfo(self.timezone)
        if self.kind == "mission" and (zone := country_zone(self.country)) is not None:
            return zone
        hours = next((q.hours for q in self.queues if q.hours is not None), None)
        return ZoneInfo(hours.timezone if hours else HOME_ZONE)


@dataclass(frozen=True)
class Office:
    """A BP3MI or Disnakertrans office and the home provinces it takes cases for."""

    id: str
    kind: str  # one of OFFICE_KINDS
    queue: str
    provinces: frozenset[str]
    confirmed: bool = True


@dataclass(frozen=True)
class Rule:
    name: str
    queue: str  # with `office`: where the case goes when no office serves the province
    categories: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    urgent: bool | None = None
    sources: frozenset[str] | None = None
    choices: frozenset[str] | None = None
    office: str | None = None  # "bp3mi": the office of that kind for the worker's home province


@dataclass(frozen=True)
class Routing:
    default: str
    rules: tuple[Rule, ...]
    urgent_categories: frozenset[str] = frozenset()
    urgent_sources: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CannedReply:
    id: str
    title: str  # in English, or the one title it has
    text: dict[str, str]  # by language
    titles: Mapping[str, str] = field(default_factory=dict)  # by language, when it has several

    def title_in(self, lang: str | None) -> str:
        return self.titles.get(lang or "", self.title)


@dataclass
class Directory:
    organisations: dict[str, Organisation]
    queues: dict[str, Queue]
    routing: Routing
    canned: tuple[CannedReply, ...] = ()
    root: Path | None = None  # the checkout it was read from
    offices: tuple[Office, ...] = ()

    @classmethod
    def load(cls, root: Path, cache_dir: Path | None = None) -> Directory:
        """With `cache_dir`, as loaded before from the same files (bot/loadcache.py)."""

        def load() -> Directory:
            directory, problems = _load(root)
            errors = [p for p in problems if p.severity == "error"]
            if errors or directory is None:
                raise DirectoryError(errors)
            return directory

        return loadcache.cached(
            cache_dir, "directory", root, lambda: loadcache.tree(root / FLOWS), load, Directory
        )

    def queue(self, queue_id: str) -> Queue:
        return self.queues[queue_id]

    def organisation_name(self, organisation_id: str, lang: str | None = None) -> str:
        """Its name in `lang` when organisations.yml gives one, else its one name."""
        org = self.organisations.get(organisation_id)
        if org is None:
            return organisation_id
        return org.names.get(lang or "", org.name)

    def office_for(self, kind: str, province: str | None) -> Office | None:
        """The office of `kind` that serves the worker's home province, if one is listed."""
        if province is None:
            return None
        return next((o for o in self.offices if o.kind == kind and province in o.provinces), None)

    def zone(self, organisation_id: str | None) -> ZoneInfo:
        """The time zone the organisation's officers read times in (WIB without one)."""
        org = self.organisations.get(organisation_id or "")
        return org.zone if org else ZoneInfo(HOME_ZONE)

    def mission_for(self, country: str | None) -> Organisation | None:
        """The Indonesian mission (KBRI, KJRI, KDEI) serving workers in `country`, if listed."""
        return next(
            (
                o
                for o in self.organisations.values()
                if o.kind == "mission" and country is not None and o.country == country
            ),
            None,
        )

    def queue_name(self, queue_id: str, lang: str | None = None) -> str:
        queue = self.queues.get(queue_id)
        if queue is None:
            return queue_id
        return queue.names.get(lang or "", queue.name)


def check_directory(root: Path) -> list[Problem]:
    return _load(root)[1]


# Reading ------------------------------------------------------------------------------------


@dataclass
class _Reader:
    root: Path
    problems: list[Problem] = field(default_factory=list)

    def document(self, rel: Path, schema: str) -> CommentedMap | None:
        try:
            text = (self.root / rel).read_text(encoding="utf-8")
        except OSError as error:
            self.problems.append(Problem(rel, None, f"cannot read the file: {error.strerror}"))
            return None
        try:
            data = YAML(typ="rt").load(text)
        except YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            self.problems.append(Problem(rel, line, f"YAML error: {error}".splitlines()[0]))
            return None
        if not isinstance(data, CommentedMap):
            self.problems.append(Problem(rel, 1, "the file must be a mapping (key: value lines)"))
            return None
        validator = _validator(self.root, schema)
        if validator is None:
            self.problems.append(Problem(SCHEMAS / schema, None, "missing or invalid schema"))
            return None
        found = list(validator.iter_errors(_plain(data)))
        for invalid in sorted(found, key=lambda e: [str(p) for p in e.absolute_path]):
            where = "/".join(str(p) for p in invalid.absolute_path) or "the file"
            line = line_of(data, list(invalid.absolute_path))
            self.problems.append(Problem(rel, line, f"{where}: {invalid.message}"))
        return None if found else data

    def error(self, rel: Path, data: Any, keys: Sequence[str | int], message: str) -> None:
        self.problems.append(Problem(rel, line_of(data, keys), message))


def _load(root: Path) -> tuple[Directory | None, list[Problem]]:
    reader = _Reader(root)
    orgs_doc = reader.document(ORGANISATIONS, "organisations.schema.json")
    routing_doc = reader.document(ROUTING, "routing.schema.json")
    canned_doc = reader.document(CANNED, "canned_replies.schema.json")
    # offices.yml is optional: without it, rules that route by province use their own queue.
    has_offices = (root / OFFICES).is_file()
    offices_doc = reader.document(OFFICES, "offices.schema.json") if has_offices else None
    organisations = _organisations(reader, orgs_doc) if orgs_doc is not None else None
    queues = {q.id: q for o in (organisations or {}).values() for q in o.queues}
    offices: tuple[Office, ...] | None = ()
    if has_offices:
        offices = (
            _offices(reader, offices_doc, organisations, queues)
            if offices_doc is not None and organisations is not None
            else None
        )
    routing = (
        _routing(reader, routing_doc, organisations, queues)
        if routing_doc is not None and organisations is not None
        else None
    )
    canned = _canned(canned_doc) if canned_doc is not None else None
    if organisations is None or routing is None or canned is None or offices is None:
        return None, reader.problems
    for i, rule in enumerate(routing.rules):
        if rule.office is not None and not any(o.kind == rule.office for o in offices):
            reader.problems.append(
                Problem(
                    ROUTING,
                    line_of(routing_doc, ["rules", i, "office"]),
                    f"no {rule.office} office in {OFFICES.as_posix()}: every case of this rule "
                    f"goes to {rule.queue!r}",
                    "warning",
                )
            )
    if any(p.severity == "error" for p in reader.problems):
        return None, reader.problems
    return Directory(organisations, queues, routing, canned, root, offices), reader.problems


def _offices(
    reader: _Reader,
    doc: CommentedMap,
    organisations: dict[str, Organisation],
    queues: dict[str, Queue],
) -> tuple[Office, ...]:
    offices: list[Office] = []
    served: dict[tuple[str, str], str] = {}  # (kind, province) -> office id
    for i, raw in enumerate(doc["offices"]):
        where: list[str | int] = ["offices", i]
        if any(o.id == raw["id"] for o in offices):
            reader.error(OFFICES, doc, [*where, "id"], f"office {raw['id']!r} twice")
        queue = queues.get(raw["queue"])
        if queue is None:
            reader.error(
                OFFICES,
                doc,
                [*where, "queue"],
                f"unknown queue {raw['queue']!r} (see {ORGANISATIONS})",
            )
        elif organisations[queue.organisation].kind != raw["kind"]:
            reader.error(
                OFFICES,
                doc,
                [*where, "queue"],
                f"queue {raw['queue']!r} belongs to {queue.organisation!r}, "
                f"which is not of kind {raw['kind']!r}",
            )
        for k, province in enumerate(raw["provinces"]):
            if province not in PROVINCES:
                reader.error(
                    OFFICES,
                    doc,
                    [*where, "provinces", k],
                    f"unknown province {province!r} (known: {', '.join(sorted(PROVINCES))})",
                )
            other = served.setdefault((raw["kind"], province), raw["id"])
            if other != raw["id"]:
                reader.error(
                    OFFICES,
                    doc,
                    [*where, "provinces", k],
                    f"{province!r} is served by {other!r} already: one {raw['kind']} office a province",
                )
        offices.append(
            Office(
                raw["id"],
                raw["kind"],
                raw["queue"],
                frozenset(raw["provinces"]),
                bool(raw.get("confirmed", True)),
            )
        )
    return tuple(offices)


def _organisations(reader: _Reader, doc: CommentedMap) -> dict[str, Organisation]:
    organisations: dict[str, Organisation] = {}
    seen_queues: set[str] = set()
    for i, org in enumerate(doc["organisations"]):
        where: list[str | int] = ["organisations", i]
        if org["id"] in organisations:
            reader.error(ORGANISATIONS, doc, [*where, "id"], f"organisation {org['id']!r} twice")
        country = org.get("country")
        if country is not None and country not in _COUNTRIES:
            reader.error(ORGANISATIONS, doc, [*where, "country"], f"unknown country {country!r}")
        queues = []
        for j, q in enumerate(org["queues"]):
            qwhere: list[str | int] = [*where, "queues", j]
            if q["id"] in seen_queues:
                reader.error(ORGANISATIONS, doc, [*qwhere, "id"], f"queue {q['id']!r} twice")
            seen_queues.add(q["id"])
            hours = _hours(reader, doc, [*qwhere, "hours"], q.get("hours"))
            name, names = _names(q["name"])
            queues.append(
                Queue(q["id"], name, org["id"], timedelta(minutes=q["time_limit"]), hours, names)
            )
        timezone = org.get("timezone")
        if timezone is not None and not _known_zone(timezone):
            reader.error(
                ORGANISATIONS, doc, [*where, "timezone"], f"unknown time zone {timezone!r}"
            )
            timezone = None
        name, names = _names(org["name"])
        organisations[org["id"]] = Organisation(
            org["id"],
            name,
            org["kind"],
            country,
            org.get("staff_chat"),
            tuple(queues),
            timezone,
            names,
            org.get("digest_hour"),
            bool(org.get("network_reports", False)),
        )
    return organisations


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _hours(reader: _Reader, doc: CommentedMap, where: list[str | int], raw: Any) -> Hours | None:
    if raw is None:
        return None
    try:
        ZoneInfo(raw["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        reader.error(
            ORGANISATIONS, doc, [*where, "timezone"], f"unknown time zone {raw['timezone']!r}"
        )
        return None
    opens, closes = time.fromisoformat(raw["open"]), time.fromisoformat(raw["close"])
    if closes <= opens:
        reader.error(ORGANISATIONS, doc, [*where, "close"], "`close` must be after `open`")
        return None
    return Hours(raw["timezone"], tuple(raw["days"]), opens, closes)


def _routing(
    reader: _Reader,
    doc: CommentedMap,
    organisations: dict[str, Organisation],
    queues: dict[str, Queue],
) -> Routing:
    def known_queue(keys: list[str | int], queue_id: str) -> None:
        if queue_id not in queues:
            reader.error(
                ROUTING, doc, keys, f"unknown queue {queue_id!r} (see flows/organisations.yml)"
            )

    known_queue(["default"], doc["default"])
    urgent = doc.get("urgent") or {}
    for k, category in enumerate(urgent.get("categories") or ()):
        if category not in CATEGORIES:
            reader.error(
                ROUTING, doc, ["urgent", "categories", k], f"unknown category {category!r}"
            )
    rules = []
    for i, raw in enumerate(doc["rules"]):
        where: list[str | int] = ["rules", i]
        when = raw["when"]
        known_queue([*where, "queue"], raw["queue"])
        for k, category in enumerate(when.get("category") or ()):
            if category not in CATEGORIES:
                reader.error(
                    ROUTING, doc, [*where, "when", "category", k], f"unknown category {category!r}"
                )
        for k, country in enumerate(when.get("country") or ()):
            if country not in _COUNTRIES:
                reader.error(
                    ROUTING, doc, [*where, "when", "country", k], f"unknown country {country!r}"
                )
        for k, choice in enumerate(when.get("choice") or ()):
            if choice not in organisations:
                reader.error(
                    ROUTING, doc, [*where, "when", "choice", k], f"unknown organisation {choice!r}"
                )
        rules.append(
            Rule(
                name=raw.get("name") or f"rule {i + 1}",
                queue=raw["queue"],
                categories=_set(when.get("category")),
                countries=_set(when.get("country")),
                urgent=when.get("urgent"),
                sources=_set(when.get("source")),
                choices=_set(when.get("choice")),
                office=raw.get("office"),
            )
        )
    _unreachable(reader, doc, rules)
    return Routing(
        doc["default"],
        tuple(rules),
        frozenset(urgent.get("categories") or ()),
        frozenset(urgent.get("sources") or ()),
    )


def _unreachable(reader: _Reader, doc: CommentedMap, rules: list[Rule]) -> None:
    """A rule that an earlier, broader rule always wins over is a mistake worth a warning."""
    for i, rule in enumerate(rules):
        for j, earlier in enumerate(rules[:i]):
            if _covers(earlier, rule):
                reader.problems.append(
                    Problem(
                        ROUTING,
                        line_of(doc, ["rules", i]),
                        f"rule {rule.name!r} never applies: rule {j + 1} ({earlier.name!r}) "
                        "matches every case it would",
                        "warning",
                    )
                )
                break


def _covers(a: Rule, b: Rule) -> bool:
    def wider(x: frozenset[str] | None, y: frozenset[str] | None) -> bool:
        return x is None or (y is not None and y <= x)

    return (
        wider(a.categories, b.categories)
        and wider(a.countries, b.countries)
        and wider(a.sources, b.sources)
        and wider(a.choices, b.choices)
        and (a.urgent is None or a.urgent == b.urgent)
    )


def _canned(doc: CommentedMap) -> tuple[CannedReply, ...]:
    replies = []
    for r in doc["replies"]:
        title, titles = _names(r["title"])
        text = {"id": str(r["text"]["id"]), "en": str(r["text"]["en"])}
        replies.append(CannedReply(r["id"], title, text, titles))
    return tuple(replies)


def _names(raw: Any) -> tuple[str, dict[str, str]]:
    """A name written once, or per language ({id: ..., en: ...}): (English, by language)."""
    if isinstance(raw, dict):
        names = {str(k): str(v) for k, v in raw.items()}
        return names["en"], names
    return str(raw), {}


def _set(values: Any) -> frozenset[str] | None:
    return frozenset(str(v) for v in values) if values else None


if TYPE_CHECKING:  # a start that finds the directory cached does not import jsonschema
    from jsonschema import Draft202012Validator


def _validator(root: Path, name: str) -> Draft202012Validator | None:
    validators, _problems = load_validators(root, {name: SCHEMAS / name})
    return validators.get(name)


def _plain(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    if isinstance(data, str):
        return str(data)
    if isinstance(data, date):
        return data.isoformat()
    return data


def iter_queues(directory: Directory, organisation: str) -> Iterator[Queue]:
    org = directory.organisations.get(organisation)
    yield from org.queues if org else ()
