"""Compiling a bundle's files into a checked, parsed process definition."""

import json
from dataclasses import dataclass

from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.errors import ProcessDefinitionError, english_half, halves
from engine.workflow.expressions import SafeEnvironment
from engine.workflow.forms import check_form_schema
from engine.workflow.model_checks import check_model_expressions, parse_xml
from engine.workflow.properties import UserTaskMeta, task_meta
from engine.workflow.spiff_fixes import fix_parsed_spec


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
    """Check and parse a bundle's files: the XML, the BPMN/DMN schemas, every expression and
    script against the sandbox, the forms, and the task properties against the engine's contract."""
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
                    reason = english_half(error)
                    raise ProcessDefinitionError(f"{name}：不是有效的 JSON：{reason} ({name}: not valid JSON: {reason})") \
                        from None
            else:
                raise ProcessDefinitionError(f"{name}：不是 .bpmn、.dmn 或 forms/*.json 文件 "
                                             f"({name}: not a .bpmn, .dmn or forms/*.json file)")
        if process_id not in parser.get_process_ids():
            names = ", ".join(sorted(files))
            raise ProcessDefinitionError(f"{names} 中没有可执行的流程 '{process_id}' "
                                         f"(no executable process '{process_id}' in {names})")
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
        fix_parsed_spec(spec, subprocess_specs)
    except (ValidationException, SpiffWorkflowException) as error:
        reason = english_half(error)
        raise ProcessDefinitionError(f"流程 {process_id} 无法解析：{reason} ({process_id}: {reason})") from None
    for form_name, schema in forms.items():
        try:
            check_form_schema(schema, env.function_names | reserved_keys)
        except ProcessDefinitionError as error:
            zh, en = halves(error.message)
            raise ProcessDefinitionError(f"表单 forms/{form_name}：{zh} (forms/{form_name}: {en})") from None
        except SchemaError as error:
            reason = english_half(error.message)
            raise ProcessDefinitionError(f"表单 forms/{form_name} 不是有效的 JSON Schema：{reason} "
                                         f"(forms/{form_name}: {reason})") from None
    user_tasks = {}
    for process_spec in [spec, *subprocess_specs.values()]:
        for task_spec in process_spec.task_specs.values():
            meta = task_meta(task_spec, forms)
            if meta is not None:
                user_tasks[task_spec.name] = meta
    return ProcessDefinition(version_id, process_id, spec, subprocess_specs, forms, user_tasks)
