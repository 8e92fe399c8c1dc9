"""Every model opens in bpmn.io / Camunda Modeler as it is: bpmn-moddle reads it without a
warning (a modeler drops unresolved references when it saves) and bpmnlint's recommended
rules, the ones Camunda Modeler applies, report nothing. Needs node and ``npm ci`` in
tools/bpmn-check (``.ci/run`` does it); under CI a missing tool fails instead of skipping."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from engine.workflow.bundles import PROCESS_DIR

CHECK_DIR = Path(__file__).resolve().parents[1] / "tools" / "bpmn-check"
MODELS = sorted(PROCESS_DIR.glob("*.bpmn"))


def _check(*paths: Path) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    problem = None if node else "node is not installed"
    if node and not (CHECK_DIR / "node_modules" / "bpmnlint").is_dir():
        problem = f"run `npm ci` in {CHECK_DIR}"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}: the modeler check must run in CI")
        pytest.skip(problem)
    return subprocess.run([node, "check.js", *map(str, paths)], cwd=CHECK_DIR, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("model", MODELS, ids=[path.name for path in MODELS])
def test_every_model_reads_in_bpmn_moddle_and_passes_bpmnlint(model):
    result = _check(model)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_check_names_each_element_it_refuses(tmp_path):
    """What the check is for: the references and the missing join a modeler would trip over."""
    text = MODELS[0].read_text("utf-8")
    text = text.replace('<bpmn:property id="joint_departments" name="joint_departments" />', "")
    text = text.replace('<bpmn:exclusiveGateway id="gw_release" name="是否出件？">', '<bpmn:exclusiveGateway id="gw_release">')
    broken = tmp_path / "broken.bpmn"
    broken.write_text(text, encoding="utf-8")
    result = _check(broken)
    assert result.returncode == 1
    assert "joint_departments: moddle warning: unresolved reference" in result.stdout
    assert "gw_release: label-required" in result.stdout
