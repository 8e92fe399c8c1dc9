"""Process models: the shipped model is sound; hostile or broken models are refused at deploy."""

import itertools
import re
import shutil

import pytest

from engine.errors import ProcessDefinitionError
from engine.runtime import CaseEngine
from engine.workflow.bundles import PROCESS_DIR, bundles_from_directory
from engine.workflow.compiler import compile_process
from engine.workflow.model_checks import parse_xml


@pytest.fixture(scope="module")
def offline_engine(tmp_path_factory):
    """An engine for compiling models; it never touches its (empty) database."""
    path = tmp_path_factory.mktemp("models") / "unused.sqlite"
    engine = CaseEngine(f"sqlite:///{path}")
    yield engine
    engine.db.dispose()


def _compile(engine, directory):
    (bundle,) = bundles_from_directory(directory)
    return compile_process(bundle.files, bundle.process_id, engine.script_engine.environment,
                           engine.specs.reserved_keys)


def test_the_shipped_model_compiles_with_lanes_forms_and_properties(offline_engine):
    definition = _compile(offline_engine, PROCESS_DIR)
    lanes = {spec.lane for spec in definition.spec.task_specs.values() if getattr(spec, "lane", None)}
    assert lanes == {"窗口", "后台审批"}
    assert set(definition.user_tasks) == {
        "intake", "issue_notice", "await_correction", "window_decision", "review", "window_pickup", "postal_dispatch",
        "confirm_delivery", "rating", "joint_countersign [child]", "lead_decision", "joint_meeting", "forward_upward",
        "register_higher_result", "resume_clock", "approve_extension", "approve_joint_extension", "collect_commitment",
        "release_result"}
    assert definition.user_tasks["approve_extension"].role == "chief"
    assert (definition.user_tasks["approve_joint_extension"].role,
            definition.user_tasks["approve_joint_extension"].department) == ("director", None)
    approvals = {meta.bpmn_id: meta.approves for meta in definition.user_tasks.values() if meta.approves}
    assert approvals == {"approve_extension": "extension", "approve_joint_extension": "extension"}
    assert definition.user_tasks["release_result"].role == "chief"
    assert definition.user_tasks["joint_countersign [child]"].claim_required
    assert definition.user_tasks["review"].claim_required and definition.user_tasks["review"].role == "approver"
    assert all(meta.name for meta in definition.user_tasks.values())
    stoppable = {meta.bpmn_id for meta in definition.user_tasks.values() if meta.clock == "stoppable"}
    assert stoppable == {"review", "lead_decision", "joint_countersign", "forward_upward", "register_higher_result"}
    milestones = {meta.bpmn_id: meta.milestone for meta in definition.user_tasks.values()}
    assert (milestones["resume_clock"], milestones["approve_extension"]) == ("resumed", "extension_decided")


def test_every_input_of_the_intake_decision_hits_exactly_one_rule(offline_engine):
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

    parser = SpiffBpmnParser()
    parser.add_dmn_xml(parse_xml((PROCESS_DIR / "intake_decision.dmn").read_text("utf-8"), "intake_decision.dmn"))
    table = parser.dmn_parsers["intake_decision"]
    table.parse()
    decision_table = table.decision.decisionTables[0]
    env = offline_engine.script_engine.environment
    for acceptable, incomplete in itertools.product([True, False], [0, 1, 3]):
        data = {"acceptable": acceptable, "incomplete_count": incomplete}
        hits = []
        for rule in decision_table.rules:
            if all(entry.lhs[0] is None or _matches(env, entry, data) for entry in rule.inputEntries):
                hits.append(rule.id)
        assert len(hits) == 1, (data, hits)


def _matches(env, entry, data):
    expression, cell = entry.input.expression, entry.lhs[0]
    try:
        env.check_expression(cell)
        return env.evaluate(f"({expression}) == ({cell})", data)
    except Exception:
        return env.evaluate(f"{expression} {cell}", data)


def _variant(tmp_path, replace=None, bpmn=None, extra=None):
    directory = tmp_path / "processes"
    shutil.copytree(PROCESS_DIR, directory)
    target = directory / "one_window.bpmn"
    text = bpmn if bpmn is not None else target.read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    target.write_text(text, encoding="utf-8")
    for name, content in (extra or {}).items():
        (directory / name).write_text(content, encoding="utf-8")
    return directory


@pytest.mark.parametrize("old, new, message", [
    ('intake_outcome == "reject"', "__import__('os')", "function '__import__'"),
    ('intake_outcome == "reject"', "intake_outcome.__class__", "attribute '.__class__'"),
    # Expressions that would exhaust the machine (47 s, 1 GB, 10 GB) are refused before they run.
    ('intake_outcome == "reject"', "sum([[1]]*99999, []) == []", "is refused: the expression would build"),
    ('intake_outcome == "reject"', "'%0999999999d' % 1 == ''", "is refused: '%' formatting widths"),
    ("decided_on = today()", "decided_on = ('a' * 99999).replace('a', 'a' * 99999)", "is refused: the expression"),
    ("correction_deadline = end_of_day", "import os\ncorrection_deadline = end_of_day", "only assign"),
    ("decided_on = today()", "decided_on = open('/etc/passwd')", "function 'open'"),
    (">correction_deadline</bpmn:timeDate>", ">getattr(x, 'y')</bpmn:timeDate>", "function 'getattr'"),
    ('value="add_working_days(materials_received_on, 5)"', 'value="eval(\'1\')"', "function 'eval'"),
    ('name="role" value="clerk"', 'name="role" value="janitor"', "role"),
    ('name="form" value="rating.schema.json"', 'name="form" value="nope.json"', "form"),
    ('name="milestone" value="rated"', 'name="milestone" value="celebrated"', "milestone"),
    ('name="case_status" value="待补办"', 'name="colour" value="red"', "unknown properties"),
    ('name="clock" value="stoppable" />\n          <spiffworkflow:property name="department" value="department_code" />\n'
     '          <spiffworkflow:property name="claim" value="required" />\n          <spiffworkflow:property name="form" '
     'value="decision.schema.json" />',
     'name="clock" value="frozen" />\n          <spiffworkflow:property name="department" value="department_code" />\n'
     '          <spiffworkflow:property name="claim" value="required" />\n          <spiffworkflow:property name="form" '
     'value="decision.schema.json" />', "review: clock must be one of stoppable, not 'frozen'"),
    ('<spiffworkflow:property name="form" value="rating.schema.json" />',
     '<spiffworkflow:property name="form" value="rating.schema.json" />\n'
     '          <spiffworkflow:property name="clock" value="stoppable" />', "rating: only a back-office step"),
    ('<spiffworkflow:property name="outcome" value="completed" />',
     '<spiffworkflow:property name="outcome" value="completed" />\n'
     '          <spiffworkflow:property name="clock" value="stoppable" />', "end_completed: unknown properties clock"),
    ('<bpmn:endEvent id="end_completed"', '<bpmn:endEvent id="end_completed" bogus="1"', "'bogus' is not allowed"),
    ('<bpmn:process id="one_window"', '<bpmn:process id="one_window" ', None),
])
def test_hostile_or_broken_models_are_refused(offline_engine, tmp_path, old, new, message):
    directory = _variant(tmp_path, {old: new})
    if message is None:   # harmless whitespace: still compiles
        _compile(offline_engine, directory)
        return
    with pytest.raises(ProcessDefinitionError) as error:
        _compile(offline_engine, directory)
    assert message in error.value.message


def test_dmn_cells_are_sandboxed_too(offline_engine, tmp_path):
    directory = _variant(tmp_path)
    dmn = directory / "intake_decision.dmn"
    dmn.write_text(dmn.read_text("utf-8").replace("<text>&gt; 0</text>", "<text>&gt; __import__('os').getpid()</text>"),
                   encoding="utf-8")
    with pytest.raises(ProcessDefinitionError, match="__import__"):
        _compile(offline_engine, directory)


def test_entity_expansion_and_doctype_are_refused(offline_engine, tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</bpmn:definitions>')
    with pytest.raises(ProcessDefinitionError, match="DOCTYPE"):
        _compile(offline_engine, _variant(tmp_path, bpmn=bomb))


def test_unparsable_and_oversized_models_are_refused(offline_engine, tmp_path):
    with pytest.raises(ProcessDefinitionError, match="not well-formed"):
        _compile(offline_engine, _variant(tmp_path, bpmn="<bpmn:definitions"))
    huge = "<!-- " + "x" * (3 * 1024 * 1024) + " -->"
    with pytest.raises(ProcessDefinitionError, match="larger than"):
        _compile(offline_engine, _variant(tmp_path / "huge", replace={"</bpmn:definitions>": huge + "</bpmn:definitions>"}))


def test_service_tasks_and_bad_form_fields_are_refused(offline_engine, tmp_path):
    directory = _variant(tmp_path, {'<bpmn:scriptTask id="accept"': '<bpmn:serviceTask id="accept"',
                                    '</bpmn:scriptTask>\n    <bpmn:userTask id="issue_notice"':
                                    '</bpmn:serviceTask>\n    <bpmn:userTask id="issue_notice"'})
    with pytest.raises(ProcessDefinitionError, match="service tasks"):
        _compile(offline_engine, directory)
    for field, fragment in (("len", "builtin"), ("_x", "'_'"), ("materials", "reserved"), ("today", "reserved")):
        directory = _variant(tmp_path / field)
        form = directory / "forms" / "rating.schema.json"
        form.write_text(form.read_text("utf-8").replace('"rating_comment"', f'"{field}"'), encoding="utf-8")
        with pytest.raises(ProcessDefinitionError, match=fragment):
            _compile(offline_engine, directory)


def test_a_refused_deploy_stores_nothing(engine, tmp_path):
    from sqlalchemy import func, select

    from engine.workflow.models import ProcessVersion

    directory = _variant(tmp_path, {'intake_outcome == "reject"': "__import__('os')"})
    with pytest.raises(ProcessDefinitionError):
        engine.deploy_processes(directory)
    with engine.session() as session:
        assert session.scalar(select(func.count()).select_from(ProcessVersion)) == 1


@pytest.mark.parametrize("labels, message", [
    ({"approve": "批准延期", "later": "以后再说"}, "not in the enum: later"),
    ({"approve": ""}, "must map enum values to labels"),
    (["批准延期"], "must map enum values to labels"),
])
def test_choice_labels_of_a_form_must_label_its_choices(offline_engine, tmp_path, labels, message):
    import json

    directory = _variant(tmp_path)
    form = directory / "forms" / "extension_decision.schema.json"
    schema = json.loads(form.read_text("utf-8"))
    schema["properties"]["extension_decision"]["x-choice-labels"] = labels
    form.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ProcessDefinitionError, match=re.escape(message)):
        _compile(offline_engine, directory)
