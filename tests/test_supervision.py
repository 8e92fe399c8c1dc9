"""Ratings (好差评) verified and rectified, complaints (投诉) registered, answered and verified;
exactly-once ledger entries; working-day due dates; on SQLite and PostgreSQL."""

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.audit.models import AuditEntry
from engine.clock import local_datetime
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.ledger.models import LedgerEntry
from engine.runtime import CaseEngine
from engine.supervision.models import CaseRating, Complaint, Rectification
from tests.conftest import actors
from tests.helpers import approve_in_back_office, intake, item_code, only_task, person, pickup_form
from tests.test_concurrency import race

PICKUP = pickup_form()


def rated_case(engine, staff, rating: str, *, immediate: bool = False, comment: str | None = None):
    """A case decided (by scjg_approver1, or by clerk1 at the window), picked up and rated at clerk2's window."""
    code = item_code(engine, case_type="即办件" if immediate else "承诺件", name=None if immediate else "食品经营许可")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    if immediate:
        engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {"decision": "approve", "opinion": "当场办结"})
    else:
        approve_in_back_office(engine, case.number, staff["scjg_approver1"])
    engine.complete_task(staff["clerk2"], only_task(engine, case.number).id, PICKUP)
    form = {"rating": rating} | ({"rating_comment": comment} if comment else {})
    return engine.complete_task(staff["clerk2"], only_task(engine, case.number).id, form)


def count(engine, model, *where) -> int:
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def ledger_rows(engine):
    with engine.session() as session:
        return list(session.execute(select(LedgerEntry.staff_id, LedgerEntry.rule_code, LedgerEntry.points,
                                           LedgerEntry.violation_key)))


def test_every_rating_is_kept_and_only_a_bad_one_waits_for_verification(engine, staff):
    good = rated_case(engine, staff, "满意")
    bad = rated_case(engine, staff, "非常不满意", comment="等了很久")
    with engine.session() as session:
        kept = {row.case_id: row for row in session.scalars(select(CaseRating))}
    assert (kept[good.id].rating, kept[good.id].verification) == ("满意", "not_required")
    assert (kept[bad.id].rating, kept[bad.id].comment, kept[bad.id].verification) == ("非常不满意", "等了很久", "pending")
    # 谁办理、谁负责: the approver who decided the case; the rating was entered at clerk2's window.
    assert kept[bad.id].responsible_staff_id == staff["scjg_approver1"].id
    assert kept[bad.id].entered_by_id == staff["clerk2"].id
    actions = [entry.action for entry in engine.case_history(bad.number)]
    assert actions[-2:] == ["complete", "rating_verification_open"]
    assert "rating_verification_open" not in [entry.action for entry in engine.case_history(good.number)]
    pending = engine.supervision.ratings(staff["supervisor"], "pending")
    assert [line.case_number for line in pending] == [bad.number]


def test_an_immediate_case_answers_to_the_clerk_who_decided_it_at_the_window(engine, staff):
    case = rated_case(engine, staff, "不满意", immediate=True)
    line = engine.supervision.rating(staff["supervisor"], case.number)
    assert (line.rating.responsible_staff_id, line.responsible_name) == (staff["clerk1"].id, "王晓燕")


def test_the_verification_opens_in_the_rating_transaction_or_not_at_all(engine, staff, monkeypatch):
    code = item_code(engine, case_type="即办件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {"decision": "approve", "opinion": "同意"})
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, PICKUP)
    rating_task = only_task(engine, case.number)

    def broken(*_args):
        raise RuntimeError("disk full")
    monkeypatch.setattr(engine.supervision, "rating_recorded", broken)
    with pytest.raises(RuntimeError):
        engine.complete_task(staff["clerk1"], rating_task.id, {"rating": "不满意"})
    assert engine.get_case(case.number).rating is None
    assert only_task(engine, case.number).id == rating_task.id
    assert count(engine, CaseRating) == 0


def test_a_real_bad_rating_opens_a_rectification_and_is_charged_exactly_once(engine, staff):
    case = rated_case(engine, staff, "不满意")
    supervisor = staff["supervisor"]
    line = engine.supervision.verify_rating(supervisor, case.number, verdict="real", reason="审批超时未告知申请人")
    assert (line.rating.verification, line.verified_by) == ("real", "赵督查")
    # Monday 23 November + 15 working days = Monday 14 December.
    assert (line.rectification.due_on, line.rectification.state) == (date(2026, 12, 14), "open")
    assert ledger_rows(engine) == [(staff["scjg_approver1"].id, "TD-07", -2,
                                    f"service_incident:{case.id}:{staff['scjg_approver1'].id}")]
    with pytest.raises(Conflict, match="verified already"):
        engine.supervision.verify_rating(supervisor, case.number, verdict="real", reason="再次核实")
    with pytest.raises(Conflict):
        engine.supervision.verify_rating(supervisor, case.number, verdict="not_real", reason="改判",
                                         not_real_kind="mistaken")
    assert len(ledger_rows(engine)) == 1 and count(engine, Rectification) == 1
    assert count(engine, AuditEntry, AuditEntry.action == "rating_verify") == 1


def test_the_supervisor_may_charge_another_handler_of_the_case(engine, staff):
    case = rated_case(engine, staff, "非常不满意")
    handlers = {person.username for person in engine.supervision.handlers([case.number])[case.number]}
    assert handlers == {"clerk1", "scjg_approver1", "clerk2"}
    with pytest.raises(InvalidInput) as refused:
        engine.supervision.verify_rating(staff["supervisor"], case.number, verdict="real", reason="态度生硬",
                                         responsible_staff_id=staff["zrgh_chief"].id)
    assert refused.value.field == "responsible_staff_id"
    engine.supervision.verify_rating(staff["supervisor"], case.number, verdict="real", reason="出件时态度生硬",
                                     responsible_staff_id=staff["clerk2"].id)
    assert [row[0] for row in ledger_rows(engine)] == [staff["clerk2"].id]


def test_a_wrong_or_malicious_rating_is_excluded_not_charged(engine, staff):
    good, real, malicious = (rated_case(engine, staff, rating) for rating in ("基本满意", "不满意", "非常不满意"))
    rated_case(engine, staff, "未评价", immediate=True)
    supervisor = staff["supervisor"]
    with pytest.raises(InvalidInput) as refused:
        engine.supervision.verify_rating(supervisor, malicious.number, verdict="not_real", reason="恶意差评")
    assert refused.value.field == "not_real_kind"
    engine.supervision.verify_rating(supervisor, malicious.number, verdict="not_real", not_real_kind="malicious",
                                     reason="申请人事后承认系误操作后又恶意差评")
    engine.supervision.verify_rating(supervisor, real.number, verdict="real", reason="属实")
    assert [row[3] for row in ledger_rows(engine)] == [f"service_incident:{real.id}:{staff['scjg_approver1'].id}"]
    assert count(engine, Rectification) == 1

    sheet = engine.supervision.satisfaction(supervisor, "2026-11")
    (name, scjg), = sheet.departments
    assert name == "示范市市场监督管理局"
    # Three on the scale (未评价 left out), the malicious one excluded: one good of two counted.
    assert (scjg.rated, scjg.good, scjg.bad, scjg.excluded, scjg.counted, scjg.rate) == (3, 1, 2, 1, 2, 50.0)
    by_staff = {row.key: row for _name, row in sheet.staff}
    assert by_staff[staff["scjg_approver1"].id].rate == 50.0
    assert sheet.total.rate == 50.0
    assert engine.supervision.satisfaction(supervisor, "2026-10").total.rate is None


BAD_VERIFICATIONS = [
    ({"verdict": "maybe"}, InvalidInput, "verdict"),
    ({"reason": ""}, InvalidInput, "reason"),
    ({"reason": "长" * 2001}, InvalidInput, "reason"),
    ({"reason": "含\x00字符"}, InvalidInput, "reason"),
    ({"not_real_kind": "mistaken"}, InvalidInput, "not_real_kind"),
    ({"responsible_staff_id": 2**40}, InvalidInput, "responsible_staff_id"),
    ({"case_number": "ZW2099010100001"}, NotFound, "case_number"),
]


def test_bad_verifications_are_refused_and_change_nothing(engine, staff):
    case = rated_case(engine, staff, "不满意", immediate=True)
    before = count(engine, AuditEntry)
    for change, error, field in BAD_VERIFICATIONS:
        arguments = {"case_number": case.number, "verdict": "real", "reason": "属实"} | change
        with pytest.raises(error) as refused:
            engine.supervision.verify_rating(staff["supervisor"], arguments.pop("case_number"), **arguments)
        assert refused.value.field == field, change
    assert engine.supervision.rating(staff["supervisor"], case.number).rating.verification == "pending"
    assert (count(engine, AuditEntry), ledger_rows(engine), count(engine, Rectification)) == (before, [], 0)


def test_only_bad_ratings_of_rated_cases_are_verified_and_only_by_supervisors(engine, staff):
    good = rated_case(engine, staff, "非常满意", immediate=True)
    with pytest.raises(Conflict, match="no bad rating"):
        engine.supervision.verify_rating(staff["supervisor"], good.number, verdict="real", reason="x")
    code = item_code(engine, case_type="即办件")
    unfinished = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    with pytest.raises(Conflict, match="no bad rating"):
        engine.supervision.verify_rating(staff["admin"], unfinished.number, verdict="real", reason="x")
    bad = rated_case(engine, staff, "不满意", immediate=True)
    for username in ("clerk1", "scjg_chief", "scjg_approver1"):
        with pytest.raises(Forbidden):
            engine.supervision.verify_rating(staff[username], bad.number, verdict="real", reason="x")
        with pytest.raises(Forbidden):
            engine.supervision.ratings(staff[username])
    assert ledger_rows(engine) == []


def test_the_department_closes_its_rectification_with_feedback(engine, staff, clock):
    case = rated_case(engine, staff, "不满意")
    line = engine.supervision.verify_rating(staff["supervisor"], case.number, verdict="real", reason="属实")
    assert line.rectification.department_code == "SCJG"  # a back-office decision stays with the department
    for username in ("zrgh_chief", "zrgh_approver1"):
        with pytest.raises(Forbidden):
            engine.supervision.close_rectification(staff[username], case.number, "已整改")
        assert engine.supervision.rectifications(staff[username], "all") == []
    for username in ("clerk1", "supervisor"):
        with pytest.raises(Forbidden):
            engine.supervision.close_rectification(staff[username], case.number, "已整改")
    with pytest.raises(InvalidInput):
        engine.supervision.close_rectification(staff["scjg_chief"], case.number, " ")
    clock.set(local_datetime(date(2026, 12, 16), 10))  # two working days past Monday 14 December
    (late,) = engine.supervision.rectifications(staff["scjg_approver2"], "overdue")
    assert (late.case_number, late.overdue, late.working_days_late) == (case.number, True, 2)
    closed = engine.supervision.close_rectification(staff["scjg_chief"], case.number, "已约谈经办人并电话回访申请人")
    assert (closed.rectification.state, closed.closed_by, closed.overdue, closed.working_days_late) == (
        "closed", "孙首席", False, 2)
    with pytest.raises(Conflict, match="closed already"):
        engine.supervision.close_rectification(staff["scjg_chief"], case.number, "再次反馈")
    other = rated_case(engine, staff, "不满意")
    with pytest.raises(NotFound):
        engine.supervision.close_rectification(staff["scjg_chief"], other.number, "无整改")
    assert engine.supervision.rectifications(staff["supervisor"], "open") == []


def test_a_window_steps_bad_rating_is_rectified_by_the_centers_window_not_the_department(engine, staff):
    decided_at_window = rated_case(engine, staff, "不满意", immediate=True)  # clerk1 decided the 即办件
    engine.supervision.verify_rating(staff["supervisor"], decided_at_window.number, verdict="real", reason="未一次告知")
    handed_out = rated_case(engine, staff, "非常不满意")  # decided by scjg_approver1, handed out by clerk2
    engine.supervision.verify_rating(staff["supervisor"], handed_out.number, verdict="real", reason="出件时态度生硬",
                                     responsible_staff_id=staff["clerk2"].id)
    lines = {line.case_number: line for line in engine.supervision.rectifications(staff["supervisor"], "all")}
    for number in (decided_at_window.number, handed_out.number):
        assert (lines[number].rectification.department_code, lines[number].department_name) == (None, "综合窗口（中心）")
    # Not the item's department's to see or close; the center's supervisors close it.
    assert engine.supervision.rectifications(staff["scjg_chief"], "all") == []
    for username in ("scjg_chief", "scjg_approver1", "clerk1"):
        with pytest.raises(Forbidden):
            engine.supervision.close_rectification(staff[username], handed_out.number, "已整改")
    closed = engine.supervision.close_rectification(staff["supervisor"], handed_out.number, "已对窗口人员批评教育并回访")
    assert (closed.rectification.state, closed.closed_by) == ("closed", "赵督查")


def test_a_rectification_due_date_skips_the_holidays_and_counts_the_make_up_day(engine, staff, clock):
    clock.set(local_datetime(date(2026, 9, 24), 9))  # Thursday before 中秋 and 国庆
    case = rated_case(engine, staff, "不满意", immediate=True)
    line = engine.supervision.verify_rating(staff["supervisor"], case.number, verdict="real", reason="属实")
    # 28-30 Sep, 8-10 Oct (Saturday 10 Oct is a make-up working day), 12-16, 19-22 Oct.
    assert line.rectification.due_on == date(2026, 10, 22)


COMPLAINT = {"channel": "12345热线", "complainant_name": "李女士", "complainant_phone": "13900139000",
             "content": "窗口工作人员态度冷淡，未一次性告知所需材料"}


def test_a_complaint_is_numbered_and_owed_a_reply_in_three_or_five_working_days(engine, staff, clock):
    supervisor = staff["supervisor"]
    first = engine.supervision.register_complaint(supervisor, **COMPLAINT, target_staff_id=staff["clerk2"].id)
    complex_one = engine.supervision.register_complaint(supervisor, **COMPLAINT, target_window="3号窗口",
                                                        complex=True)
    assert (first.complaint.number, complex_one.complaint.number) == ("TS202611230001", "TS202611230002")
    assert (first.complaint.reply_due_on, complex_one.complaint.reply_due_on) == (date(2026, 11, 26), date(2026, 11, 30))
    assert (first.target_staff_name, first.registered_by) == ("刘建国", "赵督查")
    clock.set(local_datetime(date(2026, 9, 30), 9))  # the day before 国庆: the reply is owed after the holiday
    holiday = engine.supervision.register_complaint(supervisor, **COMPLAINT, target_department_code="SCJG")
    assert holiday.complaint.number == "TS202609300001"
    assert holiday.complaint.reply_due_on == date(2026, 10, 10)  # 8, 9 and Saturday 10 October (调休上班)


def test_overdue_replies_are_listed_with_working_days_late(engine, staff, clock):
    supervisor = staff["supervisor"]
    late = engine.supervision.register_complaint(supervisor, **COMPLAINT, target_staff_id=staff["clerk1"].id)
    answered = engine.supervision.register_complaint(supervisor, **COMPLAINT, target_window="1号窗口")
    engine.supervision.reply_complaint(supervisor, answered.complaint.number, "已核查并当面致歉")
    assert engine.supervision.complaints(supervisor, "overdue") == []
    clock.set(local_datetime(date(2026, 12, 1), 9))  # due Thursday 26 November: Friday, Monday, Tuesday late
    (overdue,) = engine.supervision.complaints(supervisor, "overdue")
    assert (overdue.complaint.number, overdue.reply_overdue, overdue.working_days_late) == (
        late.complaint.number, True, 3)
    assert [line.complaint.number for line in engine.supervision.complaints(supervisor, "open")] == [
        late.complaint.number]
    replied = engine.supervision.reply_complaint(supervisor, late.complaint.number, "已调查，向投诉人说明情况")
    assert (replied.reply_overdue, replied.replied_by) == (False, "赵督查")
    assert engine.supervision.complaints(supervisor, "overdue") == []
    with pytest.raises(Conflict, match="replied to already"):
        engine.supervision.reply_complaint(supervisor, late.complaint.number, "再次答复")
    with pytest.raises(NotFound) as unknown:
        engine.supervision.reply_complaint(supervisor, "TS209901010001", "答复")
    assert unknown.value.field == "complaint_number"


def test_a_verified_complaint_against_a_staff_member_is_charged_exactly_once(engine, staff):
    supervisor = staff["supervisor"]
    against_clerk = engine.supervision.register_complaint(supervisor, **COMPLAINT, target_staff_id=staff["clerk2"].id)
    against_window = engine.supervision.register_complaint(supervisor, **COMPLAINT, target_window="5号窗口")
    rejected = engine.supervision.register_complaint(supervisor, **COMPLAINT, target_staff_id=staff["clerk3"].id)
    number = against_clerk.complaint.number
    verified = engine.supervision.verify_complaint(supervisor, number, verdict="verified", reason="调取录像属实")
    assert (verified.complaint.verdict, verified.verified_by) == ("verified", "赵督查")
    with pytest.raises(Conflict, match="verified already"):
        engine.supervision.verify_complaint(supervisor, number, verdict="verified", reason="再次核实")
    engine.supervision.verify_complaint(supervisor, against_window.complaint.number, verdict="verified", reason="属实")
    engine.supervision.verify_complaint(supervisor, rejected.complaint.number, verdict="not_verified",
                                        reason="经调查与事实不符")
    assert ledger_rows(engine) == [(staff["clerk2"].id, "TD-05", -3, f"verified_complaint:{number}")]
    assert [line.complaint.number for line in engine.supervision.complaints(supervisor, "unverified")] == []


def _verified_complaint(engine, staff, target: str, case_number: str | None = None) -> None:
    supervisor = staff["supervisor"]
    line = engine.supervision.register_complaint(supervisor, **COMPLAINT, target_staff_id=staff[target].id,
                                                 case_number=case_number)
    engine.supervision.verify_complaint(supervisor, line.complaint.number, verdict="verified", reason="调查属实")


def test_a_complaint_about_a_case_and_person_charged_for_its_bad_rating_is_not_charged_again(engine, staff):
    case = rated_case(engine, staff, "不满意")
    engine.supervision.verify_rating(staff["supervisor"], case.number, verdict="real", reason="审批拖延")
    _verified_complaint(engine, staff, "scjg_approver1", case.number)  # the same incident: one charge
    assert [(row[0], row[1]) for row in ledger_rows(engine)] == [(staff["scjg_approver1"].id, "TD-07")]
    _verified_complaint(engine, staff, "clerk2", case.number)  # another person in the case
    _verified_complaint(engine, staff, "scjg_approver1")  # the same person, no case: another incident
    assert sorted((row[0], row[1]) for row in ledger_rows(engine)) == sorted([
        (staff["scjg_approver1"].id, "TD-07"), (staff["clerk2"].id, "TD-05"), (staff["scjg_approver1"].id, "TD-05")])


def test_a_bad_rating_verified_after_a_complaint_about_the_same_case_and_person_is_not_charged_again(engine, staff):
    case = rated_case(engine, staff, "非常不满意")
    _verified_complaint(engine, staff, "scjg_approver1", case.number)
    line = engine.supervision.verify_rating(staff["supervisor"], case.number, verdict="real", reason="审批拖延")
    assert line.rectification is not None  # the rectification still opens
    assert [(row[0], row[1]) for row in ledger_rows(engine)] == [(staff["scjg_approver1"].id, "TD-05")]
    other = rated_case(engine, staff, "不满意")
    engine.supervision.verify_rating(staff["supervisor"], other.number, verdict="real", reason="审批拖延")
    assert sorted(row[1] for row in ledger_rows(engine)) == ["TD-05", "TD-07"]  # another case: another incident


BAD_COMPLAINTS = [
    ({"channel": "托梦"}, InvalidInput, "channel"),
    ({"complainant_name": " "}, InvalidInput, "complainant_name"),
    ({"complainant_name": "名" * 51}, InvalidInput, "complainant_name"),
    ({"complainant_phone": "12345"}, InvalidInput, "complainant_phone"),
    ({"content": "x" * 2001}, InvalidInput, "content"),
    ({"content": "bad\x00"}, InvalidInput, "content"),
    ({"complex": "yes"}, InvalidInput, "complex"),
    ({"target_staff_id": None}, InvalidInput, "target_staff_id"),
    ({"target_staff_id": 999999}, NotFound, "target_staff_id"),
    ({"target_department_code": "NOPE"}, NotFound, "target_department_code"),
    ({"target_window": "窗" * 31}, InvalidInput, "target_window"),
    ({"case_number": "ZW2099010100001"}, NotFound, "case_number"),
]


def test_bad_complaints_are_refused_and_change_nothing(engine, staff):
    for change, error, field in BAD_COMPLAINTS:
        fields = COMPLAINT | {"target_staff_id": staff["clerk1"].id} | change
        with pytest.raises(error) as refused:
            engine.supervision.register_complaint(staff["supervisor"], **fields)
        assert refused.value.field == field, change
    assert (count(engine, Complaint), count(engine, AuditEntry, AuditEntry.action == "complaint_register")) == (0, 0)


def test_complaint_targets_must_be_scored_staff_of_the_named_department(engine, staff):
    supervisor = staff["supervisor"]
    with pytest.raises(InvalidInput):
        engine.supervision.register_complaint(supervisor, **COMPLAINT, target_staff_id=staff["admin"].id)
    with pytest.raises(InvalidInput) as mismatch:
        engine.supervision.register_complaint(supervisor, **COMPLAINT, target_staff_id=staff["scjg_chief"].id,
                                              target_department_code="ZRGH")
    assert mismatch.value.field == "target_department_code"
    line = engine.supervision.register_complaint(supervisor, **COMPLAINT, target_staff_id=staff["scjg_chief"].id)
    assert line.complaint.target_department_code == "SCJG"
    for username in ("clerk1", "scjg_chief"):
        with pytest.raises(Forbidden):
            engine.supervision.register_complaint(staff[username], **COMPLAINT, target_window="1号窗口")
        with pytest.raises(Forbidden):
            engine.supervision.reply_complaint(staff[username], line.complaint.number, "答复")
        with pytest.raises(Forbidden):
            engine.supervision.complaints(staff[username])
    assert count(engine, Complaint) == 1


def test_racing_registrations_get_unique_consecutive_numbers(engine, db_url, clock, staff):
    fields = COMPLAINT | {"target_window": "2号窗口"}
    results = race(db_url, clock, 8, lambda eng, _i: eng.supervision.register_complaint(
        staff["supervisor"], **fields).complaint.number)
    assert sorted(results) == [f"TS20261123{n:04d}" for n in range(1, 9)]


def test_racing_complaint_verifications_charge_once(engine, db_url, clock, staff):
    number = engine.supervision.register_complaint(staff["supervisor"], **COMPLAINT,
                                                   target_staff_id=staff["clerk1"].id).complaint.number
    results = race(db_url, clock, 4, lambda eng, i: eng.supervision.verify_complaint(
        staff["supervisor"], number, verdict="verified", reason=f"核实{i}"))
    assert sum(isinstance(result, Conflict) for result in results) == 3, results
    assert len(ledger_rows(engine)) == 1


def test_two_supervisors_racing_to_verify_one_bad_rating_charge_it_once(postgres_url, clock):
    engine = CaseEngine(postgres_url, clock=clock)
    try:
        staff = actors(engine)
        for _round in range(3):  # fresh cases each round make a lucky pass unlikely
            case = rated_case(engine, staff, "非常不满意", immediate=True)
            results = race(postgres_url, clock, 2, lambda eng, i, number=case.number: eng.supervision.verify_rating(
                staff[("supervisor", "admin")[i]], number, verdict="real", reason="属实"))
            assert sorted(type(result).__name__ for result in results) == ["Conflict", "RatingLine"], results
            assert count(engine, LedgerEntry, LedgerEntry.case_id == case.id) == 1
            assert count(engine, Rectification) == _round + 1
    finally:
        engine.db.dispose()
