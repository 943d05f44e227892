"""Where a new case goes and how urgent it is: pure functions of the case's facts and routing.yml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.cases.directory import NO_CATEGORY, Directory, Queue, Routing, Rule
from bot.cases.status import Priority
from bot.nlu.entities.province import province_name

# What a complaint record (issue 3's flows) says that makes a case urgent whatever its category.
_URGENT_FACTS = (("safe_now", False), ("detained", True), ("death", True))


@dataclass(frozen=True)
class CaseFacts:
    source: str  # a Source
    category: str | None = None
    country: str | None = None
    urgent: bool = False
    choice: str | None = None  # the organisation the worker asked for
    province: str | None = None  # the worker's home province in Indonesia (a province id)


@dataclass(frozen=True)
class Routed:
    queue: Queue
    rule: str  # the rule's name, or "default"
    # A rule that routes by home province but found no office: why ("home province unknown").
    missing: str | None = None

    @property
    def explained(self) -> str:
        """What the case keeps as `routed_by`: the rule, and what was missing."""
        return f"{self.rule} ({self.missing})" if self.missing else self.rule


def is_urgent(
    routing: Routing,
    *,
    source: str,
    category: str | None,
    priority_hint: str | None = None,
    record: Mapping[str, Any] | None = None,
) -> bool:
    """Violence, danger, trafficking, detention and death are urgent (routing.yml lists which)."""
    if priority_hint == Priority.URGENT or source in routing.urgent_sources:
        return True
    if category is not None and category in routing.urgent_categories:
        return True
    record = record or {}
    return any(key in record and record[key] is value for key, value in _URGENT_FACTS)


def route(directory: Directory, facts: CaseFacts) -> Routed:
    chosen = directory.organisations.get(facts.choice or "")
    if chosen is not None and not any(
        rule.choices and chosen.id in rule.choices for rule in directory.routing.rules
    ):
        # The worker came through a partner's site (or asked for them), and routing.yml has no
        # rule of its own for them: the partner's first queue.
        return Routed(chosen.queues[0], f"chosen organisation: {chosen.id}")
    for rule in directory.routing.rules:
        if matches(rule, facts):
            if rule.office is not None:
                return _office(directory, rule, rule.office, facts)
            return Routed(directory.queue(rule.queue), rule.name)
    return Routed(directory.queue(directory.routing.default), "default")


def _office(directory: Directory, rule: Rule, kind: str, facts: CaseFacts) -> Routed:
    """The office of `kind` for the worker's home province, or else the rule's own queue."""
    office = directory.office_for(kind, facts.province)
    if office is not None:
        return Routed(directory.queue(office.queue), rule.name)
    if facts.province is None:
        missing = "home province unknown"
    else:
        missing = f"no {kind} office listed for {province_name(facts.province)}"
    return Routed(directory.queue(rule.queue), rule.name, missing)


def matches(rule: Rule, facts: CaseFacts) -> bool:
    category = facts.category or NO_CATEGORY
    return (
        (rule.categories is None or category in rule.categories)
        and (rule.countries is None or facts.country in rule.countries)
        and (rule.urgent is None or rule.urgent == facts.urgent)
        and (rule.sources is None or facts.source in rule.sources)
        and (rule.choices is None or facts.choice in rule.choices)
    )
