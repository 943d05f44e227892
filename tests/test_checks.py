"""`helpline check` over training data, and the command's exit code."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from bot.checks import check_nlu_data
from bot.cli import app
from bot.settings import PROJECT_ROOT


def _copy_checkout(tmp_path: Path) -> Path:
    for folder in ("flows", "nlu_data"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    return tmp_path


def test_the_real_training_data_passes() -> None:
    assert [p for p in check_nlu_data(PROJECT_ROOT) if p.severity == "error"] == []


def test_unknown_and_missing_intents_are_reported(tmp_path: Path) -> None:
    root = _copy_checkout(tmp_path)
    (root / "nlu_data" / "en" / "extra.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: weather_please\n  examples: |\n    - is it raining\n'
    )
    (root / "nlu_data" / "id" / "services.yml").unlink()
    messages = [str(p) for p in check_nlu_data(root)]
    assert any("extra.yml" in m and "weather_please" in m for m in messages)
    assert any("'case_status' has 0 id training example(s)" in m for m in messages)
    assert not any("'case_status' has 0 en" in m for m in messages)


def test_malformed_training_file_names_file_and_line(tmp_path: Path) -> None:
    root = _copy_checkout(tmp_path)
    (root / "nlu_data" / "id" / "broken.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: [\n'
    )
    messages = [str(p) for p in check_nlu_data(root)]
    assert any("broken.yml:" in m for m in messages)


def test_check_command_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["check", str(PROJECT_ROOT)])
    assert ok.exit_code == 0, ok.output
    assert "0 error(s)" in ok.output
    root = _copy_checkout(tmp_path)
    (root / "flows" / "answers" / "wages_unpaid.yml").unlink()
    bad = runner.invoke(app, ["check", str(root)])
    assert bad.exit_code == 1
    assert "wages_unpaid" in bad.output
