"""Issue 12: Python never knows a step by its id or a form by its file name. No string in
engine/ (migrations aside: they describe the shipped model of their day) is a step id of the
shipped model or the name of one of its form files."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ELEMENTS = ("userTask", "scriptTask", "serviceTask", "manualTask", "subProcess", "exclusiveGateway",
            "parallelGateway", "startEvent", "endEvent", "intermediateCatchEvent", "boundaryEvent")
# Words the model's ids share with the data contract: the rating field and case column, the
# ledger trigger the model names, a table, the registration's intake payload and the extension
# request (the payload an approval step ``approves``, and the notice kind it yields).
SHARED_WORDS = {"rating", "deemed_acceptance", "clock_suspension", "intake", "extension"}


def _model_names() -> set[str]:
    text = (ROOT / "processes" / "one_window.bpmn").read_text("utf-8")
    ids = set(re.findall(rf'<bpmn:(?:{"|".join(ELEMENTS)})\b[^>]*\sid="([^"]+)"', text))
    return (ids | {path.name for path in (ROOT / "processes" / "forms").glob("*.json")}) - SHARED_WORDS


def test_the_engine_names_no_step_id_and_no_form_file():
    names = _model_names()
    assert {"review", "lead_decision", "approve_extension", "countersign.schema.json"} <= names
    found = []
    for path in sorted((ROOT / "engine").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and node.value in names:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert found == []
