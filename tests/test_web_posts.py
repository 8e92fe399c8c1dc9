"""The A/B post page and API (AB岗): windows, absences recorded and cancelled by the supervisor,
refusals naming their field with nothing written, and B's inbox while A is away."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.audit.models import AuditEntry
from engine.staff.models import PostAbsence
from tests.helpers import intake, only_task, person, token_client

ABSENCE = {"window_code": "SCJG-01", "b_staff": "scjg_approver2", "starts_on": "2026-11-23",
           "ends_on": "2026-11-24", "reason": "参加培训"}
REVIEW = {"decision": "approve", "opinion": "经审查，申请材料齐全，符合法定条件"}


@pytest.fixture
def api(app):
    return lambda username: token_client(app, username)


def written(engine) -> tuple[int, int]:
    with engine.session() as session:
        return (session.scalar(select(func.count()).select_from(PostAbsence)),
                session.scalar(select(func.count()).select_from(AuditEntry)))


def test_the_supervisor_records_lists_and_cancels_absences_through_the_api(api, engine):
    supervisor = api("supervisor")
    windows = supervisor.get("/api/v1/windows").json
    assert [(w["code"], w["a_username"], w["b_username"], w["a_absent_today"]) for w in windows] == [
        ("ZH-01", "clerk1", "clerk2", False), ("ZH-02", "clerk2", "clerk3", False),
        ("SCJG-01", "scjg_approver1", "scjg_approver2", False)]
    assert windows[0]["department_name"] == "综合窗口" and windows[2]["department_code"] == "SCJG"

    created = supervisor.post("/api/v1/absences", json=ABSENCE)
    assert created.status_code == 201, created.json
    assert (created.json["working_days"], created.json["a_name"], created.json["b_name"], created.json["state"]) == (
        2, "李明", "周红", "current")
    absence_id = created.json["id"]
    assert [row["id"] for row in supervisor.get("/api/v1/absences").json] == [absence_id]
    assert supervisor.get("/api/v1/windows").json[2]["a_absent_today"] is True
    # A and B see their own absence; someone else sees none.
    assert [row["id"] for row in api("scjg_approver2").get("/api/v1/absences").json] == [absence_id]
    assert api("clerk1").get("/api/v1/absences").json == []

    cancelled = supervisor.post(f"/api/v1/absences/{absence_id}/cancel")
    assert (cancelled.status_code, cancelled.json["state"], cancelled.json["cancelled_by"]) == (200, "cancelled", "赵督查")
    again = supervisor.post(f"/api/v1/absences/{absence_id}/cancel")
    assert (again.status_code, again.json["field"]) == (409, "absence_id")
    assert supervisor.get("/api/v1/absences").json == []
    assert [row["state"] for row in supervisor.get("/api/v1/absences?state=all").json] == ["cancelled"]
    with engine.session() as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("absence_%"))
                                       .order_by(AuditEntry.id)))
    assert actions == ["absence_record", "absence_cancel"]


@pytest.mark.parametrize("change, status, field", [
    ({"b_staff": "zrgh_approver2"}, 422, "b_staff"),
    ({"b_staff": "scjg_approver1"}, 422, "b_staff"),
    ({"starts_on": "2026-11-25", "ends_on": "2026-11-24"}, 422, "ends_on"),
    ({"starts_on": "2026-11-16", "ends_on": "2026-11-20"}, 422, "ends_on"),
    ({"starts_on": "2026-11-23", "ends_on": "2026-12-22"}, 422, "ends_on"),
    ({"ends_on": "2027-01-05"}, 422, "ends_on"),
    ({"ends_on": "not a date"}, 422, "ends_on"),
    ({"window_code": "NOPE"}, 404, "window_code"),
    ({"reason": ""}, 422, "reason"),
])
def test_bad_absences_are_refused_naming_the_field_and_nothing_is_written(api, engine, change, status, field):
    supervisor = api("supervisor")  # signing in is audited: before counting
    before = written(engine)
    response = supervisor.post("/api/v1/absences", json={**ABSENCE, **change})
    assert (response.status_code, response.json["field"]) == (status, field), response.json
    assert written(engine) == before


def test_an_overlap_is_a_conflict_and_other_roles_are_forbidden(api, engine):
    supervisor = api("supervisor")
    assert supervisor.post("/api/v1/absences", json=ABSENCE).status_code == 201
    others = [api(username) for username in ("clerk1", "scjg_approver1", "scjg_chief")]
    before = written(engine)
    overlap = supervisor.post("/api/v1/absences", json={**ABSENCE, "starts_on": "2026-11-24", "ends_on": "2026-11-26"})
    assert (overlap.status_code, overlap.json["field"]) == (409, "starts_on")
    for client in others:
        assert client.post("/api/v1/absences", json={**ABSENCE, "starts_on": "2026-12-01",
                                                      "ends_on": "2026-12-01"}).status_code == 403
        assert client.post("/api/v1/absences/1/cancel").status_code == 403
    assert written(engine) == before


def test_the_page_records_refuses_and_cancels(sign_in, engine):
    supervisor = sign_in("supervisor")
    page = supervisor.get("/supervision/posts/").data.decode()
    assert "综合窗口1" in page and "王晓燕（clerk1）" in page and "周红（scjg_approver2）" in page

    before = written(engine)
    refused = supervisor.post("/supervision/posts/absences", data={**ABSENCE, "b_staff": "clerk3",
                                                                   "csrf_token": supervisor.csrf})
    assert refused.status_code == 422
    text = refused.data.decode()
    assert "陈美玲(clerk3) 不是 市场监管审批窗口 的B岗" in text and 'data-field="b_staff"' in text
    assert 'value="参加培训"' in text  # the form as typed
    assert written(engine) == before

    recorded = supervisor.post("/supervision/posts/absences", data={**ABSENCE, "csrf_token": supervisor.csrf},
                               follow_redirects=True)
    assert recorded.status_code == 200
    assert "已登记 李明 离岗 2026-11-23 至 2026-11-24（2 个工作日），由 周红 代岗" in recorded.data.decode()
    with engine.session() as session:
        absence_id = session.scalar(select(PostAbsence.id))
    cancelled = supervisor.post(f"/supervision/posts/absences/{absence_id}/cancel",
                                data={"csrf_token": supervisor.csrf}, follow_redirects=True)
    assert "已取消 李明 的离岗登记" in cancelled.data.decode()
    assert sign_in("clerk1").get("/supervision/posts/").status_code == 403


def test_the_page_in_english(sign_in):
    supervisor = sign_in("supervisor")
    supervisor.get("/lang/en")
    page = supervisor.get("/supervision/posts/").data.decode()
    assert "A/B posts" in page and "Record an absence of an A post" in page and "登记A岗离岗" not in page


def test_b_sees_and_completes_as_work_with_a_badge_until_the_absence_ends(app, api, sign_in, engine, staff, clock):
    cases = [engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002")) for _ in range(2)]
    tasks = [only_task(engine, case.number) for case in cases]
    for task in tasks:
        engine.claim_task(staff["scjg_approver1"], task.id)
    b_page, b_api = sign_in("scjg_approver2"), api("scjg_approver2")
    assert cases[0].number not in b_page.get("/tasks/?mine=1").data.decode()

    assert api("supervisor").post("/api/v1/absences", json=ABSENCE).status_code == 201
    inbox = b_page.get("/tasks/?mine=1").data.decode()
    assert cases[0].number in inbox and cases[1].number in inbox and inbox.count("代岗（李明）") == 2
    assert {row["id"] for row in b_api.get("/api/v1/tasks?mine=true").json} == {task.id for task in tasks}
    done = b_api.post(f"/api/v1/tasks/{tasks[0].id}/complete", json=REVIEW)
    assert done.status_code == 200, done.json

    clock.advance(timedelta(days=2))  # Wednesday 25 November: the absence ended yesterday
    assert clock.today() == date(2026, 11, 25)
    assert cases[1].number not in b_page.get("/tasks/?mine=1").data.decode()
    late = b_api.post(f"/api/v1/tasks/{tasks[1].id}/complete", json=REVIEW)
    assert (late.status_code, late.json["field"]) == (409, "task_id")
    assert only_task(engine, cases[1].number).assignee_id == staff["scjg_approver1"].id
