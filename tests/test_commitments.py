"""容缺受理 + 承诺制 through CaseEngine: what a commitment may cover, its tracking, and the
delivery that waits for it, on SQLite and PostgreSQL."""

from datetime import date

import pytest
from sqlalchemy import func, select, table

from engine.clock import local_datetime
from engine.commitments.models import Commitment
from engine.errors import Conflict, Forbidden, InvalidInput
from tests.helpers import person, resident_id

ITEM = "SCJG-002"  # 承诺件, 10 working days; M03 and M04 may be committed, M01 and M02 not
COUNTED = ("service_case", "case_commitment", "human_task", "audit_entry", "workflow_state")


def commitment_intake(committed: list[dict]) -> dict:
    committed_codes = {entry["code"] for entry in committed}
    received = [code for code in ("M01", "M02", "M03", "M04") if code not in committed_codes]
    return {"received_materials": received, "material_defects": [], "acceptable": True, "delivery_method": "pickup",
            "committed_materials": committed}


def counts(engine) -> dict:
    with engine.session() as session:
        return {name: session.scalar(select(func.count()).select_from(table(name))) for name in COUNTED}


def commitments(engine, number: str) -> list[tuple]:
    with engine.session() as session:
        case_id = engine.get_case(number).id
        return [(row.material_code, row.due_on, row.state) for row in session.scalars(
            select(Commitment).where(Commitment.case_id == case_id).order_by(Commitment.id))]


def open_ids(engine, number: str) -> list[str]:
    return sorted(task.bpmn_id for task in engine.open_tasks(number))


def complete(engine, actor, number: str, bpmn_id: str, form: dict):
    (task,) = [task for task in engine.open_tasks(number) if task.bpmn_id == bpmn_id]
    return engine.complete_task(actor, task.id, form)


@pytest.mark.parametrize(("committed", "refusal", "field"), [
    ([{"code": "M01", "due_on": "2026-11-30"}], InvalidInput, "committed_materials.0.code"),
    ([{"code": "M04", "due_on": "2026-11-23"}], InvalidInput, "committed_materials.0.due_on"),  # today
    ([{"code": "M04", "due_on": "2026-11-20"}], InvalidInput, "committed_materials.0.due_on"),
    # The promised limit of 10 working days ends Monday 7 December.
    ([{"code": "M04", "due_on": "2026-12-08"}], InvalidInput, "committed_materials.0.due_on"),
    ([{"code": "M04", "due_on": "2026-11-30"}, {"code": "M04", "due_on": "2026-12-01"}], InvalidInput,
     "committed_materials.1.code"),
])
def test_a_commitment_outside_the_rules_is_refused_and_changes_nothing(engine, staff, committed, refusal, field):
    before = counts(engine)
    with pytest.raises(refusal) as error:
        engine.create_case(staff["clerk1"], ITEM, person(), commitment_intake(committed))
    assert error.value.field == field
    assert counts(engine) == before


def test_a_commitment_up_to_the_promised_limit_is_accepted_and_tracked(engine, staff, clock):
    case = engine.create_case(staff["clerk1"], ITEM, person(), commitment_intake([{"code": "M04",
                                                                                   "due_on": "2026-12-07"}]))
    assert (case.status, case.due_date, case.commitment_due, case.commitment_state) == (
        "已受理", date(2026, 12, 7), date(2026, 12, 7), "normal")
    assert commitments(engine, case.number) == [("M04", date(2026, 12, 7), "open")]
    collect = next(task for task in engine.open_tasks(case.number) if task.bpmn_id == "collect_commitment")
    assert (collect.role, collect.due_date) == ("clerk", date(2026, 12, 7))


def test_commitment_turns_yellow_then_red_and_delivery_waits_for_the_material(engine, staff, clock):
    case = engine.create_case(staff["clerk1"], ITEM, person(), commitment_intake([{"code": "M04",
                                                                                   "due_on": "2026-11-27"}]))
    assert open_ids(engine, case.number) == ["collect_commitment", "review"]
    for day, state in ((date(2026, 11, 25), "normal"), (date(2026, 11, 26), "yellow"), (date(2026, 11, 28), "red")):
        clock.set(local_datetime(day, 9))
        engine.sweep_deadlines()
        assert engine.get_case(case.number).commitment_state == state, day
    clock.set(local_datetime(date(2026, 11, 30), 9))
    case = approve_in_back_office_among(engine, staff, case.number)
    assert case.decision == "approve" and open_ids(engine, case.number) == ["collect_commitment"]  # no pickup yet
    case = complete(engine, staff["clerk2"], case.number, "collect_commitment",
                    {"commitment_outcome": "supplied", "commitment_note": "申请人已补交食品安全管理制度原件"})
    assert (case.commitment_due, case.commitment_state) == (None, "normal")
    assert commitments(engine, case.number) == [("M04", date(2026, 11, 27), "supplied")]
    assert open_ids(engine, case.number) == ["window_pickup"]


def approve_in_back_office_among(engine, staff, number: str):
    review = next(task for task in engine.open_tasks(number) if task.bpmn_id == "review")
    engine.claim_task(staff["scjg_approver1"], review.id)
    return engine.complete_task(staff["scjg_approver1"], review.id, {"decision": "approve", "opinion": "同意"})


def test_the_chief_withholds_then_releases_and_the_applicant_is_refused_next_time(engine, staff, clock):
    applicant = person()
    case = engine.create_case(staff["clerk1"], ITEM, applicant, commitment_intake([{"code": "M03",
                                                                                    "due_on": "2026-11-25"}]))
    case = approve_in_back_office_among(engine, staff, case.number)
    refer = {"commitment_outcome": "refer_to_chief", "commitment_note": "申请人逾期未补交"}
    clock.set(local_datetime(date(2026, 11, 26), 9))
    complete(engine, staff["clerk1"], case.number, "collect_commitment", refer)
    assert open_ids(engine, case.number) == ["release_result"]
    with pytest.raises(Forbidden):
        complete(engine, staff["scjg_approver1"], case.number, "release_result",
                 {"release_decision": "release", "release_reason": "同意"})
    complete(engine, staff["scjg_chief"], case.number, "release_result",
             {"release_decision": "withhold", "release_reason": "继续督促补交"})
    assert open_ids(engine, case.number) == ["collect_commitment"]
    assert commitments(engine, case.number) == [("M03", date(2026, 11, 25), "open")]
    complete(engine, staff["clerk1"], case.number, "collect_commitment", refer)
    case = complete(engine, staff["scjg_chief"], case.number, "release_result",
                    {"release_decision": "release", "release_reason": "不影响许可结果，准予出件并记录失信"})
    assert open_ids(engine, case.number) == ["window_pickup"]
    assert commitments(engine, case.number) == [("M03", date(2026, 11, 25), "released")]

    before = counts(engine)
    with pytest.raises(Conflict) as error:
        engine.create_case(staff["clerk1"], ITEM, applicant, commitment_intake([{"code": "M04",
                                                                                 "due_on": "2026-12-01"}]))
    assert error.value.field == "committed_materials" and counts(engine) == before
    # Without a commitment the same applicant is served as usual; another applicant may commit.
    engine.create_case(staff["clerk1"], ITEM, applicant, commitment_intake([]))
    other = person("李四", id_number=resident_id(serial="456"))
    engine.create_case(staff["clerk1"], ITEM, other, commitment_intake([{"code": "M04", "due_on": "2026-12-01"}]))


def test_a_commitment_still_owed_after_its_date_blocks_a_new_one(engine, staff, clock):
    applicant = person()
    engine.create_case(staff["clerk1"], ITEM, applicant, commitment_intake([{"code": "M04", "due_on": "2026-11-24"}]))
    clock.set(local_datetime(date(2026, 11, 25), 9))
    before = counts(engine)
    with pytest.raises(Conflict):
        engine.create_case(staff["clerk1"], ITEM, applicant, commitment_intake([{"code": "M03",
                                                                                 "due_on": "2026-11-30"}]))
    assert counts(engine) == before


def test_the_back_office_proceeds_after_the_commitment_date(engine, staff, clock):
    """The commitment was checked when it was given; later steps are not refused because its date passed."""
    case = engine.create_case(staff["clerk1"], ITEM, person(), commitment_intake([{"code": "M04",
                                                                                   "due_on": "2026-11-24"}]))
    clock.set(local_datetime(date(2026, 11, 26), 9))
    case = approve_in_back_office_among(engine, staff, case.number)
    assert case.decision == "approve"
    complete(engine, staff["clerk1"], case.number, "collect_commitment",
             {"commitment_outcome": "supplied", "commitment_note": "逾期两日补交"})
    assert open_ids(engine, case.number) == ["window_pickup"]
