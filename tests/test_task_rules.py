"""Completing, claiming and releasing tasks: every refusal is clear and changes nothing."""

import pytest
from sqlalchemy import func, select

from engine.audit.models import AuditEntry
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.tasks.models import HumanTask
from engine.workflow.models import WorkflowTask
from tests.helpers import intake, item_code, only_task, person


def _state(engine):
    """Everything an action could change, to prove a refused one changed nothing."""
    with engine.session() as session:
        tasks = session.execute(select(HumanTask.id, HumanTask.state, HumanTask.assignee_id)
                                .order_by(HumanTask.id)).all()
        workflow = session.execute(select(WorkflowTask.id, WorkflowTask.state, WorkflowTask.body)
                                   .order_by(WorkflowTask.id)).all()
        audit = session.scalar(select(func.count()).select_from(AuditEntry))
    return tasks, workflow, audit


@pytest.fixture
def review(engine, staff):
    code = item_code(engine, case_type="承诺件", name="食品经营许可")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    return only_task(engine, case.number)


DECISION = {"decision": "approve", "opinion": "符合条件"}


def test_back_office_task_must_be_claimed_first(engine, staff, review):
    before = _state(engine)
    with pytest.raises(Forbidden, match="claimed before"):
        engine.complete_task(staff["scjg_approver1"], review.id, DECISION)
    assert _state(engine) == before


@pytest.mark.parametrize("username, error", [
    ("zrgh_approver1", Forbidden),   # another department
    ("zrgh_chief", Forbidden),       # another department's chief representative
    ("clerk1", Forbidden),           # a clerk cannot decide an approval
    ("supervisor", Forbidden),
])
def test_only_the_department_may_claim(engine, staff, review, username, error):
    before = _state(engine)
    with pytest.raises(error) as raised:
        engine.claim_task(staff[username], review.id)
    assert raised.value.field == "task_id"
    assert _state(engine) == before


def test_a_claimed_task_is_one_persons(engine, staff, review):
    engine.claim_task(staff["scjg_approver1"], review.id)
    before = _state(engine)
    with pytest.raises(Conflict, match="claimed by someone else"):
        engine.claim_task(staff["scjg_approver2"], review.id)
    with pytest.raises(Conflict, match="claimed by someone else"):
        engine.complete_task(staff["scjg_approver2"], review.id, DECISION)
    with pytest.raises(Forbidden, match="only the assignee"):
        engine.unclaim_task(staff["scjg_approver2"], review.id)
    assert _state(engine) == before


def test_release_and_reassign(engine, staff, review):
    engine.claim_task(staff["scjg_approver1"], review.id)
    engine.unclaim_task(staff["scjg_approver1"], review.id)
    engine.claim_task(staff["scjg_approver2"], review.id)
    # The chief representative may take a task back from a colleague to reassign it.
    row = engine.unclaim_task(staff["scjg_chief"], review.id)
    assert row.assignee_id is None
    engine.claim_task(staff["scjg_chief"], review.id)
    case = engine.complete_task(staff["scjg_chief"], review.id, DECISION)
    assert case.decision == "approve"
    with pytest.raises(Conflict, match="not claimed|already completed"):
        engine.unclaim_task(staff["scjg_chief"], review.id)


def test_a_task_is_completed_once(engine, staff, review):
    engine.claim_task(staff["scjg_approver1"], review.id)
    engine.complete_task(staff["scjg_approver1"], review.id, DECISION)
    before = _state(engine)
    with pytest.raises(Conflict, match="already completed"):
        engine.complete_task(staff["scjg_approver1"], review.id, DECISION)
    assert _state(engine) == before


@pytest.mark.parametrize("form, field", [
    ({"decision": "approve"}, "opinion"),
    ({"decision": "maybe", "opinion": "嗯"}, "decision"),
    ({"decision": "reject", "opinion": "不行"}, "refusal_reasons"),
    ({"decision": "approve", "opinion": "好", "verdict": "x"}, "verdict"),
    ({"decision": "approve", "opinion": "好", "len": 3}, "len"),
    ({"decision": "approve", "opinion": "好", "_secret": 1}, "_secret"),
    ({"decision": "approve", "opinion": "好", "__builtins__": {}}, "__builtins__"),
    ({"decision": "approve", "opinion": "好", "department_code": "ZRGH"}, "department_code"),
    ({"decision": "approve", "opinion": 42}, "opinion"),
    ("approve", "form"),
    (None, "form"),
])
def test_only_the_fields_the_form_allows(engine, staff, review, form, field):
    engine.claim_task(staff["scjg_approver1"], review.id)
    before = _state(engine)
    with pytest.raises(InvalidInput) as error:
        engine.complete_task(staff["scjg_approver1"], review.id, form)
    assert error.value.field == field
    assert _state(engine) == before


def test_unknown_ids_are_not_found(engine, staff):
    with pytest.raises(NotFound):
        engine.complete_task(staff["clerk1"], "00000000-0000-0000-0000-000000000000", {})
    with pytest.raises(NotFound):
        engine.claim_task(staff["clerk1"], "no-such-task")
    with pytest.raises(NotFound) as error:
        engine.get_case("ZW2099010100001")
    assert error.value.field == "case_number"


@pytest.mark.parametrize("applicant, field", [
    (person(id_number="330102198503121230"), "applicant.id_number"),       # wrong check digit
    (person(id_number="330102198513121234"), "applicant.id_number"),       # month 13
    (person(phone="12345"), "applicant.phone"),
    (person(name=""), "applicant.name"),
    (person(kind="robot"), "applicant.kind"),
    (person(id_type="统一社会信用代码"), "applicant.id_type"),
    ({"kind": "person", "name": "张三"}, "applicant.id_type"),
    ({**person(), "salary": 1}, "applicant.salary"),
])
def test_malformed_applicant_data_is_refused(engine, staff, applicant, field):
    code = item_code(engine, case_type="承诺件")
    before = _state(engine)
    with pytest.raises(InvalidInput) as error:
        engine.create_case(staff["clerk1"], code, applicant, intake(engine, code))
    assert error.value.field == field
    assert _state(engine) == before


def test_intake_refusals_change_nothing(engine, staff):
    code = item_code(engine, case_type="承诺件")
    before = _state(engine)
    with pytest.raises(NotFound) as error:
        engine.create_case(staff["clerk1"], "NO-SUCH-ITEM", person(), {})
    assert error.value.field == "item_code"
    with pytest.raises(Forbidden):
        engine.create_case(staff["scjg_approver1"], code, person(), intake(engine, code))
    bad = intake(engine, code)
    bad["received_materials"] = ["M99"]
    with pytest.raises(InvalidInput) as error:
        engine.create_case(staff["clerk1"], code, person(), bad)
    assert error.value.field == "received_materials.0"
    no_reasons = intake(engine, code, acceptable=False)
    del no_reasons["rejection_reasons"]
    with pytest.raises(InvalidInput) as error:
        engine.create_case(staff["clerk1"], code, person(), no_reasons)
    assert error.value.field == "rejection_reasons"
    post_without_address = intake(engine, code)
    post_without_address["delivery_method"] = "post"
    with pytest.raises(InvalidInput) as error:
        engine.create_case(staff["clerk1"], code, person(), post_without_address)
    assert error.value.field in ("postal_address", "delivery_method")
    assert _state(engine) == before
    with engine.session() as session:
        from engine.cases.models import Case
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_queues_show_each_role_its_own_work(engine, staff, review):
    assert [t.id for t in engine.task_queue(staff["scjg_approver2"])] == [review.id]
    assert engine.task_queue(staff["zrgh_approver1"]) == []
    assert engine.task_queue(staff["clerk1"]) == []
    engine.claim_task(staff["scjg_approver1"], review.id)
    assert [t.id for t in engine.task_queue(staff["scjg_approver1"], mine=True)] == [review.id]
    assert engine.task_queue(staff["scjg_approver2"], mine=True) == []
    with pytest.raises(Forbidden):
        engine.task_queue(staff["supervisor"])
