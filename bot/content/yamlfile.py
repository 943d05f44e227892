"""Content YAML read with ruamel.yaml's round-trip loader, which keeps line numbers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from bot.content.problems import Problem

_SCHEMA_HINT = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@dataclass(frozen=True)
class Document:
    path: Path  # relative to the checkout root
    data: CommentedMap
    text: str

    def line(self, keys: Sequence[str | int]) -> int:
        return line_of(self.data, keys)

    def schema_hint(self) -> str | None:
        """The `# yaml-language-server: $schema=...` target in the file's leading comments."""
        for raw in self.text.splitlines():
            if not raw.startswith("#"):
                break
            match = _SCHEMA_HINT.match(raw)
            if match:
                return match.group(1)
        return None


def read(root: Path, rel: Path) -> tuple[Document | None, list[Problem]]:
    try:
        text = (root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(rel, None, f"cannot read the file: {error}")]
    return parse_text(rel, text)


def parse_text(rel: Path, text: str) -> tuple[Document | None, list[Problem]]:
    """`text` read as the file `rel` (a draft not written anywhere yet, or the file itself)."""
    try:
        data = YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = " ".join(str(part) for part in (error.context, error.problem) if part)
        return None, [Problem(rel, mark.line + 1 if mark else None, f"YAML error: {reason}")]
    except YAMLError as error:
        return None, [Problem(rel, None, f"YAML error: {error}")]
    except ValueError as error:  # ruamel builds dates as it parses: 2026-13-45 lands here
        return None, [Problem(rel, _bad_date_line(text), f"invalid date: {error}")]
    if not isinstance(data, CommentedMap):
        return None, [Problem(rel, 1, "the file must be a mapping (key: value lines)")]
    return Document(rel, data, text), []


def _bad_date_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        for found in _DATE.findall(line):
            try:
                date.fromisoformat(found)
            except ValueError:
                return number
    return None


def line_of(data: Any, keys: Sequence[str | int]) -> int:
    """1-based line of the last key or item of `keys` that exists (the file's first line if none)."""
    line = data.lc.line + 1 if isinstance(data, CommentedMap | CommentedSeq) else 1
    node = data
    for key in keys:
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0] + 1
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line = node.lc.item(key)[0] + 1
        else:
            break
        node = node[key]
    return line


def value_start(mapping: CommentedMap, key: str) -> int:
    """1-based line where a string value's text begins (the line after a `|` or `>`)."""
    line0: int = mapping.lc.value(key)[0]
    block = isinstance(mapping[key], LiteralScalarString | FoldedScalarString)
    return line0 + (2 if block else 1)


def plain(data: Any) -> Any:
    """JSON-shaped copy for JSON Schema: plain dicts, lists and strings; dates as ISO strings."""
    if isinstance(data, dict):
        return {str(k): plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    if isinstance(data, date):
        return data.isoformat()
    if isinstance(data, str):
        return str(data)
    return data
