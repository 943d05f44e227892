"""Checks across files: every intent answered, menu and country codes known, sources, dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from bot import intents
from bot.content import services
from bot.content.loading import ANSWERS, MENU, SUPPORT, Catalogue
from bot.content.model import Fact
from bot.content.problems import Problem, warning

# Answered from flows/answers/; the other intents are conversation control the engine handles.
ANSWERED = (
    *intents.RIGHTS,
    *intents.INFORMATION,
    "contact_info",
    "find_support",
    "report_problem",
    "case_status",
    "emergency",
    "self_harm",
)
MAX_AGE_DAYS = 365


def run(root: Path, catalogue: Catalogue, today: date) -> list[Problem]:
    return [
        *coverage(root, catalogue),
        *menu(catalogue),
        *support_countries(catalogue),
        *directory(catalogue),
        *fact_sources(catalogue),
        *review_dates(catalogue, today),
    ]


def coverage(root: Path, catalogue: Catalogue) -> Iterator[Problem]:
    for intent in ANSWERED:
        rel = ANSWERS / f"{intent}.yml"
        # A file that exists but failed to load has been reported already.
        if intent not in catalogue.answers and not (root / rel).exists():
            yield Problem(rel, None, f"no answer for intent {intent!r}")


def menu(catalogue: Catalogue) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for entry in catalogue.menu or ():
        if entry.intent not in intents.ALL:
            yield Problem(
                MENU, entry.line, f"menu option {entry.number}: unknown intent {entry.intent!r}"
            )
        if entry.number in seen:
            yield Problem(
                MENU,
                entry.line,
                f"menu number {entry.number} is used twice (line {seen[entry.number]})",
            )
        seen.setdefault(entry.number, entry.line)


def support_countries(catalogue: Catalogue) -> Iterator[Problem]:
    for fact in all_facts(catalogue):
        for code in fact.countries:
            if code not in catalogue.countries and code not in catalogue.broken_countries:
                yield Problem(
                    fact.path,
                    fact.line,
                    f"unknown country code {code!r}: "
                    f"flows/countries/{code}.yml is missing or invalid",
                )


def directory(catalogue: Catalogue) -> Iterator[Problem]:
    if catalogue.services is not None:
        known = set(catalogue.countries) | catalogue.broken_countries
        yield from services.problems(catalogue.services, known, SUPPORT)


def fact_sources(catalogue: Catalogue) -> Iterator[Problem]:
    for fact in all_facts(catalogue):
        if any(source.url is None for source in fact.sources):
            yield warning(
                fact.path,
                fact.line,
                f"{fact.key}: a source has no URL; add the public URL when an editor confirms it",
            )


def review_dates(catalogue: Catalogue, today: date) -> Iterator[Problem]:
    dated: list[tuple[Path, int, str, date]] = [
        (path, line, path.name, reviewed) for path, line, reviewed in catalogue.reviewed
    ]
    for spec in catalogue.answers.values():
        dated.append((spec.path, spec.reviewed_line, f"answer {spec.intent!r}", spec.reviewed))
    for country in catalogue.countries.values():
        dated.append((country.path, country.reviewed_line, country.code, country.reviewed))
    for fact in all_facts(catalogue):
        if fact.reviewed_line is not None:
            dated.append((fact.path, fact.reviewed_line, fact.key, fact.reviewed))
    for path, line, what, reviewed in dated:
        if (today - reviewed).days > MAX_AGE_DAYS:
            yield warning(path, line, f"{what}: reviewed {reviewed}, more than 12 months ago")
        elif reviewed > today:
            yield warning(path, line, f"{what}: reviewed date {reviewed} is in the future")


def all_facts(catalogue: Catalogue) -> list[Fact]:
    facts: list[Fact] = []
    for group in (catalogue.contacts, catalogue.facts, catalogue.support):
        if group is not None:
            facts.extend(group.facts())
    for country in catalogue.countries.values():
        facts.extend(country.facts.facts())
    for service in catalogue.services.services.values() if catalogue.services else ():
        # Its own contacts (a reference's fact is counted where it is written).
        facts.extend(c for c in service.contacts if c.path == service.fact.path and c not in facts)
    return facts
