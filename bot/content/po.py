"""PO files for translators: every text a worker can read, out and back in.

    helpline content export-po --lang en OUT.po
    helpline content import-po FILE.po

One entry per text: msgctxt names where it lives (`flows/menu.yml:items.emergency.label`,
the file and the text's key path, see bot/content/inventory.py; `gettext:<msgid>` for a
message of the code's catalogue, locales/), msgid is the Indonesian source and msgstr the
current English. Import writes the English back into the YAML files with ruamel.yaml's round
trip (comments, order and quoting kept) and into locales/en/. An entry whose Indonesian
changed since the export is refused (the translation was made for another text), and so is
one the translator left fuzzy or empty.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from bot.content.inventory import content_paths, find, inspect_text, is_content_path, is_text
from bot.i18n import DOMAIN

LOCALES = "locales"  # the code's catalogues, beside flows/ (bot/i18n.py LOCALES_DIR)
SOURCE = "id"  # what editors write first; translators translate from it
TARGETS = ("en",)
GETTEXT = "gettext:"
# Messages only officers read (the dashboard) are not exported: workers never see them.
OFFICERS_ONLY = ("bot/dashboard/",)
PO_WIDTH = 76  # as `pybabel update` writes the catalogues
PYTHON_FLAGS = {"python-format", "python-brace-format"}
TEMPLATE_NOTE = "Jinja2 template: keep {{ ... }} and {% ... %} exactly as they are."


class PoError(Exception):
    pass


def export_po(root: Path, lang: str = "en", locales: Path | None = None) -> Catalog:
    """Every worker-facing text under root/flows/ and in the code's catalogue."""
    if lang not in TARGETS:
        raise PoError(f"--lang must be one of {', '.join(TARGETS)} (the source is {SOURCE})")
    catalog = Catalog(
        locale=lang,
        project="helpline content",
        creation_date=datetime.now().astimezone(),
        fuzzy=False,
    )
    for rel in content_paths(root):
        entry = inspect_text(rel, (root / rel).read_text(encoding="utf-8"))
        for text in entry.texts:
            if not text.id:
                continue  # nothing to translate from
            comments = [TEMPLATE_NOTE] if "{{" in text.id or "{%" in text.id else []
            added = catalog.add(
                text.id,
                text.en or "",
                locations=[(rel.as_posix(), text.line)],
                context=f"{rel.as_posix()}:{text.name}",
                auto_comments=comments,
            )
            # Babel guesses Python formats from `{...}` and `%`; these are Jinja or plain text.
            added.flags -= PYTHON_FLAGS
    for message in _gettext_messages(locales or root / LOCALES, lang):
        added = catalog.add(
            message.id,
            message.string,
            locations=message.locations,
            context=message.context,
            auto_comments=message.auto_comments,
        )
        added.flags -= PYTHON_FLAGS
    return catalog


def write(catalog: Catalog, out: Path) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=PO_WIDTH, sort_output=False)
    out.write_bytes(buffer.getvalue())


def _read_catalogue(locales: Path, lang: str) -> Catalog:
    path = locales / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def _worker_facing(message: Message) -> bool:
    return any(not str(path).startswith(OFFICERS_ONLY) for path, _ in message.locations)


def _gettext_messages(locales: Path, lang: str) -> list[Message]:
    source, target = _read_catalogue(locales, SOURCE), _read_catalogue(locales, lang)
    found = []
    for message in source:
        if not message.id or not isinstance(message.id, str) or not _worker_facing(message):
            continue
        indonesian = message.string
        if not isinstance(indonesian, str) or not indonesian:
            continue
        current = target.get(message.id)
        # The code's messages are written in English: an empty English entry shows the msgid.
        english = current.string if current is not None and current.string else message.id
        found.append(
            Message(
                indonesian,
                english,
                locations=message.locations,
                context=GETTEXT + message.id,
                auto_comments=list(message.auto_comments),
            )
        )
    return found


@dataclass
class ImportReport:
    counts: Counter[str] = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)  # msgctxt: the source changed since export
    missing: list[str] = field(default_factory=list)  # msgctxt: no such text any more
    files: list[str] = field(default_factory=list)  # what was written

    def summary(self) -> str:
        order = (
            "updated",
            "unchanged",
            "source changed",
            "not found",
            "fuzzy",
            "untranslated",
            "file not writable",
        )
        return ", ".join(f"{self.counts[k]} {k}" for k in order)


def _yaml() -> YAML:
    """The round trip the content files are written in (2-space maps, `  - ` lists)."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap an editor's long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dump(data: Any) -> str:
    _keep_anchors(data)
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def _keep_anchors(node: Any) -> None:
    """Anchors nothing refers to yet (`source: &taichung`) are kept, as editors wrote them."""
    if isinstance(node, CommentedMap | CommentedSeq):
        anchor = node.anchor
        if anchor.value is not None:
            node.yaml_set_anchor(anchor.value, always_dump=True)
        for child in node.values() if isinstance(node, CommentedMap) else node:
            _keep_anchors(child)


def _styled(old: Any, new: str) -> Any:
    """The translation in the style of the text it replaces (block, quoted, plain)."""
    if isinstance(old, LiteralScalarString | FoldedScalarString) or "\n" in new.rstrip("\n"):
        return LiteralScalarString(new)
    if isinstance(old, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(new)
    if isinstance(old, SingleQuotedScalarString):
        return SingleQuotedScalarString(new)
    return new


def import_po(root: Path, po: Path, locales: Path | None = None) -> ImportReport:
    """Write the translations of `po` back; refuses entries whose Indonesian has changed."""
    with po.open("rb") as f:
        catalog = read_po(f)
    lang = str(catalog.locale) if catalog.locale else "en"
    if lang not in TARGETS:
        raise PoError(f"{po}: a PO file for {lang!r}; translations go into {', '.join(TARGETS)}")
    report = ImportReport()
    documents: dict[str, tuple[Any, bool]] = {}  # path -> (data, changed)
    from_code: dict[str, tuple[str, str]] = {}  # code msgid -> (Indonesian, English)
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or not message.context:
            continue
        context, source, english = message.context, message.id, message.string
        if message.fuzzy:
            report.counts["fuzzy"] += 1
            continue
        if not isinstance(english, str) or not english.strip():
            report.counts["untranslated"] += 1
            continue
        if context.startswith(GETTEXT):
            from_code[context[len(GETTEXT) :]] = (source, english)
            continue
        outcome = _apply(root, documents, context, source, english)
        report.counts[outcome] += 1
        if outcome == "source changed":
            report.refused.append(context)
        elif outcome == "not found":
            report.missing.append(context)
    for rel, (data, changed) in documents.items():
        if changed:
            from bot.content.publishing import write_file

            write_file(root / rel, _dump(data))
            report.files.append(rel)
    if from_code:
        _import_gettext(locales or root / LOCALES, lang, from_code, report)
    return report


def _apply(
    root: Path, documents: dict[str, tuple[Any, bool]], context: str, source: str, english: str
) -> str:
    rel, _, name = context.partition(":")
    if not is_content_path(rel) or not (root / rel).is_file():
        return "not found"
    if rel not in documents:
        text = (root / rel).read_text(encoding="utf-8")
        data = _yaml().load(text)
        if _dump(data) != text:
            # Writing this file would change more than its translations: leave it alone.
            documents[rel] = (None, False)
        else:
            documents[rel] = (_yaml().load(text), False)
    data, changed = documents[rel]
    if data is None:
        return "file not writable"
    keys = find(data, name)
    node: Any = data
    for key in keys or ():
        node = node[key]
    if keys is None or not is_text(node):
        return "not found"
    if str(node.get(SOURCE, "")) != source:
        return "source changed"
    if node.get("en") == english:
        return "unchanged"
    node["en"] = _styled(node.get("en"), english)
    documents[rel] = (data, True)
    return "updated"


def _import_gettext(
    locales: Path, lang: str, entries: dict[str, tuple[str, str]], report: ImportReport
) -> None:
    source, target = _read_catalogue(locales, SOURCE), _read_catalogue(locales, lang)
    changed = False
    for code_id, (sent, translation) in entries.items():
        context = GETTEXT + code_id
        indonesian = source.get(code_id)
        message = target.get(code_id)
        if indonesian is None or message is None:
            report.counts["not found"] += 1
            report.missing.append(context)
            continue
        if indonesian.string != sent:
            report.counts["source changed"] += 1
            report.refused.append(context)
            continue
        current = message.string or code_id
        if current == translation:
            report.counts["unchanged"] += 1
            continue
        message.string = translation
        report.counts["updated"] += 1
        changed = True
    if changed:
        path = locales / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        buffer = io.BytesIO()
        write_po(buffer, target, width=PO_WIDTH)
        from bot.content.publishing import write_file

        write_file(path, buffer.getvalue().decode("utf-8"))
        report.files.append(path.as_posix())
