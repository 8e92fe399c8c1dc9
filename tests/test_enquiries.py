"""Enquiries (首问负责, 咨询): the first person asked registers and answers or refers it; the department
it is referred to answers it; an online enquiry unanswered after 2 working days is charged XL-06 once."""

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.audit.models import AuditEntry
from engine.clock import local_datetime
from engine.enquiries.models import Enquiry
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.ledger.models import LedgerEntry
from engine.outbox.models import OutboxEvent
from engine.runtime import CaseEngine
from scheduler import jobs
from tests.test_concurrency import race

PHONE = "13800138000"
THURSDAY = local_datetime(date(2026, 11, 26), 9, 0)


def ask(engine, **overrides):
    fields = {"asker_name": "张三", "asker_phone": PHONE, "question": "食品经营许可需要哪些材料？",
              "department_code": "SCJG", **overrides}
    return engine.enquiries.ask_online(**fields)


def online_id(engine, number):
    with engine.session() as session:
        return session.scalar(select(Enquiry.id).where(Enquiry.number == number))


def count(engine, model, *where):
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_first_person_asked_registers_and_answers_and_the_asker_is_told(engine, staff):
    line = engine.enquiries.register(staff["clerk1"], channel="window", asker_name="李四", asker_phone=PHONE,
                                     item_code="SCJG-002", question="营业执照变更要多久？")
    assert (line.enquiry.state, line.first_staff, line.item_name, line.enquiry.reply_due_on) == (
        "open", "王晓燕", "食品经营许可（新办）", None)
    assert line.enquiry.number == "ZX202611230001" and line.may_handle
    answered = engine.enquiries.answer(staff["clerk1"], line.enquiry.id, "当场办结，约一个工作日。")
    assert (answered.enquiry.state, answered.answered_by, answered.may_handle) == ("answered", "王晓燕", False)
    with engine.session() as session:
        event = session.scalar(select(OutboxEvent).where(OutboxEvent.kind == "enquiry_answered"))
        assert event.payload["data"]["enquiry_number"] == line.enquiry.number
        assert [delivery.recipient for delivery in event.deliveries] == [PHONE]
        assert line.enquiry.number in event.deliveries[0].message
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["enquiry_register", "enquiry_answer"]
    with pytest.raises(Conflict):
        engine.enquiries.answer(staff["clerk1"], line.enquiry.id, "再答一次")


def test_a_referral_is_answered_by_the_department_and_not_by_another(engine, staff):
    line = engine.enquiries.register(staff["clerk2"], channel="phone", asker_name="王五", question="建房审批在哪办？")
    referred = engine.enquiries.refer(staff["clerk2"], line.enquiry.id, department="ZRGH", days=3, note="属规划业务")
    assert (referred.enquiry.state, referred.enquiry.department_code) == ("referred", "ZRGH")
    assert referred.enquiry.referral_due_on == date(2026, 11, 26)       # Monday + 3 working days
    assert [(row.referral.department_code, row.referred_by) for row in referred.referrals] == [("ZRGH", "刘建国")]
    with pytest.raises(NotFound):                                        # another department cannot find it
        engine.enquiries.answer(staff["scjg_chief"], line.enquiry.id, "不归我们")
    with pytest.raises(NotFound):                                        # nor another clerk
        engine.enquiries.answer(staff["clerk1"], line.enquiry.id, "我来答")
    with pytest.raises(Forbidden) as refused:                            # supervisors read, they do not answer
        engine.enquiries.answer(staff["supervisor"], line.enquiry.id, "督查答复")
    assert refused.value.field == "enquiry_id"
    assert [row.enquiry.id for row in engine.enquiries.listing(staff["zrgh_approver1"])] == [line.enquiry.id]
    assert engine.enquiries.listing(staff["scjg_approver1"]) == []
    assert engine.enquiries.listing(staff["clerk1"]) == []
    done = engine.enquiries.answer(staff["zrgh_approver1"], line.enquiry.id, "到自然资源窗口办理。")
    assert done.answered_by == "吴刚"
    assert [row.enquiry.id for row in engine.enquiries.listing(staff["supervisor"], state="answered")] == [line.enquiry.id]


def _referred_events(engine) -> list[tuple[str, str, list[str], str]]:
    with engine.session() as session:
        events = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "enquiry_referred")
                                 .order_by(OutboxEvent.id))
        return [(event.payload["data"]["enquiry_number"], event.payload["data"]["department_code"],
                 [delivery.recipient for delivery in event.deliveries], event.deliveries[0].message)
                for event in events]


def test_the_department_an_enquiry_is_for_is_told_with_the_step_that_gave_it(engine, staff):
    receipt = ask(engine, item_code="SCJG-002", department_code=None)       # online: SCJG's at receipt
    line = engine.enquiries.register(staff["clerk1"], channel="window", asker_name="李四", question="建房审批在哪办？")
    assert [number for number, *_ in _referred_events(engine)] == [receipt.number]   # the 首问 person holds his own
    engine.enquiries.refer(staff["clerk1"], line.enquiry.id, department="ZRGH", days=3)
    assert _referred_events(engine) == [
        (receipt.number, "SCJG", ["SCJG:approver"], f"咨询{receipt.number}待本部门答复，请于2026-11-25前答复。"),
        (line.enquiry.number, "ZRGH", ["ZRGH:approver"], f"咨询{line.enquiry.number}待本部门答复，请于2026-11-26前答复。")]
    with pytest.raises(Conflict):                                              # a refused referral tells nobody
        engine.enquiries.refer(staff["clerk1"], line.enquiry.id, department="ZRGH", days=3)
    assert len(_referred_events(engine)) == 2


def test_refusals_name_the_field_and_change_nothing(engine, staff):
    cases = [
        (dict(channel="fax"), "channel"), (dict(asker_name=""), "asker_name"),
        (dict(question=" "), "question"), (dict(question="问" * 2001), "question"),
        (dict(asker_phone="12"), "asker_phone"), (dict(channel="online", asker_phone=None), "asker_phone"),
        (dict(item_code="NOPE"), "item_code"), (dict(asker_name="a\x07b"), "asker_name"),
    ]
    for overrides, field in cases:
        fields = {"channel": "window", "asker_name": "张三", "question": "问题", **overrides}
        with pytest.raises((InvalidInput, NotFound)) as refused:
            engine.enquiries.register(staff["clerk1"], **fields)
        assert refused.value.field == field, overrides
        assert refused.value.details.get("label") or "(" in refused.value.message
    with pytest.raises(Forbidden):
        engine.enquiries.register(staff["supervisor"], channel="window", asker_name="张三", question="问题")
    line = engine.enquiries.register(staff["clerk1"], channel="window", asker_name="张三", question="问题")
    for department, days, field in (("NOPE", 2, "department"), ("SCJG", 0, "days"), ("SCJG", "2", "days"),
                                    (None, 2, "department"), ("SCJG", 21, "days")):
        with pytest.raises((InvalidInput, NotFound)) as refused:
            engine.enquiries.refer(staff["clerk1"], line.enquiry.id, department=department, days=days)
        assert refused.value.field == field
    for junk in (None, "1", -1, 2**40, True):
        with pytest.raises(NotFound):
            engine.enquiries.answer(staff["clerk1"], junk, "答复")
    with pytest.raises(InvalidInput) as refused:
        engine.enquiries.answer(staff["clerk1"], line.enquiry.id, "")
    assert refused.value.details["label"] == "答复内容"
    with pytest.raises(InvalidInput):
        engine.enquiries.listing(staff["supervisor"], state="lost")
    assert count(engine, Enquiry) == 1 and engine.enquiries.line(staff["clerk1"], line.enquiry.id).enquiry.state == "open"


def test_an_online_enquiry_is_for_a_department_and_its_asker_reads_the_answer(engine, staff):
    receipt = ask(engine, item_code="SCJG-002", department_code=None)
    assert (receipt.reply_due_on, receipt.answered) == (date(2026, 11, 25), False)
    enquiry_id = online_id(engine, receipt.number)
    line = engine.enquiries.line(staff["scjg_chief"], enquiry_id)
    assert (line.enquiry.department_code, line.first_staff, line.may_handle) == ("SCJG", None, True)
    with pytest.raises(InvalidInput):                   # the item is another department's
        ask(engine, item_code="SCJG-002", department_code="ZRGH")
    with pytest.raises(InvalidInput) as refused:        # nobody in particular was asked: name the department
        ask(engine, department_code=None)
    assert refused.value.field == "department"
    engine.enquiries.answer(staff["scjg_approver2"], enquiry_id, "请携带身份证和场所证明。")
    seen = engine.enquiries.public_answer(receipt.number.lower(), PHONE)
    assert (seen.answered, seen.answer, seen.answered_on) == (True, "请携带身份证和场所证明。", date(2026, 11, 23))
    for number, phone in ((receipt.number, "13900139000"), ("ZX202611239999", PHONE)):
        with pytest.raises(NotFound) as refused:        # a wrong phone and a wrong number say the same
            engine.enquiries.public_answer(number, phone)
        assert refused.value.field == "receipt_number"
    with pytest.raises(InvalidInput):
        engine.enquiries.public_answer("ZW1", PHONE)


def test_an_online_enquiry_unanswered_after_two_working_days_is_charged_once(engine, staff, clock):
    late = online_id(engine, ask(engine).number)
    answered = online_id(engine, ask(engine).number)
    engine.enquiries.answer(staff["scjg_approver1"], answered, "已答复")
    clock.set(local_datetime(date(2026, 11, 25), 17, 0))  # its second working day: not late yet
    assert jobs.charge_late_enquiries(engine) == 0
    clock.set(THURSDAY)
    assert engine.enquiries.listing(staff["supervisor"], overdue=True)[0].enquiry.id == late
    assert jobs.charge_late_enquiries(engine) == 1
    assert jobs.charge_late_enquiries(engine) == 0
    with engine.session() as session:
        entries = list(session.scalars(select(LedgerEntry).where(LedgerEntry.rule_code == "XL-06")))
    # Referred to SCJG at receipt: its chief representative answers for the department.
    assert [(entry.staff_id, entry.points, entry.occurred_on) for entry in entries] == [
        (staff["scjg_chief"].id, -3, date(2026, 11, 26))]
    line = engine.enquiries.line(staff["supervisor"], late)
    assert (line.enquiry.lapsed_on, line.charged_staff) == (date(2026, 11, 26), "孙首席")
    engine.enquiries.answer(staff["scjg_chief"], late, "迟到的答复")  # still answered, the charge stays
    assert count(engine, LedgerEntry, LedgerEntry.rule_code == "XL-06") == 1


def test_a_late_online_enquiry_the_first_person_holds_is_his(engine, staff, clock):
    line = engine.enquiries.register(staff["clerk3"], channel="online", asker_name="赵六", asker_phone=PHONE,
                                     question="网站上的表格在哪下载？")
    assert line.enquiry.reply_due_on == date(2026, 11, 25)
    clock.set(THURSDAY)
    assert jobs.charge_late_enquiries(engine) == 1
    with engine.session() as session:
        assert session.scalar(select(LedgerEntry.staff_id).where(LedgerEntry.rule_code == "XL-06")) == staff["clerk3"].id


def test_a_year_missing_from_the_calendar_gives_a_provisional_due_day(engine, clock):
    clock.set(local_datetime(date(2035, 6, 1), 10, 0))     # a Friday, in a year nobody imported
    receipt = ask(engine)
    assert receipt.reply_due_on == date(2035, 6, 5)
    with engine.session() as session:
        assert session.get(Enquiry, online_id(engine, receipt.number)).reply_due_provisional


def test_two_schedulers_racing_charge_a_late_enquiry_once(postgres_url, clock):
    engine = CaseEngine(postgres_url, clock=clock)
    try:
        clock.set(local_datetime(date(2026, 11, 23), 9, 0))
        for _ in range(5):
            ask(engine)
        clock.set(THURSDAY)
        results = race(postgres_url, clock, 2, lambda eng, i: jobs.charge_late_enquiries(eng))
        assert sum(results) == 5, results
        assert count(engine, LedgerEntry, LedgerEntry.rule_code == "XL-06") == 5
        assert count(engine, AuditEntry, AuditEntry.action == "enquiry_late") == 5
    finally:
        engine.db.dispose()


