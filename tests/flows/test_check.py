"""`helpline check` finds each kind of broken flow (tests/flows/bad/), with file and line.

Each fixture's first line says what the checker must report: `# expect: LINE: MESSAGE`. A
fixture directory is a set of files checked together (its own common.yml, if it has one).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.dialogue.flows import FlowError, FlowLibrary, check_flows
from bot.settings import PROJECT_ROOT

BAD = Path(__file__).parent / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if p.suffix == ".yml" or p.is_dir())
COMPLAINTS = Path("flows/complaints")
_EXPECT = re.compile(r"^# expect: (\d+): (.+)$")


def _files(case: str) -> list[Path]:
    source = BAD / case
    return [source] if source.is_file() else sorted(source.glob("*.yml"))


def _checkout(tmp_path: Path, files: list[Path]) -> Path:
    """A checkout's flows/: the real schemas and shared steps, and these flow files."""
    root = tmp_path / "checkout"
    shutil.copytree(PROJECT_ROOT / "flows" / "schema", root / "flows" / "schema")
    (root / COMPLAINTS).mkdir(parents=True)
    if not any(f.name == "common.yml" for f in files):
        shutil.copy(PROJECT_ROOT / COMPLAINTS / "common.yml", root / COMPLAINTS)
    for file in files:
        shutil.copy(file, root / COMPLAINTS / file.name)
    return root


def _expected(files: list[Path]) -> tuple[Path, int, str]:
    for file in files:
        match = _EXPECT.match(file.read_text(encoding="utf-8").splitlines()[0])
        if match:
            return COMPLAINTS / file.name, int(match.group(1)), match.group(2)
    raise AssertionError(f"no `# expect:` line in {files}")


def test_the_shipped_flows_are_clean() -> None:
    problems = check_flows(PROJECT_ROOT)
    assert not problems, "\n".join(str(p) for p in problems)


@pytest.mark.parametrize("case", CASES)
def test_each_broken_flow_is_reported_with_file_and_line(tmp_path: Path, case: str) -> None:
    files = _files(case)
    root = _checkout(tmp_path, files)
    path, line, message = _expected(files)
    problems = check_flows(root)
    found = [p for p in problems if p.severity == "error" and p.path == path and p.line == line]
    assert any(message in p.message for p in found), "\n".join(str(p) for p in problems)
    with pytest.raises(FlowError):
        FlowLibrary.load(root)  # and the bot refuses to serve it


def test_helpline_check_names_the_file_and_line(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    shutil.copytree(PROJECT_ROOT / "flows", root / "flows")
    shutil.copytree(PROJECT_ROOT / "nlu_data", root / "nlu_data")
    runner = CliRunner()
    clean = runner.invoke(app, ["check", str(root)])
    assert clean.exit_code == 0, clean.output
    shutil.copy(BAD / "unknown_slot_condition.yml", root / COMPLAINTS)
    broken = runner.invoke(app, ["check", str(root)])
    assert broken.exit_code == 1
    assert (
        "flows/complaints/unknown_slot_condition.yml:13: step 'agency': "
        "condition on unknown slot 'agency_knwn'"
    ) in broken.output


def test_a_category_without_a_flow_is_an_error(tmp_path: Path) -> None:
    root = _checkout(tmp_path, [PROJECT_ROOT / COMPLAINTS / "wages_unpaid.yml"])
    messages = [p.message for p in check_flows(root)]
    assert "no complaint flow for category 'lost_contact'" in messages
    assert not any("wages_unpaid" in m for m in messages)
