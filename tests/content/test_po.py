"""PO files for translators: export, translate, import; the YAML keeps everything else."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from typer.testing import CliRunner

from bot.cli import app
from bot.content.inventory import content_paths, inspect
from bot.content.po import export_po
from bot.settings import PROJECT_ROOT
from tests.content.conftest import Flows

MENU_EMERGENCY = "flows/menu.yml:items.emergency.label"
WAGES_TEXT = "flows/answers/wages_unpaid.yml:text"
FLOW_QUESTION = "flows/complaints/wages_unpaid.yml:steps.wage.question"
CODE_MESSAGE = "gettext:voicemail, SMS or WhatsApp OK"


def _with_locales(flows: Flows) -> Path:
    shutil.copytree(PROJECT_ROOT / "locales", flows.root / "locales")
    return flows.root


def _read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _texts(root: Path) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    return {(t.path.as_posix(), t.name): (t.id, t.en) for f in inspect(root) for t in f.texts}


def test_the_export_names_each_text_by_file_and_key(flows: Flows) -> None:
    root = _with_locales(flows)
    catalog = export_po(root, "en")
    by_context = {m.context: m for m in catalog if m.id}
    emergency = by_context[MENU_EMERGENCY]
    assert (emergency.id, emergency.string) == ("DARURAT / dalam bahaya", "EMERGENCY / in danger")
    assert emergency.locations == [("flows/menu.yml", 8)]
    question = by_context[FLOW_QUESTION]
    assert question.id.startswith("Berapa gaji Anda per bulan")
    assert question.string.startswith("What is your monthly wage")
    assert "{{" in by_context[WAGES_TEXT].id and by_context[WAGES_TEXT].auto_comments
    assert "python-format" not in by_context[WAGES_TEXT].flags
    code = by_context[CODE_MESSAGE]
    assert (code.id, code.string) == ("pesan suara, SMS, atau WhatsApp boleh", CODE_MESSAGE[8:])
    # Every text of every content file, and no message only officers read.
    files = {c.split(":")[0] for c in by_context if c.startswith("flows/")}
    assert {p.as_posix() for p in content_paths(root)} - files <= {
        "flows/routing.yml",
        "flows/offices.yml",
    }
    code_messages = [m for m in catalog if m.context and m.context.startswith("gettext:")]
    assert all(
        any(not str(path).startswith("bot/dashboard/") for path, _ in m.locations)
        for m in code_messages
    )
    officers_only = [
        m.id
        for m in _read(root / "locales/id/LC_MESSAGES/messages.po")
        if m.id and all(str(path).startswith("bot/dashboard/") for path, _ in m.locations)
    ]
    assert "You cannot disable your own account." in officers_only
    assert not {f"gettext:{i}" for i in officers_only} & {m.context for m in code_messages}


def test_the_round_trip_changes_the_translations_and_nothing_else(flows: Flows) -> None:
    root = _with_locales(flows)
    before = {p: (root / p).read_text(encoding="utf-8") for p in content_paths(root)}
    texts_before = _texts(root)
    catalog = export_po(root, "en")
    # The translator's work: every English text changed, one left fuzzy, one code message.
    for message in catalog:
        if not message.id:
            continue
        if message.context and message.context.startswith("flows/"):
            end = "\n" if message.string.endswith("\n") else ""
            message.string = message.string.rstrip("\n") + " (T)" + end
        if message.context == MENU_EMERGENCY:
            message.flags.add("fuzzy")
        if message.context == CODE_MESSAGE:
            message.string = "voicemail, SMS or WhatsApp are fine"
    out = io.BytesIO()
    write_po(out, catalog)
    po = root / "en.po"
    po.write_bytes(out.getvalue())
    # Meanwhile an editor rewrote one Indonesian text: its translation is out of date.
    flows.replace(
        "flows/complaints/wages_unpaid.yml",
        "Berapa gaji Anda per bulan menurut kontrak?",
        "Berapa gaji bulanan Anda menurut kontrak?",
    )
    edited = (root / "flows/complaints/wages_unpaid.yml").read_text(encoding="utf-8")

    result = CliRunner().invoke(app, ["content", "import-po", str(po), "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert "1 source changed" in result.output and "1 fuzzy" in result.output
    assert f"refused, the Indonesian changed since the export: {FLOW_QUESTION}" in result.output

    after = _texts(root)
    assert after.keys() == texts_before.keys()
    for key, (indonesian, english) in texts_before.items():
        context = f"{key[0]}:{key[1]}"
        if context == FLOW_QUESTION:
            assert after[key][1] == english  # refused: the English stays
            continue
        assert after[key][0] == indonesian, key
        if context == MENU_EMERGENCY:
            assert after[key][1] == english  # fuzzy: not taken
        else:
            assert (after[key][1] or "").rstrip("\n") == (english or "").rstrip("\n") + " (T)", key
    # Line by line, only English texts changed; every comment and the schema line stayed.
    for rel, text in before.items():
        new = (root / rel).read_text(encoding="utf-8")
        old = edited if rel.as_posix() == "flows/complaints/wages_unpaid.yml" else text
        assert len(old.splitlines()) == len(new.splitlines()), rel
        changed = [b for a, b in zip(old.splitlines(), new.splitlines(), strict=True) if a != b]
        assert all("(T)" in line for line in changed), (rel, changed[:3])
        assert [c for c in old.splitlines() if c.lstrip().startswith("#")] == [
            c for c in new.splitlines() if c.lstrip().startswith("#")
        ], rel
    english = _read(root / "locales/en/LC_MESSAGES/messages.po")
    assert english.get(CODE_MESSAGE[8:]).string == "voicemail, SMS or WhatsApp are fine"

    # Importing the same file again changes nothing more.
    snapshot = {p: (root / p).read_text(encoding="utf-8") for p in content_paths(root)}
    again = CliRunner().invoke(app, ["content", "import-po", str(po), "--root", str(root)])
    assert "0 updated" in again.output
    assert snapshot == {p: (root / p).read_text(encoding="utf-8") for p in content_paths(root)}


def test_the_export_command(flows: Flows, tmp_path: Path) -> None:
    root = _with_locales(flows)
    out = tmp_path / "en.po"
    result = CliRunner().invoke(
        app, ["content", "export-po", "--lang", "en", str(out), "--root", str(root)]
    )
    assert result.exit_code == 0, result.output
    assert MENU_EMERGENCY in {m.context for m in _read(out)}
    refused = CliRunner().invoke(
        app, ["content", "export-po", "--lang", "id", str(out), "--root", str(root)]
    )
    assert refused.exit_code == 2
