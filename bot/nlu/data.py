"""Training and evaluation data: Rasa NLU YAML, and the CLINC150 and xSID benchmark sets."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

LANGUAGE_DIRS = ("id", "en")

# `[text](entity)`, `[text](entity:value)`, `[text]{"entity": ...}`: keep only `text`.
_ENTITY_MARKUP = re.compile(r"\[([^\[\]]+)\](?:\([^()]*\)|\{[^{}]*\})")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    language: str | None = None


class DataError(ValueError):
    """A training file is malformed; the message names the file and the line."""

    def __init__(self, path: Path, line: int | None, reason: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


def strip_entity_markup(text: str) -> str:
    return _ENTITY_MARKUP.sub(r"\1", text)


def language_of(path: Path, root: Path | None = None) -> str | None:
    """`id`/`en` from the first directory under the data root, else from the file stem."""
    parts = path.relative_to(root).parts[:-1] if root is not None else ()
    if parts and parts[0] in LANGUAGE_DIRS:
        return parts[0]
    return path.stem if path.stem in LANGUAGE_DIRS else None


def training_files(data_dir: Path) -> list[Path]:
    """Every *.yml/*.yaml under a directory, sorted: what `load_rasa` reads from it."""
    return sorted(p for p in data_dir.rglob("*") if p.suffix in (".yml", ".yaml"))


def load_rasa(source: Path) -> list[Example]:
    """Load one Rasa NLU YAML file, or every *.yml/*.yaml under a directory (sorted)."""
    if source.is_dir():
        files = training_files(source)
        return [ex for f in files for ex in _load_file(f, language_of(f, source))]
    if not source.exists():
        raise DataError(source, None, "no such file or directory")
    return _load_file(source, language_of(source))


def _load_file(path: Path, language: str | None) -> list[Example]:
    try:
        doc = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise DataError(path, line, f"invalid YAML: {exc.problem or exc.context}") from exc
    except (YAMLError, UnicodeDecodeError) as exc:
        raise DataError(path, None, f"invalid YAML: {exc}") from exc
    if doc is None:
        return []
    if not isinstance(doc, CommentedMap):
        raise DataError(path, 1, "expected a mapping with an `nlu:` list")
    nlu = doc.get("nlu")
    if nlu is None:
        return []  # a Rasa file may hold only stories, rules or responses
    if not isinstance(nlu, CommentedSeq):
        raise DataError(path, _key_line(doc, "nlu"), "`nlu:` must be a list")
    return list(_examples(path, nlu, language))


def _examples(path: Path, nlu: CommentedSeq, language: str | None) -> Iterator[Example]:
    for index, item in enumerate(nlu):
        line = _item_line(nlu, index)
        if not isinstance(item, CommentedMap):
            raise DataError(path, line, "each `nlu:` item must be a mapping")
        if "intent" not in item:
            continue  # synonym, regex or lookup blocks carry no intent examples
        intent = item["intent"]
        if not isinstance(intent, str) or not intent.strip():
            raise DataError(path, line, "`intent:` must be a non-empty name")
        examples = item.get("examples")
        if not isinstance(examples, str):
            raise DataError(path, line, f"intent {intent!r}: `examples:` must be a block string")
        first = _key_line(item, "examples") or line or 0
        for offset, raw in enumerate(examples.splitlines(), start=1):
            stripped = raw.strip()
            if not stripped:
                continue
            if not stripped.startswith("- "):
                raise DataError(path, first + offset, f"expected `- example`, got {stripped!r}")
            text = strip_entity_markup(stripped[2:]).strip()
            if text:
                yield Example(text, intent.strip(), language)


def _item_line(seq: CommentedSeq, index: int) -> int | None:
    try:
        return int(seq.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return None


def _key_line(mapping: CommentedMap, key: str) -> int | None:
    try:
        return int(mapping.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return None


# --- CLINC150 ------------------------------------------------------------------------------

CLINC_OOS = "oos"


@dataclass(frozen=True, slots=True)
class ClincSplits:
    train: list[Example]  # train + oos_train
    val: list[Example]  # val + oos_val: for choosing the threshold only
    test: list[Example]  # test + oos_test: for scoring only


def load_clinc150(path: Path) -> ClincSplits:
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))

    def split(*keys: str) -> list[Example]:
        return [Example(str(t), str(label), "en") for key in keys for t, label in raw[key]]

    return ClincSplits(
        train=split("train", "oos_train"),
        val=split("val", "oos_val"),
        test=split("test", "oos_test"),
    )


# --- xSID -------------------------------------------------------------------------------


def load_xsid(files: Iterable[Path]) -> list[Example]:
    """`# text =` / `# intent =` pairs; the language is the file name's prefix (`id.test.conll`)."""
    out: list[Example] = []
    for path in files:
        language = path.name.split(".", 1)[0]
        text: str | None = None
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith("# text ="):
                text = line.split("=", 1)[1].strip()
            elif line.startswith("# intent ="):
                if text is None:
                    raise DataError(path, lineno, "`# intent =` without a preceding `# text =`")
                out.append(Example(text, line.split("=", 1)[1].strip(), language))
                text = None
    return out
