"""Reading flows/complaints/: YAML with line numbers, the JSON Schema, shared steps, the model.

Every problem is located by file and line; a file with a problem is not loaded (the checker in
validate.py decides which problems refuse the whole set).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap

from bot.content import yamlfile
from bot.content.problems import Problem, warning
from bot.content.schema import load_validators
from bot.dialogue.flows.conditions import Condition, ConditionError, parse
from bot.dialogue.flows.model import SLOT_TYPES, Bilingual, Flow, Option, SlotType, Step, Where
from bot.intents import LANGUAGES

COMPLAINTS = Path("flows/complaints")
COMMON = COMPLAINTS / "common.yml"
SCHEMA_DIR = Path("flows/schema")
FLOW_SCHEMA = SCHEMA_DIR / "complaint.schema.json"
PARTS_SCHEMA = SCHEMA_DIR / "complaint_parts.schema.json"
_LANGUAGE_NAMES = {"id": "Indonesian", "en": "English"}

if TYPE_CHECKING:  # imported where used: a start that finds its flows cached needs neither
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


@dataclass
class Loaded:
    flows: list[Flow]
    problems: list[Problem]


def load(root: Path) -> Loaded:
    """Every flow under root/flows/complaints/ that loads, and every problem found on the way."""
    problems: list[Problem] = []
    validators = _validators(root, problems)
    parts: dict[str, tuple[CommentedMap, Where]] = {}
    if (root / COMMON).is_file():
        doc = _document(root, COMMON, validators.get("parts"), PARTS_SCHEMA, problems)
        if doc is not None:
            for index, node in enumerate(doc.data["steps"]):
                where = Where(doc.path, doc.line(["steps", index]))
                if node["id"] in parts:
                    first = parts[node["id"]][1]
                    problems.append(
                        Problem(
                            doc.path,
                            doc.line(["steps", index, "id"]),
                            f"duplicate id {node['id']!r}: a shared step of that id is on line {first.line}",
                        )
                    )
                    continue
                parts[str(node["id"])] = (node, where)
    flows: list[Flow] = []
    for path in sorted((root / COMPLAINTS).glob("*.yml")):
        rel = path.relative_to(root)
        if rel == COMMON:
            continue
        doc = _document(root, rel, validators.get("flow"), FLOW_SCHEMA, problems)
        if doc is not None:
            flow = _flow(doc, parts, problems)
            if flow is not None:
                flows.append(flow)
    return Loaded(flows, problems)


# Schemas ------------------------------------------------------------------------------------


def _validators(root: Path, problems: list[Problem]) -> dict[str, Draft202012Validator]:
    validators, found = load_validators(root, {"flow": FLOW_SCHEMA, "parts": PARTS_SCHEMA})
    problems.extend(found)
    return validators


def _document(
    root: Path,
    rel: Path,
    validator: Draft202012Validator | None,
    schema: Path,
    problems: list[Problem],
) -> yamlfile.Document | None:
    doc, found = yamlfile.read(root, rel)
    problems.extend(found)
    if doc is None:
        return None
    expected = Path(os.path.relpath(schema, rel.parent)).as_posix()
    if doc.schema_hint() != expected:
        problems.append(
            warning(
                rel,
                1,
                f"first line should be `# yaml-language-server: $schema={expected}` "
                "so that editors check the file as you type",
            )
        )
    if validator is None:
        return None  # the missing schema is reported once
    from jsonschema.exceptions import best_match

    errors = sorted(validator.iter_errors(yamlfile.plain(doc.data)), key=lambda e: str(e.path))
    for error in errors:
        error = best_match([error])
        problems.append(Problem(rel, doc.line(list(error.absolute_path)), _describe(error)))
    return None if errors else doc


def _describe(error: ValidationError) -> str:
    keys = list(error.absolute_path)
    where = ".".join(str(key) for key in keys)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [p for p in error.validator_value if p not in error.instance]
        message = "; ".join(
            f"missing translation: {p!r} ({_LANGUAGE_NAMES[p]})"
            if p in _LANGUAGE_NAMES
            else f"missing `{p}`"
            for p in missing
        )
    elif error.validator == "minLength" and keys and keys[-1] in _LANGUAGE_NAMES:
        message = f"missing translation: {keys[-1]!r} ({_LANGUAGE_NAMES[str(keys[-1])]}) is empty"
    elif error.validator == "enum" and keys and keys[-1] == "type":
        message = f"unknown slot type {error.instance!r} (known: {', '.join(SLOT_TYPES)})"
    elif error.validator == "enum" and keys and keys[-1] == "category":
        message = f"unknown category {error.instance!r} (a rights intent of shared/INTENTS.md)"
    elif error.validator == "additionalProperties":
        message = error.message.replace("Additional properties are not allowed", "unknown key")
    else:
        message = error.message if len(error.message) <= 200 else error.message[:200] + "…"
    return f"{where}: {message}" if where else message


# The model ----------------------------------------------------------------------------------


def _flow(
    doc: yamlfile.Document,
    parts: dict[str, tuple[CommentedMap, Where]],
    problems: list[Problem],
) -> Flow | None:
    data = doc.data
    ok = True
    if doc.path.stem != data["id"]:
        problems.append(
            Problem(doc.path, doc.line(["id"]), f"id {data['id']!r} does not match the file name")
        )
        ok = False
    steps: list[Step] = []
    resolved: list[Any] = []
    for index, entry in enumerate(data["steps"]):
        entry_where = Where(doc.path, doc.line(["steps", index]))
        if "use" in entry:
            name = str(entry["use"])
            if name not in parts:
                problems.append(
                    Problem(
                        doc.path,
                        doc.line(["steps", index, "use"]),
                        f"unknown shared step {name!r} (not in {COMMON.as_posix()})",
                    )
                )
                ok = False
                continue
            node, where = parts[name]
            when_source = entry.get("when", node.get("when"))
            when_where = (
                Where(doc.path, doc.line(["steps", index, "when"]))
                if "when" in entry
                else Where(where.path, _line(node, "when", where))
            )
            body = yamlfile.plain(node) | ({"when": str(entry["when"])} if "when" in entry else {})
        else:
            node, where, when_source = entry, entry_where, entry.get("when")
            when_where = Where(doc.path, doc.line(["steps", index, "when"]))
            body = yamlfile.plain(node)
        step = _step(node, where, when_source, when_where, problems)
        if step is None:
            ok = False
            continue
        steps.append(replace(step, placed=entry_where))
        resolved.append(body)
    if not ok:
        return None
    definition = {k: yamlfile.plain(v) for k, v in data.items() if k not in ("steps", "note")}
    definition["steps"] = resolved
    version = hashlib.sha256(
        json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()[:12]
    return Flow(
        id=str(data["id"]),
        category=str(data["category"]),
        title=_bilingual(data["title"]),
        steps=tuple(steps),
        version=version,
        synonyms=_words(data.get("synonyms")),
        anonymous=bool(data.get("anonymous", False)),
        where=Where(doc.path, doc.line(["id"])),
        definition=definition,
    )


def _step(
    node: CommentedMap,
    where: Where,
    when_source: Any,
    when_where: Where,
    problems: list[Problem],
) -> Step | None:
    when: Condition | None = None
    if when_source is not None:
        try:
            when = parse(str(when_source))
        except ConditionError as error:
            problems.append(Problem(when_where.path, when_where.line, f"when: {error}"))
            return None
    options = tuple(
        Option(
            id=str(option["id"]),
            label=_bilingual(option["label"]),
            synonyms=_words(option.get("synonyms")),
            next=str(option["next"]) if "next" in option else None,
            where=Where(where.path, _item_line(node, index, where)),
        )
        for index, option in enumerate(node.get("options", ()))
    )
    return Step(
        id=str(node["id"]),
        type=SlotType(str(node["type"])),
        question=_bilingual(node["question"]),
        label=_bilingual(node["label"]),
        help=_bilingual(node["help"]) if "help" in node else None,
        error=_bilingual(node["error"]) if "error" in node else None,
        when=when,
        skip=bool(node.get("skip", False)),
        personal=bool(node.get("personal", False)),
        prefill=bool(node.get("prefill", False)),
        next=str(node["next"]) if "next" in node else None,
        options=options,
        min_length=int(node.get("min_length", 2)),
        max_length=int(node.get("max_length", 2000)),
        minimum=float(node["min"]) if "min" in node else None,
        maximum=float(node["max"]) if "max" in node else None,
        currency=str(node["currency"]) if "currency" in node else None,
        urgent_if=bool(node["urgent_if"]) if "urgent_if" in node else None,
        home_allowed=bool(node.get("home_allowed", False)),
        where=where,
        when_where=when_where if when is not None else None,
    )


def _bilingual(value: Any) -> Bilingual:
    return {lang: str(value[lang]) for lang in LANGUAGES}


def _words(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(str(word) for lang in LANGUAGES for word in value.get(lang, ()))


def _line(node: CommentedMap, key: str, fallback: Where) -> int:
    return int(node.lc.key(key)[0]) + 1 if key in node else fallback.line


def _item_line(node: CommentedMap, index: int, fallback: Where) -> int:
    options = node.get("options")
    try:
        return int(options.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, IndexError):
        return fallback.line
