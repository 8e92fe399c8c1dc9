"""engine.permissions is the one home of who may do what with a case or a task, and
engine.masking the one rule for ID and phone numbers; the pages, the API and the engine's
actions all ask them (issue 12, issue 19 points 8 and 18). SQLite and PostgreSQL."""

import pytest

from engine import masking, permissions
from engine.errors import InvalidInput, OneWindowError
from engine.validation import text
from tests.helpers import intake, only_task, person

FOOD_LICENCE = "SCJG-002"  # 承诺件 of SCJG
JOINT = "ZRGH-001"  # 联办件: lead ZRGH, co ZJJ


def outcome(action) -> bool:
    try:
        action()
    except OneWindowError:
        return False
    return True


@pytest.mark.parametrize("holder", [None, "scjg_approver1", "scjg_approver2"])
@pytest.mark.parametrize("who", ["scjg_approver1", "scjg_approver2", "scjg_chief", "zjj_approver1", "clerk1"])
def test_the_buttons_shown_are_the_actions_the_engine_allows(engine, staff, who, holder):
    """What task_actions() shows is exactly what claim / unclaim / complete then do."""
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE))
    row = only_task(engine, case.number)
    if holder:
        engine.claim_task(staff[holder], row.id)
    actor = staff[who]
    shown = permissions.task_actions(actor, only_task(engine, case.number))
    assert shown.claim.allowed == outcome(lambda: engine.claim_task(actor, row.id))
    if shown.claim:
        engine.unclaim_task(actor, row.id)
        if holder:
            engine.claim_task(staff[holder], row.id)
    assert shown.unclaim.allowed == outcome(lambda: engine.unclaim_task(actor, row.id))
    if shown.unclaim and holder:
        engine.claim_task(staff[holder], row.id)
    shown = permissions.task_actions(actor, only_task(engine, case.number))
    form = {"decision": "approve", "opinion": "经审查，申请材料齐全，符合法定条件"}
    assert shown.complete.allowed == outcome(lambda: engine.complete_task(actor, row.id, form))
    for decision in (shown.claim, shown.unclaim, shown.complete):
        assert decision.allowed == (decision.reason is None)


def test_a_refusal_names_its_reason_and_raises_it(engine, staff):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE))
    row = only_task(engine, case.number)
    refused = permissions.may_complete(staff["scjg_approver1"], row)
    assert not refused and "must be claimed" in refused.reason
    with pytest.raises(OneWindowError, match="must be claimed"):
        refused.check()
    assert "belongs to department SCJG" in permissions.may_claim(staff["zjj_approver1"], row).reason


def test_a_co_reviewing_department_may_view_the_joint_case(engine, staff):
    case = engine.create_case(staff["clerk1"], JOINT, person(), intake(engine, JOINT))
    food = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE))
    with engine.session() as session:
        assert permissions.may_view_case(session, staff["zjj_approver1"], engine.get_case(case.number))
        assert not permissions.may_view_case(session, staff["zjj_approver1"], engine.get_case(food.number))
        assert not permissions.may_view_case(session, staff["scjg_approver1"], engine.get_case(case.number))


# -- issue 19 point 8: the co-reviewer's 联审会签 page ------------------------------------------

def test_the_co_reviewer_opens_the_joint_diagram_and_sees_the_lead_as_handling_department(app, engine, staff,
                                                                                          sign_in):
    case = engine.create_case(staff["clerk1"], JOINT, person(), intake(engine, JOINT))
    part = next(task for task in engine.open_tasks(case.number) if task.department_code == "ZJJ")
    co = sign_in("zjj_approver1")
    assert co.get(f"/api/v1/tasks/diagram/{case.number}").status_code == 200
    assert sign_in("scjg_approver1").get(f"/api/v1/tasks/diagram/{case.number}").status_code == 403
    summary = co.get(f"/api/v1/tasks/{part.id}").json["case"]
    assert (summary["department_code"], summary["department_name"]) == ("ZRGH", "示范市自然资源和规划局")
    page = co.get(f"/tasks/{part.id}").data.decode()
    assert "<th>承办部门</th><td>示范市自然资源和规划局</td>" in page


# -- issue 19 point 18: one masking rule -----------------------------------------------------

def test_one_mask_hides_the_middle_and_a_short_number_whole():
    assert masking.id_number("330102198503121234") == "330102********1234"
    assert masking.phone("13800138000") == "138****8000"
    assert masking.phone("1234567") == "*******"  # too short to keep both ends
    assert masking.phone(None) == ""


def test_the_task_page_history_and_api_mask_numbers_for_all_but_the_window(app, engine, staff, sign_in):
    applicant = person()
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, applicant,
                              intake(engine, FOOD_LICENCE, delivery="post"))
    review = only_task(engine, case.number)
    approver = sign_in("scjg_approver1")
    summary = approver.get(f"/api/v1/tasks/{review.id}").json["case"]
    assert summary["applicant"]["id_number"] == masking.id_number(applicant["id_number"])
    assert summary["applicant"]["phone"] == "138****8000"
    assert summary["postal_address"]["phone"] == "138****8000"
    intake_step = next(step for step in summary["steps"] if step["action"] == "create")
    assert intake_step["form"]["postal_address"]["phone"] == "138****8000"
    history = approver.get(f"/api/v1/cases/{case.number}/history").json
    created = next(entry for entry in history if entry["action"] == "create")
    assert created["detail"]["form"]["postal_address"]["phone"] == "138****8000"
    page = approver.get(f"/tasks/{review.id}").data.decode()
    assert "13800138000" not in page and applicant["id_number"] not in page

    clerk_history = sign_in("clerk1").get(f"/api/v1/cases/{case.number}/history").json
    created = next(entry for entry in clerk_history if entry["action"] == "create")
    assert created["detail"]["form"]["postal_address"]["phone"] == "13800138000"  # the window calls the applicant


# -- one free-text validator -------------------------------------------------------------------

def test_free_text_is_checked_by_one_rule_everywhere(engine, staff):
    assert text("  理由  ", "reason") == "理由"
    for bad, message in (("", "is required"), ("a\x00b", "control characters"), ("x" * 2001, "at most 2000")):
        with pytest.raises(InvalidInput, match=message):
            text(bad, "reason")
    with pytest.raises(InvalidInput, match="at least 2"):
        text("好", "reason", min_length=2)
    entry_evidence = "迟到\x00记录"
    with pytest.raises(InvalidInput, match="control characters") as refused:
        engine.ledger.record(staff["supervisor"], staff_id=staff["clerk1"].id, rule_code="JL-05",
                             occurred_on=engine.clock.today(), evidence=entry_evidence)
    assert refused.value.field == "evidence"
