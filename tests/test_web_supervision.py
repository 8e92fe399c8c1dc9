"""The supervision API and pages: bad ratings verified, satisfaction rates, rectifications closed
by their department, complaints registered, answered and verified; roles and bad input."""

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.audit.models import AuditEntry
from engine.clock import local_datetime
from engine.ledger.models import LedgerEntry
from engine.supervision.models import Complaint
from tests.helpers import token_client
from tests.test_supervision import COMPLAINT, rated_case


@pytest.fixture
def api(app):
    return lambda username: token_client(app, username)


def count(engine, model, *where) -> int:
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_bad_rating_is_verified_rectified_and_counted_through_the_api(api, engine, staff):
    bad = rated_case(engine, staff, "不满意", comment="态度差")
    rated_case(engine, staff, "非常满意", immediate=True)
    supervisor = api("supervisor")
    (pending,) = supervisor.get("/api/v1/supervision/ratings").json
    assert (pending["case_number"], pending["verification"], pending["responsible_name"], pending["comment"]) == (
        bad.number, "pending", "李明", "态度差")
    refused = supervisor.post(f"/api/v1/supervision/ratings/{bad.number}/verification", json={"verdict": "real"})
    assert (refused.status_code, refused.json["field"]) == (422, "reason")
    verified = supervisor.post(f"/api/v1/supervision/ratings/{bad.number}/verification",
                               json={"verdict": "real", "reason": "回访属实"})
    assert verified.status_code == 200, verified.json
    assert (verified.json["verification"], verified.json["rectification"]["due_on"]) == ("real", "2026-12-14")
    again = supervisor.post(f"/api/v1/supervision/ratings/{bad.number}/verification",
                            json={"verdict": "not_real", "not_real_kind": "mistaken", "reason": "改判"})
    assert (again.status_code, again.json["field"]) == (409, "case_number")
    assert count(engine, LedgerEntry, LedgerEntry.rule_code == "TD-07") == 1

    sheet = supervisor.get("/api/v1/supervision/satisfaction?period=2026-11").json
    assert (sheet["total"]["rated"], sheet["total"]["good"], sheet["total"]["rate"]) == (2, 1, 50.0)
    assert [(row["department_code"], row["rate"]) for row in sheet["departments"]] == [("JTYS", 100.0), ("SCJG", 0.0)]
    assert {row["name"]: row["rate"] for row in sheet["staff"]} == {"李明": 0.0, "王晓燕": 100.0}
    assert supervisor.get("/api/v1/supervision/satisfaction?period=0000").status_code == 422
    assert supervisor.get("/api/v1/supervision/ratings?state=weird").json["field"] == "state"

    outsider = api("zrgh_chief")
    assert outsider.get("/api/v1/supervision/rectifications").json == []
    closing = outsider.post(f"/api/v1/supervision/rectifications/{bad.number}/close", json={"feedback": "已整改"})
    assert closing.status_code == 403
    chief = api("scjg_chief")
    (open_one,) = chief.get("/api/v1/supervision/rectifications").json
    assert (open_one["case_number"], open_one["state"], open_one["overdue"]) == (bad.number, "open", False)
    assert chief.post(f"/api/v1/supervision/rectifications/{bad.number}/close", json={}).json["field"] == "feedback"
    closed = chief.post(f"/api/v1/supervision/rectifications/{bad.number}/close",
                        json={"feedback": "已约谈经办人，电话回访申请人"})
    assert (closed.status_code, closed.json["state"], closed.json["closed_by"]) == (200, "closed", "孙首席")
    assert chief.post(f"/api/v1/supervision/rectifications/{bad.number}/close",
                      json={"feedback": "again"}).status_code == 409


def test_complaints_through_the_api_with_overdue_replies(api, engine, staff, clock):
    supervisor = api("supervisor")
    created = supervisor.post("/api/v1/supervision/complaints", json={**COMPLAINT, "target_staff_id": staff["clerk2"].id})
    assert created.status_code == 201, created.json
    number = created.json["number"]
    assert (number, created.json["reply_due_on"], created.json["target_staff_name"]) == (
        "TS202611230001", "2026-11-26", "刘建国")
    assert supervisor.get("/api/v1/supervision/complaints/overdue").json == {"count": 0, "complaints": []}
    clock.set(local_datetime(date(2026, 11, 27), 9))
    overdue = supervisor.get("/api/v1/supervision/complaints/overdue").json
    assert overdue["count"] == 1 and overdue["complaints"][0]["working_days_late"] == 1
    assert [row["number"] for row in supervisor.get("/api/v1/supervision/complaints?state=overdue").json] == [number]
    replied = supervisor.post(f"/api/v1/supervision/complaints/{number}/reply", json={"reply": "已向投诉人致歉并说明"})
    assert (replied.status_code, replied.json["replied_by"], replied.json["reply_overdue"]) == (200, "赵督查", False)
    verified = supervisor.post(f"/api/v1/supervision/complaints/{number}/verification",
                               json={"verdict": "verified", "reason": "调取录像属实"})
    assert (verified.status_code, verified.json["verdict"]) == (200, "verified")
    with engine.session() as session:
        assert session.execute(select(LedgerEntry.staff_id, LedgerEntry.rule_code)).all() == [
            (staff["clerk2"].id, "TD-05")]
    assert supervisor.post(f"/api/v1/supervision/complaints/{number}/verification",
                           json={"verdict": "verified", "reason": "再次"}).status_code == 409
    assert supervisor.get(f"/api/v1/supervision/complaints/{number}").json["verdict_reason"] == "调取录像属实"


BAD_COMPLAINTS = [
    ({"channel": "托梦"}, 422, "channel"),
    ({"complainant_phone": "110"}, 422, "complainant_phone"),
    ({"content": "x" * 2001}, 422, "content"),
    ({"content": "含\x00字符"}, 400, "content"),
    ({"target_staff_id": 2**40}, 422, "target_staff_id"),
    ({"target_staff_id": 99999}, 404, "target_staff_id"),
    ({"target_department_code": "NOPE"}, 404, "target_department_code"),
    ({"case_number": "ZW2099010100001"}, 404, "case_number"),
    ({"unexpected": 1}, 422, "unexpected"),
]


def test_bad_complaints_are_refused_naming_the_field(api, engine):
    supervisor = api("supervisor")
    for change, status, field in BAD_COMPLAINTS:
        response = supervisor.post("/api/v1/supervision/complaints",
                                   json=COMPLAINT | {"target_window": "1号窗口"} | change)
        assert (response.status_code, response.json.get("field")) == (status, field), response.json
    assert count(engine, Complaint) == 0


def test_unknown_complaints_and_other_roles_are_refused(api, engine):
    supervisor = api("supervisor")
    others = {username: api(username) for username in ("clerk1", "scjg_approver1", "scjg_chief")}
    audited = count(engine, AuditEntry)  # signing in is audited; nothing after it may be
    missing = supervisor.post("/api/v1/supervision/complaints/TS209901010001/reply", json={"reply": "答复"})
    assert (missing.status_code, missing.json["field"]) == (404, "complaint_number")
    too_long = supervisor.post(f"/api/v1/supervision/complaints/{'T' * 300}/reply", json={"reply": "答复"})
    assert too_long.status_code == 404
    for client in others.values():
        assert client.post("/api/v1/supervision/complaints", json=COMPLAINT | {"target_window": "1号窗口"}
                           ).status_code == 403
        assert client.get("/api/v1/supervision/ratings").status_code == 403
        assert client.get("/api/v1/supervision/satisfaction").status_code == 403
    assert others["clerk1"].get("/api/v1/supervision/rectifications").status_code == 403
    assert count(engine, Complaint) == 0 and count(engine, AuditEntry) == audited


def test_the_supervisor_verifies_and_keeps_complaints_on_the_pages(sign_in, engine, staff):
    bad = rated_case(engine, staff, "非常不满意", immediate=True)
    supervisor = sign_in("supervisor")
    assert supervisor.get("/supervision/").location == "/supervision/ratings"
    page = supervisor.get("/supervision/ratings").data.decode()
    assert "待核实差评" in page and bad.number in page and "王晓燕（clerk1）" in page
    bad_period = supervisor.get("/supervision/ratings?period=2026-13")
    assert bad_period.status_code == 422 and "period" in bad_period.data.decode()
    refused = supervisor.post(f"/supervision/ratings/{bad.number}/verify",
                              data={"csrf_token": supervisor.csrf, "verdict": "not_real", "reason": "恶意"})
    assert refused.status_code == 422 and "not_real_kind" in refused.data.decode()
    done = supervisor.post(f"/supervision/ratings/{bad.number}/verify", data={
        "csrf_token": supervisor.csrf, "verdict": "not_real", "not_real_kind": "malicious", "reason": "恶意差评"})
    assert done.status_code == 303
    page = supervisor.get("/supervision/ratings").data.decode()
    assert "没有待核实的差评" in page and "恶意差评" in page

    form = {**COMPLAINT, "csrf_token": supervisor.csrf, "target_staff_id": str(staff["clerk1"].id), "complex": "on"}
    registered = supervisor.post("/supervision/complaints", data=form)
    assert registered.status_code == 303 and registered.location == "/supervision/complaints/TS202611230001"
    detail = supervisor.get(registered.location).data.decode()
    assert "2026-11-30" in detail and "记录答复" in detail
    blank = supervisor.post("/supervision/complaints", data={**form, "complainant_phone": ""})
    assert blank.status_code == 422 and "complainant_phone" in blank.data.decode()
    assert 'value="李女士"' in blank.data.decode()  # what was typed is kept
    replied = supervisor.post("/supervision/complaints/TS202611230001/reply",
                              data={"csrf_token": supervisor.csrf, "reply": "已答复投诉人"})
    assert replied.status_code == 303 and "已答复投诉人" in supervisor.get(replied.location).data.decode()
    again = supervisor.post("/supervision/complaints/TS202611230001/reply",
                            data={"csrf_token": supervisor.csrf, "reply": "再答复"})
    assert again.status_code == 409
    assert supervisor.get("/supervision/complaints/TS209901010001").status_code == 404
    assert count(engine, Complaint) == 1


def test_the_department_closes_its_rectification_on_its_page(sign_in, engine, staff):
    bad = rated_case(engine, staff, "不满意")
    engine.supervision.verify_rating(staff["supervisor"], bad.number, verdict="real", reason="属实")
    outsider = sign_in("zrgh_approver1")
    assert bad.number not in outsider.get("/supervision/rectifications").data.decode()
    assert outsider.post(f"/supervision/rectifications/{bad.number}/close",
                         data={"csrf_token": outsider.csrf, "feedback": "越权"}).status_code == 403
    approver = sign_in("scjg_approver2")
    assert approver.get("/supervision/").location == "/supervision/rectifications"
    assert approver.get("/supervision/ratings").status_code == 403
    assert bad.number in approver.get("/supervision/rectifications").data.decode()
    closed = approver.post(f"/supervision/rectifications/{bad.number}/close",
                           data={"csrf_token": approver.csrf, "feedback": "已整改并回访"})
    assert closed.status_code == 303
    assert "已整改并回访" in approver.get("/supervision/rectifications?state=closed").data.decode()
    assert sign_in("clerk1").get("/supervision/rectifications").status_code == 403


def test_the_supervision_pages_in_english(sign_in, engine, staff):
    rated_case(engine, staff, "不满意", immediate=True)
    supervisor = sign_in("supervisor")
    supervisor.get("/lang/en")
    ratings = supervisor.get("/supervision/ratings").data.decode()
    assert "Bad ratings to verify" in ratings and "Ratings and complaints" in ratings and "待核实差评" not in ratings
    complaints = supervisor.get("/supervision/complaints").data.decode()
    assert "Register a complaint" in complaints and "登记投诉" not in complaints
