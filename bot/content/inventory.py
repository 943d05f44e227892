"""What editors look after, file by file: every text in both languages, its translation
coverage, the review dates that are due, the sources, and `helpline check`'s problems.

A *text* is a mapping whose keys are languages only (`{id: ..., en: ...}`) with a string in
at least one of them: the answers' `text`, a flow's `question`, a menu `label`, a canned
reply. Its key path names it in the PO files for translators (bot/content/po.py):
`steps.wage.question` (a list item with an `id` is named by it, else by its position).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.content import yamlfile
from bot.content.problems import Problem
from bot.intents import LANGUAGES

FLOWS = Path("flows")
# The content files, in the order the content page lists them (patterns under flows/).
PATTERNS = (
    "answers/*.yml",
    "complaints/*.yml",
    "countries/*.yml",
    "contacts.yml",
    "facts.yml",
    "support.yml",
    "menu.yml",
    "snippets.yml",
    "canned_replies.yml",
    "organisations.yml",
    "routing.yml",
    "offices.yml",
)
DEFAULT_REVIEW_DAYS = 180

Segment = str | int


@dataclass(frozen=True)
class Text:
    path: Path  # flows/answers/wages_unpaid.yml
    keys: tuple[Segment, ...]  # how to reach it in the data: ("steps", 5, "question")
    name: str  # the same for people: steps.wage.question
    line: int
    id: str | None
    en: str | None

    @property
    def translated(self) -> bool:
        return bool(self.id and self.id.strip()) and bool(self.en and self.en.strip())


@dataclass(frozen=True)
class Reviewed:
    name: str  # `reviewed` for the file's own date, else the key path it belongs to
    line: int
    on: date

    def due(self, today: date, max_days: int) -> bool:
        return (today - self.on).days > max_days


@dataclass(frozen=True)
class SourceRef:
    line: int
    title: str
    url: str | None


@dataclass
class ContentFile:
    path: Path
    texts: list[Text] = field(default_factory=list)
    reviewed: list[Reviewed] = field(default_factory=list)
    sources: list[SourceRef] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False

    @property
    def coverage(self) -> float | None:
        """The share of texts with both languages (None for a file without texts)."""
        if not self.texts:
            return None
        return sum(t.translated for t in self.texts) / len(self.texts)

    def due(self, today: date, max_days: int) -> list[Reviewed]:
        return [r for r in self.reviewed if r.due(today, max_days)]

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems)


def content_paths(root: Path) -> list[Path]:
    """Every content file under root/flows/, relative to root, in the page's order."""
    found: list[Path] = []
    for pattern in PATTERNS:
        found += sorted(p.relative_to(root) for p in (root / FLOWS).glob(pattern) if p.is_file())
    return found


def is_content_path(rel: str | Path) -> bool:
    """Whether `rel` (relative to the root) names a content file's place: no way out of flows/."""
    path = Path(rel)
    if path.is_absolute() or ".." in path.parts or path.suffix != ".yml":
        return False
    return any(
        path.match(f"{FLOWS}/{pattern}") and len(path.parts) == len(Path(FLOWS, pattern).parts)
        for pattern in PATTERNS
    )


def inspect_text(rel: Path, text: str) -> ContentFile:
    """One file's texts, review dates and sources, from its YAML text."""
    entry = ContentFile(rel)
    doc, problems = yamlfile.parse_text(rel, text)
    if doc is None:
        entry.unreadable = True
        entry.problems = problems
        return entry
    for keys, node in walk(doc.data):
        if is_text(node):
            entry.texts.append(
                Text(
                    rel,
                    keys,
                    key_name(doc.data, keys),
                    yamlfile.line_of(doc.data, keys),
                    _string(node.get("id")),
                    _string(node.get("en")),
                )
            )
        if isinstance(node, CommentedMap):
            _dates_and_sources(doc.data, keys, node, entry)
    return entry


def inspect(root: Path, problems: Sequence[Problem] = ()) -> list[ContentFile]:
    """Every content file, each with the problems found in it (`helpline check`'s)."""
    files = []
    for rel in content_paths(root):
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            entry = ContentFile(rel, unreadable=True)
            entry.problems.append(Problem(rel, None, f"cannot read the file: {error}"))
            files.append(entry)
            continue
        entry = inspect_text(rel, text)
        if not entry.unreadable:
            entry.problems = []
        files.append(entry)
    by_path = {entry.path.as_posix(): entry for entry in files}
    for problem in problems:
        found = by_path.get(problem.path.as_posix())
        if found is not None and problem not in found.problems:
            found.problems.append(problem)
    for entry in files:
        entry.problems.sort(key=lambda p: (p.line or 0, p.message))
    return files


def walk(data: Any, keys: tuple[Segment, ...] = ()) -> Iterator[tuple[tuple[Segment, ...], Any]]:
    yield keys, data
    if isinstance(data, CommentedMap):
        for key, value in data.items():
            yield from walk(value, (*keys, str(key)))
    elif isinstance(data, CommentedSeq):
        for index, value in enumerate(data):
            yield from walk(value, (*keys, index))


def is_text(node: Any) -> bool:
    return (
        isinstance(node, CommentedMap)
        and len(node) > 0
        and set(map(str, node)) <= set(LANGUAGES)
        and any(isinstance(value, str) for value in node.values())
    )


def key_name(data: Any, keys: Sequence[Segment]) -> str:
    """`steps.wage.question`: list items by their `id` (or `intent`) when they have one."""
    parts: list[str] = []
    node = data
    for key in keys:
        node = node[key]
        if isinstance(key, int):
            parts.append(_item_name(node) or str(key))
        else:
            parts.append(key)
    return ".".join(parts)


def find(data: Any, name: str) -> tuple[Segment, ...] | None:
    """The keys of the text named `name` (key_name's inverse); None if it is not there."""
    keys: list[Segment] = []
    node = data
    for part in name.split("."):
        if isinstance(node, CommentedMap) and part in node:
            keys.append(part)
            node = node[part]
        elif isinstance(node, CommentedSeq):
            index = next((i for i, item in enumerate(node) if _item_name(item) == part), None)
            if (
                index is None
                and part.isdigit()
                and int(part) < len(node)
                and _item_name(node[int(part)]) is None
            ):
                index = int(part)
            if index is None:
                return None
            keys.append(index)
            node = node[index]
        else:
            return None
    return tuple(keys)


def _item_name(item: Any) -> str | None:
    if isinstance(item, CommentedMap):
        for field_name in ("id", "intent"):
            value = item.get(field_name)
            if isinstance(value, str) and "." not in value:
                return value
    return None


def _string(value: Any) -> str | None:
    return str(value) if isinstance(value, str) else None


def _dates_and_sources(
    data: CommentedMap, keys: tuple[Segment, ...], node: CommentedMap, entry: ContentFile
) -> None:
    reviewed = node.get("reviewed")
    if reviewed is not None:
        try:
            when = reviewed if isinstance(reviewed, date) else date.fromisoformat(str(reviewed))
        except ValueError:
            when = None
        if when is not None:
            name = key_name(data, keys) or "reviewed"
            entry.reviewed.append(Reviewed(name, yamlfile.line_of(data, [*keys, "reviewed"]), when))
    for key in ("source", "sources"):
        value = node.get(key)
        items = value if isinstance(value, CommentedSeq) else [value]
        for index, item in enumerate(items):
            if isinstance(item, CommentedMap) and "title" in item:
                where = [*keys, key, index] if isinstance(value, CommentedSeq) else [*keys, key]
                url = item.get("url")
                entry.sources.append(
                    SourceRef(
                        yamlfile.line_of(data, where),
                        str(item["title"]),
                        str(url) if url else None,
                    )
                )
