"""The decision documents on the case page, their print pages (in Chinese always) and the
notices API of a case, on SQLite and PostgreSQL."""

from datetime import timedelta

from tests.helpers import approve_in_back_office, intake, only_task, person, pickup_form

ITEM = "SCJG-002"


def _decided(engine, staff, decision="approve", applicant=None):
    case = engine.create_case(staff["clerk1"], ITEM, applicant or person(), intake(engine, ITEM))
    return approve_in_back_office(engine, case.number, staff["scjg_approver1"], decision)


def test_the_notices_api_lists_every_notice_and_the_decision_documents(app, engine, staff, sign_in, clock):
    applicant = person("赵敏")
    case = _decided(engine, staff, applicant=applicant)
    clock.advance(timedelta(days=1))
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, pickup_form(applicant))
    listed = sign_in("scjg_approver1").get(f"/api/v1/cases/{case.number}/notices")
    assert listed.status_code == 200
    assert listed.json == [
        {"kind": "acceptance", "title": "受理通知书", "number": None, "issued_at": "2026-11-23",
         "print_url": f"/cases/{case.number}/notices/acceptance/1"},
        {"kind": "permit_granted", "title": "准予行政许可决定书", "number": "市场监管许字〔2026〕第1号",
         "issued_at": "2026-11-23", "print_url": f"/cases/{case.number}/notices/permit_granted/1"},
        {"kind": "delivery_receipt", "title": "送达回证", "number": "市场监管许字〔2026〕第1号",
         "issued_at": "2026-11-24", "print_url": f"/cases/{case.number}/notices/delivery_receipt/1"}]
    record = sign_in("clerk1").get(f"/api/v1/cases/{case.number}").json
    assert [given["kind"] for given in record["notices"]] == ["acceptance", "permit_granted", "delivery_receipt"]


def test_the_refusal_prints_its_reasons_and_the_applicants_remedies_in_chinese(app, engine, staff, sign_in):
    case = _decided(engine, staff, decision="reject")
    clerk = sign_in("clerk1")
    page = clerk.get(f"/cases/{case.number}").data.decode()
    given = page.split('class="panel notices-given"')[1].split("</section>")[0]
    assert "不予行政许可决定书" in given and "市场监管许字〔2026〕第1号" in given
    printed = clerk.get(f"/cases/{case.number}/notices/permit_refused/1",
                        headers={"Accept-Language": "en"}).data.decode()
    assert "不予行政许可决定书" in printed and "市场监管许字〔2026〕第1号" in printed
    assert "经营场所不符合卫生要求" in printed and "第三十八条第二款" in printed
    assert "60 日内依法申请行政复议" in printed and "6 个月内依法向人民法院提起行政诉讼" in printed
    assert "示范市市场监督管理局（印章）" in printed and "2026年11月23日" in printed
    assert clerk.get(f"/cases/{case.number}/notices/permit_granted/1").status_code == 404
    assert clerk.get(f"/cases/{case.number}/notices/delivery_receipt/1").status_code == 404  # not served yet


def test_the_granted_decision_and_its_receipt_print_as_issued(app, engine, staff, sign_in, clock):
    applicant = person("钱多多")
    case = _decided(engine, staff, applicant=applicant)
    clock.advance(timedelta(days=2))
    engine.complete_task(staff["clerk2"], only_task(engine, case.number).id, pickup_form(applicant))
    clerk = sign_in("clerk1")
    granted = clerk.get(f"/cases/{case.number}/notices/permit_granted/1").data.decode()
    assert "决定准予行政许可" in granted and "钱多多：" in granted and "第三十八条第一款" in granted
    assert "行政复议" not in granted
    receipt = clerk.get(f"/cases/{case.number}/notices/delivery_receipt/1").data.decode()
    assert "直接送达（窗口领取）" in receipt and "2026年11月25日" in receipt
    assert "钱多多（申请人本人）" in receipt and "刘建国" in receipt  # clerk2 served it


def test_a_case_before_its_decision_lists_no_document(app, engine, staff, sign_in):
    case = engine.create_case(staff["clerk1"], ITEM, person(), intake(engine, ITEM))
    listed = sign_in("clerk1").get(f"/api/v1/cases/{case.number}/notices").json
    assert [given["kind"] for given in listed] == ["acceptance"]
    assert sign_in("zjj_approver1").get(f"/api/v1/cases/{case.number}/notices").status_code == 403


def test_the_decision_api_gives_the_document_as_issued_and_its_service(app, engine, staff, sign_in, clock):
    applicant = person("孙悦")
    case = _decided(engine, staff, decision="reject", applicant=applicant)
    client = sign_in("scjg_chief")
    issued = client.get(f"/api/v1/cases/{case.number}/decision").json
    assert (issued["kind"], issued["number"], issued["authority"]) == (
        "permit_refused", "市场监管许字〔2026〕第1号", "示范市市场监督管理局")
    assert "经营场所不符合卫生要求" in issued["reasons"] and issued["law"].endswith("第三十八条第二款")
    assert (issued["reconsideration_days"], issued["litigation_months"]) == (60, 6)
    assert issued["issued_at"] == "2026-11-23T09:00:00+08:00" and issued["delivered_on"] is None
    clock.advance(timedelta(days=1))
    engine.complete_task(staff["clerk2"], only_task(engine, case.number).id, pickup_form(applicant))
    served = client.get(f"/api/v1/cases/{case.number}/decision").json
    assert (served["delivery_method"], served["delivered_on"], served["recipient_name"], served["delivered_by"]) == (
        "pickup", "2026-11-24", "孙悦", "刘建国")
    undecided = engine.create_case(staff["clerk1"], ITEM, person(), intake(engine, ITEM))
    missing = client.get(f"/api/v1/cases/{undecided.number}/decision")
    assert (missing.status_code, missing.json["field"]) == (404, "case_number")
