"""The content as data: facts with their sources, countries, answers (templates), the menu."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

Lang = str  # "id" | "en" (bot.intents.LANGUAGES)
Bilingual = dict[Lang, str]


@dataclass(frozen=True)
class Source:
    url: str | None  # None only for facts still waiting for a public URL (reported as a warning)
    title: str


@dataclass(frozen=True)
class Label:
    """A name shown to workers that is not a claim (a country's or an office's name)."""

    text: Bilingual


@dataclass(frozen=True)
class Fact:
    """A claim shown to workers. Unconfirmed facts always render with their caveat."""

    key: str  # dotted name, for messages: "mission.phone"
    text: Bilingual
    label: Bilingual | None
    sources: tuple[Source, ...]
    confirmed: bool
    caveat: Bilingual | None
    reviewed: date
    path: Path
    line: int
    reviewed_line: int | None = None  # its own `reviewed`, if it does not inherit the file's
    countries: tuple[str, ...] = ()  # support organisations: where they work

    def render(self, lang: Lang) -> str:
        if self.confirmed or self.caveat is None:
            return self.text[lang]
        return f"{self.text[lang]} {self.caveat[lang]}"


@dataclass(frozen=True)
class Group:
    items: dict[str, Node] = field(default_factory=dict)  # in file order

    def facts(self) -> list[Fact]:
        """Every fact in the group and its subgroups."""
        found: list[Fact] = []
        for node in self.items.values():
            if isinstance(node, Fact):
                found.append(node)
            elif isinstance(node, Group):
                found.extend(node.facts())
        return found


Node = Fact | Label | str | Group  # str: a plain value such as a country code


@dataclass(frozen=True)
class Country:
    code: str
    name: Label
    reviewed: date
    facts: Group  # emergency, mission, labour, rights
    path: Path
    line: int
    reviewed_line: int


@dataclass(frozen=True)
class TemplateText:
    name: str  # unique, "flows/answers/x.yml#text.id": Jinja's file name for line numbers
    source: str
    path: Path
    first_line: int  # the file line holding the template's first line


@dataclass(frozen=True)
class AnswerSpec:
    intent: str
    reviewed: date
    sources: tuple[Source, ...]
    text: dict[Lang, TemplateText]
    next: dict[Lang, TemplateText]  # what to do next; always rendered last
    path: Path
    line: int
    reviewed_line: int
    safety: str | None = None  # "emergency": danger-related, must start with the numbers


Snippet = dict[Lang, TemplateText]  # a template piece answers share (flows/snippets.yml)


@dataclass(frozen=True)
class MenuEntry:
    number: str
    label: Bilingual
    intent: str
    line: int


@dataclass(frozen=True)
class MenuItem:
    number: str
    label: str
    intent: str


@dataclass(frozen=True)
class Answer:
    intent: str
    text: str
    country_specific: bool  # the text would differ if the worker's country were known
    country: str | None  # the country whose facts the text uses; None for the general answer
    sources: tuple[Source, ...]
    reviewed: date  # the oldest review date among the answer and the facts it shows
