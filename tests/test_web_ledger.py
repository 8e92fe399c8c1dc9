"""The ledger API (考核台账) and the ledger page's filters, for supervisors and staff."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from engine.ledger.models import LedgerEntry
from engine.ledger.rules import DEMO_RULES, read_rules_file
from tests.helpers import token_client


@pytest.fixture
def sign_in(app):
    return lambda username: token_client(app, username)


def _entry(client, staff, username="clerk1", rule="JL-05", **overrides):
    body = {"staff_id": staff[username].id, "rule_code": rule, "occurred_on": "2026-11-23",
            "evidence": "11月23日 9:05 到岗，考勤机记录", **overrides}
    return client.post("/api/v1/ledger/entries", json=body)


def test_a_supervisor_records_and_reads_entries_with_names(sign_in, staff):
    supervisor = sign_in("supervisor")
    created = _entry(supervisor, staff, quantity=2)
    assert created.status_code == 201, created.json
    assert {key: created.json[key] for key in ("staff_name", "rule_code", "points", "state", "recorded_by")} == {
        "staff_name": staff["clerk1"].name, "rule_code": "JL-05", "points": "-2.0", "state": "active",
        "recorded_by": staff["supervisor"].name}
    listed = supervisor.get("/api/v1/ledger/entries?period=2026-11").json
    assert [row["id"] for row in listed] == [created.json["id"]]
    assert supervisor.get("/api/v1/ledger/entries?period=2026-10").json == []


def test_filters_by_staff_department_and_rule(sign_in, staff):
    supervisor = sign_in("supervisor")
    late = _entry(supervisor, staff).json["id"]
    absent = _entry(supervisor, staff, username="scjg_approver1", rule="JN-06").json["id"]

    def ids(query):
        response = supervisor.get(f"/api/v1/ledger/entries?period=2026-11&{query}")
        assert response.status_code == 200, response.json
        return [row["id"] for row in response.json]
    assert ids(f"staff_id={staff['clerk1'].id}") == [late]
    assert ids("department=SCJG") == [absent]
    assert ids("rule_code=JN-06") == [absent]
    assert ids("rule_code=JN-06&department=ZJJ") == []
    scores = supervisor.get("/api/v1/ledger/scores?period=2026-11&department=SCJG").json
    assert {row["department_code"] for row in scores["rows"]} == {"SCJG"}
    page = supervisor.get("/ledger/?period=2026-11&department=SCJG&rule_code=JN-06").data.decode()
    assert "旷工（每半天）" in page and "11月23日 9:05" in page and "迟到、早退10分钟以内</td>" not in page


@pytest.mark.parametrize("query, field", [
    ("period=2026-13", "period"), ("staff_id=99999", "staff_id"), ("staff_id=abc", "staff_id"),
    ("department=NOPE", "department"), ("rule_code=ZZ-99", "rule_code"),
])
def test_a_filter_naming_nothing_is_refused_with_the_field(sign_in, query, field):
    response = sign_in("supervisor").get(f"/api/v1/ledger/entries?{query}")
    assert response.status_code in (400, 422) and field in str(response.json), response.json
    page = sign_in("supervisor").get(f"/ledger/?{query}")
    assert page.status_code in (400, 422) and field in page.data.decode()


@pytest.mark.parametrize("change, field", [
    ({"staff_id": "1"}, "staff_id"), ({"staff_id": 99999}, "staff_id"), ({"rule_code": "ZZ-99"}, "rule_code"),
    ({"rule_code": "XL-02"}, "rule_code"), ({"occurred_on": "2026-12-31"}, "occurred_on"),
    ({"occurred_on": "yesterday"}, "occurred_on"), ({"quantity": 11}, "quantity"), ({"quantity": -1}, "quantity"),
    ({"evidence": "   "}, "evidence"), ({"evidence": "x" * 2001}, "evidence"),
])
def test_bad_entries_are_refused_naming_the_field_and_nothing_is_written(sign_in, engine, staff, change, field):
    response = _entry(sign_in("supervisor"), staff, **change)
    assert response.status_code in (400, 404, 422) and field in str(response.json), response.json
    with engine.session() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_staff_see_their_own_ledger_and_appeal_only_their_own_entries(sign_in, staff):
    supervisor = sign_in("supervisor")
    mine = _entry(supervisor, staff).json["id"]
    other = _entry(supervisor, staff, username="clerk2").json["id"]
    clerk = sign_in("clerk1")
    assert [row["id"] for row in clerk.get("/api/v1/ledger/entries").json] == [mine]
    assert clerk.get(f"/api/v1/ledger/entries?staff_id={staff['clerk2'].id}").status_code == 403
    assert clerk.get("/api/v1/ledger/entries?department=SCJG").status_code == 403
    assert [row["staff_id"] for row in clerk.get("/api/v1/ledger/scores").json["rows"]] == [staff["clerk1"].id]
    assert clerk.post(f"/api/v1/ledger/entries/{other}/appeal", json={"reason": "不是我"}).status_code == 403
    assert clerk.post("/api/v1/ledger/entries/99999/appeal", json={"reason": "不是我"}).status_code == 404
    assert clerk.post(f"/api/v1/ledger/entries/{mine}/appeal", json={}).status_code == 422
    appealed = clerk.post(f"/api/v1/ledger/entries/{mine}/appeal", json={"reason": "考勤机故障"})
    assert (appealed.status_code, appealed.json["state"]) == (200, "appealed")
    assert clerk.post(f"/api/v1/ledger/entries/{mine}/appeal", json={"reason": "再申请"}).status_code == 409
    assert clerk.post(f"/api/v1/ledger/entries/{mine}/decision",
                      json={"decision": "cancel", "reason": "自己撤销"}).status_code == 403
    assert _entry(clerk, staff).status_code == 403


def test_the_supervisor_decides_an_appeal_and_a_cancelled_entry_stays_visible(sign_in, staff):
    supervisor, clerk = sign_in("supervisor"), sign_in("clerk1")
    entry = _entry(supervisor, staff).json["id"]
    assert supervisor.post(f"/api/v1/ledger/entries/{entry}/decision",
                           json={"decision": "cancel", "reason": "核实"}).status_code == 409  # not appealed
    clerk.post(f"/api/v1/ledger/entries/{entry}/appeal", json={"reason": "考勤机故障"})
    bad = supervisor.post(f"/api/v1/ledger/entries/{entry}/decision", json={"decision": "forget", "reason": "x"})
    assert bad.status_code == 422 and "decision" in str(bad.json)
    decided = supervisor.post(f"/api/v1/ledger/entries/{entry}/decision",
                              json={"decision": "cancel", "reason": "经核实考勤机故障"})
    assert (decided.json["state"], decided.json["decided_by"]) == ("cancelled", staff["supervisor"].name)
    (row,) = clerk.get("/api/v1/ledger/entries").json
    assert (row["state"], row["decision_reason"]) == ("cancelled", "经核实考勤机故障")
    (score,) = clerk.get("/api/v1/ledger/scores").json["rows"]
    # Everyone is at 100: tied at the edge of the 优秀 quota, the assessment group decides.
    assert (score["score"], score["grade"], score["quota_tie"], score["entry_count"]) == ("100.0", "称职", True, 0)


def test_scores_and_export_for_a_quarter(sign_in, staff):
    supervisor = sign_in("supervisor")
    _entry(supervisor, staff, rule="JN-06", quantity=3)
    sheet = supervisor.get("/api/v1/ledger/scores?period=2026-Q4").json
    assert (sheet["period"], sheet["first"], sheet["last"]) == ("2026-Q4", "2026-10-01", "2026-12-31")
    clerk1 = next(row for row in sheet["rows"] if row["staff_id"] == staff["clerk1"].id)
    assert (clerk1["score"], clerk1["deductions"], clerk1["allowance"]) == ("88.0", "-12.0", "240.0")
    exported = supervisor.get("/api/v1/ledger/export?period=2026-Q4")
    assert exported.status_code == 200 and "ledger-2026-Q4.xlsx" in exported.headers["Content-Disposition"]
    assert load_workbook(BytesIO(exported.data))["考核台账"]["B4"].value == staff["clerk1"].name
    assert supervisor.get("/api/v1/ledger/export?period=Q4").status_code == 422
    assert sign_in("clerk1").get("/api/v1/ledger/export").status_code == 403


def test_the_rule_catalogue_is_readable_by_everyone(sign_in):
    rules = sign_in("scjg_approver1").get("/api/v1/ledger/rules").json
    by_code = {rule["code"]: rule for rule in rules}
    seeded = {rule["code"] for rule in read_rules_file(DEMO_RULES)["rules"]}
    assert set(by_code) == seeded and by_code["JL-04"]["points"] == "-4.0"
    assert by_code["XL-02"]["trigger"] == "case_overdue"


def test_the_page_filters_keep_the_period_and_staff_see_no_filters(sign_in, staff):
    _entry(sign_in("supervisor"), staff)
    clerk_page = sign_in("clerk1").get("/ledger/?period=2026-11").data.decode()
    assert 'name="department"' not in clerk_page and "考勤机记录" in clerk_page
    assert sign_in("clerk1").get(f"/ledger/?staff_id={staff['clerk2'].id}").status_code == 403
    assert date(2026, 11, 23).isoformat() in clerk_page
