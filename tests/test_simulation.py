"""The simulation's figures: 超期在办 is the board's red, counted by the board's rule, at the end too."""

from datetime import date, timedelta

from sqlalchemy import func, select

from engine.cases.models import Case
from engine.clock import local_datetime
from engine.deadlines.board import counts_by_department
from engine.runtime import CaseEngine
from engine.simulation import report
from engine.simulation.run import Settings, simulate
from tests.helpers import intake, person

THREE_DAY_ITEM = "ZJJ-001"  # 承诺件, promised in 3 working days


def _summary(lines: list[str]) -> dict[str, str]:
    return dict(line.strip().split(": ", 1) for line in lines if ": " in line)


def _board_red(engine) -> int:
    with engine.session() as session:
        return sum(states["red"] for states in counts_by_department(session).values())


def test_a_case_due_on_the_last_day_or_stopped_past_due_is_not_overdue_in_the_summary(engine, staff, clock):
    monday, thursday = date(2026, 11, 23), date(2026, 11, 26)
    due_last_day = engine.create_case(staff["clerk1"], THREE_DAY_ITEM, person(), intake(engine, THREE_DAY_ITEM))
    stopped = engine.create_case(staff["clerk1"], THREE_DAY_ITEM, person(), intake(engine, THREE_DAY_ITEM))
    assert due_last_day.due_date == stopped.due_date == thursday
    clock.set(local_datetime(date(2026, 11, 25), 10))
    engine.suspend_clock(staff["zjj_approver1"], stopped.number, "现场勘察", "需到施工现场勘察")
    clock.set(local_datetime(thursday, 18))
    engine.sweep_deadlines()
    with engine.session() as session:
        summary = _summary(report.final_summary(session, monday, thursday))
    # On Thursday neither is red on the board: one is due that day, the other's clock stands still.
    assert _board_red(engine) == 0
    assert summary["超期在办 (open and red on the board at the end)"] == "0"
    assert summary["在办预警 (open cases yellow / red)"].endswith("/ 0")
    clock.set(local_datetime(date(2026, 11, 27), 0, 5))
    engine.sweep_deadlines()
    with engine.session() as session:
        assert report.figures(session, date(2026, 11, 27), date(2026, 11, 27)).overdue_open == 1 == _board_red(engine)


def test_a_short_seeded_simulation_reports_one_overdue_count(db_url):
    summary = _summary(simulate(db_url, Settings(days=3, cases_per_day=20, seed=5, start=date(2026, 11, 23)),
                                write=lambda _line: None))
    engine = CaseEngine(db_url)
    try:
        red = _board_red(engine)
        with engine.session() as session:
            assert session.scalar(select(func.count()).select_from(Case)) == int(summary["收件"])
    finally:
        engine.db.dispose()
    assert summary["超期在办 (open and red on the board at the end)"] == str(red)
    assert summary["在办预警 (open cases yellow / red)"].endswith(f"/ {red}")


def test_the_simulation_takes_an_approval_to_the_director_when_the_chief_asked_for_it(engine, staff, clock):
    """The simulated center knows a step by its form and its declared parties, not by its id."""
    from engine.simulation.run import Simulation
    from engine.tasks.models import HumanTask
    from tests.helpers import only_task

    case = engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002"))
    engine.claim_task(staff["scjg_chief"], only_task(engine, case.number).id)
    engine.request_extension(staff["scjg_chief"], case.number, "需要对经营场所补充核查")
    simulation = Simulation(engine, clock, Settings(), write=lambda _line: None)
    with engine.session() as session:
        row = session.scalar(select(HumanTask).where(HumanTask.milestone == "extension_decided"))
        case = session.get(Case, row.case_id)
    assert simulation._kind(row, case) == "extension_decision"
    assert simulation._approver_of(row).username == "director"
    simulation._act(row, case)
    assert engine.get_case(case.number).extended_days == 10


def test_the_simulation_plays_attendance_and_one_leave(db_url):
    from engine.attendance.models import AttendanceDay, AttendanceRecord
    from engine.leave.models import LeaveRequest
    from engine.ledger.models import LedgerEntry

    simulate(db_url, Settings(days=7, cases_per_day=4, seed=5, start=date(2026, 11, 23)), write=lambda _line: None)
    engine = CaseEngine(db_url)
    try:
        with engine.session() as session:
            leave = session.scalars(select(LeaveRequest)).one()
            computed = list(session.scalars(select(AttendanceDay.day).order_by(AttendanceDay.day)))
            records = session.scalar(select(func.count()).select_from(AttendanceRecord))
            charged = list(session.execute(select(LedgerEntry.rule_code, LedgerEntry.evidence)
                                           .where(LedgerEntry.rule_code.like("JL-%"))))
    finally:
        engine.db.dispose()
    assert (leave.state, leave.starts_on, leave.ends_on, leave.returned_on) == (
        "returned", date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27))
    assert leave.absence_id is not None
    assert computed == [date(2026, 11, 23) + timedelta(days=offset) for offset in range(5)]
    assert records == 5 * 21 - 2    # everyone kept, every working day, but the two days of leave
    assert charged and all("迟到" in evidence for _code, evidence in charged)   # a few late, none absent
