"""Pages know a step by what the model declares on it, never by its id or form file: the clock
forms follow the ``clock`` property, the chief's extension choices are labelled by their form."""

import shutil

from engine.workflow.bundles import PROCESS_DIR
from tests.helpers import intake, only_task, person

FOOD_LICENCE = "SCJG-002"  # 承诺件 of SCJG


def _review_page(engine, staff, sign_in):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE))
    review = only_task(engine, case.number)
    engine.claim_task(staff["scjg_approver1"], review.id)
    return case, review, sign_in("scjg_approver1").get(f"/tasks/{review.id}").data.decode()


def test_the_clock_forms_are_where_the_model_says_the_clock_may_stop(app, engine, staff, sign_in, tmp_path):
    _, review, page = _review_page(engine, staff, sign_in)
    assert f'action="/tasks/{review.id}/suspend"' in page
    directory = tmp_path / "processes"
    shutil.copytree(PROCESS_DIR, directory)
    model = directory / "one_window.bpmn"
    text = model.read_text("utf-8")
    start = text.index('<bpmn:userTask id="review"')
    declaration = '          <spiffworkflow:property name="clock" value="stoppable" />\n'
    at = text.index(declaration, start)
    model.write_text(text[:at] + text[at + len(declaration):], encoding="utf-8")
    engine.deploy_processes(directory)  # the same step, no longer marked: a new version
    _, review, page = _review_page(engine, staff, sign_in)
    assert review.bpmn_id == "review" and f'action="/tasks/{review.id}/suspend"' not in page
    assert f'action="/tasks/{review.id}/extension"' not in page


def test_the_chief_answers_an_extension_with_extension_words(app, engine, staff, sign_in):
    case, _, _ = _review_page(engine, staff, sign_in)
    engine.request_extension(staff["scjg_approver1"], case.number, "需要对经营场所补充核查")
    decision = next(task for task in engine.open_tasks(case.number) if task.milestone == "extension_decided")
    chief = sign_in("scjg_chief")
    page = chief.get(f"/tasks/{decision.id}").data.decode()
    assert "批准延期" in page and "不批准延期" in page and "准予许可" not in page
    english = chief.get(f"/tasks/{decision.id}", headers={"Accept-Language": "en"}).data.decode()
    assert "Approve the extension" in english and "Refuse the extension" in english


def test_a_countersigned_opinion_is_hidden_by_its_milestone_whatever_its_form_file(engine, staff, tmp_path):
    """A co-reviewing department does not read the lead's countersigned form: the step is known by
    its ``countersigned`` milestone, not by the form file the model happens to name."""
    from engine import casefile

    directory = tmp_path / "processes"
    shutil.copytree(PROCESS_DIR, directory)
    (directory / "forms" / "countersign.schema.json").rename(directory / "forms" / "joint_opinion.schema.json")
    model = directory / "one_window.bpmn"
    model.write_text(model.read_text("utf-8").replace('"countersign.schema.json"', '"joint_opinion.schema.json"'),
                     encoding="utf-8")
    engine.deploy_processes(directory)
    case = engine.create_case(staff["clerk1"], "ZRGH-001", person(), intake(engine, "ZRGH-001"))
    opinion = {"countersign_position": "agree", "countersign_opinion": "同意，符合规划条件"}
    for task in engine.open_tasks(case.number):
        approver = staff[f"{task.department_code.lower()}_approver1"]
        engine.claim_task(approver, task.id)
        engine.complete_task(approver, task.id, opinion)
    with engine.session() as session:
        found = engine.get_case(case.number)
        steps = casefile.history(session, engine.specs.get(session, found.process_version_id), found,
                                 engine.case_history(case.number), staff["zjj_approver1"])
    forms = [entry.detail.get("form") for entry in steps
             if entry.action == "complete" and entry.task == "joint_countersign"]
    assert len(forms) == 2 and sorted(form is None for form in forms) == [False, True]
