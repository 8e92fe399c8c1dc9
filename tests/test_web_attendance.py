"""The attendance and leave API and pages: exact shapes, refusals naming their field, the double approval
through HTTP, the punch clock's upload, and pages that redirect (303) after a POST."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.attendance.models import AttendanceRecord
from engine.clock import local_datetime
from tests.helpers import token_client

LEAVE = {"kind": "sick", "starts_on": "2026-11-24", "ends_on": "2026-11-25", "reason": "发热就医", "cover": "clerk2"}


@pytest.fixture
def api(app):
    return lambda username: token_client(app, username)


def test_signing_in_and_out_and_reading_attendance(api, clock, staff):
    clerk = api("clerk1")
    clock.set(local_datetime(date(2026, 11, 23), 9, 12))
    signed = clerk.post("/api/v1/attendance/sign-in")
    assert signed.status_code == 200, signed.json
    assert {key: signed.json[key] for key in ("username", "day", "signed_in", "signed_out", "source", "findings")} == {
        "username": "clerk1", "day": "2026-11-23", "signed_in": "09:12:00", "signed_out": None, "source": "app",
        "findings": []}
    again = clerk.post("/api/v1/attendance/sign-in")
    assert (again.status_code, again.json["code"], again.json["field"]) == (409, "conflict", "sign_in")
    clock.set(local_datetime(date(2026, 11, 23), 17, 31))
    assert clerk.post("/api/v1/attendance/sign-out").json["signed_out"] == "17:31:00"
    clock.set(local_datetime(date(2026, 11, 24), 10, 0))
    rows = clerk.get("/api/v1/attendance?from=2026-11-23&to=2026-11-24").json
    assert [(row["day"], row["findings"]) for row in rows] == [
        ("2026-11-23", [{"kind": "late", "half": "morning", "minutes": 12, "band": "late",
                         "trigger": "attendance_late"}]),
        ("2026-11-24", [])]
    refused = clerk.get("/api/v1/attendance?from=2026-11-23&to=2026-11-24&staff=clerk2")
    assert (refused.status_code, refused.json["field"]) == (403, "staff")
    everyone = api("supervisor").get("/api/v1/attendance?from=2026-11-23&to=2026-11-23").json
    assert len(everyone) == 21 and {row["username"] for row in everyone} >= {"clerk1", "scjg_chief"}
    chief = api("scjg_chief").get("/api/v1/attendance?from=2026-11-23&to=2026-11-23&staff=scjg_approver1")
    assert chief.status_code == 200 and chief.json[0]["findings"][0]["band"] == "absent"
    bad = clerk.get("/api/v1/attendance?from=2026-11-24&to=2026-11-01")
    assert (bad.status_code, bad.json["field"]) == (422, "to")
    assert api("supervisor").post("/api/v1/attendance/sign-in").json["field"] == "role"


def test_the_punch_clock_upload_refuses_a_bad_row_and_imports_a_good_file(api, clock, engine):
    clock.set(local_datetime(date(2026, 11, 25), 9, 0))
    supervisor = api("supervisor")
    bad = supervisor.post("/api/v1/attendance/import", data="username,date,time_in,time_out\nclerk1,2026-11-23,9:7x,\n",
                          content_type="text/csv")
    assert bad.status_code == 422
    assert bad.json["field"] == "file" and "第 2 行 time_in" in bad.json["message"], bad.json
    good = supervisor.post("/api/v1/attendance/import", data="username,date,time_in,time_out\nclerk1,2026-11-23,09:07,17:30\n",
                           content_type="text/csv")
    assert (good.status_code, good.json) == (201, {"imported": 1})
    assert api("clerk1").post("/api/v1/attendance/import", data="x", content_type="text/csv").status_code == 403
    with engine.session() as session:
        assert session.scalar(select(func.count()).select_from(AttendanceRecord)) == 1


def test_leave_through_the_api_department_then_center_then_return(api, clock, engine, staff):
    created = api("clerk1").post("/api/v1/leave", json=LEAVE)
    assert created.status_code == 201, created.json
    leave_id = created.json["id"]
    assert {key: created.json[key] for key in ("kind", "kind_name", "cover", "cover_name", "state", "overrun")} == {
        "kind": "sick", "kind_name": "病假", "cover": "clerk2", "cover_name": "刘建国", "state": "requested",
        "overrun": False}
    own = api("clerk1").post(f"/api/v1/leave/{leave_id}/approve")
    assert (own.status_code, own.json["field"]) == (403, "leave_id")
    early = api("supervisor").post(f"/api/v1/leave/{leave_id}/approve")
    assert early.status_code == 403
    assert [row["id"] for row in api("director").get("/api/v1/leave?scope=to_approve").json] == [leave_id]
    assert api("director").post(f"/api/v1/leave/{leave_id}/approve").json["state"] == "department_approved"
    approved = api("supervisor").post(f"/api/v1/leave/{leave_id}/approve").json
    assert (approved["state"], approved["department_approver"], approved["center_approver"]) == (
        "approved", "周主任", "赵督查")
    assert approved["absence_id"] is not None
    clock.set(local_datetime(date(2026, 11, 25), 9, 0))
    back = api("clerk1").post(f"/api/v1/leave/{leave_id}/return").json
    assert (back["state"], back["returned_on"]) == ("returned", "2026-11-25")
    assert [row["id"] for row in api("clerk1").get("/api/v1/leave").json] == [leave_id]
    missing = api("clerk1").post("/api/v1/leave", json={**LEAVE, "kind": "holiday"})
    assert (missing.status_code, missing.json["field"]) == (422, "kind")
    assert api("clerk1").post("/api/v1/leave/999999/approve").status_code == 404


def test_the_pages_sign_request_and_approve_with_303(sign_in, clock):
    clerk = sign_in("clerk1")
    page = clerk.get("/attendance/")
    assert page.status_code == 200 and "签到" in page.data.decode() and "暂无数据" in page.data.decode()
    response = clerk.post("/attendance/sign-in", data={"csrf_token": clerk.csrf})
    assert response.status_code == 303
    assert "已签到：09:00" in clerk.get("/attendance/").data.decode()
    twice = clerk.post("/attendance/sign-in", data={"csrf_token": clerk.csrf})
    assert twice.status_code == 303 and "已于 09:00 签到" in clerk.get("/attendance/").data.decode()
    assert clerk.post("/attendance/leave", data={**LEAVE, "csrf_token": clerk.csrf}).status_code == 303
    director = sign_in("director")
    approvals = director.get("/attendance/leave/approvals").data.decode()
    assert "王晓燕" in approvals and "待部门审批" in approvals
    supervisor = sign_in("supervisor")
    for path in ("/attendance/sheet?day=2026-11-23", "/attendance/bulletin?week=2026-11-23",
                 "/attendance/leave/approvals"):
        assert supervisor.get(path).status_code == 200, path
    workbook = supervisor.get("/attendance/bulletin.xlsx?week=2026-11-23")
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"
    assert clerk.get("/attendance/sheet").status_code == 403


def test_the_administrator_sets_the_working_hours_on_the_setup_page(sign_in, engine):
    admin = sign_in("admin")
    page = admin.get("/admin/hours").data.decode()
    assert 'value="09:00"' in page and "05-01" in page
    fields = {"season": "winter", "morning_start": "08:30", "morning_end": "12:00", "afternoon_start": "14:00",
              "afternoon_end": "17:30", "csrf_token": admin.csrf}
    refused = admin.post("/admin/hours", data={**fields, "afternoon_end": "13:00"})
    assert refused.status_code == 422 and 'data-field="afternoon_end"' in refused.data.decode()
    assert admin.post("/admin/hours", data=fields).status_code == 303
    assert engine.attendance.hours().winter.morning_start.strftime("%H:%M") == "08:30"
    assert sign_in("supervisor").get("/admin/hours").status_code == 403


def test_leave_refused_and_withdrawn_through_the_api(api, engine):
    leave_id = api("clerk1").post("/api/v1/leave", json=LEAVE).json["id"]
    early = api("supervisor").post(f"/api/v1/leave/{leave_id}/refuse", json={"reason": "人手不足"})
    assert (early.status_code, early.json["field"]) == (403, "leave_id")
    blank = api("director").post(f"/api/v1/leave/{leave_id}/refuse", json={})
    assert (blank.status_code, blank.json["field"]) == (422, "reason")
    refused = api("director").post(f"/api/v1/leave/{leave_id}/refuse", json={"reason": "年底人手不足"})
    assert refused.status_code == 200, refused.json
    assert {key: refused.json[key] for key in ("state", "refused_by", "refused_stage", "refusal_reason")} == {
        "state": "refused", "refused_by": "周主任", "refused_stage": "department", "refusal_reason": "年底人手不足"}
    again = api("director").post(f"/api/v1/leave/{leave_id}/refuse", json={"reason": "再次"})
    assert again.status_code == 409
    second = api("clerk1").post("/api/v1/leave", json={**LEAVE, "starts_half": "pm", "ends_half": "am"}).json
    assert (second["starts_half"], second["ends_half"], second["state"]) == ("pm", "am", "requested")
    assert api("clerk2").post(f"/api/v1/leave/{second['id']}/withdraw").status_code == 403
    withdrawn = api("clerk1").post(f"/api/v1/leave/{second['id']}/withdraw")
    assert (withdrawn.status_code, withdrawn.json["state"]) == (200, "withdrawn")
    not_b = api("clerk1").post("/api/v1/leave", json={**LEAVE, "cover": "clerk3"})   # not ZH-01's B post
    assert (not_b.status_code, not_b.json["field"]) == (422, "cover") and "clerk2" in not_b.json["message"]
    half = api("clerk1").post("/api/v1/leave", json={**LEAVE, "ends_half": "noon"})
    assert (half.status_code, half.json["field"]) == (422, "ends_half")


def test_the_pages_refuse_and_withdraw_with_303(sign_in):
    clerk = sign_in("clerk1")
    assert clerk.post("/attendance/leave", data={**LEAVE, "starts_half": "pm", "csrf_token": clerk.csrf}).status_code == 303
    mine = clerk.get("/attendance/").data.decode()
    assert "2026-11-24 下午" in mine and "撤回" in mine
    director = sign_in("director")
    approvals = director.get("/attendance/leave/approvals").data.decode()
    assert "不予批准理由" in approvals
    leave_id = re.search(r"/attendance/leave/(\d+)/refuse", approvals).group(1)
    blank = director.post(f"/attendance/leave/{leave_id}/refuse", data={"reason": "", "csrf_token": director.csrf})
    assert blank.status_code == 303 and "待部门审批" in director.get("/attendance/leave/approvals").data.decode()
    refused = director.post(f"/attendance/leave/{leave_id}/refuse",
                            data={"reason": "年底人手不足", "csrf_token": director.csrf})
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/attendance/leave/approvals")
    assert "部门审批：周主任，年底人手不足" in clerk.get("/attendance/").data.decode()
    assert clerk.post("/attendance/leave", data={**LEAVE, "csrf_token": clerk.csrf}).status_code == 303
    page = clerk.get("/attendance/").data.decode()
    other = re.search(r"/attendance/leave/(\d+)/withdraw", page).group(1)
    withdrawn = clerk.post(f"/attendance/leave/{other}/withdraw", data={"csrf_token": clerk.csrf})
    assert withdrawn.status_code == 303 and "已撤回" in clerk.get("/attendance/").data.decode()
