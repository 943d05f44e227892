"""checkov over deploy/ (the rendered Kustomize overlays and the Dockerfile) finds nothing
beyond the checks deploy/.checkov.yaml skips, each with its reason.

checkov is not a dev dependency (about 290 MB and four minutes to install, for one test):
install it apart (`pipx install checkov`, or a virtual environment of its own) and put it on
PATH, or point HELPLINE_CHECKOV at it. Without it this test skips."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from bot.settings import PROJECT_ROOT

CONFIG = PROJECT_ROOT / "deploy" / ".checkov.yaml"


def test_checkov_passes_over_deploy() -> None:
    checkov = os.environ.get("HELPLINE_CHECKOV") or shutil.which("checkov")
    if not checkov:
        pytest.skip("checkov is not installed (pipx install checkov; see this file's docstring)")
    done = subprocess.run(
        [checkov, "--config-file", str(CONFIG), "--output", "json"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    reports = json.loads(done.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    summary = {r["check_type"]: r["summary"] for r in reports}
    # Both the overlays and the Dockerfile were read: a pass is not a scan of nothing.
    assert summary.keys() == {"kustomize", "dockerfile"}, summary
    assert all(s["passed"] > 0 and s["parsing_errors"] == 0 for s in summary.values()), summary
    failed = [
        (f["check_id"], f["resource"], f["file_path"])
        for r in reports
        for f in r["results"]["failed_checks"]
    ]
    assert done.returncode == 0 and not failed, failed
