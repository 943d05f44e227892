"""The figures of a report, computed once for the page, its CSV and JSON and `helpline report`.

What is read: each case's category, country, organisation, status, outcome and three moments
(opened, first reply by a person, closed), and each worker message's recognised intent
(messages.intent, written by the engine). Never a record, a note, a message's text or a name.
Every code is checked against what the content defines; anything else is counted as "other", so
no free text can reach an export. Counts then go through bot/reports/suppression.py.

Which cases: those opened in the period (months in the report's time zone) and held by the
organisation now (a case referred or transferred counts where it is). Which conversations
(topics): in an organisation's report, those of workers with a case held by it; in the
network's, every conversation with the helpline (the bot's, not an organisation's).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import intents
from bot.cases.directory import HOME_ZONE, Directory
from bot.cases.labels import CATEGORY_LABELS
from bot.cases.status import Outcome, Status
from bot.reports.suppression import Cell, Table, suppress
from bot.storage.models import Case, Direction, Message, Worker

OTHER = "other"
UNKNOWN = "unknown"  # a case without a country
NO_CATEGORY = "none"
_COUNTRY = re.compile(r"[A-Z]{2}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
# What workers ask: every intent but the conversation's own control (greetings, yes, no ...),
# except asking for a person.
TOPICS = frozenset(intents.ALL) - (frozenset(intents.CONTROL) - {"talk_to_human"})
CATEGORIES = frozenset(CATEGORY_LABELS) | frozenset(intents.ALL)


class Scope(StrEnum):
    ORGANISATION = "organisation"
    NETWORK = "network"


class Dimension(StrEnum):
    """What cases are counted by, in the order reports show them."""

    MONTH = "month"
    CATEGORY = "category"
    COUNTRY = "country"
    ORGANISATION = "organisation"
    STATUS = "status"
    OUTCOME = "outcome"


# What durations are grouped by.
TIMED = (Dimension.MONTH, Dimension.CATEGORY, Dimension.COUNTRY, Dimension.ORGANISATION)


class Measure(StrEnum):
    FIRST_REPLY = "first_reply"  # from opening to the first reply by a person
    CLOSE = "close"  # from opening to closing


@dataclass(frozen=True)
class Filters:
    start: date  # the first day of the first month
    end: date  # the first day of the month after the last
    country: str | None = None
    category: str | None = None

    @classmethod
    def months(
        cls,
        first: str | None,
        last: str | None,
        today: date,
        country: str | None = None,
        category: str | None = None,
    ) -> Filters:
        """From "YYYY-MM" to "YYYY-MM" (both months included); by default the last 12 months.
        Anything malformed falls back to the default; unknown codes filter nothing."""
        end_month = _month(last) or today.replace(day=1)
        start = _month(first) or _add_months(end_month, -11)
        if start > end_month:
            start, end_month = end_month, start
        country = country.upper() if country and _COUNTRY.fullmatch(country.upper()) else None
        category = category if category in CATEGORIES or category == NO_CATEGORY else None
        return cls(start, _add_months(end_month, 1), country, category)

    @property
    def first_month(self) -> str:
        return self.start.strftime("%Y-%m")

    @property
    def last_month(self) -> str:
        return _add_months(self.end, -1).strftime("%Y-%m")


@dataclass(frozen=True)
class Timing:
    """How long cases of one group took: median and 90th percentile, in seconds."""

    key: str
    cases: Cell  # how many cases the figures are of (suppressed like any count)
    median: float | None  # None when the count is hidden
    p90: float | None


@dataclass(frozen=True)
class Timings:
    """One table of times, by the groups of a dimension."""

    rows: tuple[Timing, ...]
    withheld: bool = False  # every figure hidden (see suppression.py)

    def __iter__(self) -> Iterator[Timing]:
        return iter(self.rows)


@dataclass(frozen=True)
class Report:
    scope: Scope
    organisations: tuple[str, ...]  # whose cases are counted
    filters: Filters
    threshold: int
    zone: str  # the time zone months are counted in
    cases: dict[Dimension, Table]
    timings: dict[Measure, dict[Dimension, Timings]]
    topics: Table  # conversations (workers) by what they asked about; no total (a worker
    # who asked about two topics counts in both)
    withheld: frozenset[Measure] = frozenset()  # times hidden whole (see `build`)


@dataclass(frozen=True)
class _Case:
    month: str
    category: str
    country: str
    organisation: str
    status: str
    outcome: str | None
    first_reply: float | None  # seconds
    close: float | None

    def key(self, dimension: Dimension) -> str | None:
        return getattr(self, dimension.value)  # type: ignore[no-any-return]


async def build(
    session: AsyncSession,
    directory: Directory,
    scope: Scope,
    organisations: Iterable[str],
    filters: Filters,
    threshold: int,
) -> Report:
    """The report of `organisations` (one for an organisation's report, the opted-in ones for
    the network's) under `filters`."""
    orgs = tuple(sorted(set(organisations)))
    zone_name = (
        str(directory.zone(orgs[0]).key) if scope is Scope.ORGANISATION and orgs else HOME_ZONE
    )
    zone = ZoneInfo(zone_name)
    since = datetime.combine(filters.start, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    until = datetime.combine(filters.end, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    cases = await _cases(session, directory, orgs, filters, since, until, zone)
    counted = {
        d: suppress(Counter(k for c in cases if (k := c.key(d)) is not None), threshold)
        for d in Dimension
    }
    months = counted[Dimension.MONTH]  # in the order of the calendar
    counted[Dimension.MONTH] = replace(months, cells=tuple(sorted(months.cells, key=_by_key)))
    # A group hidden in its count is hidden in its times too: "9 of them answered" would
    # bound a hidden count.
    hidden = {d: {c.key for c in t.cells if c.count is None} for d, t in counted.items()}
    timings: dict[Measure, dict[Dimension, Timings]] = {
        m: {d: _timings(cases, d, m, threshold, hidden[d]) for d in TIMED} for m in Measure
    }
    withheld: frozenset[Measure] = frozenset()
    statuses = counted[Dimension.STATUS]
    if Status.CLOSED in hidden[Dimension.STATUS] or statuses.withheld:
        # The outcomes, and the times to close, add up to the closed cases: they would give
        # the hidden number away.
        counted[Dimension.OUTCOME] = Table((), None, withheld=True)
        timings[Measure.CLOSE] = {d: Timings((), withheld=True) for d in TIMED}
        withheld = frozenset({Measure.CLOSE})
    topics = await _topics(session, scope, orgs, filters, since, until)
    return Report(
        scope,
        orgs,
        filters,
        threshold,
        zone_name,
        counted,
        timings,
        suppress(topics, threshold),
        withheld,
    )


async def _cases(
    session: AsyncSession,
    directory: Directory,
    organisations: Sequence[str],
    filters: Filters,
    since: datetime,
    until: datetime,
    zone: ZoneInfo,
) -> list[_Case]:
    query = select(
        Case.category,
        Case.country,
        Case.organisation,
        Case.status,
        Case.outcome,
        Case.created_at,
        Case.first_human_reply_at,
        Case.closed_at,
    ).where(Case.organisation.in_(organisations), Case.created_at >= since, Case.created_at < until)
    if filters.country is not None:
        query = query.where(Case.country == filters.country)
    if filters.category == NO_CATEGORY:
        query = query.where(Case.category.is_(None))
    elif filters.category is not None:
        query = query.where(Case.category == filters.category)
    found = []
    for category, country, organisation, status, outcome, opened, replied, closed in (
        await session.execute(query)
    ).all():
        found.append(
            _Case(
                month=opened.astimezone(zone).strftime("%Y-%m"),
                category=_known(category or NO_CATEGORY, CATEGORIES | {NO_CATEGORY}),
                country=(country if country and _COUNTRY.fullmatch(country) else UNKNOWN),
                organisation=_known(organisation, directory.organisations),
                status=_known(status, set(Status)),
                outcome=_known(outcome, set(Outcome)) if status == Status.CLOSED else None,
                first_reply=_seconds(opened, replied),
                close=_seconds(opened, closed) if status == Status.CLOSED else None,
            )
        )
    return found


def _timings(
    cases: Sequence[_Case],
    dimension: Dimension,
    measure: Measure,
    threshold: int,
    hide: Collection[str],
) -> Timings:
    waits: dict[str, list[float]] = defaultdict(list)
    for case in cases:
        key, value = case.key(dimension), getattr(case, measure.value)
        if key is not None and value is not None:
            waits[key].append(value)
    table = suppress({k: len(v) for k, v in waits.items()}, threshold, hide)
    rows = tuple(
        Timing(
            cell.key,
            cell,
            median(waits[cell.key]) if cell.count is not None else None,
            _percentile(waits[cell.key], 0.9) if cell.count is not None else None,
        )
        for cell in table.cells
    )
    return Timings(rows, table.withheld)


async def _topics(
    session: AsyncSession,
    scope: Scope,
    organisations: Sequence[str],
    filters: Filters,
    since: datetime,
    until: datetime,
) -> dict[str, int]:
    query = (
        select(Message.intent, func.count(distinct(Message.worker_id)))
        .where(
            Message.direction == Direction.IN,
            Message.intent.is_not(None),
            Message.created_at >= since,
            Message.created_at < until,
        )
        .group_by(Message.intent)
    )
    if filters.country is not None:
        query = query.join(Worker, Worker.id == Message.worker_id).where(
            Worker.country == filters.country
        )
    if scope is Scope.ORGANISATION:
        theirs = select(Case.worker_id).where(
            Case.organisation.in_(organisations), Case.worker_id.is_not(None)
        )
        query = query.where(Message.worker_id.in_(theirs))
    counts: Counter[str] = Counter()
    for intent, workers in (await session.execute(query)).all():
        if intent in TOPICS:
            counts[intent] += int(workers)
        elif intent not in intents.CONTROL:
            counts[OTHER] += int(workers)
    return counts


def _by_key(cell: Cell) -> str:
    return cell.key


def _known(value: str | None, known: Iterable[str] | dict[str, object]) -> str:
    return value if value is not None and value in known else OTHER


def _seconds(start: datetime, end: datetime | None) -> float | None:
    if end is None:
        return None
    return max(0.0, (_aware(end) - _aware(start)).total_seconds())


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: a value that some case really took."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _month(text: str | None) -> date | None:
    found = _MONTH.fullmatch(text or "")
    if found is None or not 1 <= int(found[2]) <= 12 or not 2000 <= int(found[1]) <= 2200:
        return None
    return date(int(found[1]), int(found[2]), 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
