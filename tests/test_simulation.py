"""The simulation's figures: 超期在办 is the board's red, counted by the board's rule, at the end too."""

from datetime import date

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
