"""Schema-valid YAML documents turned into the content model."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from ruamel.yaml.comments import CommentedMap

from bot.content.model import (
    AnswerSpec,
    Bilingual,
    Country,
    Fact,
    Group,
    Label,
    MenuEntry,
    Node,
    Snippet,
    Source,
    TemplateText,
)
from bot.content.yamlfile import Document, value_start
from bot.intents import LANGUAGES

COUNTRY_META = ("code", "name", "reviewed", "note")


def bilingual(value: Any) -> Bilingual:
    """A language-neutral string ("999") or one text per language."""
    if isinstance(value, str):
        return {lang: str(value) for lang in LANGUAGES}
    return {lang: str(value[lang]) for lang in LANGUAGES}


def as_date(value: Any) -> date:
    """A YAML date, or the same written in quotes (the schema has checked its form)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def sources(value: Any) -> tuple[Source, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(Source(url=item.get("url"), title=str(item["title"])) for item in items)


def fact(doc: Document, keys: Sequence[str | int], node: CommentedMap, reviewed: date) -> Fact:
    return Fact(
        key=".".join(map(str, keys)),
        text=bilingual(node["text"]),
        label=bilingual(node["label"]) if "label" in node else None,
        sources=sources(node["source"]),
        confirmed=bool(node.get("confirmed", True)),
        caveat=bilingual(node["caveat"]) if "caveat" in node else None,
        reviewed=as_date(node["reviewed"]) if "reviewed" in node else reviewed,
        path=doc.path,
        line=doc.line(keys),
        reviewed_line=doc.line([*keys, "reviewed"]) if "reviewed" in node else None,
        countries=tuple(str(code) for code in node.get("countries", ())),
    )


def node(doc: Document, keys: Sequence[str], value: Any, reviewed: date) -> Node:
    if isinstance(value, str):
        return str(value)
    if "text" in value:
        return fact(doc, keys, value, reviewed)
    if set(value) == set(LANGUAGES) and all(isinstance(v, str) for v in value.values()):
        return Label(bilingual(value))
    return Group({str(k): node(doc, [*keys, str(k)], v, reviewed) for k, v in value.items()})


def group(doc: Document, key: str) -> Group:
    value = node(doc, [key], doc.data[key], as_date(doc.data["reviewed"]))
    if not isinstance(value, Group):
        raise TypeError(f"{doc.path}: `{key}` is not a group of facts")  # the schema prevents it
    return value


def country(doc: Document) -> Country:
    data = doc.data
    reviewed = as_date(data["reviewed"])
    facts = {
        str(k): node(doc, [str(k)], v, reviewed) for k, v in data.items() if k not in COUNTRY_META
    }
    return Country(
        code=str(data["code"]),
        name=Label(bilingual(data["name"])),
        reviewed=reviewed,
        facts=Group(facts),
        path=doc.path,
        line=doc.line(["code"]),
        reviewed_line=doc.line(["reviewed"]),
    )


def _template(doc: Document, field: str, lang: str) -> TemplateText:
    texts: CommentedMap = doc.data[field]
    return TemplateText(
        name=f"{doc.path.as_posix()}#{field}.{lang}",
        source=str(texts[lang]),
        path=doc.path,
        first_line=value_start(texts, lang),
    )


def answer(doc: Document) -> AnswerSpec:
    data = doc.data
    return AnswerSpec(
        intent=str(data["intent"]),
        reviewed=as_date(data["reviewed"]),
        sources=sources(data["sources"]),
        text={lang: _template(doc, "text", lang) for lang in LANGUAGES},
        next={lang: _template(doc, "next", lang) for lang in LANGUAGES},
        path=doc.path,
        line=doc.line(["intent"]),
        reviewed_line=doc.line(["reviewed"]),
        safety=str(data["safety"]) if "safety" in data else None,
    )


def snippets(doc: Document) -> dict[str, Snippet]:
    return {
        str(name): {lang: _template(doc, str(name), lang) for lang in LANGUAGES}
        for name in doc.data
        if name != "note"
    }


def menu(doc: Document) -> tuple[MenuEntry, ...]:
    return tuple(
        MenuEntry(
            number=str(item["number"]),
            label=bilingual(item["label"]),
            intent=str(item["intent"]),
            line=doc.line(["items", index, "intent"]),
        )
        for index, item in enumerate(doc.data["items"])
    )
