"""Reading flows/: every file parsed, validated against its schema and turned into the model."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from babel import Locale

from bot import intents
from bot.content import parse, services, yamlfile
from bot.content.model import AnswerSpec, Country, Fact, Group, MenuEntry, Snippet
from bot.content.problems import Problem, warning
from bot.content.schema import Schemas, schema_path
from bot.content.yamlfile import Document

FLOWS = Path("flows")
ANSWERS = FLOWS / "answers"
COUNTRIES = FLOWS / "countries"
CONTACTS = FLOWS / "contacts.yml"
FACTS = FLOWS / "facts.yml"
SUPPORT = FLOWS / "support.yml"
MENU = FLOWS / "menu.yml"
SNIPPETS = FLOWS / "snippets.yml"

_TERRITORIES = frozenset(
    str(code) for code in Locale("en").territories if len(str(code)) == 2 and str(code).isalpha()
)


@dataclass
class Catalogue:
    countries: dict[str, Country] = field(default_factory=dict)  # by code, in code order
    contacts: Group | None = None
    facts: Group | None = None
    support: Group | None = None  # the directory's services as facts, for templates
    services: services.Directory | None = None
    menu: tuple[MenuEntry, ...] | None = None
    snippets: dict[str, Snippet] | None = None
    answers: dict[str, AnswerSpec] = field(default_factory=dict)
    # Country files that exist but failed to load: their problems are reported already.
    broken_countries: set[str] = field(default_factory=set)
    # `reviewed` of contacts.yml, facts.yml, support.yml: (file, line, date)
    reviewed: list[tuple[Path, int, date]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every shared file loaded: only then are the answers' rendering problems their own."""
        return None not in (self.contacts, self.facts, self.support, self.menu, self.snippets)


def is_country_code(code: str) -> bool:
    return code in _TERRITORIES


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.schemas, self.problems = Schemas.load(root)

    def document(self, kind: str, rel: Path) -> Document | None:
        """The file if it is valid YAML matching its schema; its problems are recorded."""
        if not (self.root / rel).is_file():
            self.problems.append(Problem(rel, None, "missing file"))
            return None
        doc, found = yamlfile.read(self.root, rel)
        self.problems += found
        if doc is None:
            return None
        self._schema_hint(kind, doc)
        found = self.schemas.validate(kind, doc)
        self.problems += found
        return None if found else doc

    def _schema_hint(self, kind: str, doc: Document) -> None:
        expected = os.path.relpath(self.root / schema_path(kind), (self.root / doc.path).parent)
        expected = Path(expected).as_posix()
        if doc.schema_hint() != expected:
            self.problems.append(
                warning(
                    doc.path,
                    1,
                    f"first line should be `# yaml-language-server: $schema={expected}` "
                    "so that editors check the file as you type",
                )
            )


def load(root: Path) -> tuple[Catalogue, list[Problem]]:
    reader = _Reader(root)
    catalogue = Catalogue()
    for key, rel in (("contacts", CONTACTS), ("facts", FACTS), ("support", SUPPORT)):
        doc = reader.document(key, rel)
        if doc is not None:
            if key == "support":
                catalogue.services, catalogue.support = services.load(doc)
            else:
                setattr(catalogue, key, parse.group(doc, key))
            reviewed = parse.as_date(doc.data["reviewed"])
            catalogue.reviewed.append((doc.path, doc.line(["reviewed"]), reviewed))
    doc = reader.document("menu", MENU)
    if doc is not None:
        catalogue.menu = parse.menu(doc)
    doc = reader.document("snippets", SNIPPETS)
    if doc is not None:
        catalogue.snippets = parse.snippets(doc)
    for path in sorted((root / COUNTRIES).glob("*.yml")):
        doc = reader.document("country", path.relative_to(root))
        if doc is not None:
            country = parse.country(doc)
            if _country_ok(doc, country, reader.problems):
                catalogue.countries[country.code] = country
                continue
        catalogue.broken_countries.add(path.stem)
    if catalogue.services is not None:
        broken = [f"countries.{code}." for code in catalogue.broken_countries]
        broken += [f"{key}." for key in ("contacts", "facts") if getattr(catalogue, key) is None]
        reader.problems += services.resolve(
            catalogue.services, _facts_by_name(catalogue), SUPPORT, tuple(broken)
        )
    for path in sorted((root / ANSWERS).glob("*.yml")):
        doc = reader.document("answer", path.relative_to(root))
        if doc is not None:
            spec = parse.answer(doc)
            if _answer_ok(doc, spec, reader.problems):
                catalogue.answers[spec.intent] = spec
    return catalogue, reader.problems


def _facts_by_name(catalogue: Catalogue) -> dict[str, Fact]:
    """Every fact by the name a template uses: contacts.x, facts.x, countries.MY.mission.phone."""
    named: dict[str, Fact] = {}
    for group in (catalogue.contacts, catalogue.facts):
        for fact in group.facts() if group is not None else ():
            named[fact.key] = fact
    for code, country in catalogue.countries.items():
        for fact in country.facts.facts():
            named[f"countries.{code}.{fact.key}"] = fact
    return named


def _country_ok(doc: Document, country: Country, problems: list[Problem]) -> bool:
    line = doc.line(["code"])
    if not is_country_code(country.code):
        problems.append(Problem(doc.path, line, f"unknown country code {country.code!r}"))
        return False
    if doc.path.stem != country.code:
        problems.append(
            Problem(doc.path, line, f"code {country.code!r} does not match the file name")
        )
        return False
    return True


def _answer_ok(doc: Document, spec: AnswerSpec, problems: list[Problem]) -> bool:
    line = doc.line(["intent"])
    if spec.intent not in intents.ALL:
        problems.append(
            Problem(
                doc.path, line, f"answer for unknown intent {spec.intent!r} (see bot/intents.py)"
            )
        )
        return False
    if doc.path.stem != spec.intent:
        problems.append(
            Problem(doc.path, line, f"intent {spec.intent!r} does not match the file name")
        )
        return False
    return True
