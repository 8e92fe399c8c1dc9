"""Decision documents (行政许可法 第38条, 第40条, 第44条) and the 否决备案 register, through
CaseEngine on SQLite and PostgreSQL: numbering per department and year, what a document
says as issued, its 送达回证, and every refusal filed with its reasons."""

import shutil
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine import permissions
from engine.clock import SimulatedClock, local_datetime
from engine.decisions import service as decisions
from engine.decisions.models import DecisionDocument, RefusalRecord
from engine.errors import Forbidden, ProcessDefinitionError
from engine.runtime import CaseEngine
from engine.workflow.bundles import PROCESS_DIR
from tests.conftest import START, actors
from tests.helpers import approve_in_back_office, intake, only_task, person, pickup_form

SCJG_ITEM, ZJJ_ITEM = "SCJG-002", "ZJJ-001"
APPROVERS = {SCJG_ITEM: "scjg_approver1", ZJJ_ITEM: "zjj_approver1"}


def decided(engine, staff, item: str = SCJG_ITEM, decision: str = "approve", delivery: str = "pickup",
            applicant: dict | None = None):
    case = engine.create_case(staff["clerk1"], item, applicant or person(), intake(engine, item, delivery=delivery))
    return approve_in_back_office(engine, case.number, staff[APPROVERS[item]], decision)


def document(engine, number: str) -> DecisionDocument | None:
    with engine.session() as session:
        return decisions.document_of(session, engine.get_case(number).id)


def refusals(engine) -> list[RefusalRecord]:
    with engine.session() as session:
        return list(session.scalars(select(RefusalRecord).order_by(RefusalRecord.id)))


def test_a_granted_permit_gets_its_numbered_document_in_the_deciding_step(engine, staff):
    case = decided(engine, staff, applicant=person("李华"))
    issued = document(engine, case.number)
    assert (issued.kind, issued.number, issued.serial, issued.year) == ("permit_granted", "市场监管许字〔2026〕第1号", 1, 2026)
    assert (issued.applicant_name, issued.item_code, issued.case_number) == ("李华", SCJG_ITEM, case.number)
    assert issued.authority == "示范市市场监督管理局"
    assert issued.issued_on == date(2026, 11, 23) and issued.reasons is None
    assert issued.opinion == "经审查，申请材料齐全，符合法定条件"
    assert issued.issued_by_id == staff["scjg_approver1"].id
    assert refusals(engine) == []  # a granted permit is no refusal


def test_a_refused_permit_states_its_reasons_and_is_filed_as_a_refusal(engine, staff):
    case = decided(engine, staff, decision="reject")
    issued = document(engine, case.number)
    assert issued.kind == "permit_refused"
    assert "经营场所不符合卫生要求" in issued.reasons
    [filed] = refusals(engine)
    assert (filed.kind, filed.case_number, filed.department_code, filed.item_code) == (
        "not_permitted", case.number, "SCJG", SCJG_ITEM)
    assert filed.reasons == issued.reasons and filed.document_number == issued.number
    assert filed.refused_by_id == staff["scjg_approver1"].id and filed.refused_on == date(2026, 11, 23)


def test_an_application_not_accepted_is_filed_with_the_clerks_reasons(engine, staff):
    case = engine.create_case(staff["clerk2"], SCJG_ITEM, person(), intake(engine, SCJG_ITEM, acceptable=False))
    assert case.status == "不予受理"
    [filed] = refusals(engine)
    assert (filed.kind, filed.case_number, filed.refused_by_id) == ("not_accepted", case.number, staff["clerk2"].id)
    assert filed.reasons == "申请事项不属于本机关职权范围，请向省级主管部门申请"
    assert filed.document_number is None and document(engine, case.number) is None


def test_a_window_decision_of_an_immediate_item_shares_its_departments_series(engine, staff):
    """即办件 decided by the clerk at the window: the document is the item's department's, numbered on."""
    back_office = decided(engine, staff)
    case = engine.create_case(staff["clerk1"], "SCJG-001", person(), intake(engine, "SCJG-001"))
    engine.complete_task(staff["clerk2"], only_task(engine, case.number).id, {
        "decision": "reject", "opinion": "不符合条件", "refusal_reasons": "经营场所属于禁止经营区域，不予登记"})
    at_window = document(engine, case.number)
    assert (at_window.kind, at_window.serial, at_window.issued_by_id) == ("permit_refused", 2, staff["clerk2"].id)
    assert document(engine, back_office.number).serial == 1
    assert [(filed.kind, filed.reasons) for filed in refusals(engine)] == [
        ("not_permitted", "经营场所属于禁止经营区域，不予登记")]


def test_numbers_run_on_per_department_and_year_and_are_never_reused(engine, staff, clock):
    first, second = decided(engine, staff), decided(engine, staff, decision="reject")
    other = decided(engine, staff, item=ZJJ_ITEM)
    third = decided(engine, staff)
    assert [document(engine, case.number).number for case in (first, second, third)] == [
        "市场监管许字〔2026〕第1号", "市场监管许字〔2026〕第2号", "市场监管许字〔2026〕第3号"]
    assert document(engine, other.number).serial == 1  # another department counts on its own
    clock.set(local_datetime(date(2027, 1, 4), 9, 0))
    next_year = decided(engine, staff)
    assert (document(engine, next_year.number).year, document(engine, next_year.number).serial) == (2027, 1)
    with engine.session() as session:
        assert decisions.next_serial(session, "SCJG", 2026) == 4  # the next one, not a number once issued


def test_the_delivery_receipt_records_who_took_the_decision_at_the_window(engine, staff, clock):
    applicant = person("王芳")
    case = decided(engine, staff, applicant=applicant)
    assert document(engine, case.number).delivered_on is None
    clock.advance(timedelta(days=1))
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, pickup_form(applicant))
    issued = document(engine, case.number)
    assert (issued.delivery_method, issued.delivered_on) == ("pickup", date(2026, 11, 24))
    assert (issued.recipient_name, issued.recipient_role) == ("王芳", "申请人本人")
    assert issued.delivery_recorded_by_id == staff["clerk1"].id


def test_the_delivery_receipt_of_a_posted_decision_is_the_parcels_confirmation(engine, staff, clock):
    case = decided(engine, staff, delivery="post")
    engine.complete_task(staff["clerk2"], only_task(engine, case.number).id,
                         {"carrier": "EMS", "waybill_number": "EMS1234567890", "handed_to": "邮政揽收员赵六"})
    clock.advance(timedelta(days=1))
    engine.complete_task(staff["clerk2"], only_task(engine, case.number).id,
                         {"delivered_on": "2026-11-24", "signed_by": "张三家属"})
    issued = document(engine, case.number)
    assert (issued.delivery_method, issued.delivered_on, issued.recipient_name) == ("post", date(2026, 11, 24), "张三家属")
    assert issued.delivery_note == "EMS EMS1234567890"


def test_approvers_deciding_at_once_get_consecutive_numbers(postgres_url):
    """Six decisions of one department at once, over two engines: each waits on the counter row."""
    engines = [CaseEngine(postgres_url, clock=SimulatedClock(START)) for _ in range(2)]
    try:
        staff = actors(engines[0])
        numbers = []
        for index in range(6):
            case = engines[0].create_case(staff["clerk1"], SCJG_ITEM, person(), intake(engines[0], SCJG_ITEM))
            task = only_task(engines[0], case.number)
            approver = staff["scjg_approver1" if index % 2 else "scjg_approver2"]
            engines[0].claim_task(approver, task.id)
            numbers.append((case.number, task.id, approver))
        barrier, failures = threading.Barrier(len(numbers)), []

        def decide(engine, task_id, approver):
            barrier.wait()
            try:
                engine.complete_task(approver, task_id, {"decision": "approve", "opinion": "符合法定条件"})
            except Exception as error:  # a failure is the test's finding
                failures.append(error)
        threads = [threading.Thread(target=decide, args=(engines[index % 2], task_id, approver))
                   for index, (_number, task_id, approver) in enumerate(numbers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        with engines[0].session() as session:
            serials = sorted(session.scalars(select(DecisionDocument.serial)))
        assert serials == [1, 2, 3, 4, 5, 6]
    finally:
        for engine in engines:
            engine.db.dispose()


def _model_copy(tmp_path):
    directory = tmp_path / "processes"
    shutil.copytree(PROCESS_DIR, directory)
    return directory, directory / "one_window.bpmn"


def test_the_document_follows_the_models_declaration_not_the_step(engine, staff, tmp_path):
    directory, model = _model_copy(tmp_path)
    declaration = '          <spiffworkflow:property name="document" value="permit_granted" />\n'
    text = model.read_text("utf-8")
    assert text.count(declaration) == 1
    model.write_text(text.replace(declaration, ""), encoding="utf-8")
    engine.deploy_processes(directory)
    case = decided(engine, staff)
    assert case.status == "正常办结" and document(engine, case.number) is None


def test_a_model_issuing_a_document_where_nothing_is_decided_is_refused_at_deploy(engine, tmp_path):
    directory, model = _model_copy(tmp_path)
    text = model.read_text("utf-8")
    refusal = '          <spiffworkflow:property name="refusal" value="not_accepted" />\n'
    model.write_text(text.replace(refusal, refusal + '          <spiffworkflow:property name="document" '
                                                     'value="permit_refused" />\n'), encoding="utf-8")
    with pytest.raises(ProcessDefinitionError, match="milestone = decided"):
        engine.deploy_processes(directory)


@pytest.mark.parametrize(("who", "requested", "reads"), [
    ("supervisor", None, None), ("admin", "ZJJ", "ZJJ"), ("director", None, None), ("scjg_chief", None, "SCJG"),
    ("scjg_chief", "SCJG", "SCJG"), ("scjg_chief", "ZJJ", "department"), ("scjg_approver1", None, "role"),
    ("clerk1", None, "role")])
def test_whose_refusals_each_role_reads(engine, staff, who, requested, reads):
    if reads in ("department", "role"):
        with pytest.raises(Forbidden) as refused:
            permissions.refusal_register_department(staff[who], requested)
        assert refused.value.field == reads
    else:
        assert permissions.refusal_register_department(staff[who], requested) == reads
