"""The supervisor's board, the ledger page and the public progress lookup."""

from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from engine.clock import local_datetime
from engine.ledger.models import LedgerEntry
from tests.helpers import intake, only_task, person


def _late_case(engine, staff, clock):
    case = engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002"))
    engine.claim_task(staff["scjg_approver1"], only_task(engine, case.number).id)
    clock.set(local_datetime(date(2026, 12, 9), 9))  # two working days late
    engine.sweep_deadlines()
    return case


def test_the_board_shows_late_cases_by_department_and_person(sign_in, engine, staff, clock):
    case = _late_case(engine, staff, clock)
    supervisor = sign_in("supervisor")
    page = supervisor.get("/board/").data.decode()
    assert case.number in page and "李明" in page
    summary = supervisor.get("/api/v1/board/summary").json
    scjg = next(row for row in summary["departments"] if row["code"] == "SCJG")
    assert (scjg["red"], summary["flagged"][0]["working_days_late"]) == (1, 2)
    assert supervisor.get("/api/v1/board/summary?state=yellow").json["flagged"] == []
    bad = supervisor.get("/api/v1/board/summary?state=purple")
    assert bad.status_code == 422 and bad.json["field"] == "state"
    assert supervisor.get("/board/?department=NOPE").status_code == 422
    assert sign_in("clerk1").get("/api/v1/board/summary").status_code == 403


def test_the_ledger_page_for_supervisors_and_staff(sign_in, engine, staff, clock):
    _late_case(engine, staff, clock)
    supervisor = sign_in("supervisor")
    page = supervisor.get("/ledger/?period=2026-12").data.decode()
    assert "XL-02" in page and "李明" in page
    recorded = supervisor.post("/ledger/record?period=2026-12", data={
        "csrf_token": supervisor.csrf, "staff_id": str(staff["clerk1"].id), "rule_code": "JF-01",
        "occurred_on": "2026-12-08", "quantity": "1", "evidence": "申请人赠送锦旗"})
    assert recorded.status_code == 302
    bad = supervisor.post("/ledger/record", data={"csrf_token": supervisor.csrf, "staff_id": str(staff["clerk1"].id),
                                                   "rule_code": "JF-01", "occurred_on": "2026-12-08",
                                                   "quantity": "99", "evidence": "x"})
    assert bad.status_code == 422 and "quantity" in bad.data.decode()
    assert supervisor.get("/ledger/?period=2026-13").status_code == 422
    workbook = load_workbook(BytesIO(supervisor.get("/ledger/export?period=2026-12").data))
    assert "考核结果" in workbook.sheetnames

    approver = sign_in("scjg_approver1")
    own = approver.get("/ledger/?period=2026-12").data.decode()
    assert "XL-02" in own and "申请人赠送锦旗" not in own
    with engine.session() as session:
        entry_id = session.scalar(select(func.min(LedgerEntry.id)))
    clerk = sign_in("clerk2")
    assert clerk.post("/ledger/appeal", data={"csrf_token": clerk.csrf, "entry_id": str(entry_id),
                                              "reason": "不是我的"}).status_code == 403
    assert approver.post("/ledger/appeal?period=2026-12", data={"csrf_token": approver.csrf, "entry_id": str(entry_id),
                                                                "reason": "当日系统故障"}).status_code == 302
    assert approver.get("/ledger/export?period=2026-12").status_code == 403


def test_the_public_lookup_shows_status_only_to_the_right_phone(app, engine, staff):
    case = engine.create_case(staff["clerk1"], "SCJG-002", person(phone="13912345678"), intake(engine, "SCJG-002"))
    client = app.test_client()
    token = client.get("/progress/").data.decode().split('name="csrf-token" content="')[1].split('"')[0]
    right = client.post("/progress/", data={"csrf_token": token, "number": case.number, "phone_tail": "5678"})
    assert right.status_code == 200 and "已受理" in right.data.decode() and person()["id_number"] not in right.data.decode()
    wrong = client.post("/progress/", data={"csrf_token": token, "number": case.number, "phone_tail": "0000"})
    unknown = client.post("/progress/", data={"csrf_token": token, "number": "ZW2099010100001", "phone_tail": "5678"})
    assert wrong.status_code == unknown.status_code == 404
    assert client.post("/progress/", data={"csrf_token": token, "number": "x", "phone_tail": "1"}).status_code == 422


def test_the_public_lookup_is_rate_limited(db_url, clock):
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "CLOCK": clock, "RATELIMIT_ENABLED": True})
    client = app.test_client()
    token = client.get("/progress/").data.decode().split('name="csrf-token" content="')[1].split('"')[0]
    statuses = [client.post("/progress/", data={"csrf_token": token, "number": "ZW2099010100001",
                                                "phone_tail": "1234"}).status_code for _ in range(11)]
    assert statuses[:10] == [404] * 10 and statuses[10] == 429
    app.extensions["onewindow"].db.dispose()
