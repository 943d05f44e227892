"""The service directory (flows/support.yml): who helps, where, how to reach them.

    directory.find(kind="shelter", country="MY", city="kuala_lumpur")   # ranked services
    directory.kind_in("ada shelter di KL?")                             # "shelter"
    directory.city_in("ada shelter di KL?")                             # City("kuala_lumpur", ...)

Ranking: the worker's city first, then their country, then national services; within each,
file order (editors put the most useful first).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.content import parse
from bot.content.model import Bilingual, Fact, Group, Lang
from bot.content.problems import Problem
from bot.content.yamlfile import Document
from bot.i18n import language_name, translator
from bot.nlu.normalize import normalize

# What one reply lists at most: read on a cheap phone.
MAX_LISTED = 3


@dataclass(frozen=True)
class Kind:
    id: str
    label: Bilingual
    words: tuple[str, ...]


@dataclass(frozen=True)
class City:
    id: str
    country: str
    name: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Service:
    id: str
    fact: Fact  # label, text, sources, caveat: what templates show as `support.<id>`
    kinds: tuple[str, ...]
    country: str | None  # None: national
    city: str | None
    languages: tuple[str, ...]
    hours: Bilingual | None
    contacts: tuple[Fact, ...]  # resolved (a reference becomes the fact it names)
    line: int

    def label(self, lang: Lang) -> str:
        return self.fact.label[lang] if self.fact.label else self.id


@dataclass
class Directory:
    kinds: dict[str, Kind] = field(default_factory=dict)
    cities: dict[str, City] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)  # in file order
    # Contacts as written (a fact, or a reference and its line), until every file has loaded.
    written: dict[str, list[Fact | tuple[str, int]]] = field(default_factory=dict)

    def find(
        self, kind: str | None = None, country: str | None = None, city: str | None = None
    ) -> list[Service]:
        """Services of `kind` (any if None) for a worker in country/city, best first."""

        def rank(service: Service) -> int:
            if city is not None and service.city == city and service.country == country:
                return 0
            if country is not None and service.country == country:
                return 1
            return 2

        found = [
            s
            for s in self.services.values()
            if (kind is None or kind in s.kinds) and (s.country is None or s.country == country)
        ]
        return sorted(found, key=rank)  # stable: file order within a rank

    def kind_in(self, text: str) -> str | None:
        """The kind of service a message asks for, by the kinds' words (first in the text)."""
        return _first(text, {k.id: k.words for k in self.kinds.values()})

    def city_in(self, text: str) -> City | None:
        found = _first(text, {c.id: c.words for c in self.cities.values()})
        return self.cities[found] if found else None

    def render(self, service: Service, lang: Lang) -> str:
        """One entry as a worker reads it: name, what it does, contacts, hours, languages."""
        _ = translator(lang).gettext
        lines = [f"• {service.label(lang)}: {service.fact.render(lang)}"]
        for contact in service.contacts:
            label = f"{contact.label[lang]}: " if contact.label else ""
            lines.append(f"  ☎ {label}{contact.render(lang)}")
        if service.hours:
            lines.append("  🕒 " + service.hours[lang])
        if service.languages:
            names = ", ".join(language_name(code, lang) for code in service.languages)
            lines.append("  🗣 " + _("Languages: {names}").format(names=names))
        return "\n".join(lines)


def load_directory(root: Path) -> Directory:
    """The directory under root/flows/ as the content checker reads it (officers' pages)."""
    from bot.content import loading  # loading imports this module

    catalogue, _problems = loading.load(root)
    return catalogue.services or Directory()


def _first(text: str, words: dict[str, tuple[str, ...]]) -> str | None:
    plain = " " + normalize(text) + " "
    raw = " " + " ".join(re.findall(r"\w+", text.lower())) + " "
    best: tuple[int, str] | None = None
    for key, options in words.items():
        for word in options:
            needle = " " + " ".join(re.findall(r"\w+", word.lower())) + " "
            for haystack in (raw, plain):
                at = haystack.find(needle)
                if at >= 0 and (best is None or at < best[0]):
                    best = (at, key)
    return best[1] if best else None


def load(doc: Document) -> tuple[Directory, Group]:
    """The directory, and the same services as a group of facts for the answers' templates."""
    data = doc.data
    reviewed = parse.as_date(data["reviewed"])
    directory = Directory()
    for key, value in data["kinds"].items():
        directory.kinds[str(key)] = Kind(
            str(key), parse.bilingual(value["label"]), tuple(map(str, value["words"]))
        )
    for key, value in (data.get("cities") or {}).items():
        directory.cities[str(key)] = City(
            str(key), str(value["country"]), str(value["name"]), tuple(map(str, value["words"]))
        )
    facts: dict[str, Any] = {}
    for key, value in data["support"].items():
        sid = str(key)
        keys = ["support", sid]
        fact = parse.fact(doc, keys, value, reviewed)
        country = str(value["country"]) if "country" in value else None
        fact = replace(fact, countries=(country,) if country else ())
        written: list[Fact | tuple[str, int]] = []
        for index, contact in enumerate(value.get("contacts") or ()):
            where: list[str | int] = [*keys, "contacts", index]
            if isinstance(contact, str):
                written.append((str(contact), doc.line(where)))
            else:
                written.append(parse.fact(doc, where, contact, fact.reviewed))
        directory.written[sid] = written
        directory.services[sid] = Service(
            id=sid,
            fact=fact,
            kinds=tuple(map(str, value["kind"])),
            country=country,
            city=str(value["city"]) if "city" in value else None,
            languages=tuple(map(str, value.get("languages") or ())),
            hours=parse.bilingual(value["hours"]) if "hours" in value else None,
            contacts=tuple(c for c in written if isinstance(c, Fact)),
            line=doc.line(keys),
        )
        facts[sid] = fact
    return directory, Group(facts)


def resolve(
    directory: Directory, lookup: dict[str, Fact], path: Path, broken: tuple[str, ...] = ()
) -> Iterator[Problem]:
    """Contacts written as references become the facts they name; unknown ones are errors
    (except into files that failed to load, `broken` prefixes: reported there already)."""
    for sid, written in directory.written.items():
        contacts: list[Fact] = []
        for contact in written:
            if isinstance(contact, Fact):
                contacts.append(contact)
                continue
            ref, line = contact
            fact = lookup.get(ref)
            if fact is not None:
                contacts.append(fact)
            elif not any(ref.startswith(prefix) for prefix in broken):
                yield Problem(path, line, f"{sid}: contact {ref!r} names no fact")
        directory.services[sid] = replace(directory.services[sid], contacts=tuple(contacts))
    directory.written.clear()


def problems(directory: Directory, countries: set[str], path: Path) -> Iterator[Problem]:
    """Kinds and cities every service names must exist, a city in the service's country."""
    for service in directory.services.values():
        for kind in service.kinds:
            if kind not in directory.kinds:
                known = ", ".join(directory.kinds)
                yield Problem(path, service.line, f"{service.id}: unknown kind {kind!r} ({known})")
        if service.city is not None:
            city = directory.cities.get(service.city)
            if city is None:
                yield Problem(path, service.line, f"{service.id}: unknown city {service.city!r}")
            elif city.country != service.country:
                yield Problem(
                    path,
                    service.line,
                    f"{service.id}: city {service.city!r} is in {city.country}, "
                    f"not {service.country}",
                )
    for city in directory.cities.values():
        if city.country not in countries:
            yield Problem(path, None, f"city {city.id!r}: unknown country {city.country!r}")
