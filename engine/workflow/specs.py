"""Deploying process models as versions and parsing them, once per version, into specs.

A deployment bundles a process's BPMN file with the DMN tables and form schemas it uses.
Before a version is stored, everything is checked: the XML (no DTDs or entities), the
BPMN/DMN schemas, every expression and script against the sandbox, and the task
properties and forms against the engine's contract. A bad model is refused with a
message naming the file and element.
"""

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask as UserTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.errors import Conflict, NotFound, ProcessDefinitionError
from engine.workflow.expressions import SafeEnvironment, UnsafeExpression
from engine.workflow.forms import check_form_schema
from engine.workflow.models import ProcessVersion
from engine.workflow.properties import (
    CASE_STATUSES,
    EXPRESSION_PROPERTIES,
    LEDGER_TRIGGERS,
    MILESTONES,
    OTHER_PROPERTIES,
    OUTCOMES,
    TASK_ROLES,
    USER_TASK_PROPERTIES,
    UserTaskMeta,
    properties_of,
)

PROCESS_DIR = Path(__file__).resolve().parents[2] / "processes"
MAX_FILE_BYTES = 2 * 1024 * 1024
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_EXPRESSION_TAGS = {"conditionExpression", "timeDate", "timeDuration", "timeCycle", "loopCardinality",
                    "completionCondition", "formalExpression", "messagePath"}
_SCRIPT_TAGS = {"script", "preScript", "postScript"}
_REFUSED_TAGS = {"serviceTask": "service tasks call out of the engine and are not supported"}
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                              huge_tree=False, remove_pis=True)


def parse_xml(text: str, filename: str) -> etree._Element:
    """Parse model XML defensively: no DTD, no entities, no network, bounded size."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ProcessDefinitionError(f"{filename}: larger than {MAX_FILE_BYTES // 1024} KiB")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ProcessDefinitionError(f"{filename}: DOCTYPE and ENTITY declarations are not allowed")
    try:
        return etree.fromstring(text.encode("utf-8"), _XML_PARSER)
    except etree.XMLSyntaxError as error:
        raise ProcessDefinitionError(f"{filename}: not well-formed XML: {error}") from None


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _element_label(element) -> str:
    owner = element
    while owner is not None and owner.get("id") is None:
        owner = owner.getparent()
    return owner.get("id") if owner is not None else _local(element.tag)


def check_model_expressions(root: etree._Element, filename: str, env: SafeEnvironment) -> None:
    """Refuse any expression or script in a BPMN/DMN document that the sandbox would refuse."""
    is_dmn = _local(root.tag) == "definitions" and root.nsmap.get(None, "").startswith("https://www.omg.org/spec/DMN") \
        or any(_local(el.tag) == "decision" for el in root.iter() if isinstance(el.tag, str))
    for element in root.iter():
        tag = _local(element.tag)
        if tag in _REFUSED_TAGS:
            raise ProcessDefinitionError(f"{filename}: {element.get('id')}: {_REFUSED_TAGS[tag]}")
        text = (element.text or "").strip()
        try:
            if tag in _EXPRESSION_TAGS and text:
                env.check_expression(text)
            elif tag in _SCRIPT_TAGS and text:
                env.check_script(text)
            elif tag == "property" and element.get("name") in EXPRESSION_PROPERTIES:
                env.check_expression(element.get("value", ""))
            elif is_dmn and tag == "text":
                _check_dmn_cell(element, text, env)
        except UnsafeExpression as error:
            raise ProcessDefinitionError(f"{filename}: {_element_label(element)}: {error}") from None


def _check_dmn_cell(element, text: str, env: SafeEnvironment) -> None:
    cell = _local(element.getparent().tag)
    if cell == "inputEntry" and text in ("", "-"):
        return
    if cell == "inputEntry":
        # A cell is either a value compared with == or a comparison fragment like '> 0'.
        try:
            env.check_expression(text)
        except UnsafeExpression:
            env.check_expression(f"dmn_input {text}")
    elif cell in ("inputExpression", "outputEntry"):
        env.check_expression(text)


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
        raise ProcessDefinitionError(f"{path.name}: larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ProcessDefinitionError(f"{path.name}: not UTF-8 text") from None


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
                    raise ProcessDefinitionError(f"{path.name}: decision '{decision_id}' is not defined by any .dmn file")
                name, dmn_text = decisions[decision_id]
                files[name] = dmn_text
            for prop in process.iter(f"{{{SPIFF_NS}}}property"):
                if prop.get("name") == "form":
                    form_path = directory / "forms" / prop.get("value", "")
                    if not form_path.is_file():
                        raise ProcessDefinitionError(f"{path.name}: form '{prop.get('value')}' not found in forms/")
                    files[f"forms/{form_path.name}"] = _read(form_path)
            bundles.append(Bundle(process.get("id"), process.get("name") or process.get("id"), files))
    return bundles


@dataclass
class ProcessDefinition:
    """A parsed, checked process version, ready to start and resume workflows."""

    version_id: int | None
    process_id: str
    spec: object
    subprocess_specs: dict
    forms: dict[str, dict]
    user_tasks: dict[str, UserTaskMeta]


def compile_process(files: dict[str, str], process_id: str, env: SafeEnvironment,
                    reserved_keys: frozenset[str] = frozenset(), version_id: int | None = None) -> ProcessDefinition:
    parser = SpiffBpmnParser(validator=BpmnValidator())
    forms: dict[str, dict] = {}
    try:
        for name, text in sorted(files.items()):
            if name.endswith(".bpmn"):
                root = parse_xml(text, name)
                check_model_expressions(root, name, env)
                parser.add_bpmn_xml(etree.ElementTree(root), filename=name)
            elif name.endswith(".dmn"):
                root = parse_xml(text, name)
                check_model_expressions(root, name, env)
                parser.add_dmn_xml(root, filename=name)
            elif name.startswith("forms/") and name.endswith(".json"):
                try:
                    forms[name.removeprefix("forms/")] = json.loads(text)
                except json.JSONDecodeError as error:
                    raise ProcessDefinitionError(f"{name}: not valid JSON: {error}") from None
            else:
                raise ProcessDefinitionError(f"{name}: not a .bpmn, .dmn or forms/*.json file")
        if process_id not in parser.get_process_ids():
            raise ProcessDefinitionError(f"no executable process '{process_id}' in {', '.join(sorted(files))}")
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
        _connect_multi_instance_children(spec, subprocess_specs)
        _wire_event_subprocesses(spec, subprocess_specs)
    except (ValidationException, SpiffWorkflowException) as error:
        raise ProcessDefinitionError(f"{process_id}: {error}") from None
    for form_name, schema in forms.items():
        try:
            check_form_schema(schema, env.function_names | reserved_keys)
        except (ProcessDefinitionError, SchemaError) as error:
            raise ProcessDefinitionError(f"forms/{form_name}: {getattr(error, 'message', error)}") from None
    user_tasks = {}
    for task_spec in _all_task_specs(spec, subprocess_specs):
        meta = _check_properties(task_spec, forms)
        if meta is not None:
            user_tasks[task_spec.name] = meta
    return ProcessDefinition(version_id, process_id, spec, subprocess_specs, forms, user_tasks)


def _connect_multi_instance_children(spec, subprocess_specs) -> None:
    """Make every multi-instance task merge its finished instances, in any process.

    SpiffWorkflow 3.2 subscribes an MI task to its instances' completion only when it
    creates them; a workflow loaded by another process (a restart, another web worker)
    would never merge them, and the MI would wait for ever. Subscribing once per parsed
    spec closes that gap.
    """
    for process_spec in [spec, *subprocess_specs.values()]:
        for task_spec in process_spec.task_specs.values():
            if isinstance(task_spec, MultiInstanceTask):
                instance_spec = process_spec.task_specs[task_spec.task_spec]
                if not instance_spec.completed_event.is_connected(task_spec.merge_child):
                    instance_spec.completed_event.connect(task_spec.merge_child)


def _wire_event_subprocesses(spec, subprocess_specs) -> None:
    """Give every message-started event subprocess its links once, when the spec is parsed.

    SpiffWorkflow 3.2 links such a subprocess to the process's start and end the first time
    one is triggered, in the shared spec: from then on every new workflow of that spec starts
    it at once and can never finish, while workflows of a freshly parsed spec behave as
    intended. Linked here from the end and, on its input side only, from the start (which
    does not make the start run it), the spec never changes at run time.
    """
    for process_spec in [spec, *subprocess_specs.values()]:
        start = process_spec.start
        for name in getattr(start, "trigger_specs", ()):
            subprocess_task = process_spec.task_specs[name]
            if start not in subprocess_task.inputs:
                subprocess_task.inputs = [*subprocess_task.inputs, start]
                subprocess_task.connect(process_spec.end)


def _all_task_specs(spec, subprocess_specs):
    for process_spec in [spec, *subprocess_specs.values()]:
        yield from process_spec.task_specs.values()


def _check_properties(task_spec, forms: dict) -> UserTaskMeta | None:
    props = properties_of(task_spec)
    where = f"{task_spec.bpmn_id or task_spec.name}"
    is_user_task = isinstance(task_spec, UserTaskMixin)
    allowed = USER_TASK_PROPERTIES if is_user_task else OTHER_PROPERTIES
    unknown = set(props) - allowed
    if unknown:
        raise ProcessDefinitionError(f"{where}: unknown properties {sorted(unknown)}")
    if "milestone" in props and props["milestone"] not in MILESTONES:
        raise ProcessDefinitionError(f"{where}: milestone must be one of {MILESTONES}")
    if "outcome" in props and props["outcome"] not in OUTCOMES:
        raise ProcessDefinitionError(f"{where}: outcome must be one of {OUTCOMES}")
    if "ledger" in props and props["ledger"] not in LEDGER_TRIGGERS:
        raise ProcessDefinitionError(f"{where}: ledger must be one of {LEDGER_TRIGGERS}")
    if "case_status" in props and props["case_status"] not in CASE_STATUSES:
        raise ProcessDefinitionError(f"{where}: case_status must be one of {CASE_STATUSES}")
    if not is_user_task:
        return None
    role, form = props.get("role"), props.get("form")
    if role not in TASK_ROLES:
        raise ProcessDefinitionError(f"{where}: a user task needs property role = one of {TASK_ROLES}")
    if form not in forms:
        raise ProcessDefinitionError(f"{where}: a user task needs property form naming a file in forms/")
    if role in ("approver", "chief") and not props.get("department"):
        raise ProcessDefinitionError(f"{where}: an approver task needs a department expression")
    if props.get("claim") not in (None, "required"):
        raise ProcessDefinitionError(f"{where}: claim may only be 'required'")
    return UserTaskMeta(task_spec.bpmn_id, task_spec.bpmn_name or task_spec.bpmn_id, role, form,
                        props.get("department"), props.get("due"), props.get("claim") == "required",
                        props.get("milestone"))


def latest_version(session: Session, process_id: str) -> ProcessVersion:
    version = session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version.desc()).limit(1)
    )
    if version is None:
        raise NotFound(f"process '{process_id}' is not deployed", field="process_id")
    return version


def deployed_process_ids(session: Session) -> set[str]:
    return set(session.scalars(select(ProcessVersion.process_id).distinct()))


def deploy_bundle(session: Session, bundle: Bundle, env: SafeEnvironment, reserved_keys: frozenset[str],
                  now: datetime) -> ProcessVersion | None:
    """Store the bundle as the next version unless the latest version has the same files."""
    compile_process(bundle.files, bundle.process_id, env, reserved_keys)
    digest = bundle.digest
    latest = session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_id == bundle.process_id)
        .order_by(ProcessVersion.version.desc()).limit(1)
    )
    if latest is not None and latest.digest == digest:
        return None
    number = (session.scalar(select(func.max(ProcessVersion.version))
                             .where(ProcessVersion.process_id == bundle.process_id)) or 0) + 1
    version = ProcessVersion(process_id=bundle.process_id, version=number, digest=digest, name=bundle.name,
                             files=bundle.files, deployed_at=now)
    session.add(version)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"process '{bundle.process_id}' was deployed concurrently; try again") from None
    return version


class SpecCache:
    """Parsed process versions, parsed once per process (parsing costs milliseconds)."""

    def __init__(self, env: SafeEnvironment, reserved_keys: frozenset[str]):
        self.env = env
        self.reserved_keys = reserved_keys
        self._lock = threading.Lock()
        self._definitions: dict[int, ProcessDefinition] = {}

    def get(self, session: Session, version_id: int) -> ProcessDefinition:
        with self._lock:
            definition = self._definitions.get(version_id)
        if definition is not None:
            return definition
        version = session.get(ProcessVersion, version_id)
        if version is None:
            raise NotFound(f"process version {version_id} does not exist")
        definition = compile_process(version.files, version.process_id, self.env, self.reserved_keys, version.id)
        with self._lock:
            return self._definitions.setdefault(version_id, definition)
