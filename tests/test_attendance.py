"""Attendance (考勤, 双签制): lateness by whole minutes in the rules' bands, absence per half day, only on
working days, leave excusing the day, the punch clock's import all or nothing, and every finding
charged to the ledger exactly once however often the day is computed."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from engine.attendance.models import AttendanceRecord
from engine.attendance.service import DEFAULT_SCHEDULE, Finding, evaluate
from engine.clock import local_datetime
from engine.errors import Conflict, Forbidden, InvalidInput
from engine.ledger.models import LedgerEntry
from scheduler.jobs import compute_attendance

WINTER = DEFAULT_SCHEDULE.winter  # 9:00-12:00, 14:00-17:30
MONDAY, TUESDAY, WEDNESDAY = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)


def bands(signed_in, signed_out=time(17, 30)):
    return [(finding.kind, finding.half, finding.band) for finding in evaluate(WINTER, signed_in, signed_out)]


@pytest.mark.parametrize(("signed_in", "band", "minutes"), [
    (time(9, 0, 59), None, 0), (time(9, 1), "minor", 1), (time(9, 5), "minor", 5), (time(9, 10, 59), "minor", 10),
    (time(9, 11), "late", 11), (time(9, 15), "late", 15), (time(9, 30), "late", 30), (time(9, 31), "major", 31),
    (time(9, 45), "major", 45), (time(12, 0), "major", 180)])
def test_lateness_is_whole_minutes_in_the_rules_bands(signed_in, band, minutes):
    findings = evaluate(WINTER, signed_in, time(17, 30))
    assert [(f.band, f.minutes) for f in findings] == ([(band, minutes)] if band else [])


def test_a_missed_session_is_absence_for_that_half_day():
    assert bands(time(12, 30)) == [("absent", "morning", "absent")]                # came after the morning
    assert bands(time(14, 20)) == [("absent", "morning", "absent"), ("late", "afternoon", "late")]
    assert bands(time(8, 55), None) == [("absent", "afternoon", "absent")]          # no sign-out
    assert bands(None, None) == [("absent", "morning", "absent"), ("absent", "afternoon", "absent")]
    assert bands(time(8, 55), time(11, 40)) == [("absent", "afternoon", "absent"), ("early", "morning", "late")]
    assert bands(time(8, 55), time(17, 20)) == [("early", "afternoon", "minor")]
    assert bands(time(17, 40), None) == [("absent", "morning", "absent"), ("absent", "afternoon", "absent")]


def test_the_summer_hours_apply_from_may_to_september():
    assert DEFAULT_SCHEDULE.season_of(date(2026, 5, 1)) == "summer"
    assert DEFAULT_SCHEDULE.season_of(date(2026, 9, 30)) == "summer"
    assert DEFAULT_SCHEDULE.season_of(date(2026, 10, 1)) == "winter"
    assert Finding("late", "morning", 10).trigger == "attendance_late_minor"
    assert Finding("absent", "morning").trigger == "attendance_absent_half_day"


def sign(engine, staff, username, day, signed_in, signed_out=(17, 30)):
    if signed_in:
        engine.clock.set(local_datetime(day, *signed_in))
        engine.attendance.sign_in(staff[username])
    if signed_out:
        engine.clock.set(local_datetime(day, *signed_out))
        engine.attendance.sign_out(staff[username])


def charges(engine, username_id, day=None) -> list[str]:
    query = select(LedgerEntry.rule_code).where(LedgerEntry.staff_id == username_id)
    if day:
        query = query.where(LedgerEntry.occurred_on == day)
    with engine.session() as session:
        return sorted(session.scalars(query))


def test_the_day_is_charged_once_per_occurrence_with_the_record_as_evidence(engine, staff):
    sign(engine, staff, "clerk1", MONDAY, (9, 5))
    sign(engine, staff, "clerk2", MONDAY, (9, 15))
    sign(engine, staff, "clerk3", MONDAY, (9, 45), (17, 20))
    sign(engine, staff, "scjg_approver1", MONDAY, (12, 30))
    engine.clock.set(local_datetime(WEDNESDAY, 9, 0))
    first = engine.attendance.compute_day(MONDAY)
    assert charges(engine, staff["clerk1"].id) == ["JL-01"]
    assert charges(engine, staff["clerk2"].id) == ["JL-02"]
    assert charges(engine, staff["clerk3"].id) == ["JL-01", "JL-03"]   # 45 min late, 10 min early
    assert charges(engine, staff["scjg_approver1"].id) == ["JL-04"]    # the morning only
    assert charges(engine, staff["zjj_chief"].id) == ["JL-04", "JL-04"]  # signed nothing: both halves
    assert charges(engine, staff["supervisor"].id) == []               # attendance is the case workers'
    with engine.session() as session:
        entry = session.scalars(select(LedgerEntry).where(LedgerEntry.staff_id == staff["clerk2"].id)).one()
        record = session.scalars(select(AttendanceRecord).where(AttendanceRecord.staff_id == staff["clerk2"].id)).one()
        total = session.scalar(select(func.count()).select_from(LedgerEntry))
    assert (entry.points, entry.occurred_on) == (-2, MONDAY)
    assert "迟到 15 分钟" in entry.evidence and f"#{record.id}" in entry.evidence and "09:15:00" in entry.evidence
    assert engine.attendance.compute_day(MONDAY) == first   # the same findings again ...
    with engine.session() as session:                        # ... and not one more entry
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == total


def test_approved_leave_excuses_the_day_and_weekends_are_not_kept(engine, staff):
    sign(engine, staff, "clerk1", TUESDAY, (9, 0))
    leave = engine.leave.request(staff["scjg_approver1"], kind="business_trip", starts_on=TUESDAY, ends_on=TUESDAY,
                                 reason="赴省厅参加业务培训", cover="scjg_approver2")
    engine.leave.approve(staff["scjg_chief"], leave.leave.id)
    engine.leave.approve(staff["supervisor"], leave.leave.id)
    engine.clock.set(local_datetime(date(2026, 11, 30), 9, 0))
    engine.attendance.compute_day(TUESDAY)
    assert charges(engine, staff["scjg_approver1"].id) == []
    assert charges(engine, staff["scjg_approver2"].id) == ["JL-04", "JL-04"]
    sheet = {line.username: line for line in engine.attendance.sheet(staff["supervisor"], TUESDAY)}
    assert sheet["scjg_approver1"].leave_kind == "出差" and sheet["scjg_approver1"].findings == []
    assert engine.attendance.compute_day(date(2026, 11, 28)) == 0   # a Saturday


def test_the_daily_job_computes_final_days_on_which_attendance_was_kept(engine, staff):
    sign(engine, staff, "clerk1", MONDAY, (9, 20))
    engine.clock.set(local_datetime(TUESDAY, 9, 0))
    assert engine.attendance.compute_due() == 0           # Monday is not final yet (the clock file may come)
    engine.clock.set(local_datetime(WEDNESDAY, 9, 0))
    assert compute_attendance(engine) > 0                  # the scheduler's job: Monday; Tuesday nobody signed
    assert charges(engine, staff["clerk1"].id) == ["JL-02"]
    assert engine.attendance.compute_due() == 0           # computed already


def test_signing_twice_and_signing_out_first_are_refused(engine, staff):
    with pytest.raises(Conflict) as refused:
        engine.attendance.sign_out(staff["clerk1"])
    assert refused.value.field == "sign_out"
    line = engine.attendance.sign_in(staff["clerk1"])
    assert line.signed_in == time(9, 0)
    with pytest.raises(Conflict):
        engine.attendance.sign_in(staff["clerk1"])
    with pytest.raises(Forbidden):
        engine.attendance.sign_in(staff["supervisor"])


PUNCHES = "username,date,time_in,time_out\nclerk1,2026-11-23,09:12,17:30\nclerk2,2026-11-23,08:50,\n"


def test_the_punch_clock_file_is_imported_and_charged(engine, staff):
    engine.clock.set(local_datetime(WEDNESDAY, 9, 0))
    assert engine.attendance.import_punches(staff["supervisor"], PUNCHES.encode()) == 2
    engine.attendance.compute_day(MONDAY)
    assert charges(engine, staff["clerk1"].id) == ["JL-02"]
    assert charges(engine, staff["clerk2"].id) == ["JL-04"]   # no sign-out: the afternoon
    with pytest.raises(InvalidInput) as refused:               # the day is computed: its charges stand
        engine.attendance.import_punches(staff["supervisor"], PUNCHES.encode())
    assert refused.value.details == {"row": 2, "column": "date"}


@pytest.mark.parametrize(("content", "row", "column"), [
    ("username,date,time_in,time_out\nclerk1,2026-11-23,09:00,17:30\nclerk2,2026-11-23,9点,17:30\n", 3, "time_in"),
    ("username,date,time_in,time_out\nclerk1,2026-11-23,09:00,17:30\nnobody,2026-11-23,09:00,17:30\n", 3, "username"),
    ("username,date,time_in,time_out\nclerk1,2026-13-23,09:00,17:30\n", 2, "date"),
    ("username,date,time_in,time_out\nclerk1,2026-11-23,17:30,09:00\n", 2, "time_out"),
    ("username,date,time_in,time_out\nclerk1,2026-11-23,09:00\n", 2, "row"),
    ("username,date,time_in,time_out\nclerk1,2026-11-23,09:00,17:30\nclerk1,2026-11-23,09:00,17:30\n", 3, "date"),
    ("username,day,in,out\nclerk1,2026-11-23,09:00,17:30\n", 1, "header"),
    ("username,date,time_in,time_out\nclerk1,2026-11-25,09:00,17:30\n", 2, "date"),   # today: not over
])
def test_a_bad_row_refuses_the_whole_file_naming_row_and_column(engine, staff, content, row, column):
    engine.clock.set(local_datetime(WEDNESDAY, 9, 0))
    with pytest.raises(InvalidInput) as refused:
        engine.attendance.import_punches(staff["supervisor"], content.encode())
    assert refused.value.field == "file" and refused.value.details == {"row": row, "column": column}
    assert f"第 {row} 行" in refused.value.message and f"row {row}" in refused.value.message
    with engine.session() as session:
        assert session.scalar(select(func.count()).select_from(AttendanceRecord)) == 0


def test_the_import_is_bounded_and_the_supervisors(engine, staff):
    with pytest.raises(InvalidInput) as refused:
        engine.attendance.import_punches(staff["supervisor"], b"x" * (512 * 1024 + 1))
    assert refused.value.details["rule"] == "maxBytes"
    with pytest.raises(Forbidden):
        engine.attendance.import_punches(staff["clerk1"], PUNCHES.encode())


def test_the_weekly_bulletin_counts_each_person(engine, staff):
    sign(engine, staff, "clerk1", MONDAY, (9, 5))
    sign(engine, staff, "clerk1", TUESDAY, (9, 40), (17, 0))
    engine.clock.set(local_datetime(date(2026, 11, 30), 9, 0))
    bulletin = engine.attendance.bulletin(staff["supervisor"], WEDNESDAY)
    assert (bulletin.first, bulletin.last) == (MONDAY, date(2026, 11, 29))
    line = next(line for line in bulletin.lines if line.username == "clerk1")
    # Monday 5 min; Tuesday 40 min late and 30 min early; Wednesday to Friday not signed: six half days.
    assert (line.minor, line.late, line.major, line.early, line.absent_half_days) == (1, 1, 1, 1, 6)
    workbook = engine.attendance.bulletin_xlsx(staff["supervisor"], WEDNESDAY, "示范市政务服务中心")
    from io import BytesIO

    from openpyxl import load_workbook
    sheet = load_workbook(BytesIO(workbook)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["clerk1"][3:9] == (1, 1, 1, 1, 6, 0)
    assert "考勤通报" in sheet["A1"].value


def test_the_centers_hours_are_a_setting_the_administrator_changes(engine, staff):
    fields = {"morning_start": "08:00", "morning_end": "12:00", "afternoon_start": "13:30", "afternoon_end": "17:00"}
    with pytest.raises(Forbidden):
        engine.center_admin.save_working_hours(staff["supervisor"], "winter", fields)
    with pytest.raises(InvalidInput) as refused:
        engine.center_admin.save_working_hours(staff["admin"], "winter", {**fields, "morning_end": "07:00"})
    assert refused.value.field == "morning_end"
    hours = engine.center_admin.save_working_hours(staff["admin"], "winter", fields)
    assert hours.winter.morning_start == time(8, 0) and hours.summer == DEFAULT_SCHEDULE.summer
    sign(engine, staff, "clerk1", MONDAY, (8, 5))
    engine.clock.set(local_datetime(WEDNESDAY, 9, 0))
    engine.attendance.compute_day(MONDAY)
    assert charges(engine, staff["clerk1"].id) == ["JL-01"]   # 5 minutes after 8:00


def test_a_day_not_over_is_not_computed(engine, staff):
    with pytest.raises(InvalidInput) as refused:
        engine.attendance.compute_day(MONDAY)
    assert refused.value.field == "day"
    assert MONDAY + timedelta(days=1) == TUESDAY
