"""JSON Schema validation of content files (flows/schema/), problems located by line.

The same schema files serve editors: each content file names its schema in a
`# yaml-language-server: $schema=...` comment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.content.problems import Problem
from bot.content.yamlfile import Document, plain

if TYPE_CHECKING:  # imported where used: a start that finds its content cached needs neither
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_DIR = Path("flows/schema")
KINDS = ("answer", "country", "contacts", "facts", "support", "menu", "snippets")

_REQUIRED = {
    "id": "missing language 'id' (Indonesian)",
    "en": "missing language 'en' (English)",
    "reviewed": "missing `reviewed` date (YYYY-MM-DD)",
    "sources": "missing `sources` (url and title of each source)",
    "source": "missing `source` (url and title)",
    "url": "missing source `url`",
    "caveat": "an unconfirmed fact (confirmed: false) needs a `caveat` in both languages",
}


def schema_path(kind: str) -> Path:
    return SCHEMA_DIR / f"{kind}.schema.json"


def load_validators(
    root: Path, wanted: Mapping[str, Path], *, check_formats: bool = False
) -> tuple[dict[str, Draft202012Validator], list[Problem]]:
    """Validators for the schema files in `wanted` (kind -> path under root), which may refer
    to any schema in flows/schema/ by file name; problems for unreadable or invalid schemas."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    problems: list[Problem] = []
    contents: dict[str, Any] = {}
    for path in sorted((root / SCHEMA_DIR).glob("*.schema.json")):
        try:
            contents[path.name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            problems.append(Problem(path.relative_to(root), None, f"unreadable schema: {error}"))
    # Schemas refer to each other by file name, as editors resolve them next to each other.
    registry: Registry[Any] = Registry().with_resources(
        (name, Resource.from_contents(body, default_specification=DRAFT202012))
        for name, body in contents.items()
    )
    format_checker = Draft202012Validator.FORMAT_CHECKER if check_formats else None
    validators: dict[str, Draft202012Validator] = {}
    for kind, rel in wanted.items():
        if rel.name not in contents:
            problems.append(Problem(rel, None, "missing schema file"))
            continue
        try:
            Draft202012Validator.check_schema(contents[rel.name])
        except SchemaError as error:
            problems.append(Problem(rel, None, f"invalid schema: {error.message}"))
            continue
        validators[kind] = Draft202012Validator(
            contents[rel.name], registry=registry, format_checker=format_checker
        )
    return validators, problems


class Schemas:
    def __init__(self, validators: dict[str, Draft202012Validator]) -> None:
        self._validators = validators

    @classmethod
    def load(cls, root: Path) -> tuple[Schemas, list[Problem]]:
        wanted = {kind: schema_path(kind) for kind in KINDS}
        validators, problems = load_validators(root, wanted, check_formats=True)
        return cls(validators), problems

    def validate(self, kind: str, doc: Document) -> list[Problem]:
        from jsonschema.exceptions import best_match

        validator = self._validators.get(kind)
        if validator is None:
            return []  # the missing schema is reported once, by load()
        errors = sorted(validator.iter_errors(plain(doc.data)), key=lambda e: str(e.absolute_path))
        problems = []
        for error in errors:
            error = best_match([error])  # descend into oneOf/anyOf for the most specific reason
            keys = list(error.absolute_path)
            problems.append(Problem(doc.path, doc.line(keys), _describe(error)))
        return problems


def _describe(error: ValidationError) -> str:
    where = ".".join(str(key) for key in error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [p for p in error.validator_value if p not in error.instance]
        message = "; ".join(_REQUIRED.get(p, f"missing `{p}`") for p in missing)
    elif error.validator in ("oneOf", "anyOf") and error.context:
        reasons = dict.fromkeys(_short(e.message) for e in error.context)  # unique, in order
        message = " or ".join(reasons)
    else:
        message = _short(error.message)
    if isinstance(error.instance, int | float) and not isinstance(error.instance, bool):
        message += ' (write numbers in quotes: "999")'
    return f"{where}: {message}" if where else message


def _short(message: str) -> str:
    return message if len(message) <= 200 else message[:200] + "…"
