"""The window and department pages and API: scores, department deductions, the feedback report."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.helpers import token_client


@pytest.fixture
def api(app):
    """An API client (bearer token, as outside callers use it)."""
    return lambda username: token_client(app, username)


def _late(client, staff, username="scjg_approver1"):
    response = client.post("/api/v1/ledger/entries", json={
        "staff_id": staff[username].id, "rule_code": "JL-18", "occurred_on": "2026-11-20", "evidence": "擅自减免规费"})
    assert response.status_code == 201, response.json


def _department_entry(client, code="SCJG", **overrides):
    return client.post(f"/api/v1/ledger/departments/{code}/entries", json={
        "rule_code": "BM-01", "occurred_on": "2026-11-18", "evidence": "未经同意调换进驻人员", **overrides})


def test_windows_and_departments_through_the_api(api, staff):
    supervisor = api("supervisor")
    _late(supervisor, staff)
    recorded = _department_entry(supervisor)
    assert recorded.status_code == 201, recorded.json
    assert {key: recorded.json[key] for key in ("department_code", "rule_code", "points", "recorded_by")} == {
        "department_code": "SCJG", "rule_code": "BM-01", "points": "-5.0", "recorded_by": staff["supervisor"].name}
    windows = supervisor.get("/api/v1/ledger/windows?period=2026-11").json
    by_code = {row["code"]: row for row in windows["rows"]}
    # SCJG-01: A scjg_approver1 (96) and B scjg_approver2 (100), no ratings.
    assert (by_code["SCJG-01"]["staff_score"], by_code["SCJG-01"]["score"], by_code["SCJG-01"]["rank"]) == (
        "98.0", "98.0", 3)
    assert by_code["ZH-01"]["satisfaction"] is None and by_code["ZH-01"]["excellent"] is True
    departments = supervisor.get("/api/v1/ledger/departments?period=2026-11").json
    scjg = next(row for row in departments["rows"] if row["code"] == "SCJG")
    assert (scjg["staff_score"], scjg["own_deductions"], scjg["score"]) == ("98.7", "-5.0", "93.7")
    feedback = supervisor.get("/api/v1/ledger/departments/SCJG/feedback?period=2026-11").json
    assert feedback["department"]["code"] == "SCJG" and len(feedback["rows"]) == 3
    assert [entry["rule_code"] for entry in feedback["entries"]] == ["JL-18"]
    assert [entry["rule_code"] for entry in feedback["department_entries"]] == ["BM-01"]
    assert feedback["rows"][-1]["categories"][4] == {"category": "遵章守纪", "budget": "20.0", "deductions": "-4.0",
                                                     "counted": "-4.0", "remaining": "16.0"}
    exported = supervisor.get("/api/v1/ledger/departments/SCJG/feedback.xlsx?period=2026-11")
    assert exported.status_code == 200 and "feedback-SCJG-2026-11.xlsx" in exported.headers["Content-Disposition"]
    assert load_workbook(BytesIO(exported.data))["部门扣分"]["E4"].value == "未经同意调换进驻人员"


def test_bad_department_requests_are_refused_with_their_field(api):
    supervisor = api("supervisor")
    assert _department_entry(supervisor, "NOPE").json["field"] == "department"
    refused = _department_entry(supervisor, rule_code="JL-18")
    assert (refused.status_code, refused.json["field"]) == (422, "rule_code")
    assert _department_entry(supervisor, occurred_on="2027-01-01").json["field"] == "occurred_on"
    assert supervisor.get("/api/v1/ledger/departments/NOPE/feedback").status_code == 404
    assert supervisor.get("/api/v1/ledger/windows?period=2026-13").status_code == 422
    clerk = api("clerk1")
    assert clerk.get("/api/v1/ledger/windows").status_code == 403
    assert clerk.get("/api/v1/ledger/departments/SCJG/feedback.xlsx").status_code == 403
    assert _department_entry(clerk).status_code == 403


def test_the_pages_show_windows_departments_and_the_printable_feedback(sign_in, api, staff):
    _late(api("supervisor"), staff)
    supervisor = sign_in("supervisor")
    windows = supervisor.get("/ledger/windows?period=2026-11").data.decode()
    assert 'data-window="SCJG-01"' in windows and "优秀窗口" in windows
    departments = supervisor.get("/ledger/departments?period=2026-11")
    assert departments.status_code == 200 and 'data-department="SCJG"' in departments.data.decode()
    posted = supervisor.post("/ledger/departments/record?period=2026-11", data={
        "csrf_token": supervisor.csrf, "department": "SCJG", "rule_code": "BM-01", "occurred_on": "2026-11-18",
        "evidence": "擅自调换"})
    assert posted.status_code == 303 and "/ledger/departments" in posted.headers["Location"]
    refused = supervisor.post("/ledger/departments/record", data={
        "csrf_token": supervisor.csrf, "department": "SCJG", "rule_code": "BM-01", "occurred_on": "2026-11-18",
        "evidence": " "})
    assert refused.status_code == 422 and 'data-field="evidence"' in refused.data.decode()
    year = supervisor.get("/ledger/?period=2026")
    assert year.status_code == 200 and "平时考评（季度平均）：99.0" in year.data.decode()
    assert supervisor.get("/ledger/windows?period=2026").status_code == 200
    bad = supervisor.get("/ledger/windows?period=2026-13")
    assert bad.status_code == 422 and 'data-field="period"' in bad.data.decode()
    page = supervisor.get("/ledger/departments/SCJG/feedback?period=2026-11").data.decode()
    assert "进驻工作人员考核结果反馈" in page and "擅自调换" in page and "data-print" in page
    supervisor.get("/lang/en")
    english = supervisor.get("/ledger/departments/SCJG/feedback?period=2026-11").data.decode()
    assert "进驻工作人员考核结果反馈" in english and "Print" in english  # the document stays Chinese
    assert "Window scores" in supervisor.get("/ledger/windows").data.decode()
    assert sign_in("clerk1").get("/ledger/windows").status_code == 403
