"""A deployment bundle: a process's BPMN file with the DMN tables and form schemas it uses."""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from engine.errors import ProcessDefinitionError
from engine.workflow.model_checks import MAX_FILE_BYTES, parse_xml

PROCESS_DIR = Path(__file__).resolve().parents[2] / "processes"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


@dataclass
class Bundle:
    process_id: str
    name: str
    files: dict[str, str]

    @property
    def digest(self) -> str:
        canonical = json.dumps(self.files, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(canonical).hexdigest()


def _read(path: Path) -> str:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ProcessDefinitionError(f"{path.name}：超过 {MAX_FILE_BYTES // 1024} KiB "
                                     f"({path.name}: larger than {MAX_FILE_BYTES // 1024} KiB)")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ProcessDefinitionError(f"{path.name}：不是 UTF-8 文本 ({path.name}: not UTF-8 text)") from None


def bundles_from_directory(directory: Path) -> list[Bundle]:
    """One bundle per executable process defined by the directory's BPMN files."""
    directory = Path(directory)
    decisions: dict[str, tuple[str, str]] = {}
    for path in sorted(directory.glob("*.dmn")):
        text = _read(path)
        for decision in parse_xml(text, path.name).iter("{*}decision"):
            decisions[decision.get("id")] = (path.name, text)
    bundles = []
    for path in sorted(directory.glob("*.bpmn")):
        text = _read(path)
        root = parse_xml(text, path.name)
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            if process.get("isExecutable") != "true":
                continue
            files = {path.name: text}
            for called in process.iter(f"{{{SPIFF_NS}}}calledDecisionId"):
                decision_id = (called.text or "").strip()
                if decision_id not in decisions:
                    raise ProcessDefinitionError(f"{path.name}：决策 '{decision_id}' 未在任何 .dmn 文件中定义 "
                                                 f"({path.name}: decision '{decision_id}' is not defined by any .dmn "
                                                 "file)")
                name, dmn_text = decisions[decision_id]
                files[name] = dmn_text
            for prop in process.iter(f"{{{SPIFF_NS}}}property"):
                if prop.get("name") == "form":
                    form_path = directory / "forms" / prop.get("value", "")
                    if not form_path.is_file():
                        raise ProcessDefinitionError(f"{path.name}：forms/ 中没有表单 '{prop.get('value')}' "
                                                     f"({path.name}: form '{prop.get('value')}' not found in forms/)")
                    files[f"forms/{form_path.name}"] = _read(form_path)
            bundles.append(Bundle(process.get("id"), process.get("name") or process.get("id"), files))
    return bundles
