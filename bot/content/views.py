"""What templates see: facts bound to one language, recording which facts were shown.

A fact prints as its text followed, when unconfirmed, by its caveat; templates have no way
to reach the bare text (the sandbox allows only `label` on a fact), so a caveat cannot be
dropped by accident. The trace tells the checker which facts (and sources) an answer showed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.content.model import Country, Fact, Group, Label, Lang, Node


class Trace:
    def __init__(self) -> None:
        self.facts: list[Fact] = []


@dataclass(frozen=True)
class Shown:
    """A shared template piece rendered for one language and country, and the facts it shows."""

    text: str
    facts: tuple[Fact, ...]


class SnippetView:
    """A shared piece in an answer ({{ emergency_numbers }}): its facts count as the answer's."""

    __slots__ = ("_shown", "_trace")

    def __init__(self, shown: Shown, trace: Trace) -> None:
        self._shown = shown
        self._trace = trace

    def __str__(self) -> str:
        self._trace.facts.extend(self._shown.facts)
        return self._shown.text


class FactView:
    __slots__ = ("_fact", "_lang", "_trace")

    def __init__(self, fact: Fact, lang: Lang, trace: Trace) -> None:
        self._fact = fact
        self._lang = lang
        self._trace = trace

    def __str__(self) -> str:
        self._trace.facts.append(self._fact)
        return self._fact.render(self._lang)

    def __getattr__(self, name: str) -> str:
        if name == "label" and self._fact.label is not None:
            return self._fact.label[self._lang]
        raise AttributeError(name)


class GroupView:
    """Facts by name (`group.police`), iterable, and printable as "label text · label text"."""

    __slots__ = ("_group", "_lang", "_trace")

    def __init__(self, group: Group, lang: Lang, trace: Trace) -> None:
        self._group = group
        self._lang = lang
        self._trace = trace

    def __getattr__(self, name: str) -> FactView | GroupView | str:
        if name.startswith("_") or name not in self._group.items:
            raise AttributeError(name)
        return view(self._group.items[name], self._lang, self._trace)

    def __getitem__(self, name: str) -> FactView | GroupView | str:
        if name not in self._group.items:
            raise KeyError(name)
        return view(self._group.items[name], self._lang, self._trace)

    def __iter__(self) -> Iterator[FactView | GroupView | str]:
        return (view(node, self._lang, self._trace) for node in self._group.items.values())

    def __len__(self) -> int:
        return len(self._group.items)

    def __bool__(self) -> bool:
        return True

    def __str__(self) -> str:
        parts = []
        for node in self._group.items.values():
            if isinstance(node, Fact):
                shown = str(FactView(node, self._lang, self._trace))
                parts.append(f"{node.label[self._lang]} {shown}" if node.label else shown)
        return " · ".join(parts)


class CountryView(GroupView):
    """A country's facts, plus `code` and `name`; prints as its name."""

    __slots__ = ("_country",)

    def __init__(self, country: Country, lang: Lang, trace: Trace) -> None:
        items: dict[str, Node] = {"code": country.code, "name": country.name}
        items.update(country.facts.items)
        super().__init__(Group(items), lang, trace)
        self._country = country

    def __str__(self) -> str:
        return self._country.name.text[self._lang]


def view(node: Node, lang: Lang, trace: Trace) -> FactView | GroupView | str:
    if isinstance(node, Fact):
        return FactView(node, lang, trace)
    if isinstance(node, Label):
        return node.text[lang]
    if isinstance(node, Group):
        return GroupView(node, lang, trace)
    return node
